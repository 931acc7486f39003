/**
 * Receiving the simulator's counter streams in this process, with no controller: a bare
 * grpc-js client (proto-loader objects from gnmi.proto, no cnsdn code) and the library's
 * GnmiClient (decoded to GnmiNotification, or read as leaves through a LeafSink as the driver
 * does: 'leaves'). All subscribe exactly what the controller's
 * telemetry asks of each target: one STREAM Subscribe per target, one SAMPLE subscription per
 * interface on `/interfaces/interface[name=X]/state/counters`, JSON_IETF, at the same interval.
 */
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { GnmiClient, type GnmiSubscription, type LeafSink } from '../src/protocols/gnmi/index.js';
import { procCpuSeconds } from './gnmi-procs.js';

export type ConsumerKind = 'bare' | 'GnmiClient' | 'leaves';

export interface StreamOptions {
  ports: number[];
  interfaces: string[];
  intervalS: number;
  warmupMs: number;
  windowMs: number;
  /** The simulators' pids, for their CPU over the window. */
  simPids: number[];
  username?: string;
  password?: string;
}

export interface StreamResult {
  consumer: ConsumerKind;
  targets: number;
  /** Leaves (gNMI Update messages) per second received over the window. */
  updatesPerSec: number;
  notificationsPerSec: number;
  /** Updates per second the subscriptions ask for (targets × interfaces × 10 / interval). */
  offeredPerSec: number;
  /** Fraction of one core over the window. */
  clientCpu: number;
  simCpu: number;
  /** Client CPU microseconds per update received. */
  clientUsPerUpdate: number;
  rssMiB: number;
  connectMs: number;
  errors: number;
  /** Garbage collections in this process over the window: scavenges and mark-compacts per million updates, and their time. */
  minorGcPerMUpdates: number;
  majorGcPerMUpdates: number;
  gcMs: number;
}

const COUNTERS_PER_INTERFACE = 10;

interface Consumer {
  stop(): void;
}

type Count = (updates: number) => void;

interface BareSubscribeResponse {
  update?: { update?: unknown[] };
  sync_response?: boolean;
}

type BareClient = grpc.Client & { Subscribe(metadata: grpc.Metadata): grpc.ClientDuplexStream<unknown, BareSubscribeResponse> };

let bareCtor: grpc.ServiceClientConstructor | undefined;

function bareConstructor(repoDir: string): grpc.ServiceClientConstructor {
  if (!bareCtor) {
    const dir = join(repoDir, 'src/protocols/gnmi/proto');
    const def = protoLoader.loadSync('gnmi.proto', { keepCase: true, longs: String, enums: String, bytes: Buffer, defaults: false, oneofs: true, includeDirs: [dir] });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { gnmi: { gNMI: grpc.ServiceClientConstructor } };
    bareCtor = pkg.gnmi.gNMI;
  }
  return bareCtor;
}

function counterPathPb(ifName: string) {
  return { elem: [{ name: 'interfaces' }, { name: 'interface', key: { name: ifName } }, { name: 'state' }, { name: 'counters' }] };
}

async function bare(repoDir: string, port: number, opts: StreamOptions, count: Count, onError: () => void): Promise<Consumer> {
  const Ctor = bareConstructor(repoDir);
  const client = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as BareClient;
  await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 10_000, (e) => (e ? reject(e) : resolve())));
  const md = new grpc.Metadata();
  if (opts.username) md.set('username', opts.username);
  if (opts.password) md.set('password', opts.password);
  const call = client.Subscribe(md);
  let synced: () => void = () => undefined;
  const sync = new Promise<void>((resolve) => {
    synced = resolve;
  });
  call.on('data', (m: BareSubscribeResponse) => {
    if (m.update) count(m.update.update?.length ?? 0);
    else if (m.sync_response) synced();
  });
  call.on('error', onError);
  call.write({
    subscribe: {
      mode: 'STREAM',
      encoding: 'JSON_IETF',
      subscription: opts.interfaces.map((i) => ({ path: counterPathPb(i), mode: 'SAMPLE', sample_interval: String(Math.round(opts.intervalS * 1e9)) })),
    },
  });
  await sync;
  return {
    stop() {
      call.cancel();
      client.close();
    },
  };
}

/** GnmiClient subscribed to what the controller asks of a target; `leaves` reads it through a LeafSink. */
async function subscribeCounters(port: number, opts: StreamOptions, leaves?: LeafSink<unknown>): Promise<{ client: GnmiClient; sub: GnmiSubscription }> {
  const client = await GnmiClient.connect({ address: `127.0.0.1:${port}`, tls: 'insecure', username: opts.username, password: opts.password });
  const sub = client.subscribe({
    mode: 'STREAM',
    encoding: 'JSON_IETF',
    subscriptions: opts.interfaces.map((i) => ({
      path: { elem: counterPathPb(i).elem },
      mode: 'SAMPLE' as const,
      sampleIntervalNs: BigInt(Math.round(opts.intervalS * 1e9)),
    })),
    ...(leaves ? { leaves } : {}),
  });
  return { client, sub };
}

/** As the gnmi-openconfig driver reads its counters: a LeafSink resolving each path once. */
async function leafConsumer(port: number, opts: StreamOptions, count: Count, onError: () => void): Promise<Consumer> {
  let leaves = 0;
  const { client, sub } = await subscribeCounters(port, opts, {
    numericStrings: true,
    resolve: (p) => p.elem[p.elem.length - 1]?.name,
    leaf: () => {
      leaves++;
    },
  });
  const timer = setInterval(() => {
    count(leaves);
    leaves = 0;
  }, 50);
  sub.on('error', onError);
  await sub.synced;
  return {
    stop() {
      clearInterval(timer);
      sub.cancel();
      client.close();
    },
  };
}

async function ours(port: number, opts: StreamOptions, count: Count, onError: () => void): Promise<Consumer> {
  const { client, sub } = await subscribeCounters(port, opts);
  sub.on('notification', (n: { update: unknown[] }) => count(n.update.length));
  sub.on('error', onError);
  await sub.synced;
  return {
    stop() {
      sub.cancel();
      client.close();
    },
  };
}

/** Connects `kind` to every target, lets the streams settle, then counts updates over the window. */
export async function measureStream(repoDir: string, kind: ConsumerKind, opts: StreamOptions): Promise<StreamResult> {
  let updates = 0;
  let notifications = 0;
  let errors = 0;
  const count: Count = (n) => {
    updates += n;
    // The leaf consumer counts leaves only: it sees no notifications.
    if (kind !== 'leaves') notifications++;
  };
  let minor = 0;
  let major = 0;
  let gcMs = 0;
  let counting = false;
  const gcWatch = new PerformanceObserver((list) => {
    if (!counting) return;
    for (const e of list.getEntries()) {
      const k = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (k === 1) minor++;
      else major++;
      gcMs += e.duration;
    }
  });
  gcWatch.observe({ entryTypes: ['gc'] });
  const onError = () => {
    errors++;
  };
  const consumers: Consumer[] = [];
  const t0 = performance.now();
  try {
    // Connect in batches so 1,000 handshakes do not all time out together.
    for (let i = 0; i < opts.ports.length; i += 50) {
      const batch = opts.ports.slice(i, i + 50);
      const connect = (p: number) => (kind === 'bare' ? bare(repoDir, p, opts, count, onError) : kind === 'leaves' ? leafConsumer(p, opts, count, onError) : ours(p, opts, count, onError));
      consumers.push(...(await Promise.all(batch.map(connect))));
    }
    const connectMs = performance.now() - t0;
    await sleep(opts.warmupMs);
    const u0 = updates;
    const n0 = notifications;
    const cpu0 = process.cpuUsage();
    const s0 = procCpuSeconds(opts.simPids);
    const w0 = performance.now();
    counting = true;
    await sleep(opts.windowMs);
    counting = false;
    const secs = (performance.now() - w0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const simCpu = (procCpuSeconds(opts.simPids) - s0) / secs;
    const clientCpu = (cpu.user + cpu.system) / 1e6 / secs;
    const updatesPerSec = (updates - u0) / secs;
    return {
      consumer: kind,
      targets: opts.ports.length,
      updatesPerSec,
      notificationsPerSec: (notifications - n0) / secs,
      offeredPerSec: (opts.ports.length * opts.interfaces.length * COUNTERS_PER_INTERFACE) / opts.intervalS,
      clientCpu,
      simCpu,
      clientUsPerUpdate: updatesPerSec > 0 ? (clientCpu / updatesPerSec) * 1e6 : Number.NaN,
      rssMiB: process.memoryUsage().rss / 1048576,
      connectMs,
      errors,
      minorGcPerMUpdates: (minor / Math.max(1, updates - u0)) * 1e6,
      majorGcPerMUpdates: (major / Math.max(1, updates - u0)) * 1e6,
      gcMs,
    };
  } finally {
    gcWatch.disconnect();
    for (const c of consumers) c.stop();
    // Let the cancellations reach the simulator so its timers stop before the next phase.
    await sleep(1000);
  }
}
