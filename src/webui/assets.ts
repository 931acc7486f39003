/**
 * The built WebUI (dist/webui) read once into memory: every file with its gzip and brotli
 * variants (written by the build, else compressed here), content type, ETag and caching.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';

export const WEBUI_PREFIX = '/webui';

/** Served for /webui, /webui/ and every path that is not a file (client-side routes). */
export const SHELL_FILE = 'index.html';

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

/**
 * The shell loads only same-origin scripts and styles and talks only to its own origin.
 * Sent on every WebUI response, also on the fast path that bypasses Fastify and helmet.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export type Encoding = 'br' | 'gzip' | 'identity';

/** One response variant: its body and every header it is sent with. */
export interface WebuiVariant {
  body: Buffer;
  etag: string;
  headers: Readonly<Record<string, string>>;
}

export interface WebuiAsset {
  /** URL path, e.g. /webui/assets/index-3fa2c1.js */
  urlPath: string;
  contentType: string;
  cacheControl: string;
  /** The ETag of the identity body; the encoded variants carry it with a suffix. */
  etag: string;
  identity: WebuiVariant;
  gzip?: WebuiVariant;
  br?: WebuiVariant;
}

export interface WebuiAssets {
  /** Files by URL path. */
  files: ReadonlyMap<string, WebuiAsset>;
  shell: WebuiAsset;
  /** False when no build was found and a placeholder shell is served instead. */
  built: boolean;
  dir: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

const COMPRESSIBLE = /^(text\/|application\/(json|manifest\+json)|image\/svg\+xml)/;
/** Below this many bytes a compressed body saves less than its headers cost. */
const MIN_COMPRESS_BYTES = 256;

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Vite puts content-hashed files under assets/: their bytes never change under that name. */
export function isHashedAsset(relPath: string): boolean {
  return relPath.startsWith('assets/');
}

/** The project root: the nearest directory above this module holding package.json. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

export function defaultWebuiDir(): string {
  return process.env.CNSDN_WEBUI_DIR ?? join(projectRoot(), 'dist', 'webui');
}

function etagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
}

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

function variant(body: Buffer, etag: string, asset: { contentType: string; cacheControl: string }, encoding: Encoding, vary: boolean): WebuiVariant {
  const headers: Record<string, string> = {
    'content-type': asset.contentType,
    'content-length': String(body.length),
    'cache-control': asset.cacheControl,
    etag,
    ...SECURITY_HEADERS,
  };
  if (encoding !== 'identity') headers['content-encoding'] = encoding;
  if (vary) headers.vary = 'Accept-Encoding';
  return { body, etag, headers };
}

/** Precompressed variant files written next to the original by the build, when present and usable. */
function readVariantFile(path: string): Buffer | undefined {
  return existsSync(path) ? readFileSync(path) : undefined;
}

export function makeAsset(urlPath: string, relPath: string, body: Buffer, precompressed: { gzip?: Buffer; br?: Buffer } = {}): WebuiAsset {
  const contentType = contentTypeOf(relPath);
  const cacheControl = isHashedAsset(relPath) ? IMMUTABLE : REVALIDATE;
  const etag = etagOf(body);
  const meta = { contentType, cacheControl };
  const compressible = COMPRESSIBLE.test(contentType) && body.length >= MIN_COMPRESS_BYTES;
  let gz: Buffer | undefined;
  let br: Buffer | undefined;
  if (compressible) {
    gz = precompressed.gzip ?? gzipSync(body, { level: 9 });
    br =
      precompressed.br ??
      brotliCompressSync(body, {
        params: {
          // The build writes quality-11 files; compressing here (no such file) must not slow the start.
          [zlibConstants.BROTLI_PARAM_QUALITY]: 9,
          [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
          [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      });
    if (gz.length >= body.length) gz = undefined;
    if (br.length >= body.length) br = undefined;
  }
  const vary = gz !== undefined || br !== undefined;
  const asset: WebuiAsset = { urlPath, ...meta, etag, identity: variant(body, etag, meta, 'identity', vary) };
  const bare = etag.slice(1, -1);
  if (gz) asset.gzip = variant(gz, `"${bare}-gz"`, meta, 'gzip', true);
  if (br) asset.br = variant(br, `"${bare}-br"`, meta, 'br', true);
  return asset;
}

function listFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) listFiles(p, out);
    else out.push(p);
  }
  return out;
}

/** What is served when dist/webui does not exist (e.g. a checkout that was never built). */
export function placeholderShell(): Buffer {
  return Buffer.from(
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>cnsdn</title></head>' +
      '<body><h1>cnsdn</h1><p>The WebUI has not been built: run <code>npm run build</code>.</p></body></html>\n',
  );
}

/** Reads the built WebUI once; every request is then answered from memory. */
export function loadWebuiAssets(dir: string = defaultWebuiDir()): WebuiAssets {
  const files = new Map<string, WebuiAsset>();
  const built = existsSync(join(dir, SHELL_FILE));
  if (built) {
    for (const path of listFiles(dir)) {
      if (path.endsWith('.gz') || path.endsWith('.br')) continue;
      const rel = relative(dir, path).split(sep).join('/');
      const urlPath = `${WEBUI_PREFIX}/${rel}`;
      files.set(urlPath, makeAsset(urlPath, rel, readFileSync(path), { gzip: readVariantFile(`${path}.gz`), br: readVariantFile(`${path}.br`) }));
    }
  }
  const shell = built ? files.get(`${WEBUI_PREFIX}/${SHELL_FILE}`)! : makeAsset(`${WEBUI_PREFIX}/${SHELL_FILE}`, SHELL_FILE, placeholderShell());
  return { files, shell, built, dir };
}
