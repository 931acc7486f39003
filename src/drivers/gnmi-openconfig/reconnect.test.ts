import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CnsdnError } from '../../common/errors.js';
import {
  Allowlist,
  type DeviceOperationalStatus,
  type DeviceStatusSink,
  type Driver,
  DriverRegistry,
  type EndpointInfo,
  emulatedDriverFactory,
  SessionManager,
  type StateSample,
} from '../../device/index.js';
import { GnmiOpenconfigDriver, gnmiOpenconfigDriverFactory } from './index.js';
import { sleep, startTestTargets, type TestTargets, until } from './testing.js';

class MemorySink implements DeviceStatusSink {
  readonly statuses: Array<{ uuid: string; status: DeviceOperationalStatus; reason?: string }> = [];
  readonly endpoints = new Map<string, readonly EndpointInfo[]>();
  async setStatus(uuid: string, status: DeviceOperationalStatus, reason?: string): Promise<void> {
    this.statuses.push({ uuid, status, ...(reason !== undefined ? { reason } : {}) });
  }
  async setEndpoints(uuid: string, endpoints: readonly EndpointInfo[]): Promise<void> {
    this.endpoints.set(uuid, endpoints);
  }
  last(uuid: string) {
    return this.statuses.filter((s) => s.uuid === uuid).at(-1);
  }
}

describe('gnmi-openconfig: losing and regaining the device', () => {
  let t: TestTargets;
  before(async () => {
    t = await startTestTargets({ tls: true, users: [{ username: 'admin', password: 'pw', role: 'rw' }], interfaces: ['Ethernet1', 'Ethernet2'] });
  });
  after(async () => {
    await t.close();
  });

  test('the target stopped mid-session: onDisconnect fires once; connecting the same instance again resubscribes', async () => {
    const d = new GnmiOpenconfigDriver(t.config());
    const drops: Error[] = [];
    const samples: StateSample[] = [];
    d.onDisconnect((e) => drops.push(e));
    d.onSample((s) => samples.push(s));
    try {
      await d.connect();
      assert.deepEqual(await d.subscribeState([['/interface[Ethernet2]', 0, 0.05]]), [true]);
      await until('samples', () => samples.length > 0, 5000);

      await t.sim.stop(0);
      await until('onDisconnect', () => drops.length > 0, 5000);
      assert.ok(drops[0] instanceof CnsdnError && drops[0].code === 'DEVICE_UNREACHABLE', String(drops[0]));
      assert.match(drops[0].message, /lost/);
      const e = await d.getConfig().then(
        () => assert.fail('getConfig worked on a lost session'),
        (err: unknown) => err,
      );
      assert.ok(e instanceof CnsdnError && e.code === 'DEVICE_UNREACHABLE');
      await sleep(300);
      assert.equal(drops.length, 1, 'onDisconnect fires once per session');

      await t.sim.start(0);
      await d.connect();
      const before = samples.length;
      await until('samples again without a new subscribeState', () => samples.length > before, 5000);
      assert.deepEqual(d.subscriptionKeys(), ['/interface[Ethernet2]']);
      assert.equal(drops.length, 1);
    } finally {
      await d.disconnect();
    }
  });

  test('an idle session (no calls, no subscriptions) still notices the loss', async () => {
    const d = new GnmiOpenconfigDriver(t.config());
    const drops: Error[] = [];
    d.onDisconnect((e) => drops.push(e));
    try {
      await d.connect();
      await sleep(100);
      await t.sim.stop(0);
      await until('onDisconnect', () => drops.length > 0, 5000);
      assert.equal((drops[0] as CnsdnError).code, 'DEVICE_UNREACHABLE');
    } finally {
      await d.disconnect();
      await t.sim.start(0);
    }
  });

  test('a SessionManager reconnects with backoff after the target restarts; telemetry re-applies from onSession', async () => {
    const sink = new MemorySink();
    const registry = new DriverRegistry().register(emulatedDriverFactory).register(gnmiOpenconfigDriverFactory);
    const sessions = new SessionManager({
      registry,
      allowlist: new Allowlist(['127.0.0.0/8']),
      sink,
      backoff: { initialMs: 100, maxMs: 800 },
      connectTimeoutMs: 5000,
    });
    const samples: StateSample[] = [];
    const drivers: Driver[] = [];
    sessions.onSession((_uuid, driver) => {
      if (!driver) return;
      drivers.push(driver);
      driver.onSample((s) => samples.push(s));
      void driver.subscribeState([['/interface[Ethernet1]/state/counters', 0, 0.05]]);
    });
    const { deviceUuid, deviceName, port, settings } = t.config();
    try {
      await sessions.add({ uuid: deviceUuid, name: deviceName, drivers: ['DEVICEDRIVER_GNMI_OPENCONFIG'], address: '127.0.0.1', port, settings });
      await until('ENABLED', () => sink.last(deviceUuid)?.status === 'DEVICEOPERATIONALSTATUS_ENABLED', 10_000);
      assert.deepEqual(sink.endpoints.get(deviceUuid)?.map((e) => e.name), ['Ethernet1', 'Ethernet2']);
      await until('samples from the first session', () => samples.length > 0, 5000);

      await t.sim.stop(0);
      await until('DISABLED', () => sink.last(deviceUuid)?.status === 'DEVICEOPERATIONALSTATUS_DISABLED', 5000);
      assert.match(sink.last(deviceUuid)!.reason!, /^CNSDN_DEVICE_UNREACHABLE: /);
      await until('a few retries while the target is down', () => (sessions.status(deviceUuid)?.attempts ?? 0) >= 3, 10_000);
      assert.equal(sessions.status(deviceUuid)?.state, 'backoff');

      await t.sim.start(0);
      await until('ENABLED again', () => sink.last(deviceUuid)?.status === 'DEVICEOPERATIONALSTATUS_ENABLED', 10_000);
      assert.equal(sessions.status(deviceUuid)?.state, 'connected');
      assert.equal(drivers.length, 2, 'a new driver instance for the new session');
      const before = samples.length;
      await until('samples from the new session', () => samples.length > before, 5000);
    } finally {
      await sessions.close();
    }
  });
});

describe('gnmi-openconfig: connect cancelled by disconnect', () => {
  test('a disconnect during connect cancels it; a new connect then succeeds', async () => {
    const t = await startTestTargets({ tls: false });
    try {
      const d = new GnmiOpenconfigDriver(t.config());
      const first = d.connect();
      await d.disconnect();
      const e = await first.then(
        () => undefined,
        (err: unknown) => err,
      );
      assert.ok(e instanceof CnsdnError && /cancelled by disconnect/.test(e.message), `first connect: ${String(e)}`);
      await assert.rejects(d.discoverEndpoints(), (err: unknown) => err instanceof CnsdnError && err.code === 'DEVICE_UNREACHABLE');
      await d.connect();
      assert.ok((await d.discoverEndpoints()).length > 0);
      await d.disconnect();
    } finally {
      await t.close();
    }
  });
});
