#!/usr/bin/env node
// Compiles src/ to dist/ (plain JavaScript starts faster and uses ~50 MB less memory than
// running TypeScript through tsx) and copies the non-TypeScript files the code loads at run time.
import { cpSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildWebui } from './build-webui.mjs';

const root = new URL('..', import.meta.url).pathname;
const tsc = join(root, 'node_modules', '.bin', 'tsc');
rmSync(join(root, 'dist'), { recursive: true, force: true });
const r = spawnSync(tsc, ['-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
const assets = /\.(proto|json|yang|xml)$/;
function copyAssets(dir) {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) copyAssets(p);
    else if (assets.test(entry) && !p.includes('testdata')) {
      const out = join(root, 'dist', relative(root, p));
      mkdirSync(dirname(out), { recursive: true });
      cpSync(p, out);
    }
  }
}
copyAssets(join(root, 'src'));
await buildWebui();
writeFileSync(join(root, 'dist', '.build-stamp'), new Date().toISOString());
console.log('built dist/');
