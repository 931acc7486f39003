/**
 * Telemetry ingest into the controller: `cnsdn serve` in a child process (bench/server.ts),
 * K simulated gNMI targets onboarded with one POST /tfs-api/descriptors, then the controller's
 * own /metrics counters, CPU (/proc/PID/stat) and RSS over a fixed window.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { procCpuSeconds } from './gnmi-procs.js';
import { type ServerHandle, startServer } from './server.js';

export interface IngestOptions {
  repoDir: string;
  workDir: string;
  ports: number[];
  username: string;
  password: string;
  intervalS: number;
  windowMs: number;
  settleMs: number;
  onboardBoundMs: number;
  simPids: number[];
  cpuProfDir?: string;
  progress: (msg: string) => void;
  /** Marks a phase on the monotonic clock (for slicing a CPU profile). */
  phase: (name: string, startUs: number, endUs: number) => void;
}

export interface IngestResult {
  devices: number;
  intervalS: number;
  rssEmptyMiB: number;
  /** Fraction of one core the controller uses with no device. */
  idleCpu: number;
  /** 503 (overloaded) answers to the bench's GETs during onboarding and the window. */
  overloaded503: number;
  postMs: number;
  /** POST → every device ENABLED; null when not reached within the bound. */
  onboardMs: number | null;
  enabled: number;
  /** Most devices seen ENABLED at one poll (sessions can drop while others connect). */
  maxEnabled: number;
  /** Devices telemetry follows (cnsdn_telemetry_devices) at the window's start. */
  telemetryDevices: number;
  connectedAtEnd: number;
  /** Largest event-loop delay (prom-client's monitorEventLoopDelay) while onboarding, and in the window. */
  onboardLagMaxS: number;
  windowLagMaxS: number;
  windowLagP99S: number;
  /** Slowest /metrics scrape bounding the window: the counters' read time is known to ±half of it. */
  scrapeLatencyMs: number;
  windowS: number;
  /** Leaves delivered to telemetry per second: written + ignored (+ dropped at a full queue). */
  leavesPerSec: number;
  /** Counter samples written into the retention store per second (the KPIs TFS knows: 5 of the 10 leaves). */
  samplesPerSec: number;
  ignoredPerSec: number;
  droppedPerSec: number;
  offeredPerSec: number;
  /** Fraction of one core over the window. */
  controllerCpu: number;
  simCpu: number;
  controllerUsPerLeaf: number;
  rssMiB: number;
  hwmMiB: number;
  rssAddedMiB: number;
  rssPerDeviceKiB: number;
  /** Telemetry retention's typed arrays (points allocated × 16 bytes), part of the added RSS. */
  telemetryArraysMiB: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  externalMiB: number;
  /** From the controller's log over the whole run: failed connects, and of them sessions lost after connecting. */
  connectFailures: number;
  sessionsLost: number;
  /** grpc-js keepalive pings not answered in time (only counted with GRPC_TRACE=keepalive). */
  keepaliveTimeouts: number;
  series: number;
  queueLength: number;
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** 503 answers (the controller's event loop over its delay bound: @fastify/under-pressure) seen by the bench's GETs. */
let overloaded = 0;

/** The controller runs with auth on (`cnsdn serve`): the bench is its admin through CNSDN_ADMIN_TOKEN. */
const ADMIN_TOKEN = randomBytes(24).toString('base64url');
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** GET that waits out 503 "Server overloaded" answers (retry-after 1 s) for up to `boundMs`. */
async function getText(url: string, boundMs = 60_000): Promise<string> {
  const deadline = performance.now() + boundMs;
  for (;;) {
    const res = await fetch(url, { headers: AUTH, signal: AbortSignal.timeout(boundMs) });
    const text = await res.text();
    if (res.ok) return text;
    if (res.status !== 503 || performance.now() > deadline) throw new Error(`GET ${url}: HTTP ${res.status} ${text.slice(0, 300)}`);
    overloaded++;
    await sleep(250);
  }
}

/** The unlabelled (or summed over labels) samples of the named metrics. */
async function scrape(url: string): Promise<Map<string, number>> {
  const text = await getText(`${url}/metrics`);
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('cnsdn_telemetry_') && !line.startsWith('nodejs_eventloop_lag_') && !line.startsWith('nodejs_heap_size_') && !line.startsWith('nodejs_external_memory')) continue;
    const sp = line.lastIndexOf(' ');
    const full = line.slice(0, sp);
    const brace = full.indexOf('{');
    const name = brace < 0 ? full : full.slice(0, brace);
    out.set(full, Number(line.slice(sp + 1)));
    if (brace >= 0) out.set(name, (out.get(name) ?? 0) + Number(line.slice(sp + 1)));
  }
  return out;
}

const metric = (m: Map<string, number>, key: string) => m.get(key) ?? 0;

export function gnmiDescriptor(opts: Pick<IngestOptions, 'ports' | 'username' | 'password' | 'intervalS'>): Record<string, unknown> {
  const rule = (key: string, value: unknown) => ({ action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: value } });
  return {
    devices: opts.ports.map((port, i) => ({
      device_id: { device_uuid: { uuid: `gnmi-${String(i + 1).padStart(4, '0')}` } },
      device_type: 'packet-router',
      device_drivers: ['DEVICEDRIVER_GNMI_OPENCONFIG'],
      device_operational_status: 'DEVICEOPERATIONALSTATUS_UNDEFINED',
      device_config: {
        config_rules: [
          rule('_connect/address', '127.0.0.1'),
          rule('_connect/port', String(port)),
          rule('_connect/settings', { username: opts.username, password: opts.password, use_tls: false, telemetry_interval_s: opts.intervalS }),
        ],
      },
      device_endpoints: [],
    })),
  };
}

interface DeviceView {
  device_operational_status: string;
}

interface Snapshot {
  metrics: Map<string, number>;
  /** Midpoint of the scrape (performance.now()): when the counters were read, within ±latency/2. */
  at: number;
  latencyMs: number;
  controllerCpu: number;
  simCpu: number;
}

async function snapshot(url: string, pid: number, simPids: number[]): Promise<Snapshot> {
  const c0 = procCpuSeconds(pid);
  const s0 = procCpuSeconds(simPids);
  const t0 = performance.now();
  const metrics = await scrape(url);
  const t1 = performance.now();
  return {
    metrics,
    at: (t0 + t1) / 2,
    latencyMs: t1 - t0,
    controllerCpu: (c0 + procCpuSeconds(pid)) / 2,
    simCpu: (s0 + procCpuSeconds(simPids)) / 2,
  };
}

/** Lines of the controller's log that record a failed connect or a lost session. */
function sessionLosses(logFile: string): { failed: number; dropped: number; pingTimeouts: number } {
  let text = '';
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return { failed: 0, dropped: 0, pingTimeouts: 0 };
  }
  let failed = 0;
  let dropped = 0;
  let pingTimeouts = 0;
  for (const line of text.split('\n')) {
    // grpc-js with GRPC_TRACE=keepalive: a ping not answered within the keepalive timeout.
    if (line.includes('Ping timeout passed without response')) pingTimeouts++;
    if (!line.includes('"device connect failed"')) continue;
    failed++;
    if (line.includes('lost:')) dropped++;
  }
  return { failed, dropped, pingTimeouts };
}

export async function measureIngest(opts: IngestOptions): Promise<IngestResult> {
  const k = opts.ports.length;
  const dataDir = join(opts.workDir, `controller-${k}-${opts.intervalS}s`);
  const logFile = join(opts.workDir, `controller-${k}-${opts.intervalS}s.log`);
  mkdirSync(dataDir, { recursive: true });
  let server: ServerHandle | undefined;
  let result: IngestResult | undefined;
  try {
    opts.progress(`K=${k}: starting controller`);
    server = await startServer({ repoDir: opts.repoDir, dataDir, cpuProfDir: opts.cpuProfDir, logFile, env: { CNSDN_ADMIN_TOKEN: ADMIN_TOKEN } });
    await sleep(1000);
    const idle0 = procCpuSeconds(server.pid);
    await sleep(2000);
    const idleCpu = (procCpuSeconds(server.pid) - idle0) / 2;
    const rssEmptyMiB = server.memory().rssMiB;
    overloaded = 0;
    await scrape(server.url); // resets the event-loop delay histogram
    opts.progress(`K=${k}: controller pid ${server.pid} ready, RSS empty ${rssEmptyMiB.toFixed(1)} MiB; POST /tfs-api/descriptors (${k} devices, telemetry every ${opts.intervalS} s)`);

    const body = JSON.stringify(gnmiDescriptor(opts));
    const onboardStartUs = nowUs();
    const t0 = performance.now();
    const res = await fetch(`${server.url}/tfs-api/descriptors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH },
      body,
      signal: AbortSignal.timeout(opts.onboardBoundMs),
    });
    const text = await res.text();
    const postMs = performance.now() - t0;
    if (!res.ok) throw new Error(`POST /tfs-api/descriptors: HTTP ${res.status} ${text.slice(0, 500)}`);

    let enabled = 0;
    let maxEnabled = 0;
    let onboardMs: number | null = null;
    // As bench/core.bench.ts: a full device list every 2 s at scale (the poll is load too).
    const pollMs = k >= 100 ? 2000 : 100;
    const deadline = t0 + opts.onboardBoundMs;
    for (;;) {
      const { devices } = JSON.parse(await getText(`${server.url}/tfs-api/devices`)) as { devices: DeviceView[] };
      enabled = devices.filter((d) => d.device_operational_status === 'DEVICEOPERATIONALSTATUS_ENABLED').length;
      maxEnabled = Math.max(maxEnabled, enabled);
      if (enabled >= k) {
        onboardMs = performance.now() - t0;
        break;
      }
      if (performance.now() + pollMs > deadline) break;
      if (k >= 100) opts.progress(`K=${k}:   enabled ${enabled}/${k}`);
      await sleep(pollMs);
    }
    opts.phase('onboard', onboardStartUs, nowUs());
    const onboardLag = await scrape(server.url);
    opts.progress(
      `K=${k}: ${enabled}/${k} ENABLED ${onboardMs === null ? `not all within the bound (at most ${maxEnabled})` : `in ${Math.round(onboardMs)} ms`} ` +
        `(POST ${Math.round(postMs)} ms); event-loop delay max ${metric(onboardLag, 'nodejs_eventloop_lag_max_seconds').toFixed(2)} s`,
    );

    // Telemetry subscribes on each new session; wait until it follows every connected device.
    let m = await scrape(server.url);
    const tDeadline = performance.now() + 15_000;
    while (metric(m, 'cnsdn_telemetry_devices') < enabled && performance.now() < tDeadline) {
      await sleep(500);
      m = await scrape(server.url);
    }
    const telemetryDevices = metric(m, 'cnsdn_telemetry_devices');
    opts.progress(`K=${k}: telemetry follows ${telemetryDevices} devices; settling ${opts.settleMs / 1000} s`);
    await sleep(opts.settleMs);

    const windowStartUs = nowUs();
    const a = await snapshot(server.url, server.pid, opts.simPids);
    await sleep(opts.windowMs);
    const b = await snapshot(server.url, server.pid, opts.simPids);
    opts.phase('ingest', windowStartUs, nowUs());
    const secs = (b.at - a.at) / 1000;
    const mem = server.memory();
    const m1 = b.metrics;
    const rate = (key: string) => (metric(m1, key) - metric(a.metrics, key)) / secs;
    const samplesPerSec = rate('cnsdn_telemetry_samples_total');
    const ignoredPerSec = rate('cnsdn_telemetry_ignored_total');
    const droppedPerSec = rate('cnsdn_telemetry_dropped_total{reason="queue_full"}');
    const leavesPerSec = samplesPerSec + ignoredPerSec + droppedPerSec;
    const controllerCpu = (b.controllerCpu - a.controllerCpu) / secs;
    const connected = metric(m1, 'cnsdn_telemetry_devices');
    result = {
      devices: k,
      intervalS: opts.intervalS,
      rssEmptyMiB,
      idleCpu,
      overloaded503: overloaded,
      postMs,
      onboardMs,
      enabled,
      maxEnabled,
      telemetryDevices,
      connectedAtEnd: connected,
      onboardLagMaxS: metric(onboardLag, 'nodejs_eventloop_lag_max_seconds'),
      windowLagMaxS: metric(m1, 'nodejs_eventloop_lag_max_seconds'),
      windowLagP99S: metric(m1, 'nodejs_eventloop_lag_p99_seconds'),
      scrapeLatencyMs: Math.max(a.latencyMs, b.latencyMs),
      windowS: secs,
      leavesPerSec,
      samplesPerSec,
      ignoredPerSec,
      droppedPerSec,
      offeredPerSec: (connected * 8 * 10) / opts.intervalS,
      controllerCpu,
      simCpu: (b.simCpu - a.simCpu) / secs,
      controllerUsPerLeaf: leavesPerSec > 0 ? (controllerCpu / leavesPerSec) * 1e6 : Number.NaN,
      rssMiB: mem.rssMiB,
      hwmMiB: mem.hwmMiB,
      rssAddedMiB: mem.rssMiB - rssEmptyMiB,
      rssPerDeviceKiB: ((mem.rssMiB - rssEmptyMiB) * 1024) / Math.max(1, connected),
      heapUsedMiB: metric(m1, 'nodejs_heap_size_used_bytes') / 1048576,
      heapTotalMiB: metric(m1, 'nodejs_heap_size_total_bytes') / 1048576,
      externalMiB: metric(m1, 'nodejs_external_memory_bytes') / 1048576,
      telemetryArraysMiB: (metric(m1, 'cnsdn_telemetry_points_allocated') * 16) / 1048576,
      series: metric(m1, 'cnsdn_telemetry_series'),
      queueLength: metric(m1, 'cnsdn_telemetry_queue_length'),
      connectFailures: 0,
      sessionsLost: 0,
      keepaliveTimeouts: 0,
    };
    opts.progress(
      `K=${k}: ${Math.round(leavesPerSec).toLocaleString('en')} leaves/s over ${secs.toFixed(1)} s (${Math.round(samplesPerSec).toLocaleString('en')} samples/s written, ` +
        `${Math.round(droppedPerSec)} dropped/s, asked ${Math.round(result.offeredPerSec).toLocaleString('en')}/s of ${connected} devices); ` +
        `controller CPU ${(controllerCpu * 100).toFixed(0)}%, sim CPU ${(result.simCpu * 100).toFixed(0)}%, event-loop delay max ${result.windowLagMaxS.toFixed(2)} s; ` +
        `RSS ${mem.rssMiB.toFixed(1)} MiB (+${result.rssAddedMiB.toFixed(1)}; heap used ${result.heapUsedMiB.toFixed(0)} MiB)`,
    );
    return result;
  } finally {
    if (server) {
      opts.progress(`K=${k}: stopping controller`);
      await server.stop();
      const losses = sessionLosses(logFile);
      if (result) {
        result.connectFailures = losses.failed;
        result.sessionsLost = losses.dropped;
        result.keepaliveTimeouts = losses.pingTimeouts;
      }
      if (losses.failed > 0 || losses.pingTimeouts > 0) {
        opts.progress(`K=${k}: controller log: ${losses.failed} failed connects, ${losses.dropped} of them sessions lost; ${losses.pingTimeouts} keepalive ping timeouts (traced with --trace-keepalive)`);
      }
    }
  }
}
