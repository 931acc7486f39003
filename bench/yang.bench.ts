/**
 * YANG compile benchmark: openconfig-interfaces + if-ip + network-instance + system (with imports),
 * and all OpenConfig modules, against yanglint on the same inputs in the same run.
 * Run: npx tsx bench/yang.bench.ts (RUNS=n, default 5; ~2 min at RUNS=3 on a quiet machine).
 * CPU figures are process.cpuUsage (all threads, GC included); yanglint is wall time, process included.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { SHARED_DIR } from '../src/common/fixtures.js';
import { compileModules } from '../src/protocols/yang/compiler.js';
import { MODELS } from '../src/sim/gnmi/openconfig.js';
import { BackgroundModels, ModelRegistry, SchemaCache } from '../src/protocols/yang/index.js';
import { ModuleLoader } from '../src/protocols/yang/loader.js';
import { validateInstance } from '../src/protocols/yang/validate.js';

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

function ours(files: string[]): { ms: number; cpuMs: number; modules: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const s = compileModules(new ModuleLoader(DIRS), files.map((file) => ({ file })));
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { ms, cpuMs: (c.user + c.system) / 1000, modules: s.modules.size };
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
  const mineCpu: number[] = [];
  let count = 0;
  for (let i = 0; i < runs; i++) {
    const r = ours(files);
    mine.push(r.ms);
    mineCpu.push(r.cpuMs);
    count = r.modules;
  }
  const theirs: number[] = [];
  if (hasYanglint) for (let i = 0; i < runs; i++) theirs.push(yanglint(files));
  console.log(
    `${label}: cnsdn ${median(mine).toFixed(0)} ms, cpu ${median(mineCpu).toFixed(0)} ms (${count} modules loaded, median of ${runs})` +
      (hasYanglint ? `; yanglint -i ${median(theirs).toFixed(0)} ms (process included)` : '; yanglint not installed'),
  );
}

// ---- validation of a 10,000-interface configuration ----

function interfacesDoc(n: number): string {
  const ifs = [];
  for (let i = 0; i < n; i++) {
    const name = `eth${i}`;
    const ip = `10.${(i >> 8) & 255}.${i & 255}.1`;
    ifs.push({
      name,
      config: { name, type: 'iana-if-type:ethernetCsmacd', mtu: 1500 + (i % 100), description: `port ${i}`, enabled: true },
      subinterfaces: {
        subinterface: [{ index: 0, config: { index: 0, enabled: true }, 'openconfig-if-ip:ipv4': { addresses: { address: [{ ip, config: { ip, 'prefix-length': 24 } }] } } }],
      },
    });
  }
  return JSON.stringify({ 'openconfig-interfaces:interfaces': { interface: ifs } });
}

const VALIDATE_MODULES = ['models/interfaces/openconfig-interfaces.yang', 'models/interfaces/openconfig-if-ip.yang', 'third_party/ietf/iana-if-type.yang'];
const doc = interfacesDoc(10_000);
const tmp = mkdtempSync(join(tmpdir(), 'cnsdn-yang-bench-'));
const docFile = join(tmp, 'interfaces-10k.json');
writeFileSync(docFile, doc);
const cache = new SchemaCache();
const req = { searchDirs: DIRS, modules: VALIDATE_MODULES.map((f) => ({ file: join(OC, f) })) };
const cold: number[] = [];
const coldCpu: number[] = [];
const warm: number[] = [];
const warmCpu: number[] = [];
for (let i = 0; i < runs; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const schema = compileModules(new ModuleLoader(DIRS), req.modules);
  const r = validateInstance(schema, doc, { format: 'json', type: 'config' });
  cold.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  coldCpu.push((c.user + c.system) / 1000);
  if (!r.valid) throw new Error(`benchmark document invalid: ${JSON.stringify(r.errors.slice(0, 3))}`);
}
cache.get(req);
for (let i = 0; i < runs; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = validateInstance(cache.get(req), doc, { format: 'json', type: 'config' });
  warm.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  warmCpu.push((c.user + c.system) / 1000);
  if (!r.valid) throw new Error('benchmark document invalid');
}
let ylMs: number[] = [];
if (hasYanglint) {
  ylMs = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    execFileSync('yanglint', ['-i', '-Q', '-t', 'config', '-p', 'models', '-p', 'third_party/ietf', ...VALIDATE_MODULES, docFile], { cwd: OC, stdio: 'ignore', timeout: 600_000 });
    ylMs.push(performance.now() - t0);
  }
}
rmSync(tmp, { recursive: true, force: true });
console.log(
  `validate 10,000 interfaces (${(doc.length / 1e6).toFixed(1)} MB RFC 7951 JSON, config): cnsdn warm schema cache ${median(warm).toFixed(0)} ms ` +
    `(cpu ${median(warmCpu).toFixed(0)} ms), cold (compile + validate) ${median(cold).toFixed(0)} ms (cpu ${median(coldCpu).toFixed(0)} ms)` +
    (hasYanglint ? `; yanglint -t config ${median(ylMs).toFixed(0)} ms (schema load and process included)` : '; yanglint not installed'),
);

// ---- responsiveness: the event loop while a device's models compile (the gNMI simulator's set) ----

/** The longest gap between turns of the event loop (a 1 ms timer) while fn runs. */
async function maxLagMs(fn: () => Promise<unknown>): Promise<{ lag: number; ms: number }> {
  let last = performance.now();
  let lag = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    lag = Math.max(lag, now - last);
    last = now;
  }, 1);
  const t0 = performance.now();
  // The work starts on a later turn, as a request's would.
  await new Promise((r) => setTimeout(r, 5));
  await fn();
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 20));
  clearInterval(timer);
  return { lag, ms };
}

const SIM_SET = MODELS.map((m) => ({ name: m.name }));
const inWorker = await maxLagMs(() => new BackgroundModels(DIRS).get(SIM_SET));
const inThread = await maxLagMs(async () => new ModelRegistry(DIRS).schemaFor(SIM_SET));
console.log(
  `gNMI simulator's ${SIM_SET.length} announced models (imports included): compiled on the worker thread ${inWorker.ms.toFixed(0)} ms, ` +
    `longest event-loop stall ${inWorker.lag.toFixed(0)} ms (receiving the schema); on the event loop ${inThread.ms.toFixed(0)} ms, stall ${inThread.lag.toFixed(0)} ms`,
);
