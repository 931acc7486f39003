/**
 * YANG compile benchmark: openconfig-interfaces + if-ip + network-instance + system (with imports),
 * and all OpenConfig modules, against yanglint on the same inputs in the same run.
 * Run: npx tsx bench/yang.bench.ts
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SHARED_DIR } from '../src/common/fixtures.js';
import { compileModules } from '../src/protocols/yang/compiler.js';
import { ModuleLoader } from '../src/protocols/yang/loader.js';

const OC = join(SHARED_DIR, 'fixtures', 'yang', 'openconfig');
if (!existsSync(OC)) {
  console.log(`OpenConfig fixture not present at ${OC}: nothing to measure`);
  process.exit(0);
}
const DIRS = [join(OC, 'models'), join(OC, 'third_party', 'ietf')];
const FOUR = ['interfaces/openconfig-interfaces.yang', 'interfaces/openconfig-if-ip.yang', 'network-instance/openconfig-network-instance.yang', 'system/openconfig-system.yang'].map((f) =>
  join(OC, 'models', f),
);

function allModules(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.yang') && /^module /m.test(readFileSync(p, 'utf8'))) out.push(p);
    }
  };
  walk(join(OC, 'models'));
  return out.sort();
}

function ours(files: string[]): { ms: number; modules: number } {
  const t0 = performance.now();
  const s = compileModules(new ModuleLoader(DIRS), files.map((file) => ({ file })));
  return { ms: performance.now() - t0, modules: s.modules.size };
}

function yanglint(files: string[]): number {
  const t0 = performance.now();
  // Loading the modules with no output format only parses and compiles them.
  execFileSync('yanglint', ['-i', '-Q', '-p', 'models', '-p', 'third_party/ietf', ...files.map((f) => relative(OC, f))], {
    cwd: OC,
    stdio: 'ignore',
    timeout: 600_000,
  });
  return performance.now() - t0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const runs = Number(process.env.RUNS ?? 5);
const hasYanglint = spawnSync('yanglint', ['--version']).status === 0;
const all = allModules();
for (const [label, files] of [
  ['4 modules (interfaces, if-ip, network-instance, system)', FOUR],
  [`all ${all.length} OpenConfig modules`, all],
] as const) {
  ours(files);
  const mine: number[] = [];
  let count = 0;
  for (let i = 0; i < runs; i++) {
    const r = ours(files);
    mine.push(r.ms);
    count = r.modules;
  }
  const theirs: number[] = [];
  if (hasYanglint) for (let i = 0; i < runs; i++) theirs.push(yanglint(files));
  console.log(
    `${label}: cnsdn ${median(mine).toFixed(0)} ms (${count} modules loaded, median of ${runs})` +
      (hasYanglint ? `; yanglint -i ${median(theirs).toFixed(0)} ms (process included)` : '; yanglint not installed'),
  );
}
