/**
 * Serving the in-memory WebUI: path resolution (files, then the shell for client-side routes),
 * Accept-Encoding negotiation (br > gzip > identity), If-None-Match → 304. The same logic
 * answers through Fastify (webuiRoutes) and on a bare node:http request (serveWebuiRaw).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import type { Encoding, WebuiAsset, WebuiAssets, WebuiVariant } from './assets.js';
import { WEBUI_PREFIX } from './assets.js';

/** The q-value a header gives a coding (0 when absent; `*` covers codings not named). */
export function pickEncoding(acceptEncoding: string | string[] | undefined, available: { br: boolean; gzip: boolean }): Encoding {
  if (acceptEncoding === undefined) return 'identity';
  const header = Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : acceptEncoding;
  if (header === '') return 'identity';
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    let value = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p);
      if (m) value = Number(m[1]);
    }
    if (Number.isFinite(value)) q.set(name.trim(), value);
  }
  const star = q.get('*');
  const accepts = (coding: string) => (q.get(coding) ?? star ?? 0) > 0;
  if (available.br && accepts('br')) return 'br';
  if (available.gzip && (accepts('gzip') || accepts('x-gzip'))) return 'gzip';
  return 'identity';
}

/** True when the path is /webui or under /webui/ (the query string already removed). */
export function isWebuiPath(path: string): boolean {
  return path === WEBUI_PREFIX || path.startsWith(`${WEBUI_PREFIX}/`);
}

/**
 * The file a path names, or the shell for a client-side route. A path whose last segment
 * looks like a file name (has an extension) and matches no file is not found: a missing
 * script must not be answered with HTML.
 */
export function resolveAsset(assets: WebuiAssets, path: string): WebuiAsset | undefined {
  if (path === WEBUI_PREFIX || path === `${WEBUI_PREFIX}/`) return assets.shell;
  const file = assets.files.get(path);
  if (file) return file;
  const last = path.slice(path.lastIndexOf('/') + 1);
  if (last.includes('.') || path.startsWith(`${WEBUI_PREFIX}/assets/`)) return undefined;
  return assets.shell;
}

export function chooseVariant(asset: WebuiAsset, acceptEncoding: string | string[] | undefined): WebuiVariant {
  const encoding = pickEncoding(acceptEncoding, { br: asset.br !== undefined, gzip: asset.gzip !== undefined });
  return (encoding === 'identity' ? undefined : asset[encoding]) ?? asset.identity;
}

/** RFC 9110 weak comparison: any of the listed tags (or *) names this file, whatever its encoding. */
export function etagMatches(ifNoneMatch: string | undefined, asset: WebuiAsset): boolean {
  if (ifNoneMatch === undefined) return false;
  const bare = asset.etag.slice(1, -1);
  for (const raw of ifNoneMatch.split(',')) {
    const tag = raw.trim();
    if (tag === '*') return true;
    const opaque = tag.replace(/^W\//, '').replace(/^"|"$/g, '');
    if (opaque === bare || opaque === `${bare}-gz` || opaque === `${bare}-br`) return true;
  }
  return false;
}

/** Headers of a 304: the validators and caching of the variant that would have been sent. */
function notModifiedHeaders(v: WebuiVariant): Record<string, string> {
  const { 'content-length': _length, 'content-type': _type, 'content-encoding': _encoding, ...rest } = v.headers;
  return rest;
}

const NOT_FOUND_BODY = Buffer.from(
  JSON.stringify({ type: 'https://cnsdn.dev/problems/not-found', title: 'Not Found', status: 404, code: 'CNSDN_NOT_FOUND', detail: 'No such WebUI file' }),
);

export interface WebuiAnswer {
  status: 200 | 304 | 404;
  headers: Readonly<Record<string, string>>;
  body: Buffer;
}

/** The whole answer to a GET or HEAD of a WebUI path (the body is dropped for HEAD by the caller). */
export function answer(assets: WebuiAssets, path: string, acceptEncoding: string | string[] | undefined, ifNoneMatch: string | undefined): WebuiAnswer {
  const asset = resolveAsset(assets, path);
  if (!asset) {
    return {
      status: 404,
      headers: { 'content-type': 'application/problem+json', 'content-length': String(NOT_FOUND_BODY.length), 'cache-control': 'no-store' },
      body: NOT_FOUND_BODY,
    };
  }
  const v = chooseVariant(asset, acceptEncoding);
  if (etagMatches(ifNoneMatch, asset)) return { status: 304, headers: notModifiedHeaders(v), body: Buffer.alloc(0) };
  return { status: 200, headers: v.headers, body: v.body };
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * Answers a WebUI request on a bare node:http request/response (the fast path in front of
 * Fastify). Returns false, without touching the response, when it is not a GET/HEAD of a WebUI path.
 */
export function serveWebuiRaw(assets: WebuiAssets, req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = pathOf(req.url ?? '/');
  if (!isWebuiPath(path)) return false;
  const a = answer(assets, path, req.headers['accept-encoding'], req.headers['if-none-match']);
  res.writeHead(a.status, a.headers);
  if (req.method === 'HEAD' || a.status === 304) res.end();
  else res.end(a.body);
  return true;
}

/** Fastify plugin serving GET and HEAD of /webui, /webui/ and /webui/*. */
export function webuiRoutes(assets: WebuiAssets): FastifyPluginAsync {
  return async (app) => {
    const handler = async (request: { url: string; headers: IncomingMessage['headers']; method: string }, reply: import('fastify').FastifyReply) => {
      const a = answer(assets, pathOf(request.url), request.headers['accept-encoding'], request.headers['if-none-match']);
      // Node drops the body of a HEAD answer itself and keeps its content-length.
      return reply.code(a.status).headers(a.headers).send(a.status === 304 ? undefined : a.body);
    };
    // The bodies are already compressed (or too small to gain): the compress plugin must leave them alone.
    const options = { schema: { hide: true }, compress: false as const, exposeHeadRoute: false };
    for (const url of [WEBUI_PREFIX, `${WEBUI_PREFIX}/`, `${WEBUI_PREFIX}/*`]) {
      app.route({ method: ['GET', 'HEAD'], url, ...options, handler });
    }
  };
}
