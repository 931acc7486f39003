/**
 * The load generator (like TFS's): requests for L2NM/L3NM services and slices between random
 * edge endpoints arrive as a Poisson process and are held for exponentially distributed times,
 * so the offered load in Erlang is arrival rate × mean holding time. A request is accepted when
 * its service (or slice) is ACTIVE, blocked when the controller refuses or fails it (or no VLAN
 * is free). Reports setup and teardown latency percentiles and blocking by reason.
 */
import { seededRandom } from '../common/random.js';
import { ApiError, type CnsdnClient } from './client.js';
import { type Edge, edgeEndpoints, type RequestKind, requestBodies } from './loadgen-requests.js';
import { StatusWatcher } from './loadgen-watch.js';

export { type RequestKind, REQUEST_KINDS } from './loadgen-requests.js';

export interface LoadOptions {
  /** Offered load in Erlang (arrival rate × mean holding time). */
  erlang: number;
  /** Mean holding time (ms). */
  holdingMs: number;
  /** Arrivals stop after this long (ms); then everything still held is torn down. */
  durationMs: number;
  /** Stop after this many arrivals (default: no limit). */
  maxRequests?: number;
  kinds: readonly RequestKind[];
  seed: number;
  context: string;
  /** Names of created services and slices start with this. */
  prefix: string;
  /** VLAN ids handed out, one per held request (default 100–3999). */
  vlans?: { first: number; last: number };
  /** How long one setup may take before it counts as blocked (ms). */
  setupTimeoutMs?: number;
  /** Bearer token for the event stream (the client carries its own for requests). */
  token?: string;
  /** Called about twice a second with the figures so far. */
  onProgress?: (p: LoadProgress) => void;
}

export interface LoadProgress {
  elapsedMs: number;
  arrivals: number;
  inSetup: number;
  held: number;
  accepted: number;
  blocked: number;
  setupP50: number;
  setupP99: number;
}

export interface Percentiles {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LoadReport {
  offered_erlang: number;
  mean_holding_ms: number;
  arrival_rate_per_s: number;
  duration_ms: number;
  kinds: RequestKind[];
  edge_endpoints: number;
  arrivals: number;
  accepted: number;
  blocked: number;
  blocking_ratio: number;
  blocked_by: Record<string, number>;
  /** Time-average of requests held (carried load, Erlang). */
  carried_erlang: number;
  max_held: number;
  setup_ms: Percentiles;
  teardown_ms: Percentiles;
  teardown_failures: number;
  by_kind: Record<string, { accepted: number; blocked: number; setup_ms: Percentiles }>;
}

export function percentiles(samples: readonly number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!);
  const r = (x: number) => Math.round(x * 10) / 10;
  const mean = sorted.length === 0 ? 0 : sorted.reduce((s, x) => s + x, 0) / sorted.length;
  return { n: sorted.length, p50: r(at(50)), p90: r(at(90)), p99: r(at(99)), max: r(sorted.at(-1) ?? 0), mean: r(mean) };
}

/** An exponentially distributed sample with the given mean. */
export function exponential(random: () => number, mean: number): number {
  return -Math.log(1 - random()) * mean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

interface Held {
  kind: RequestKind;
  name: string;
  vlan: number;
}

class VlanPool {
  readonly #free: number[];
  constructor(first: number, last: number) {
    this.#free = [];
    for (let v = last; v >= first; v--) this.#free.push(v);
  }
  take(): number | undefined {
    return this.#free.pop();
  }
  give(v: number): void {
    this.#free.push(v);
  }
}

function reasonOf(e: unknown): string {
  if (e instanceof ApiError) return e.code ?? `HTTP_${e.status}`;
  return (e as { name?: string }).name ?? 'ERROR';
}

/** A read that a busy controller may shed (503): retried for up to 10 s. */
async function patiently<T>(read: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await read();
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 503) || Date.now() > deadline) throw e;
      await sleep(200);
    }
  }
}

export async function runLoad(client: CnsdnClient, options: LoadOptions): Promise<LoadReport> {
  if (!(options.erlang > 0) || !(options.holdingMs > 0)) throw new Error('offered load and holding time must be positive');
  const random = seededRandom(options.seed);
  const edges: Edge[] = edgeEndpoints(await patiently(() => client.listDevices()), await patiently(() => client.listLinks()));
  const devices = new Set(edges.map((e) => e.device));
  if (devices.size < 2) throw new Error(`the topology needs edge endpoints (not used by links) on two or more devices with a service handler; found ${edges.length} on ${devices.size}`);
  const rate = options.erlang / options.holdingMs; // arrivals per ms
  const vlans = new VlanPool(options.vlans?.first ?? 100, options.vlans?.last ?? 3999);
  const watcher = await StatusWatcher.open(client, options.context, options.token);
  const setupTimeout = options.setupTimeoutMs ?? 60_000;

  const setup: number[] = [];
  const teardown: number[] = [];
  const byKind = new Map<string, { accepted: number; blocked: number; setup: number[] }>();
  const blockedBy: Record<string, number> = {};
  let arrivals = 0;
  let accepted = 0;
  let blocked = 0;
  let inSetup = 0;
  let teardownFailures = 0;
  const held = new Map<string, Held>();
  const holds = new Set<Promise<void>>();
  let maxHeld = 0;
  let heldArea = 0; // ∫ held dt, for the carried load
  let lastChange = performance.now();
  const noteHeld = () => {
    const now = performance.now();
    heldArea += held.size * (now - lastChange);
    lastChange = now;
  };
  const stats = (kind: string) => {
    const s = byKind.get(kind) ?? { accepted: 0, blocked: 0, setup: [] };
    byKind.set(kind, s);
    return s;
  };
  const block = (kind: string, reason: string) => {
    blocked++;
    stats(kind).blocked++;
    blockedBy[reason] = (blockedBy[reason] ?? 0) + 1;
  };

  const tearDown = async (h: Held) => {
    const t0 = performance.now();
    try {
      await requestBodies.remove(client, h.kind, options.context, h.name);
      teardown.push(performance.now() - t0);
    } catch {
      teardownFailures++;
    }
    noteHeld();
    held.delete(h.name);
    vlans.give(h.vlan);
  };

  let stopping = false;
  const wake = new Set<() => void>();
  const one = async (n: number) => {
    const kind = options.kinds[Math.floor(random() * options.kinds.length)]!;
    const holding = exponential(random, options.holdingMs);
    const a = edges[Math.floor(random() * edges.length)]!;
    const others = edges.filter((e) => e.device !== a.device);
    const b = others[Math.floor(random() * others.length)]!;
    const vlan = vlans.take();
    if (vlan === undefined) return block(kind, 'NO_FREE_VLAN');
    const name = `${options.prefix}${n}`;
    inSetup++;
    const t0 = performance.now();
    try {
      await requestBodies.create(client, watcher, kind, options.context, name, a, b, vlan, setupTimeout);
    } catch (e) {
      inSetup--;
      block(kind, reasonOf(e));
      await requestBodies.remove(client, kind, options.context, name).catch(() => undefined);
      vlans.give(vlan);
      return;
    }
    const ms = performance.now() - t0;
    inSetup--;
    setup.push(ms);
    accepted++;
    stats(kind).accepted++;
    stats(kind).setup.push(ms);
    noteHeld();
    const h = { kind, name, vlan };
    held.set(name, h);
    maxHeld = Math.max(maxHeld, held.size);
    // Held until its time is up or the run ends, whichever comes first.
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wake.delete(done);
        resolve();
      };
      const timer = setTimeout(done, holding);
      wake.add(done);
      if (stopping) done();
    });
    await tearDown(h);
  };

  const started = performance.now();
  const progress = setInterval(() => {
    const p = percentiles(setup);
    options.onProgress?.({ elapsedMs: performance.now() - started, arrivals, inSetup, held: held.size, accepted, blocked, setupP50: p.p50, setupP99: p.p99 });
  }, 500);
  try {
    let next = started + exponential(random, 1 / rate);
    while (next - started < options.durationMs && (options.maxRequests === undefined || arrivals < options.maxRequests)) {
      await sleep(next - performance.now());
      arrivals++;
      const p = one(arrivals);
      holds.add(p);
      void p.finally(() => holds.delete(p));
      next += exponential(random, 1 / rate);
    }
    const endOfArrivals = performance.now();
    stopping = true;
    // Setups still running finish; everything held is torn down now.
    while (holds.size > 0) {
      for (const w of [...wake]) w();
      await Promise.race([Promise.allSettled([...holds]), sleep(50)]);
    }
    noteHeld();
    const elapsed = endOfArrivals - started;
    return {
      offered_erlang: options.erlang,
      mean_holding_ms: options.holdingMs,
      arrival_rate_per_s: Math.round(rate * 1000 * 1000) / 1000,
      duration_ms: Math.round(elapsed),
      kinds: [...options.kinds],
      edge_endpoints: edges.length,
      arrivals,
      accepted,
      blocked,
      blocking_ratio: arrivals === 0 ? 0 : Math.round((blocked / arrivals) * 10000) / 10000,
      blocked_by: blockedBy,
      carried_erlang: Math.round((heldArea / Math.max(1, performance.now() - started)) * 100) / 100,
      max_held: maxHeld,
      setup_ms: percentiles(setup),
      teardown_ms: percentiles(teardown),
      teardown_failures: teardownFailures,
      by_kind: Object.fromEntries([...byKind].map(([k, s]) => [k, { accepted: s.accepted, blocked: s.blocked, setup_ms: percentiles(s.setup) }])),
    };
  } finally {
    clearInterval(progress);
    await watcher.close();
  }
}
