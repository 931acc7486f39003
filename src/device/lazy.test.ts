import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DriverConnectConfig, DriverFactory } from './api.js';
import { runDriverContract } from './driver.contract.js';
import { emulatedDriverFactory } from './emulated.js';
import { lazyDriverFactory } from './lazy.js';

const config: DriverConnectConfig = {
  deviceUuid: 'uuid-r1',
  deviceName: 'R1-EMU',
  address: '127.0.0.1',
  port: 0,
  settings: { endpoints: [{ uuid: '13/1/2', type: 'copper', sample_types: [101, 102, 201, 202] }] },
};

// The emulated driver behind the lazy wrapper keeps every promise of the driver contract.
runDriverContract('lazy (emulated)', async () => ({ factory: lazyDriverFactory(['DEVICEDRIVER_UNDEFINED'], false, async () => emulatedDriverFactory), config }), {
  subscription: () => ['/interface[13/1/2]', 0, 0.02],
  sampleTimeoutMs: 2000,
  testTimeoutMs: 10_000,
});

describe('lazy driver factory', () => {
  test('loads the driver at the first connect, once for all sessions, and not for a disconnect', async () => {
    let loads = 0;
    const f = lazyDriverFactory(['DEVICEDRIVER_UNDEFINED'], false, async () => {
      loads++;
      return emulatedDriverFactory;
    });
    const a = f.create(config);
    const b = f.create(config);
    await a.disconnect();
    assert.equal(loads, 0);
    await Promise.all([a.connect(), b.connect()]);
    assert.equal(loads, 1);
    assert.deepEqual((await a.discoverEndpoints()).map((e) => e.name), ['13/1/2']);
    await a.disconnect();
    await b.disconnect();
  });

  test('a failed load fails the connect and is tried again on the next one', async () => {
    let attempt = 0;
    const f = lazyDriverFactory(['DEVICEDRIVER_UNDEFINED'], false, async (): Promise<DriverFactory> => {
      if (attempt++ === 0) throw new Error('module missing');
      return emulatedDriverFactory;
    });
    await assert.rejects(f.create(config).connect(), /module missing/);
    const d = f.create(config);
    await d.connect();
    assert.equal(attempt, 2);
    await d.disconnect();
  });

  test('a listener removed before the driver exists never hears it; one removed later stops hearing it', async () => {
    const d = lazyDriverFactory(['DEVICEDRIVER_UNDEFINED'], false, async () => emulatedDriverFactory).create(config);
    const early: string[] = [];
    const late: string[] = [];
    d.onSample((s) => early.push(s.key))();
    const offLate = d.onSample((s) => late.push(s.key));
    await d.connect();
    await d.subscribeState([['/interface[13/1/2]', 0, 0.02]]);
    const deadline = Date.now() + 5000;
    while (late.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    offLate();
    const heard = late.length;
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(heard > 0);
    assert.equal(late.length, heard, 'nothing after removal');
    assert.equal(early.length, 0);
    await d.disconnect();
  });

  test('listeners registered before the driver exists hear it', async () => {
    const d = lazyDriverFactory(['DEVICEDRIVER_UNDEFINED'], false, async () => emulatedDriverFactory).create(config);
    const samples: string[] = [];
    d.onSample((s) => samples.push(s.key));
    await d.connect();
    await d.subscribeState([['/interface[13/1/2]', 0, 0.02]]);
    const deadline = Date.now() + 5000;
    while (samples.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(samples.length > 0, 'no sample reached the listener');
    await d.disconnect();
  });

  test('device notifications: passed through to a driver that has onNotification; a driver without it never calls', async () => {
    const heard: unknown[] = [];
    let emit = undefined as ((n: unknown) => void) | undefined;
    const notifying: DriverFactory = {
      ...emulatedDriverFactory,
      create: (c) =>
        Object.assign(emulatedDriverFactory.create(c), {
          onNotification(l: (n: unknown) => void) {
            emit = l;
            return () => {
              emit = undefined;
            };
          },
        }),
    };
    const d = lazyDriverFactory(['DEVICEDRIVER_UNDEFINED'], false, async () => notifying).create(config) as ReturnType<DriverFactory['create']> & {
      onNotification(l: (n: unknown) => void): () => void;
    };
    const off = d.onNotification((n) => heard.push(n));
    await d.connect();
    assert.ok(emit, 'the listener given before the load reached the driver');
    emit({ name: 'netconf-config-change' });
    assert.deepEqual([...heard], [{ name: 'netconf-config-change' }]);
    off();
    assert.equal(emit, undefined, 'removing the listener removes it from the driver');
    await d.disconnect();

    const plain = lazyDriverFactory(['DEVICEDRIVER_UNDEFINED'], false, async () => emulatedDriverFactory).create(config) as typeof d;
    plain.onNotification((n) => heard.push(n));
    await plain.connect();
    assert.equal(heard.length, 1);
    await plain.disconnect();
  });
});
