/**
 * Streaming throughput: a gNMI server (this library) sends interface counter containers of 10
 * leaves per notification as fast as the SAMPLE timer and flow control allow; measured at the
 * receiver as updates/s, with GnmiClient (decoded to GnmiNotification) and with a bare grpc-js
 * client (proto-loader objects only), alternating, in three set-ups:
 *   in-process     server and client share this process (one core between them)
 *   cross-process  the server runs in a child process (this file with `serve`): one core each
 *   simulator      `bin/cnsdn-sim.js gnmi --insecure` in a child process (its datastore feeds SAMPLE)
 * CPU is % of one core over the measuring window, for this process and for the server process,
 * and CPU time per update received.
 * Run: npx tsx src/protocols/gnmi/stream.bench.ts [seconds] [in-process|cross-process|simulator ...]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { GnmiClient } from './client.js';
import { parsePath } from './path.js';
import { gnmiProto } from './proto.js';
import { type GnmiServer, startGnmiServer } from './server.js';
import type { GnmiEncoding, GnmiPath, GnmiTarget, GnmiUpdate, ModelData } from './target.js';
import type { SubscribeResponsePb } from './wire.js';

const INTERFACES = 100;
const COUNTERS = ['in-octets', 'out-octets', 'in-pkts', 'out-pkts', 'in-unicast-pkts', 'out-unicast-pkts', 'in-errors', 'out-errors', 'in-discards', 'out-discards'];
const SERVER_TIMEOUT_MS = 10 * 60_000;

class CounterTarget implements GnmiTarget {
  private tick = 0n;
  private readonly paths = Array.from({ length: INTERFACES }, (_, i) =>
    COUNTERS.map((c) => parsePath(`/interfaces/interface[name=Ethernet${i}]/state/counters/${c}`)),
  ).flat();
  authenticate() {
    return { username: 'bench', role: 'rw' as const };
  }
  capabilities(): { models: ModelData[]; encodings: GnmiEncoding[]; gnmiVersion: string } {
    return { models: [], encodings: ['PROTO'], gnmiVersion: '0.10.0' };
  }
  get(): never {
    throw new Error('not used');
  }
  set(): never {
    throw new Error('not used');
  }
  leaves(_path: GnmiPath): GnmiUpdate[] {
    this.tick++;
    return this.paths.map((path) => ({ path, value: { kind: 'uint', value: 1_000_000_000_000n + this.tick } }));
  }
  onChange() {
    return () => {};
  }
}

/** A server on its own: `serve` prints its port and exits when stdin closes or after SERVER_TIMEOUT_MS. */
async function serve(): Promise<void> {
  const server = await startGnmiServer({ port: 0, target: new CounterTarget(), tls: 'insecure' });
  process.stdout.write(`port ${server.port}\n`);
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.stdin.on('end', stop).on('close', stop).resume();
  setTimeout(stop, SERVER_TIMEOUT_MS).unref();
}

interface Endpoint {
  address: string;
  path: string;
  /** CPU seconds used by the server so far (undefined: not measurable). */
  serverCpu(): number | undefined;
  dropped(): number | undefined;
  close(): Promise<void>;
}

const CLK_TCK = 100;
function procCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

async function inProcess(): Promise<Endpoint> {
  const server: GnmiServer = await startGnmiServer({ port: 0, target: new CounterTarget(), tls: 'insecure' });
  return {
    address: `127.0.0.1:${server.port}`,
    path: '/interfaces',
    serverCpu: () => undefined,
    dropped: () => server.droppedNotifications,
    close: () => server.close(),
  };
}

function child(cmd: string, args: string[], ready: RegExp): Promise<{ proc: ChildProcess; match: RegExpExecArray }> {
  const proc = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      proc.kill();
      reject(new Error(`${args.join(' ')}: no ready line within 30 s`));
    }, 30_000);
    proc.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const match = ready.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ proc, match });
      }
    });
  });
}

function childEndpoint(proc: ChildProcess, port: number, path: string): Endpoint {
  return {
    address: `127.0.0.1:${port}`,
    path,
    serverCpu: () => procCpuSeconds(proc.pid!),
    dropped: () => undefined,
    close: async () => {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.stdin!.end();
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    },
  };
}

async function crossProcess(): Promise<Endpoint> {
  const { proc, match } = await child(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'serve'], /port (\d+)\n/);
  return childEndpoint(proc, Number(match[1]), '/interfaces');
}

async function simulator(): Promise<Endpoint> {
  const bin = fileURLToPath(new URL('../../../bin/cnsdn-sim.js', import.meta.url));
  const { proc, match } = await child(
    process.execPath,
    [bin, 'gnmi', '--insecure', '--port', '0', '--interfaces', `Ethernet1-${INTERFACES}`],
    /listening on 127\.0\.0\.1:(\d+)/,
  );
  return childEndpoint(proc, Number(match[1]), '/interfaces/interface/state/counters');
}

type Consumer = (address: string, path: string, count: (updates: number) => void) => Promise<() => void>;

const consumeOurs: Consumer = async (address, path, count) => {
  const client = await GnmiClient.connect({ address, tls: 'insecure' });
  const sub = client.subscribe({ mode: 'STREAM', encoding: 'PROTO', subscriptions: [{ path, mode: 'SAMPLE', sampleIntervalNs: 1_000_000 }] });
  sub.on('notification', (n) => count(n.update.length));
  sub.on('error', () => {});
  await sub.synced;
  return () => {
    sub.cancel();
    client.close();
  };
};

const consumeRaw: Consumer = async (address, path, count) => {
  const Ctor = grpc.makeGenericClientConstructor(gnmiProto().service, 'gNMI');
  const client = new Ctor(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    Subscribe(): grpc.ClientDuplexStream<unknown, SubscribeResponsePb>;
  };
  const call = client.Subscribe();
  call.on('data', (m: SubscribeResponsePb) => {
    if (m.update) count(m.update.update?.length ?? 0);
  });
  call.on('error', () => {});
  call.write({
    subscribe: {
      mode: 'STREAM',
      encoding: 'PROTO',
      subscription: [{ path: { elem: parsePath(path).elem }, mode: 'SAMPLE', sample_interval: '1000000' }],
    },
  });
  return () => {
    call.cancel();
    client.close();
  };
};

interface Result {
  rate: number;
  notifications: number;
  clientCpu: number;
  serverCpu?: number;
}

async function measure(ep: Endpoint, consume: Consumer, seconds: number): Promise<Result> {
  let updates = 0;
  let notifications = 0;
  const stop = await consume(ep.address, ep.path, (n) => {
    updates += n;
    notifications++;
  });
  await new Promise((r) => setTimeout(r, 500));
  const u0 = updates;
  const n0 = notifications;
  const cpu0 = process.cpuUsage();
  const s0 = ep.serverCpu();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const dt = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const s1 = ep.serverCpu();
  const result: Result = {
    rate: (updates - u0) / dt,
    notifications: notifications - n0,
    clientCpu: (cpu.user + cpu.system) / 1e6 / dt,
    serverCpu: s0 !== undefined && s1 !== undefined ? (s1 - s0) / dt : undefined,
  };
  stop();
  await new Promise((r) => setTimeout(r, 300));
  return result;
}

const pct = (x: number | undefined) => (x === undefined ? '  n/a' : `${(x * 100).toFixed(0).padStart(4)}%`);
/** CPU time per update, which other load on the machine disturbs less than the rate. */
const perUpdate = (cpu: number | undefined, rate: number) => (cpu === undefined ? '' : ` (${((cpu / rate) * 1e6).toFixed(2)} µs/update)`);

function line(setup: string, label: string, r: Result, dropped: number | undefined): void {
  console.log(
    `${setup.padEnd(14)} ${label.padEnd(12)} ${Math.round(r.rate).toLocaleString('en').padStart(10)} updates/s ` +
      `${Math.round(r.notifications).toLocaleString('en').padStart(9)} notifications  client CPU ${pct(r.clientCpu)}${perUpdate(r.clientCpu, r.rate)}  server CPU ${pct(r.serverCpu)}${perUpdate(r.serverCpu, r.rate)}` +
      `  RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB${dropped === undefined ? '' : `  dropped ${dropped}`}`,
  );
}

async function bench(seconds: number, setups: string[]): Promise<void> {
  const makers: Record<string, () => Promise<Endpoint>> = { 'in-process': inProcess, 'cross-process': crossProcess, simulator };
  const summary: string[] = [];
  for (const setup of setups) {
    const make = makers[setup];
    if (!make) throw new Error(`unknown set-up ${setup} (one of ${Object.keys(makers).join(', ')})`);
    const ep = await make();
    try {
      for (let round = 1; round <= 2; round++) {
        const raw = await measure(ep, consumeRaw, seconds);
        line(setup, `bare #${round}`, raw, ep.dropped());
        const ours = await measure(ep, consumeOurs, seconds);
        line(setup, `GnmiClient #${round}`, ours, ep.dropped());
        summary.push(
          `${setup.padEnd(14)} round ${round}: bare ${Math.round(raw.rate).toLocaleString('en')}/s, GnmiClient ${Math.round(ours.rate).toLocaleString('en')}/s, ratio ${(ours.rate / raw.rate).toFixed(2)}`,
        );
      }
    } finally {
      await ep.close();
    }
  }
  console.log(summary.join('\n'));
}

const args = process.argv.slice(2);
if (args[0] === 'serve') {
  await serve();
} else {
  const seconds = args[0] && /^\d+(\.\d+)?$/.test(args[0]) ? Number(args.shift()) : 5;
  await bench(seconds, args.length > 0 ? args : ['in-process', 'cross-process', 'simulator']);
}
