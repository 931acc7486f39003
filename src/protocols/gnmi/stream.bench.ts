/**
 * Streaming throughput: one gNMI server (this library) sends counter containers of 10 leaves
 * per notification as fast as the SAMPLE timer and flow control allow; measured at the
 * receiver as updates/s, once with GnmiClient (decoded to GnmiNotification) and once with a
 * bare grpc-js client (proto-loader objects only). Run: npx tsx src/protocols/gnmi/stream.bench.ts [seconds]
 */
import * as grpc from '@grpc/grpc-js';
import { GnmiClient } from './client.js';
import { parsePath } from './path.js';
import { gnmiProto } from './proto.js';
import { startGnmiServer } from './server.js';
import type { GnmiEncoding, GnmiPath, GnmiTarget, GnmiUpdate, ModelData } from './target.js';
import type { SubscribeResponsePb } from './wire.js';

const seconds = Number(process.argv[2] ?? 5);
const INTERFACES = 100;
const COUNTERS = ['in-octets', 'out-octets', 'in-pkts', 'out-pkts', 'in-unicast-pkts', 'out-unicast-pkts', 'in-errors', 'out-errors', 'in-discards', 'out-discards'];

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
    return this.paths.map((path) => ({ path, value: { kind: 'uint', value: this.tick } }));
  }
  onChange() {
    return () => {};
  }
}

const request = {
  mode: 'STREAM' as const,
  encoding: 'PROTO' as const,
  subscriptions: [{ path: '/interfaces', mode: 'SAMPLE' as const, sampleIntervalNs: 1_000_000 }],
};

async function run(label: string, consume: (address: string, count: (updates: number) => void) => Promise<() => void>): Promise<number> {
  const server = await startGnmiServer({ port: 0, target: new CounterTarget(), tls: 'insecure' });
  let updates = 0;
  let notifications = 0;
  const stop = await consume(`127.0.0.1:${server.port}`, (n) => {
    updates += n;
    notifications++;
  });
  await new Promise((r) => setTimeout(r, 500));
  const u0 = updates;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const dt = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const rate = (updates - u0) / dt;
  stop();
  await server.close();
  console.log(
    `${label.padEnd(26)} ${Math.round(rate).toLocaleString('en').padStart(10)} updates/s  (${notifications.toLocaleString('en')} notifications, ` +
      `CPU ${(((cpu.user + cpu.system) / 1e6 / dt) * 100).toFixed(0)}%, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB, dropped by server ${server.droppedNotifications})`,
  );
  return rate;
}

const consumeOurs = async (address: string, count: (n: number) => void) => {
  const client = await GnmiClient.connect({ address, tls: 'insecure' });
  const sub = client.subscribe(request);
  sub.on('notification', (n) => count(n.update.length));
  await sub.synced;
  return () => {
    sub.cancel();
    client.close();
  };
};

const consumeRaw = async (address: string, count: (n: number) => void) => {
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
    subscribe: { mode: 'STREAM', encoding: 'PROTO', subscription: [{ path: { elem: [{ name: 'interfaces' }] }, mode: 'SAMPLE', sample_interval: '1000000' }] },
  });
  return () => {
    call.cancel();
    client.close();
  };
};

for (let round = 1; round <= 2; round++) {
  const raw = await run(`bare grpc-js client #${round}`, consumeRaw);
  const ours = await run(`GnmiClient #${round}`, consumeOurs);
  console.log(`round ${round}: GnmiClient / bare grpc-js = ${(ours / raw).toFixed(2)}`);
}
