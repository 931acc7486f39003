/**
 * Telemetry benchmarks (`npx tsx bench/telemetry.bench.ts`). Each phase runs in its own
 * process so RSS figures do not mix:
 *   ingest  — samples pushed through the real path (driver sink → lookup → bounded queue →
 *             batched ring writes) as fast as one producer can: samples/s, CPU, RSS.
 *   full    — RSS with 10,000 devices × 8 endpoints × 4 counters, every series full (360 points).
 *   budget  — the same series under the default point budget (16 Mi points).
 *   reads   — /metrics collection, latest and recent-sample queries at 1,000 devices.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import type { Driver, SessionListener, StateSample } from '../src/device/index.js';
import type { Device } from '../src/model/index.js';
import { Ingest, latestSamples, recentSamples, registerTelemetryMetrics, SeriesStore, TelemetryManager } from '../src/telemetry/index.js';
import { round } from './stats.js';

const KPIS = [101, 102, 201, 202];
const KPI_NAMES = ['KPISAMPLETYPE_PACKETS_TRANSMITTED', 'KPISAMPLETYPE_PACKETS_RECEIVED', 'KPISAMPLETYPE_BYTES_TRANSMITTED', 'KPISAMPLETYPE_BYTES_RECEIVED'];
const ENDPOINTS = 8;
const MB = 1024 * 1024;

const rssMb = () => round(process.memoryUsage().rss / MB);
const gc = () => (globalThis as { gc?: () => void }).gc?.();

function device(i: number): Device {
  return {
    device_id: { device_uuid: { uuid: `dev-${i}` } },
    name: `R${i}`,
    device_type: 'router',
    device_config: { config_rules: [] },
    device_operational_status: 'DEVICEOPERATIONALSTATUS_ENABLED',
    device_drivers: [],
    device_endpoints: Array.from({ length: ENDPOINTS }, (_, e) => ({
      endpoint_id: {
        topology_id: { context_id: { context_uuid: { uuid: 'c' } }, topology_uuid: { uuid: 't' } },
        device_id: { device_uuid: { uuid: `dev-${i}` } },
        endpoint_uuid: { uuid: `eth${e}` },
      },
      name: `eth${e}`,
      endpoint_type: 'copper',
      kpi_sample_types: KPI_NAMES,
      endpoint_location: {},
      capabilities: {},
    })),
    components: [],
  };
}

/** A driver that only carries samples to the sink telemetry registers. */
function sinkDriver(): Driver & { emit(s: StateSample): void } {
  let sink: (s: StateSample) => void = () => undefined;
  const ok = async (subs: readonly unknown[]) => subs.map(() => true as const);
  return {
    connect: async () => undefined,
    disconnect: async () => undefined,
    discoverEndpoints: async () => [],
    getInitialConfig: async () => [],
    getConfig: async () => [],
    setConfig: ok,
    deleteConfig: ok,
    subscribeState: ok,
    unsubscribeState: ok,
    onSample(s) {
      sink = s;
      return () => undefined;
    },
    onDisconnect: () => () => undefined,
    emit: (s) => sink(s),
  };
}

async function ingestPhase(): Promise<Record<string, number>> {
  const devices = 1000;
  const store = new SeriesStore();
  const ingest = new Ingest(store);
  let listener: SessionListener = () => undefined;
  const drivers = new Map<string, ReturnType<typeof sinkDriver>>();
  const manager = new TelemetryManager({
    sessions: {
      onSession: (l) => {
        listener = l;
        return () => undefined;
      },
      withDriver: (uuid, fn) => fn(drivers.get(uuid)!),
    },
    loadDevice: async (uuid) => device(Number(uuid.slice(4))),
    ingest,
    intervalS: 10,
  });
  await manager.start();
  for (let i = 0; i < devices; i++) {
    const d = sinkDriver();
    drivers.set(`dev-${i}`, d);
    listener(`dev-${i}`, d);
  }
  await new Promise((r) => setTimeout(r, 200));
  const samples: StateSample[] = [];
  for (let e = 0; e < ENDPOINTS; e++) for (const k of KPIS) samples.push({ ts: 0, key: `/interface[eth${e}]/state/counters/x`, value: 0, endpoint: `eth${e}`, sampleType: k });
  const driverList = [...drivers.values()];
  gc();
  const rssBefore = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const durationMs = 5000;
  let ts = Date.now();
  let offered = 0;
  let peakQueue = 0;
  while (performance.now() - t0 < durationMs) {
    // One round: every device reports all its counters (one notification's worth each).
    ts += 1;
    for (const d of driverList) {
      for (const s of samples) {
        s.ts = ts;
        s.value = ts;
        d.emit(s);
      }
    }
    offered += driverList.length * samples.length;
    peakQueue = Math.max(peakQueue, ingest.queue.length);
    await new Promise((r) => setImmediate(r));
  }
  ingest.flush();
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const out = {
    devices,
    series: store.seriesCount,
    offered,
    written: ingest.written,
    dropped: ingest.dropped,
    ignored: manager.ignored,
    samplesPerSec: Math.round(ingest.written / secs),
    cpuPercent: round(((cpu.user + cpu.system) / 1000 / (secs * 1000)) * 100),
    peakQueue,
    rssMb: rssMb(),
    rssGrowthMb: round((process.memoryUsage().rss - rssBefore) / MB),
  };
  await manager.stop();
  return out;
}

function fill(devices: number, points: number, options: ConstructorParameters<typeof SeriesStore>[0]): SeriesStore {
  const store = new SeriesStore(options);
  const t0 = Date.now() - points * 10;
  for (let d = 0; d < devices; d++) {
    for (let e = 0; e < ENDPOINTS; e++) {
      for (const kpi of KPIS) {
        const s = store.ensure({ deviceUuid: `dev-${d}`, deviceName: `R${d}`, endpoint: `eth${e}`, kpi });
        if (!s) continue;
        for (let p = 0; p < points; p++) store.append(s, t0 + p * 10, p * 1000);
      }
    }
  }
  return store;
}

function retentionPhase(budget: 'full' | 'default'): Record<string, number> {
  const devices = 10_000;
  gc();
  const base = process.memoryUsage();
  const t0 = performance.now();
  const store = fill(devices, 360, budget === 'full' ? { maxTotalPoints: devices * ENDPOINTS * KPIS.length * 360 } : { maxAgeMs: 86_400_000 });
  const fillMs = performance.now() - t0;
  gc();
  const m = process.memoryUsage();
  let stored = 0;
  for (const s of store.select()) stored += s.ring.size;
  const series = store.seriesCount;
  return {
    devices,
    series,
    pointsStored: stored,
    pointsAllocated: store.allocatedPoints,
    typedArrayMb: round((store.allocatedPoints * 16) / MB),
    fillSeconds: round(fillMs / 1000, 2),
    rssMb: rssMb(),
    rssAddedMb: round((m.rss - base.rss) / MB),
    heapAddedMb: round((m.heapUsed - base.heapUsed) / MB),
    bytesPerSeriesOverhead: Math.round((m.rss - base.rss - store.allocatedPoints * 16) / series),
  };
}

async function readsPhase(): Promise<Record<string, number>> {
  const store = fill(1000, 360, { maxAgeMs: 86_400_000 });
  const ingest = new Ingest(store);
  const registry = new Registry();
  registerTelemetryMetrics(registry, { ingest });
  const time = async (fn: () => unknown, n = 5) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fn();
    return round((performance.now() - t0) / n, 2);
  };
  const scrape = await registry.metrics();
  return {
    series: store.seriesCount,
    metricsScrapeMs: await time(() => registry.metrics()),
    metricsBytes: scrape.length,
    latestOneDeviceMs: await time(() => latestSamples(store, { deviceUuid: 'dev-500' }, 10_000), 100),
    latestAllMs: await time(() => latestSamples(store, {}, 100_000)),
    recent1000AllSeriesMs: await time(() => recentSamples(store, {}, 0, 1000)),
    recent360OneSeriesMs: await time(() => recentSamples(store, { deviceUuid: 'dev-500', endpoint: 'eth3', kpi: 101 }, 0, 1000), 100),
  };
}

const phases: Record<string, () => Promise<Record<string, number>> | Record<string, number>> = {
  ingest: ingestPhase,
  full: () => retentionPhase('full'),
  budget: () => retentionPhase('default'),
  reads: readsPhase,
};

const phase = process.argv[2];
if (phase) {
  const run = phases[phase];
  if (!run) throw new Error(`unknown phase ${phase}`);
  console.log(JSON.stringify(await run()));
} else {
  const self = fileURLToPath(import.meta.url);
  console.log(`telemetry benchmark — node ${process.version}, ${(await import('node:os')).cpus().length} CPUs`);
  for (const name of Object.keys(phases)) {
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, name], { encoding: 'utf8', maxBuffer: 16 * MB });
    if (r.status !== 0) {
      console.error(`${name} failed:\n${r.stderr}`);
      process.exitCode = 1;
      continue;
    }
    console.log(`${name.padEnd(7)} ${r.stdout.trim()}`);
  }
}
