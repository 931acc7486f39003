/**
 * Core benchmark: a controller in a child process, 10,000 emulated devices and 20,000 links,
 * on SQLite and on PostgreSQL. Progress on stderr, a table on stdout.
 *
 * Usage: npm run bench -- [--json FILE] [--backends sqlite,postgres] [--devices N] [--links N]
 *                         [--cpu-prof DIR] [--keep-logs]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { deviceName, generateDescriptor, seededRandom } from './descriptor.js';
import { closeAgents, getJson, rawGet } from './http.js';
import { createScratchDb, type ScratchDb } from './pg.js';
import { type ServerHandle, startServer } from './server.js';
import { openSse } from './sse.js';
import { round, summarize } from './stats.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUN_DEADLINE_MS = 9 * 60_000;
const ENABLED_BOUND_MS = 120_000;
const ENABLED_POLL_MS = 2000;
const LIST_REQUESTS = 20;
const SINGLE_REQUESTS = 2000;
const SINGLE_CONCURRENCY = 8;
const SINGLE_WARMUP = 100;
const EVENT_UPDATES = 200;
const EVENT_TIMEOUT_MS = 5000;

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    backends: { type: 'string', default: 'sqlite,postgres' },
    devices: { type: 'string', default: '10000' },
    links: { type: 'string', default: '20000' },
    'cpu-prof': { type: 'string' },
    'keep-logs': { type: 'boolean', default: false },
  },
});

const started = Date.now();
const progress = (msg: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${msg}\n`);
const remainingMs = () => RUN_DEADLINE_MS - (Date.now() - started);

interface DeviceView {
  name: string;
  device_operational_status: string;
  device_config: { config_rules: { action: string; custom?: { resource_key: string; resource_value: unknown } }[] };
}

interface Latency {
  n: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

interface BackendResult {
  backend: 'sqlite' | 'postgres';
  skipped?: string;
  error?: string;
  rssEmptyMiB?: number;
  rssAfterImportMiB?: number;
  peakRssMiB?: number;
  importMs?: number;
  importSummary?: unknown;
  allEnabledMs?: number | null;
  enabledCount?: number;
  list?: Latency & { bytes: number; gzipBytes?: number; gzip?: Latency };
  single?: Latency & { reqPerSec: number; errors: number };
  events?: Latency & { timeouts: number };
  /** Monotonic-clock windows (µs, same clock as V8 CPU profiles on Linux) to slice a --cpu-prof by phase. */
  phases: { name: string; startUs: number; endUs: number }[];
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

async function phase<R>(result: BackendResult, name: string, fn: () => Promise<R>): Promise<R> {
  const startUs = nowUs();
  try {
    return await fn();
  } finally {
    result.phases.push({ name, startUs, endUs: nowUs() });
  }
}

async function measureEnabled(server: ServerHandle, importStart: number, total: number): Promise<{ ms: number | null; count: number }> {
  const deadline = performance.now() + Math.min(ENABLED_BOUND_MS, Math.max(0, remainingMs() - 240_000));
  let count = 0;
  for (;;) {
    const { devices } = await getJson<{ devices: DeviceView[] }>(`${server.url}/tfs-api/devices`, 60_000);
    count = devices.filter((d) => d.device_operational_status === 'DEVICEOPERATIONALSTATUS_ENABLED').length;
    progress(`  enabled ${count}/${total}`);
    if (count >= total) return { ms: performance.now() - importStart, count };
    if (performance.now() + ENABLED_POLL_MS > deadline) return { ms: null, count };
    await sleep(ENABLED_POLL_MS);
  }
}

async function measureList(server: ServerHandle, encoding: 'identity' | 'gzip'): Promise<Latency & { bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < LIST_REQUESTS; i++) {
    const t0 = performance.now();
    const res = await rawGet(`${server.url}/tfs-api/devices`, { 'accept-encoding': encoding }, 60_000);
    times.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`GET /tfs-api/devices: HTTP ${res.status}`);
    bytes = res.wireBytes;
  }
  return { ...summarize(times), bytes };
}

async function measureSingle(server: ServerHandle, deviceCount: number): Promise<Latency & { reqPerSec: number; errors: number }> {
  const rand = seededRandom(7);
  const names = Array.from({ length: SINGLE_WARMUP + SINGLE_REQUESTS }, () => deviceName(Math.floor(rand() * deviceCount)));
  const get = async (name: string) => {
    const res = await fetch(`${server.url}/tfs-api/device/${name}`, { signal: AbortSignal.timeout(30_000) });
    await res.arrayBuffer();
    return res.status;
  };
  for (let i = 0; i < SINGLE_WARMUP; i++) await get(names[i]!);
  const times: number[] = [];
  let errors = 0;
  let next = SINGLE_WARMUP;
  const t0 = performance.now();
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++]!;
      const s = performance.now();
      const status = await get(name);
      times.push(performance.now() - s);
      if (status !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: SINGLE_CONCURRENCY }, worker));
  const elapsed = performance.now() - t0;
  return { ...summarize(times), reqPerSec: round((SINGLE_REQUESTS / elapsed) * 1000, 0), errors };
}

async function measureEvents(server: ServerHandle, deviceCount: number): Promise<Latency & { timeouts: number }> {
  const sse = await openSse(`${server.url}/api/events?kinds=device`);
  try {
    // Distinct devices, so no late event of an earlier update can be taken for the current one.
    const rand = seededRandom(11);
    const picked = new Set<number>();
    for (let guard = 0; picked.size < Math.min(EVENT_UPDATES, deviceCount) && guard < EVENT_UPDATES * 100; guard++) picked.add(Math.floor(rand() * deviceCount));
    const times: number[] = [];
    let timeouts = 0;
    let i = 0;
    for (const idx of picked) {
      const name = deviceName(idx);
      const device = await getJson<DeviceView & Record<string, unknown>>(`${server.url}/tfs-api/device/${name}`);
      const rules = device.device_config.config_rules.filter((r) => r.custom?.resource_key !== '/bench/seq');
      rules.push({ action: 'CONFIGACTION_SET', custom: { resource_key: '/bench/seq', resource_value: String(i++) } });
      const body = JSON.stringify({ ...device, device_config: { config_rules: rules } });
      const arrival = sse.next((e) => e.kind === 'device' && e.name === name && e.op === 'UPDATE', EVENT_TIMEOUT_MS);
      const t0 = performance.now();
      const res = await fetch(`${server.url}/tfs-api/device/${name}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(30_000) });
      const text = await res.text();
      if (!res.ok) throw new Error(`PUT /tfs-api/device/${name}: HTTP ${res.status} ${text.slice(0, 300)}`);
      try {
        times.push((await arrival) - t0);
      } catch {
        timeouts++;
      }
    }
    return { ...summarize(times), timeouts };
  } finally {
    sse.close();
  }
}

async function runBackend(backend: 'sqlite' | 'postgres', descriptorBody: string, deviceCount: number, workDir: string): Promise<BackendResult> {
  const result: BackendResult = { backend, phases: [] };
  let db: ScratchDb | undefined;
  let server: ServerHandle | undefined;
  if (backend === 'postgres') {
    try {
      db = await createScratchDb();
      progress(`postgres: created database ${db.name}`);
    } catch (e) {
      result.skipped = `PostgreSQL unreachable at 127.0.0.1:5432 (${(e as Error).message})`;
      progress(`SKIP postgres: ${result.skipped}`);
      return result;
    }
  }
  const dataDir = join(workDir, `${backend}-data`);
  mkdirSync(dataDir, { recursive: true });
  const cpuProfDir = args['cpu-prof'] ? resolve(args['cpu-prof'], backend) : undefined;
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
  try {
    progress(`${backend}: starting controller`);
    // The context is measured here; telemetry of 10k devices has its own benchmark (bench/telemetry.bench.ts).
    const env = { CNSDN_TELEMETRY_INTERVAL_S: '0' };
    server = await startServer({ repoDir: REPO, dataDir, databaseUrl: db?.url, cpuProfDir, logFile: join(workDir, `${backend}-server.log`), env });
    progress(`${backend}: ready at ${server.url} (pid ${server.pid})`);
    await sleep(2000);
    result.rssEmptyMiB = round(server.memory().rssMiB);
    progress(`${backend}: idle RSS, empty store: ${result.rssEmptyMiB} MiB`);

    progress(`${backend}: importing descriptor (${(descriptorBody.length / 1048576).toFixed(1)} MiB)`);
    const importStart = performance.now();
    const res = await phase(result, 'import', () => fetch(`${server!.url}/tfs-api/descriptors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: descriptorBody,
      signal: AbortSignal.timeout(Math.max(30_000, remainingMs() - 60_000)),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { summary?: unknown } })));
    const imported = res.body;
    result.importMs = round(performance.now() - importStart, 0);
    if (res.status !== 200) throw new Error(`import: HTTP ${res.status} ${JSON.stringify(imported).slice(0, 500)}`);
    result.importSummary = imported.summary;
    progress(`${backend}: import ${result.importMs} ms ${JSON.stringify(imported.summary)}`);

    progress(`${backend}: waiting for devices to be ENABLED (poll every ${ENABLED_POLL_MS / 1000} s, bounded)`);
    const enabled = await phase(result, 'enabled', () => measureEnabled(server!, importStart, deviceCount));
    result.allEnabledMs = enabled.ms === null ? null : round(enabled.ms, 0);
    result.enabledCount = enabled.count;

    await sleep(5000);
    const mem = server.memory();
    result.rssAfterImportMiB = round(mem.rssMiB);
    progress(`${backend}: idle RSS after import: ${result.rssAfterImportMiB} MiB (peak ${round(mem.hwmMiB)} MiB)`);

    progress(`${backend}: GET /tfs-api/devices ×${LIST_REQUESTS} (identity, then gzip)`);
    const list = await phase(result, 'list', () => measureList(server!, 'identity'));
    const gzip = await phase(result, 'list-gzip', () => measureList(server!, 'gzip'));
    result.list = { ...list, gzipBytes: gzip.bytes, gzip: { n: gzip.n, p50: gzip.p50, p99: gzip.p99, max: gzip.max, mean: gzip.mean } };
    progress(`${backend}: list p50 ${list.p50} ms p99 ${list.p99} ms, ${list.bytes} bytes; gzip p50 ${gzip.p50} ms, ${gzip.bytes} bytes`);

    progress(`${backend}: GET /tfs-api/device/{name} ×${SINGLE_REQUESTS}, concurrency ${SINGLE_CONCURRENCY}`);
    result.single = await phase(result, 'single', () => measureSingle(server!, deviceCount));
    progress(`${backend}: single p50 ${result.single.p50} ms p99 ${result.single.p99} ms, ${result.single.reqPerSec} req/s`);

    progress(`${backend}: PUT /tfs-api/device/{name} ×${EVENT_UPDATES} → SSE UPDATE`);
    result.events = await phase(result, 'events', () => measureEvents(server!, deviceCount));
    progress(`${backend}: event p50 ${result.events.p50} ms p99 ${result.events.p99} ms (${result.events.timeouts} timeouts)`);
    result.peakRssMiB = round(server.memory().hwmMiB);
  } catch (e) {
    result.error = (e as Error).message;
    progress(`${backend}: ERROR ${result.error}`);
  } finally {
    if (server) {
      progress(`${backend}: stopping controller`);
      await server.stop();
    }
    if (db) {
      await db.drop().catch((e: unknown) => progress(`postgres: could not drop ${db?.name}: ${(e as Error).message}`));
      progress(`postgres: dropped database ${db.name}`);
    }
  }
  return result;
}

const fmt = (x: number | null | undefined, unit = '') => (x === undefined ? '—' : x === null ? 'not reached' : `${x}${unit}`);

function table(results: BackendResult[]): string {
  const rows: [string, string, ...((r: BackendResult) => string)[]][] = [
    ['idle RSS, empty store', '< 150 MB', (r) => fmt(r.rssEmptyMiB, ' MiB')],
    ['idle RSS after import', '< 150 MB', (r) => fmt(r.rssAfterImportMiB, ' MiB')],
    ['peak RSS (VmHWM)', '—', (r) => fmt(r.peakRssMiB, ' MiB')],
    ['import 10k dev + 20k links', '< 10 s (PostgreSQL)', (r) => fmt(r.importMs, ' ms')],
    ['all devices ENABLED (from import start)', '—', (r) => (r.enabledCount === undefined ? '—' : `${fmt(r.allEnabledMs, ' ms')} (${r.enabledCount})`)],
    ['GET /tfs-api/devices p50 / p99', '< 200 ms', (r) => (r.list ? `${r.list.p50} / ${r.list.p99} ms` : '—')],
    ['  response size (identity)', '—', (r) => (r.list ? `${round(r.list.bytes / 1048576, 2)} MiB` : '—')],
    ['  gzip p50 / p99, size', '—', (r) => (r.list?.gzip ? `${r.list.gzip.p50} / ${r.list.gzip.p99} ms, ${round((r.list.gzipBytes ?? 0) / 1048576, 2)} MiB` : '—')],
    ['GET /tfs-api/device/{id} p50 / p99', 'p99 < 5 ms (TFS: 75–100 ms)', (r) => (r.single ? `${r.single.p50} / ${r.single.p99} ms` : '—')],
    ['  throughput (c=8)', '—', (r) => (r.single ? `${r.single.reqPerSec} req/s${r.single.errors ? `, ${r.single.errors} errors` : ''}` : '—')],
    ['PUT device → SSE UPDATE p50 / p99', '—', (r) => (r.events ? `${r.events.p50} / ${r.events.p99} ms${r.events.timeouts ? `, ${r.events.timeouts} timeouts` : ''}` : '—')],
  ];
  const header = ['metric', 'target', ...results.map((r) => r.backend)];
  const body = rows.map(([name, target, ...cells]) => [name, target, ...results.map((r) => (r.skipped ? 'skipped' : cells[0]!(r)))]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const out = [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)];
  for (const r of results) {
    if (r.skipped) out.push(`${r.backend}: skipped: ${r.skipped}`);
    if (r.error) out.push(`${r.backend}: error: ${r.error}`);
  }
  return out.join('\n');
}

async function main(): Promise<number> {
  setTimeout(() => {
    progress('hard deadline reached: stopping (children are killed on exit)');
    process.exit(2);
  }, RUN_DEADLINE_MS + 30_000).unref();
  const deviceCount = Number(args.devices);
  const linkCount = Number(args.links);
  const backends = args.backends!.split(',').map((b) => b.trim());
  for (const b of backends) if (b !== 'sqlite' && b !== 'postgres') throw new Error(`unknown backend ${b}`);

  progress(`generating descriptor: ${deviceCount} devices × 8 endpoints, ${linkCount} links (seed 42)`);
  const descriptor = generateDescriptor({ devices: deviceCount, links: linkCount, endpointsPerDevice: 8, seed: 42 });
  const descriptorBody = JSON.stringify(descriptor);

  const workDir = mkdtempSync(join(tmpdir(), 'cnsdn-bench-'));
  progress(`work dir ${workDir}`);
  const results: BackendResult[] = [];
  try {
    for (const b of backends as ('sqlite' | 'postgres')[]) {
      if (remainingMs() < 120_000) {
        results.push({ backend: b, skipped: 'out of time budget', phases: [] });
        continue;
      }
      results.push(await runBackend(b, descriptorBody, deviceCount, workDir));
    }
  } finally {
    closeAgents();
    if (args['keep-logs']) progress(`server logs kept in ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }

  process.stdout.write(`\ncnsdn core benchmark: ${deviceCount} devices, ${linkCount} links, node ${process.version}\n\n${table(results)}\n`);
  if (args.json) {
    const doc = { date: new Date().toISOString(), node: process.version, devices: deviceCount, links: linkCount, durationMs: Date.now() - started, results };
    writeFileSync(args.json, `${JSON.stringify(doc, null, 2)}\n`);
    progress(`results written to ${args.json}`);
  }
  progress(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return results.some((r) => r.error) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
