/**
 * Core benchmark: a controller in a child process, 10,000 emulated devices and 20,000 links,
 * on SQLite and on PostgreSQL. Progress on stderr, a table on stdout.
 *
 * Usage: npm run bench -- [--quick] [--json FILE] [--backends sqlite,postgres] [--devices N] [--links N]
 *                         [--cpu-prof DIR] [--keep-logs] [--no-build] [--server-node-args "FLAGS"]
 *
 * The controller runs compiled (`dist/`, built first unless --no-build) with the node flags of
 * bin/cnsdn.js's shebang line, as `cnsdn serve` runs. Single-device GETs are driven by wrk and the
 * list by curl, each in its own process: the figures are the server's, not a Node client's
 * sharing the cores with it. Server CPU per request (from /proc) is reported beside latency,
 * since a loaded machine inflates wall-clock figures.
 * --quick: 2,000 devices and 4,000 links, shorter runs (about 1.5 minutes for both backends).
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { deviceName, generateDescriptor, seededRandom } from './descriptor.js';
import { closeAgents, getJson } from './http.js';
import { latencyClient, runLatency } from './latency.js';
import { createScratchDb, type ScratchDb } from './pg.js';
import { type ServerHandle, startServer } from './server.js';
import { openSse } from './sse.js';
import { round, summarize } from './stats.js';
import { haveWrk, runWrk, type WrkResult } from './wrk.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUN_DEADLINE_MS = 6 * 60_000;
/** Every backend gets an equal share of what is left of the run (the first one may not eat the second's). */
let backendDeadline = Date.now() + RUN_DEADLINE_MS;
const backendRemainingMs = () => backendDeadline - Date.now();
const QUIET_MS = 3000;
const QUIET_BOUND_MS = 30_000;
const ENABLED_BOUND_MS = 60_000;
const ENABLED_POLL_MS = 2000;
const SINGLE_REQUESTS = 2000;
const SINGLE_CONCURRENCY = 8;
const SINGLE_WARMUP = 100;
const EVENT_TIMEOUT_MS = 5000;

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    backends: { type: 'string', default: 'sqlite,postgres' },
    devices: { type: 'string', default: '10000' },
    links: { type: 'string', default: '20000' },
    'cpu-prof': { type: 'string' },
    'keep-logs': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'server-node-args': { type: 'string' },
  },
});
const QUICK = args.quick === true;
/** The controller runs with auth on, as `cnsdn serve` does; the bench is an admin through CNSDN_ADMIN_TOKEN. */
const ADMIN_TOKEN = `bench-${process.pid}-${Date.now()}`;
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };
if (QUICK) {
  args.devices = args.devices === '10000' ? '2000' : args.devices;
  args.links = args.links === '20000' ? '4000' : args.links;
}
const LIST_REQUESTS = QUICK ? 10 : 20;
const WRK_SECONDS = QUICK ? 5 : 10;
const EVENT_UPDATES = QUICK ? 100 : 200;

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

type SingleResult = WrkResult & { client: string; cpuUsPerRequest: number; p999?: number };

interface BackendResult {
  backend: 'sqlite' | 'postgres';
  skipped?: string;
  error?: string;
  rssEmptyMiB?: number;
  rssAfterImportMiB?: number;
  peakRssMiB?: number;
  importMs?: number;
  /** Controller CPU time (user + system) during the import request. */
  importCpuMs?: number;
  importSummary?: unknown;
  allEnabledMs?: number | null;
  enabledCount?: number;
  list?: Latency & { bytes: number; cpuMsPerRequest: number; gzipBytes?: number; gzip?: Latency & { cpuMsPerRequest: number } };
  single?: SingleResult[];
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
  const deadline = performance.now() + Math.min(ENABLED_BOUND_MS, Math.max(0, backendRemainingMs() - 75_000));
  let count = 0;
  for (;;) {
    const { devices } = await getJson<{ devices: DeviceView[] }>(`${server.url}/tfs-api/devices`, 60_000, AUTH);
    count = devices.filter((d) => d.device_operational_status === 'DEVICEOPERATIONALSTATUS_ENABLED').length;
    progress(`  enabled ${count}/${total}`);
    if (count >= total) return { ms: performance.now() - importStart, count };
    if (performance.now() + ENABLED_POLL_MS > deadline) return { ms: null, count };
    await sleep(ENABLED_POLL_MS);
  }
}

/** GET of the device list by curl (its own process), `times` in a row; server CPU per request from /proc. */
async function measureList(server: ServerHandle, encoding: 'identity' | 'gzip'): Promise<Latency & { bytes: number; cpuMsPerRequest: number }> {
  const times: number[] = [];
  let bytes = 0;
  const cpu0 = server.cpuMs();
  const t0 = performance.now();
  // At most LIST_REQUESTS, and no more once 20 s have gone (a starved machine must not eat the budget).
  for (let i = 0; i < LIST_REQUESTS && (i < 3 || performance.now() - t0 < 20_000); i++) {
    const { stdout } = await promisify(execFile)('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{time_total} %{size_download}', '-H', `accept-encoding: ${encoding}`, '-H', `authorization: ${AUTH.authorization}`, `${server.url}/tfs-api/devices`], { timeout: 60_000 });
    const [status, seconds, size] = stdout.trim().split(' ');
    if (status !== '200') throw new Error(`GET /tfs-api/devices: HTTP ${status}`);
    times.push(Number(seconds) * 1000);
    bytes = Number(size);
  }
  return { ...summarize(times), bytes, cpuMsPerRequest: round((server.cpuMs() - cpu0) / times.length, 2) };
}

function devicePaths(deviceCount: number): string[] {
  const rand = seededRandom(7);
  return Array.from({ length: Math.min(deviceCount, 5000) }, () => `/tfs-api/device/${deviceName(Math.floor(rand() * deviceCount))}`);
}

/**
 * Single-device GETs, one connection then eight, with wrk (throughput; its percentiles are
 * corrected for coordinated omission against its mean request interval) and then with
 * bench/latency-client.c (each request's own latency, the figure the target is read against);
 * server CPU per request from /proc.
 */
async function measureSingleWrk(server: ServerHandle, deviceCount: number): Promise<SingleResult[]> {
  const paths = devicePaths(deviceCount);
  // Warm-up: every path read at least once, so the figures are of the kept answers (a miss costs one store read).
  await runWrk(server.url, paths, SINGLE_CONCURRENCY, 3, AUTH);
  const out: SingleResult[] = [];
  for (const connections of [1, SINGLE_CONCURRENCY]) {
    const cpu0 = server.cpuMs();
    const r = await runWrk(server.url, paths, connections, WRK_SECONDS, AUTH);
    out.push({ ...r, client: 'wrk, CO-corrected', cpuUsPerRequest: round(((server.cpuMs() - cpu0) * 1000) / Math.max(1, r.requests), 0) });
  }
  if (latencyClient() === null) {
    progress('no C compiler: per-request latency (bench/latency-client.c) left out');
    return out;
  }
  for (const connections of [1, SINGLE_CONCURRENCY]) {
    const cpu0 = server.cpuMs();
    const r = await runLatency(server.url, paths, connections, WRK_SECONDS, `authorization: ${AUTH.authorization}`);
    out.push({ ...r, client: 'per request', cpuUsPerRequest: round(((server.cpuMs() - cpu0) * 1000) / Math.max(1, r.requests), 0) });
  }
  return out;
}

/** Without wrk: Node fetch clients in this process (they share the cores with the server: pessimistic). */
async function measureSingleFetch(server: ServerHandle, deviceCount: number): Promise<SingleResult> {
  const rand = seededRandom(7);
  const names = Array.from({ length: SINGLE_WARMUP + SINGLE_REQUESTS }, () => deviceName(Math.floor(rand() * deviceCount)));
  const get = async (name: string) => {
    const res = await fetch(`${server.url}/tfs-api/device/${name}`, { headers: AUTH, signal: AbortSignal.timeout(30_000) });
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
  const cpu0 = server.cpuMs();
  await Promise.all(Array.from({ length: SINGLE_CONCURRENCY }, worker));
  const elapsed = performance.now() - t0;
  const cpuUsPerRequest = round(((server.cpuMs() - cpu0) * 1000) / SINGLE_REQUESTS, 0);
  const { p50, p99, max } = summarize(times);
  return { client: 'node fetch (same process)', connections: SINGLE_CONCURRENCY, requests: SINGLE_REQUESTS, errors, reqPerSec: round((SINGLE_REQUESTS / elapsed) * 1000, 0), p50, p90: Number.NaN, p99, max, cpuUsPerRequest };
}

async function measureEvents(server: ServerHandle, deviceCount: number): Promise<Latency & { timeouts: number }> {
  const sse = await openSse(`${server.url}/api/events?kinds=device`, AUTH);
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
      const device = await getJson<DeviceView & Record<string, unknown>>(`${server.url}/tfs-api/device/${name}`, 60_000, AUTH);
      const rules = device.device_config.config_rules.filter((r) => r.custom?.resource_key !== '/bench/seq');
      rules.push({ action: 'CONFIGACTION_SET', custom: { resource_key: '/bench/seq', resource_value: String(i++) } });
      const body = JSON.stringify({ ...device, device_config: { config_rules: rules } });
      const arrival = sse.next((e) => e.kind === 'device' && e.name === name && e.op === 'UPDATE', EVENT_TIMEOUT_MS);
      const t0 = performance.now();
      const res = await fetch(`${server.url}/tfs-api/device/${name}`, { method: 'PUT', headers: { ...AUTH, 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(30_000) });
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

/**
 * Waits until no device event has come for QUIET_MS (bounded): devices that have just connected
 * still report endpoints and status, and every report drops the cached list a read would measure.
 */
async function waitQuiet(server: ServerHandle): Promise<number> {
  const sse = await openSse(`${server.url}/api/events?kinds=device`, AUTH);
  const t0 = performance.now();
  try {
    while (performance.now() - t0 < QUIET_BOUND_MS) {
      try {
        await sse.next(() => true, QUIET_MS);
      } catch {
        break; // quiet
      }
    }
    return performance.now() - t0;
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
    const env = { CNSDN_TELEMETRY_INTERVAL_S: '0', CNSDN_USE_DIST: '1', CNSDN_ADMIN_TOKEN: ADMIN_TOKEN, CNSDN_RATE_LIMIT_TRUSTED: '0' };
    const nodeArgs = args['server-node-args'] !== undefined ? args['server-node-args'].split(/\s+/).filter(Boolean) : undefined;
    server = await startServer({ repoDir: REPO, dataDir, databaseUrl: db?.url, cpuProfDir, logFile: join(workDir, `${backend}-server.log`), env, nodeArgs });
    progress(`${backend}: ready at ${server.url} (pid ${server.pid})`);
    await sleep(2000);
    result.rssEmptyMiB = round(server.memory().rssMiB);
    progress(`${backend}: idle RSS, empty store: ${result.rssEmptyMiB} MiB`);

    progress(`${backend}: importing descriptor (${(descriptorBody.length / 1048576).toFixed(1)} MiB)`);
    const importStart = performance.now();
    const importCpu0 = server.cpuMs();
    const res = await phase(result, 'import', () => fetch(`${server!.url}/tfs-api/descriptors`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: descriptorBody,
      signal: AbortSignal.timeout(Math.max(30_000, remainingMs() - 60_000)),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { summary?: unknown } })));
    const imported = res.body;
    result.importMs = round(performance.now() - importStart, 0);
    result.importCpuMs = round(server.cpuMs() - importCpu0, 0);
    if (res.status !== 200) throw new Error(`import: HTTP ${res.status} ${JSON.stringify(imported).slice(0, 500)}`);
    result.importSummary = imported.summary;
    progress(`${backend}: import ${result.importMs} ms (controller CPU ${result.importCpuMs} ms) ${JSON.stringify(imported.summary)}`);

    progress(`${backend}: waiting for devices to be ENABLED (poll every ${ENABLED_POLL_MS / 1000} s, bounded)`);
    const enabled = await phase(result, 'enabled', () => measureEnabled(server!, importStart, deviceCount));
    result.allEnabledMs = enabled.ms === null ? null : round(enabled.ms, 0);
    result.enabledCount = enabled.count;

    const quietMs = await waitQuiet(server);
    progress(`${backend}: device events quiet after ${round(quietMs / 1000)} s`);
    await sleep(2000);
    const mem = server.memory();
    result.rssAfterImportMiB = round(mem.rssMiB);
    progress(`${backend}: idle RSS after import: ${result.rssAfterImportMiB} MiB (peak ${round(mem.hwmMiB)} MiB)`);

    progress(`${backend}: GET /tfs-api/devices ×${LIST_REQUESTS} (identity, then gzip)`);
    const list = await phase(result, 'list', () => measureList(server!, 'identity'));
    const gzip = await phase(result, 'list-gzip', () => measureList(server!, 'gzip'));
    result.list = { ...list, gzipBytes: gzip.bytes, gzip: { n: gzip.n, p50: gzip.p50, p99: gzip.p99, max: gzip.max, mean: gzip.mean, cpuMsPerRequest: gzip.cpuMsPerRequest } };
    progress(`${backend}: list p50 ${list.p50} ms p99 ${list.p99} ms, ${list.bytes} bytes, server CPU ${list.cpuMsPerRequest} ms/request; gzip p50 ${gzip.p50} ms, ${gzip.bytes} bytes`);

    const wrk = haveWrk();
    progress(`${backend}: GET /tfs-api/device/{name} ${wrk ? `with wrk, ${WRK_SECONDS} s at 1 and ${SINGLE_CONCURRENCY} connections` : `×${SINGLE_REQUESTS} with node fetch (wrk not installed)`}`);
    result.single = await phase(result, 'single', async () => (wrk ? measureSingleWrk(server!, deviceCount) : [await measureSingleFetch(server!, deviceCount)]));
    for (const r of result.single) progress(`${backend}: single ${r.client} c=${r.connections} p50 ${r.p50} ms p99 ${r.p99} ms${r.p999 === undefined ? '' : ` p99.9 ${r.p999} ms`}, ${r.reqPerSec} req/s, server CPU ${r.cpuUsPerRequest} µs/request`);

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
    ['import (wall clock, controller CPU)', '< 10 s (PostgreSQL)', (r) => (r.importMs === undefined ? '—' : `${r.importMs} ms, CPU ${r.importCpuMs} ms`)],
    ['all devices ENABLED (from import start)', '—', (r) => (r.enabledCount === undefined ? '—' : `${fmt(r.allEnabledMs, ' ms')} (${r.enabledCount})`)],
    ['GET /tfs-api/devices p50 / p99 (curl)', '< 200 ms', (r) => (r.list ? `${r.list.p50} / ${r.list.p99} ms` : '—')],
    ['  server CPU per list request', '—', (r) => (r.list ? `${r.list.cpuMsPerRequest} ms` : '—')],
    ['  response size (identity)', '—', (r) => (r.list ? `${round(r.list.bytes / 1048576, 2)} MiB` : '—')],
    ['  gzip p50 / p99, size', '—', (r) => (r.list?.gzip ? `${r.list.gzip.p50} / ${r.list.gzip.p99} ms, ${round((r.list.gzipBytes ?? 0) / 1048576, 2)} MiB` : '—')],
    ...[0, 1, 2, 3].map((i): [string, string, (r: BackendResult) => string] => {
      const first = results.find((r) => r.single?.[i])?.single?.[i];
      return [
        `GET /tfs-api/device/{id} p50 / p99, ${first ? `${first.client}, c=${first.connections}` : `#${i + 1}`}`,
        first?.client === 'per request' ? 'p99 < 5 ms (TFS: 75–100 ms)' : '—',
        (r) => {
          const x = r.single?.[i];
          return x ? `${x.p50} / ${x.p99} ms${x.p999 === undefined ? '' : ` (p99.9 ${x.p999})`}, ${x.reqPerSec} req/s, ${x.cpuUsPerRequest} µs CPU/req${x.errors ? `, ${x.errors} errors` : ''}` : '—';
        },
      ];
    }),
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

  if (!args['no-build']) {
    progress('building dist/ (npm run build) so the controller runs compiled, as `cnsdn serve` does');
    // Another build of the same checkout at the same moment makes one fail: try again.
    for (let attempt = 1; ; attempt++) {
      const b = spawnSync(process.execPath, [join(REPO, 'scripts/build.mjs')], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
      if (b.status === 0) break;
      if (attempt === 3) throw new Error(`build failed: ${b.stderr.toString().slice(-2000)}`);
      progress(`build failed (attempt ${attempt}), trying again`);
      await sleep(5000 * attempt);
    }
  }
  progress(`generating descriptor: ${deviceCount} devices × 8 endpoints, ${linkCount} links (seed 42)`);
  const descriptor = generateDescriptor({ devices: deviceCount, links: linkCount, endpointsPerDevice: 8, seed: 42 });
  const descriptorBody = JSON.stringify(descriptor);

  const workDir = mkdtempSync(join(tmpdir(), 'cnsdn-bench-'));
  progress(`work dir ${workDir}`);
  const results: BackendResult[] = [];
  try {
    for (const b of backends as ('sqlite' | 'postgres')[]) {
      const left = backends.length - results.length;
      backendDeadline = Date.now() + remainingMs() / left;
      if (remainingMs() < 90_000) {
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
