#!/usr/bin/env node
// Node 20's test runner does not expand globs: find the test files and hand them over.
// Usage: node scripts/test.mjs [unit|integration|all] [filter-substring]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const [suite = 'unit', filter = ''] = process.argv.slice(2);
const suffixes = { unit: ['.test.ts'], integration: ['.itest.ts'], all: ['.test.ts', '.itest.ts'] }[suite];
if (!suffixes) {
  console.error(`unknown suite "${suite}": use unit, integration or all`);
  process.exit(2);
}
function walk(dir, out) {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (suffixes.some((s) => p.endsWith(s)) && p.includes(filter)) out.push(p);
  }
  return out;
}
const files = walk('src', []).sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// A test that hangs fails after 3 minutes instead of stalling the run; handles a file leaves
// open do not keep the runner alive once its tests are done.
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=180000', '--test-force-exit', ...files], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
