#!/usr/bin/env node
// Builds the WebUI (webui/, Vite) into dist/webui and writes a .gz and a .br beside every
// compressible file, so the server loads them instead of compressing at start.
// Usage: node scripts/build-webui.mjs [--quiet]
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const defaultOut = join(root, 'dist', 'webui');
const COMPRESSIBLE = /\.(html|js|mjs|css|json|svg|txt|map|webmanifest)$/;

/** Builds into outDir (default dist/webui); returns each file's raw, gzip and brotli sizes, or null without vite. */
export async function buildWebui({ out = defaultOut, quiet = false } = {}) {
  let vite;
  try {
    vite = await import('vite');
  } catch {
    console.warn('vite is not installed (production install?): WebUI not built');
    return null;
  }
  const started = Date.now();
  await vite.build({ configFile: join(root, 'webui', 'vite.config.ts'), logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir)) {
      const p = join(dir, entry);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(out);
  const sizes = [];
  for (const p of files) {
    const body = readFileSync(p);
    const row = { file: relative(out, p), raw: body.length };
    if (COMPRESSIBLE.test(p) && body.length >= 256) {
      const gz = gzipSync(body, { level: 9 });
      const br = brotliCompressSync(body, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
      });
      writeFileSync(`${p}.gz`, gz);
      writeFileSync(`${p}.br`, br);
      Object.assign(row, { gzip: gz.length, br: br.length });
    }
    sizes.push(row);
  }
  if (!quiet) {
    for (const r of sizes) console.log(`  ${r.file.padEnd(40)} ${String(r.raw).padStart(8)} raw ${String(r.gzip ?? '-').padStart(8)} gzip ${String(r.br ?? '-').padStart(8)} br`);
    console.log(`built dist/webui in ${Date.now() - started} ms`);
  }
  return sizes;
}

if (import.meta.url === `file://${process.argv[1]}` && existsSync(join(root, 'webui'))) await buildWebui({ quiet: process.argv.includes('--quiet') });
