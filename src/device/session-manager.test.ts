import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { CnsdnError } from '../common/errors.js';
import { Allowlist } from './allowlist.js';
import type {
  DeviceOperationalStatus,
  DeviceStatusSink,
  Driver,
  DriverConnectConfig,
  DriverFactory,
  EndpointInfo,
  ManagedDevice,
} from './api.js';
import { backoffDelay } from './backoff.js';
import { EmulatedDriver, emulatedDriverFactory } from './emulated.js';
import { DriverRegistry } from './registry.js';
import { SessionManager, type SessionManagerOptions } from './session-manager.js';

interface StatusCall {
  uuid: string;
  status: DeviceOperationalStatus;
  reason?: string;
  at: number;
}

class RecordingSink implements DeviceStatusSink {
  readonly statuses: StatusCall[] = [];
  readonly endpoints: Array<{ uuid: string; endpoints: readonly EndpointInfo[] }> = [];
  failEndpoints = 0;

  async setStatus(uuid: string, status: DeviceOperationalStatus, reason?: string): Promise<void> {
    this.statuses.push({ uuid, status, reason, at: Date.now() });
  }

  async setEndpoints(uuid: string, endpoints: readonly EndpointInfo[]): Promise<void> {
    if (this.failEndpoints > 0) {
      this.failEndpoints -= 1;
      throw new Error('store is down');
    }
    this.endpoints.push({ uuid, endpoints });
  }

  of(uuid: string): StatusCall[] {
    return this.statuses.filter((s) => s.uuid === uuid);
  }

  last(uuid: string): StatusCall | undefined {
    return this.of(uuid).at(-1);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(what: string, check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(2);
  }
}

/** A network driver that never touches the network: it records what the manager asked of it. */
class FakeNetworkDriver implements Driver {
  connectCalls = 0;
  disconnectCalls = 0;
  connected = false;
  readonly #drop = new Set<(reason: Error) => void>();

  constructor(
    readonly config: DriverConnectConfig,
    private readonly fail: () => boolean,
  ) {}

  async connect(): Promise<void> {
    this.connectCalls += 1;
    if (this.fail()) throw new CnsdnError('DEVICE_UNREACHABLE', `connection refused by ${this.config.address}`);
    this.connected = true;
  }
  async disconnect(): Promise<void> {
    this.disconnectCalls += 1;
    this.connected = false;
  }
  dropDuringDiscovery = false;

  async discoverEndpoints(): Promise<EndpointInfo[]> {
    if (this.dropDuringDiscovery) this.drop('reset during discovery');
    return [{ name: 'Ethernet1', type: 'copper', sampleTypes: [101] }];
  }
  async getInitialConfig(): Promise<[string, unknown][]> {
    return [];
  }
  async getConfig(): Promise<[string, unknown][]> {
    return [];
  }
  async setConfig(r: readonly unknown[]): Promise<true[]> {
    return r.map(() => true as const);
  }
  async deleteConfig(r: readonly unknown[]): Promise<true[]> {
    return r.map(() => true as const);
  }
  async subscribeState(r: readonly unknown[]): Promise<true[]> {
    return r.map(() => true as const);
  }
  async unsubscribeState(r: readonly unknown[]): Promise<true[]> {
    return r.map(() => true as const);
  }
  onSample(): () => void {
    return () => undefined;
  }
  onDisconnect(listener: (reason: Error) => void): () => void {
    this.#drop.add(listener);
    return () => this.#drop.delete(listener);
  }
  /** What a real driver does when its transport dies. */
  drop(reason: string): void {
    this.connected = false;
    for (const l of this.#drop) l(new Error(reason));
  }
}

function fakeNetworkFactory(options: { failures?: number; dropsDuringDiscovery?: number } = {}) {
  let failures = options.failures ?? 0;
  let drops = options.dropsDuringDiscovery ?? 0;
  const created: FakeNetworkDriver[] = [];
  const factory: DriverFactory = {
    names: ['DEVICEDRIVER_GNMI_OPENCONFIG'],
    usesNetwork: true,
    create(config) {
      const d = new FakeNetworkDriver(config, () => failures-- > 0);
      d.dropDuringDiscovery = drops-- > 0;
      created.push(d);
      return d;
    },
  };
  return { factory, created, connectCalls: () => created.reduce((n, d) => n + d.connectCalls, 0) };
}

/** Wraps the emulated factory to record connect start times and concurrency. */
function countingEmulatedFactory() {
  const stats = { active: 0, maxActive: 0, starts: [] as number[], created: 0 };
  const factory: DriverFactory = {
    names: emulatedDriverFactory.names,
    usesNetwork: false,
    create(config) {
      stats.created += 1;
      const driver = new EmulatedDriver(config);
      const connect = driver.connect.bind(driver);
      driver.connect = async () => {
        stats.starts.push(Date.now());
        stats.active += 1;
        stats.maxActive = Math.max(stats.maxActive, stats.active);
        try {
          await connect();
        } finally {
          stats.active -= 1;
        }
      };
      return driver;
    },
  };
  return { factory, stats };
}

function emulatedDevice(uuid: string, settings: Record<string, unknown> = {}): ManagedDevice {
  return {
    uuid,
    name: `R-${uuid}`,
    drivers: ['DEVICEDRIVER_UNDEFINED'],
    address: '127.0.0.1',
    port: 0,
    settings: { endpoints: [{ uuid: 'eth1', type: 'copper', sample_types: [101, 102] }, { uuid: 'eth2', type: 'copper' }], ...settings },
  };
}

function networkDevice(uuid: string, address: string): ManagedDevice {
  return { uuid, name: `G-${uuid}`, drivers: ['DEVICEDRIVER_GNMI_OPENCONFIG'], address, port: 6030, settings: { use_tls: false } };
}

const managers: SessionManager[] = [];

function manager(factories: DriverFactory[], overrides: Partial<SessionManagerOptions> = {}) {
  const sink = new RecordingSink();
  const registry = new DriverRegistry();
  for (const f of factories) registry.register(f);
  const m = new SessionManager({
    registry,
    allowlist: new Allowlist(['127.0.0.0/8', '::1/128']),
    sink,
    backoff: { initialMs: 10, maxMs: 200 },
    connectTimeoutMs: 1000,
    ...overrides,
  });
  managers.push(m);
  return { m, sink };
}

afterEach(async () => {
  for (const m of managers.splice(0)) await m.close();
});

describe('backoff', () => {
  test('ceiling doubles up to maxMs; delay lies in [ceiling/2, ceiling]', () => {
    const b = { initialMs: 100, maxMs: 1000 };
    assert.deepEqual([1, 2, 3, 4, 5, 9].map((n) => backoffDelay(n, b, () => 1)), [100, 200, 400, 800, 1000, 1000]);
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffDelay(n, b, () => 0)), [50, 100, 200, 400, 500]);
    assert.equal(backoffDelay(1000, b, () => 0.5), 750);
  });
});

describe('SessionManager', () => {
  test('connects an emulated device: endpoints, then ENABLED, then the driver is usable', async () => {
    const { m, sink } = manager([emulatedDriverFactory]);
    await m.add(emulatedDevice('d1'));
    await until('ENABLED', () => sink.last('d1')?.status === 'DEVICEOPERATIONALSTATUS_ENABLED');
    assert.deepEqual(sink.endpoints, [
      {
        uuid: 'd1',
        endpoints: [
          { name: 'eth1', type: 'copper', sampleTypes: [101, 102] },
          { name: 'eth2', type: 'copper', sampleTypes: [] },
        ],
      },
    ]);
    assert.deepEqual(sink.of('d1').map((s) => s.status), ['DEVICEOPERATIONALSTATUS_ENABLED']);
    assert.equal(m.status('d1')?.state, 'connected');
    assert.equal(m.status('d1')?.driver, 'DEVICEDRIVER_UNDEFINED');
    assert.ok(m.get('d1'));
    assert.deepEqual(m.stats(), { devices: 1, connected: 1, connecting: 0, failed: 0 });
    const results = await m.withDriver('d1', (d) => d.setConfig([['/interface[eth1]/settings', { enabled: true }]]));
    assert.deepEqual(results, [true]);
  });

  test('a failing device is DISABLED with a coded reason and retried with growing delays', async () => {
    const { factory, stats } = countingEmulatedFactory();
    const scheduled: unknown[] = [];
    const record = (fields: object) => scheduled.push((fields as { retryInMs?: number }).retryInMs);
    const logger = { debug: record, info() {}, warn: record, error() {} };
    const { m, sink } = manager([factory], { random: () => 0, backoff: { initialMs: 16, maxMs: 1000 }, logger });
    await m.add(emulatedDevice('bad', { fail_connect: true }));
    await until('5 attempts', () => stats.starts.length >= 5);
    const disabled = sink.of('bad');
    assert.equal(disabled[0]?.status, 'DEVICEOPERATIONALSTATUS_DISABLED');
    assert.match(disabled[0]?.reason ?? '', /^CNSDN_DEVICE_UNREACHABLE: .*fail_connect/);
    assert.equal(disabled.length, 1, 'the same failure is reported once, not on every retry');
    const gaps = stats.starts.slice(1).map((t, i) => t - stats.starts[i]!);
    // random() = 0 gives delays of 8, 16, 32, 64 ms.
    for (const [i, expected] of [8, 16, 32, 64].entries()) {
      assert.ok(gaps[i]! >= expected - 2, `gap ${i} was ${gaps[i]} ms, expected ~${expected}`);
    }
    assert.deepEqual(scheduled.slice(0, 4), [8, 16, 32, 64]);
    const status = m.status('bad')!;
    assert.ok(['backoff', 'queued', 'connecting'].includes(status.state), status.state);
    assert.ok(status.attempts >= 4);
    assert.match(status.lastError ?? '', /CNSDN_DEVICE_UNREACHABLE/);
    assert.equal(m.get('bad'), undefined);
    assert.equal(m.stats().connected, 0);
  });

  test('delays stop growing at maxMs', async () => {
    const { factory, stats } = countingEmulatedFactory();
    const scheduled: number[] = [];
    const record = (fields: object) => scheduled.push((fields as { retryInMs: number }).retryInMs);
    const logger = { debug: record, info() {}, warn: record, error() {} };
    const { m } = manager([factory], { random: () => 1, backoff: { initialMs: 5, maxMs: 20 }, logger });
    await m.add(emulatedDevice('capped', { fail_connect: true }));
    await until('6 attempts', () => stats.starts.length >= 6);
    await m.remove('capped');
    assert.deepEqual(scheduled.slice(0, 6), [5, 10, 20, 20, 20, 20]);
  });

  test('allowlist refusal: DISABLED with CNSDN_SOUTHBOUND_NOT_ALLOWED, the driver is never created, no retry', async () => {
    const fake = fakeNetworkFactory();
    const { m, sink } = manager([fake.factory], { allowlist: new Allowlist(['127.0.0.0/8']) });
    await m.add(networkDevice('lab', '172.20.20.101'));
    await m.add(networkDevice('named', 'router1.lab.example'));
    await until('both refused', () => sink.of('lab').length > 0 && sink.of('named').length > 0);
    await sleep(60);
    assert.equal(fake.created.length, 0, 'a driver was created for a refused address');
    assert.equal(fake.connectCalls(), 0);
    for (const uuid of ['lab', 'named']) {
      const calls = sink.of(uuid);
      assert.equal(calls.length, 1);
      assert.equal(calls[0]?.status, 'DEVICEOPERATIONALSTATUS_DISABLED');
      assert.match(calls[0]?.reason ?? '', /^CNSDN_SOUTHBOUND_NOT_ALLOWED: /);
      assert.match(calls[0]?.reason ?? '', /CNSDN_SOUTHBOUND_ALLOW/);
      assert.equal(m.status(uuid)?.state, 'refused');
      assert.equal(m.status(uuid)?.nextRetryAt, undefined);
    }
    assert.match(sink.of('lab')[0]?.reason ?? '', /172\.20\.20\.101.*127\.0\.0\.0\/8/);
    assert.deepEqual(m.stats(), { devices: 2, connected: 0, connecting: 0, failed: 2 });
  });

  test('an allowed network device gets the vetted IP; a host name is connected by its resolved IP', async () => {
    const fake = fakeNetworkFactory();
    const allowlist = new Allowlist(['127.0.0.0/8'], async (host) => (host === 'sim1.local' ? ['127.0.0.9'] : []));
    const { m, sink } = manager([fake.factory], { allowlist });
    await m.add(networkDevice('a', '127.0.0.1'));
    await m.add(networkDevice('b', 'sim1.local'));
    await until('both ENABLED', () => ['a', 'b'].every((u) => sink.last(u)?.status === 'DEVICEOPERATIONALSTATUS_ENABLED'));
    assert.deepEqual(fake.created.map((d) => [d.config.deviceUuid, d.config.address, d.config.port]).sort(), [
      ['a', '127.0.0.1', 6030],
      ['b', '127.0.0.9', 6030],
    ]);
  });

  test('reconnects after the driver reports a dropped session', async () => {
    const fake = fakeNetworkFactory();
    const { m, sink } = manager([fake.factory]);
    const seen: Array<Driver | undefined> = [];
    m.onSession((uuid, d) => {
      if (uuid === 'r1') seen.push(d);
    });
    await m.add(networkDevice('r1', '127.0.0.1'));
    await until('ENABLED', () => sink.last('r1')?.status === 'DEVICEOPERATIONALSTATUS_ENABLED');
    const first = fake.created[0]!;
    first.drop('EOF from peer');
    await until('DISABLED', () => sink.of('r1').length >= 2);
    const lost = sink.of('r1')[1]!;
    assert.equal(lost.status, 'DEVICEOPERATIONALSTATUS_DISABLED');
    assert.match(lost.reason ?? '', /^CNSDN_DEVICE_UNREACHABLE: session to G-r1 lost: EOF from peer/);
    await until('ENABLED again', () => sink.of('r1').length >= 3);
    assert.equal(sink.last('r1')?.status, 'DEVICEOPERATIONALSTATUS_ENABLED');
    assert.equal(fake.created.length, 2, 'a fresh driver for the new session');
    assert.ok(first.disconnectCalls >= 1, 'the lost driver is closed');
    assert.equal(m.get('r1'), fake.created[1]);
    assert.deepEqual(seen, [first, undefined, fake.created[1]]);
    assert.equal(sink.endpoints.filter((e) => e.uuid === 'r1').length, 2, 'endpoints are re-reported on reconnect');
  });

  test('a network device that fails twice then comes up ends ENABLED', async () => {
    const fake = fakeNetworkFactory({ failures: 2 });
    const { m, sink } = manager([fake.factory]);
    await m.add(networkDevice('flaky', '127.0.0.1'));
    await until('ENABLED', () => sink.last('flaky')?.status === 'DEVICEOPERATIONALSTATUS_ENABLED');
    assert.equal(fake.connectCalls(), 3);
    assert.deepEqual(sink.of('flaky').map((s) => s.status), ['DEVICEOPERATIONALSTATUS_DISABLED', 'DEVICEOPERATIONALSTATUS_ENABLED']);
    assert.equal(m.status('flaky')?.lastError, undefined);
    assert.equal(fake.created.filter((d) => d.connected).length, 1, 'failed attempts leave no open driver');
  });

  test('a session lost while connecting counts as a failed attempt', async () => {
    const fake = fakeNetworkFactory({ dropsDuringDiscovery: 1 });
    const { m, sink } = manager([fake.factory]);
    await m.add(networkDevice('early', '127.0.0.1'));
    await until('ENABLED', () => sink.last('early')?.status === 'DEVICEOPERATIONALSTATUS_ENABLED');
    assert.match(sink.of('early')[0]?.reason ?? '', /^CNSDN_DEVICE_UNREACHABLE: session to G-early lost: reset during discovery/);
    assert.equal(fake.created.length, 2);
    assert.equal(fake.created[0]?.connected, false);
    assert.equal(m.get('early'), fake.created[1]);
  });

  test('remove stops retries and forgets the device', async () => {
    const { factory, stats } = countingEmulatedFactory();
    const { m } = manager([factory], { backoff: { initialMs: 5, maxMs: 10 } });
    await m.add(emulatedDevice('gone', { fail_connect: true }));
    await until('2 attempts', () => stats.starts.length >= 2);
    await m.remove('gone');
    const attempts = stats.starts.length;
    await sleep(80);
    assert.equal(stats.starts.length, attempts, 'retries continued after remove');
    assert.equal(m.status('gone'), undefined);
    assert.equal(m.stats().devices, 0);
    await m.remove('gone');
  });

  test('remove closes a connected session and withDriver then rejects', async () => {
    const fake = fakeNetworkFactory();
    const { m, sink } = manager([fake.factory]);
    await m.add(networkDevice('x', '127.0.0.1'));
    await until('ENABLED', () => sink.last('x')?.status === 'DEVICEOPERATIONALSTATUS_ENABLED');
    await m.remove('x');
    assert.equal(fake.created[0]?.connected, false);
    await assert.rejects(m.withDriver('x', async () => 1), (e: unknown) => e instanceof CnsdnError && e.code === 'DEVICE_UNREACHABLE');
  });

  test('at most maxConcurrentConnects connects run at once, and all devices come up', async () => {
    const { factory, stats } = countingEmulatedFactory();
    const { m, sink } = manager([factory], { maxConcurrentConnects: 3 });
    const uuids = Array.from({ length: 20 }, (_, i) => `c${i}`);
    for (const uuid of uuids) await m.add(emulatedDevice(uuid, { connect_delay_ms: 10 }));
    const during = m.stats();
    assert.equal(during.devices, 20);
    assert.ok(during.connecting > 0);
    await until('all ENABLED', () => uuids.every((u) => sink.last(u)?.status === 'DEVICEOPERATIONALSTATUS_ENABLED'));
    assert.equal(stats.maxActive, 3);
    assert.equal(stats.created, 20);
    assert.deepEqual(m.stats(), { devices: 20, connected: 20, connecting: 0, failed: 0 });
  });

  test('add is idempotent; changed settings replace the session', async () => {
    const { factory, stats } = countingEmulatedFactory();
    const { m, sink } = manager([factory]);
    const device = emulatedDevice('i1');
    await m.add(device);
    await m.add(structuredClone(device));
    await until('ENABLED', () => sink.last('i1')?.status === 'DEVICEOPERATIONALSTATUS_ENABLED');
    await m.add({ ...device, settings: { ...device.settings } });
    await sleep(20);
    assert.equal(stats.created, 1);
    const before = m.get('i1') as EmulatedDriver;
    await m.add(emulatedDevice('i1', { endpoints: [{ uuid: 'eth9', type: 'optical' }] }));
    await assert.rejects(before.discoverEndpoints(), /not connected/, 'the replaced driver is disconnected');
    await until('new endpoints', () => sink.endpoints.length === 2);
    assert.deepEqual(sink.endpoints[1]?.endpoints.map((e) => e.name), ['eth9']);
    assert.equal(stats.created, 2);
    await until('connected', () => m.get('i1') !== undefined);
    assert.notEqual(m.get('i1'), before);
  });

  test('withDriver runs one operation at a time per device, in order, past failures', async () => {
    const { m, sink } = manager([emulatedDriverFactory]);
    await m.add(emulatedDevice('s1'));
    await m.add(emulatedDevice('s2'));
    await until('ENABLED', () => ['s1', 's2'].every((u) => sink.last(u)?.status === 'DEVICEOPERATIONALSTATUS_ENABLED'));
    const log: string[] = [];
    let active = 0;
    let maxActive = 0;
    const op = (name: string, ms: number, fail = false) => async () => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      log.push(`start ${name}`);
      await sleep(ms);
      log.push(`end ${name}`);
      active -= 1;
      if (fail) throw new Error(`${name} failed`);
      return name;
    };
    const results = await Promise.allSettled([
      m.withDriver('s1', op('a', 15, true)),
      m.withDriver('s1', op('b', 1)),
      m.withDriver('s1', op('c', 1)),
    ]);
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    assert.equal(maxActive, 1);
    assert.equal(results[0].status, 'rejected');
    assert.deepEqual(results.slice(1).map((r) => (r.status === 'fulfilled' ? r.value : r.reason)), ['b', 'c']);

    active = 0;
    maxActive = 0;
    await Promise.all([m.withDriver('s1', op('p', 15)), m.withDriver('s2', op('q', 15))]);
    assert.equal(maxActive, 2, 'different devices run in parallel');
  });

  test('withDriver rejects with DEVICE_UNREACHABLE for unknown or disconnected devices', async () => {
    const { m, sink } = manager([emulatedDriverFactory]);
    await assert.rejects(m.withDriver('nope', async () => 1), (e: unknown) => e instanceof CnsdnError && /not managed/.test(e.message));
    await m.add(emulatedDevice('down', { fail_connect: true }));
    await until('DISABLED', () => sink.of('down').length > 0);
    await assert.rejects(
      m.withDriver('down', async () => 1),
      (e: unknown) => e instanceof CnsdnError && e.code === 'DEVICE_UNREACHABLE' && /fail_connect/.test(e.message),
    );
  });

  test('withDriver waits for a device still connecting: runs once it is up, or rejects with the attempt error', async () => {
    const { m } = manager([emulatedDriverFactory]);
    await m.add(emulatedDevice('fresh'));
    await m.add(emulatedDevice('bad', { fail_connect: true }));
    assert.notEqual(m.status('fresh')?.state, 'connected', 'the connect is still in progress');
    assert.equal((await m.withDriver('fresh', (d) => d.discoverEndpoints())).length, 2);
    assert.equal(m.status('fresh')?.state, 'connected');
    await assert.rejects(
      m.withDriver('bad', async () => 1),
      (e: unknown) => e instanceof CnsdnError && e.code === 'DEVICE_UNREACHABLE' && /not connected \(backoff\).*fail_connect/.test(e.message),
    );
  });

  test('no registered driver: DISABLED with CNSDN_DRIVER_NOT_FOUND and no retry', async () => {
    const { m, sink } = manager([emulatedDriverFactory]);
    await m.add({ ...emulatedDevice('p4'), drivers: ['DEVICEDRIVER_P4'] });
    await until('DISABLED', () => sink.of('p4').length > 0);
    assert.match(sink.last('p4')?.reason ?? '', /^CNSDN_DRIVER_NOT_FOUND: .*DEVICEDRIVER_P4.*DEVICEDRIVER_UNDEFINED/);
    assert.equal(m.status('p4')?.state, 'failed');
    assert.equal(m.status('p4')?.nextRetryAt, undefined);
  });

  test('invalid settings are not retried', async () => {
    const { factory, stats } = countingEmulatedFactory();
    const { m, sink } = manager([factory], { backoff: { initialMs: 5, maxMs: 10 } });
    await m.add(emulatedDevice('inv', { endpoints: 'eth1' }));
    await until('DISABLED', () => sink.of('inv').length > 0);
    await sleep(40);
    assert.equal(stats.starts.length, 1);
    assert.match(sink.last('inv')?.reason ?? '', /^CNSDN_INVALID_ARGUMENT: /);
    assert.equal(m.status('inv')?.state, 'failed');
  });

  test('a connect that hangs times out and is retried', async () => {
    const { factory, stats } = countingEmulatedFactory();
    const { m, sink } = manager([factory], { connectTimeoutMs: 20 });
    await m.add(emulatedDevice('slow', { connect_delay_ms: 5000 }));
    await until('DISABLED', () => sink.of('slow').length > 0);
    assert.match(sink.last('slow')?.reason ?? '', /^CNSDN_DEVICE_UNREACHABLE: connect to R-slow at 127\.0\.0\.1:0 timed out after 20 ms/);
    await until('a retry', () => stats.starts.length >= 2);
  });

  test('a failing status sink makes the attempt fail and be retried', async () => {
    const { m, sink } = manager([emulatedDriverFactory]);
    sink.failEndpoints = 1;
    await m.add(emulatedDevice('sinkfail'));
    await until('ENABLED', () => sink.last('sinkfail')?.status === 'DEVICEOPERATIONALSTATUS_ENABLED');
    assert.match(sink.of('sinkfail')[0]?.reason ?? '', /^CNSDN_DRIVER_ERROR: store is down/);
    assert.ok(m.get('sinkfail'));
  });

  test('close tears everything down and refuses new devices', async () => {
    const fake = fakeNetworkFactory();
    const { m, sink } = manager([fake.factory, emulatedDriverFactory]);
    await m.add(networkDevice('n1', '127.0.0.1'));
    await m.add(emulatedDevice('e1', { fail_connect: true }));
    await until('settled', () => sink.of('n1').length > 0 && sink.of('e1').length > 0);
    await m.close();
    assert.equal(fake.created[0]?.connected, false);
    assert.deepEqual(m.stats(), { devices: 0, connected: 0, connecting: 0, failed: 0 });
    const calls = sink.statuses.length;
    await sleep(40);
    assert.equal(sink.statuses.length, calls, 'no reports after close');
    await assert.rejects(m.add(emulatedDevice('late')), (e: unknown) => e instanceof CnsdnError && e.code === 'INVALID_ARGUMENT');
  });
});
