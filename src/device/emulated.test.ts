import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CnsdnError } from '../common/errors.js';
import type { DriverConnectConfig, StateSample } from './api.js';
import { runDriverContract } from './driver.contract.js';
import { EmulatedDriver, emulatedDriverFactory } from './emulated.js';

function config(settings: Record<string, unknown>): DriverConnectConfig {
  return { deviceUuid: 'uuid-r1', deviceName: 'R1-EMU', address: '127.0.0.1', port: 0, settings };
}

/** Endpoints as in TFS's ofc22 descriptors (sample types given, empty and omitted). */
const OFC22_SETTINGS = {
  endpoints: [
    { uuid: '13/0/0', type: 'optical', sample_types: [] },
    { uuid: '13/1/2', type: 'copper', sample_types: [101, 102, 201, 202] },
    { uuid: '13/1/3', type: 'copper' },
  ],
};

async function connected(settings: Record<string, unknown> = OFC22_SETTINGS): Promise<EmulatedDriver> {
  const driver = new EmulatedDriver(config(settings));
  await driver.connect();
  return driver;
}

async function rejection(p: Promise<unknown>): Promise<CnsdnError> {
  const e = await p.then(
    () => assert.fail('expected a rejection'),
    (err: unknown) => err,
  );
  assert.ok(e instanceof CnsdnError, `expected CnsdnError, got ${String(e)}`);
  return e;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

runDriverContract('emulated', async () => ({ factory: emulatedDriverFactory, config: config(OFC22_SETTINGS) }), {
  subscription: () => ['/interface[13/1/2]', 0, 0.02],
  sampleTimeoutMs: 2000,
  testTimeoutMs: 10_000,
});

describe('emulated driver', () => {
  test('factory serves DEVICEDRIVER_UNDEFINED without network', () => {
    assert.deepEqual(emulatedDriverFactory.names, ['DEVICEDRIVER_UNDEFINED']);
    assert.equal(emulatedDriverFactory.usesNetwork, false);
    assert.ok(emulatedDriverFactory.create(config({})) instanceof EmulatedDriver);
  });

  test('endpoints come from settings; name defaults to uuid; sample types may be empty or omitted', async () => {
    const driver = await connected({
      endpoints: [
        { uuid: 'a1', name: 'eth1', type: 'copper', sample_types: [101, 101, 202], location: { region: 'x' } },
        ...OFC22_SETTINGS.endpoints,
      ],
    });
    assert.deepEqual(await driver.discoverEndpoints(), [
      { name: 'eth1', type: 'copper', sampleTypes: [101, 202], location: { region: 'x' } },
      { name: '13/0/0', type: 'optical', sampleTypes: [] },
      { name: '13/1/2', type: 'copper', sampleTypes: [101, 102, 201, 202] },
      { name: '13/1/3', type: 'copper', sampleTypes: [] },
    ]);
    await driver.disconnect();
  });

  test('no endpoints in settings means a device without endpoints', async () => {
    const driver = await connected({});
    assert.deepEqual(await driver.discoverEndpoints(), []);
    assert.deepEqual(await driver.getInitialConfig(), []);
  });

  test('getInitialConfig returns endpoint resources and stored config, sorted by key', async () => {
    const driver = await connected();
    await driver.setConfig([
      ['/network_instance[default]', { name: 'default', type: 'L3VRF' }],
      ['/interface[13/1/2]/settings', { name: '13/1/2', enabled: true }],
    ]);
    assert.deepEqual(await driver.getInitialConfig(), [
      ['/endpoints/endpoint[13/0/0]', { uuid: '13/0/0', type: 'optical', sample_types: [] }],
      ['/endpoints/endpoint[13/1/2]', { uuid: '13/1/2', type: 'copper', sample_types: [101, 102, 201, 202] }],
      ['/endpoints/endpoint[13/1/3]', { uuid: '13/1/3', type: 'copper', sample_types: [] }],
      ['/interface[13/1/2]/settings', { name: '13/1/2', enabled: true }],
      ['/network_instance[default]', { name: 'default', type: 'L3VRF' }],
    ]);
  });

  test('getConfig by key returns the key and everything under it, respecting brackets', async () => {
    const driver = await connected();
    await driver.setConfig([
      ['/interface[13/0/0]/settings', { enabled: true }],
      ['/interface[13/0/0]/subinterface[0]', { index: 0 }],
      ['/interface[13/0/0]', { name: '13/0/0' }],
      ['/interface[13/0/00]/settings', { enabled: false }],
      ['/interface[13/1/2]/settings', { enabled: true }],
    ]);
    assert.deepEqual(await driver.getConfig(['/interface[13/0/0]']), [
      ['/interface[13/0/0]', { name: '13/0/0' }],
      ['/interface[13/0/0]/settings', { enabled: true }],
      ['/interface[13/0/0]/subinterface[0]', { index: 0 }],
    ]);
    assert.deepEqual(await driver.getConfig(['/interface[13/0/0]/settings']), [['/interface[13/0/0]/settings', { enabled: true }]]);
    assert.deepEqual(
      (await driver.getConfig(['/endpoints'])).map(([k]) => k),
      ['/endpoints/endpoint[13/0/0]', '/endpoints/endpoint[13/1/2]', '/endpoints/endpoint[13/1/3]'],
    );
    assert.deepEqual(await driver.getConfig(['/interface[9/9/9]']), [], 'a missing key returns nothing');
    assert.equal((await driver.getConfig([])).length, 8, 'no keys means everything');
    const [bad] = await driver.getConfig(['']);
    assert.equal(bad?.[0], '');
    assert.ok(bad?.[1] instanceof CnsdnError && bad[1].code === 'INVALID_ARGUMENT');
  });

  test('values are copied in and out: callers cannot mutate stored config', async () => {
    const driver = await connected();
    const value = { description: 'a', vlan: [1, 2] };
    await driver.setConfig([['/interface[13/1/2]/settings', value]]);
    value.vlan.push(3);
    const [[, got]] = (await driver.getConfig(['/interface[13/1/2]/settings'])) as [[string, { vlan: number[] }]];
    assert.deepEqual(got.vlan, [1, 2]);
    got.vlan.push(4);
    assert.deepEqual(await driver.getConfig(['/interface[13/1/2]/settings']), [['/interface[13/1/2]/settings', { description: 'a', vlan: [1, 2] }]]);
  });

  test('setConfig overwrites; string values (TFS JSON strings) are kept as given', async () => {
    const driver = await connected();
    await driver.setConfig([['/acl', '{"a":1}']]);
    await driver.setConfig([['/acl', '{"a":2}']]);
    assert.deepEqual(await driver.getConfig(['/acl']), [['/acl', '{"a":2}']]);
  });

  test('setConfig is all-or-nothing: one invalid resource applies none', async () => {
    const driver = await connected();
    const results = await driver.setConfig([
      ['/interface[13/1/2]/settings', { enabled: true }],
      ['/bad[', 1],
      ['/no-value', undefined],
      ['/fn', () => 1],
    ]);
    assert.equal(results.length, 4);
    for (const r of results) assert.ok(r instanceof CnsdnError && r.code === 'INVALID_ARGUMENT');
    assert.match(String(results[0]), /not applied: resource #1/);
    assert.match(String(results[1]), /unmatched "\["/);
    assert.match(String(results[2]), /no value/);
    assert.match(String(results[3]), /cannot be stored/);
    assert.deepEqual(await driver.getConfig(['/interface[13/1/2]']), []);
  });

  test('deleteConfig removes a subtree, is idempotent, and is all-or-nothing', async () => {
    const driver = await connected();
    await driver.setConfig([
      ['/interface[13/0/0]/settings', { enabled: true }],
      ['/interface[13/0/0]/subinterface[0]', { index: 0 }],
      ['/interface[13/1/2]/settings', { enabled: true }],
    ]);
    const aborted = await driver.deleteConfig([['/interface[13/1/2]', null], ['x]', null]]);
    assert.ok(aborted.every((r) => r instanceof Error));
    assert.equal((await driver.getConfig(['/interface[13/1/2]'])).length, 1, 'nothing deleted when one key is bad');
    assert.deepEqual(await driver.deleteConfig([['/interface[13/0/0]', null], ['/interface[13/0/0]', null]]), [true, true]);
    assert.deepEqual(await driver.getConfig(['/interface[13/0/0]']), []);
    assert.equal((await driver.getConfig(['/interface[13/1/2]'])).length, 1);
  });

  test('samples: one per sample type per interval, monotonically increasing, with TFS sample types', async () => {
    const driver = await connected();
    const samples: StateSample[] = [];
    driver.onSample((s) => samples.push(s));
    assert.deepEqual(await driver.subscribeState([['/endpoints/endpoint[13/1/2]', 0, 0.01]]), [true]);
    const deadline = Date.now() + 2000;
    while (samples.filter((s) => s.sampleType === 202).length < 3 && Date.now() < deadline) await sleep(5);
    await driver.disconnect();
    const types = new Set(samples.map((s) => s.sampleType));
    assert.deepEqual([...types].sort(), [101, 102, 201, 202]);
    for (const type of types) {
      const values = samples.filter((s) => s.sampleType === type).map((s) => s.value as number);
      assert.ok(values.length >= 3, `sample type ${type}: ${values.length} samples`);
      for (let i = 1; i < values.length; i++) assert.ok(values[i]! > values[i - 1]!, `sample type ${type} not increasing`);
    }
    const rx = samples.find((s) => s.sampleType === 102)!;
    assert.equal(rx.key, '/interface[13/1/2]/state/counters/in-pkts');
    assert.equal(rx.endpoint, '13/1/2');
    assert.equal(samples.find((s) => s.sampleType === 201)!.key, '/interface[13/1/2]/state/counters/out-octets');
  });

  test('counters keep increasing across resubscription', async () => {
    const driver = await connected();
    const values: number[] = [];
    driver.onSample((s) => {
      if (s.sampleType === 101) values.push(s.value as number);
    });
    for (let round = 0; round < 2; round++) {
      await driver.subscribeState([['/interface[13/1/2]', 0, 0.01]]);
      const want = values.length + 2;
      const deadline = Date.now() + 2000;
      while (values.length < want && Date.now() < deadline) await sleep(5);
      await driver.unsubscribeState([['/interface[13/1/2]', 0, 0.01]]);
    }
    await driver.disconnect();
    assert.ok(values.length >= 4);
    for (let i = 1; i < values.length; i++) assert.ok(values[i]! > values[i - 1]!);
  });

  test('a sampling duration ends the subscription', async () => {
    const driver = await connected();
    let count = 0;
    driver.onSample(() => {
      count += 1;
    });
    await driver.subscribeState([['/interface[13/1/2]', 0.05, 0.01]]);
    await sleep(120);
    const settled = count;
    assert.ok(settled > 0);
    await sleep(60);
    assert.equal(count, settled);
    await driver.disconnect();
  });

  test('a throwing sample sink does not starve the others', async () => {
    const driver = await connected();
    let got = 0;
    driver.onSample(() => {
      throw new Error('boom');
    });
    driver.onSample(() => {
      got += 1;
    });
    await driver.subscribeState([['/interface[13/1/2]', 0, 0.01]]);
    const deadline = Date.now() + 2000;
    while (got < 8 && Date.now() < deadline) await sleep(5);
    await driver.disconnect();
    assert.ok(got >= 8);
  });

  test('subscription errors are per resource', async () => {
    const driver = await connected();
    const results = await driver.subscribeState([
      ['/interface[13/1/2]', 0, 1],
      ['/interface[nope]', 0, 1],
      ['/interface[13/0/0]', 0, 1],
      ['/interface[13/1/2]/state', 0, 1],
      ['/interface[13/1/2]', 0, 0],
    ]);
    assert.equal(results[0], true);
    assert.match(String(results[1]), /no endpoint "nope"/);
    assert.match(String(results[2]), /no sample types/);
    assert.match(String(results[3]), /must be "\/interface\[NAME\]"/);
    assert.match(String(results[4]), /interval/);
    await driver.disconnect();
  });

  test('fail_connect rejects with DEVICE_UNREACHABLE', async () => {
    const driver = new EmulatedDriver(config({ ...OFC22_SETTINGS, fail_connect: true }));
    const e = await rejection(driver.connect());
    assert.equal(e.code, 'DEVICE_UNREACHABLE');
    assert.match(e.message, /R1-EMU/);
    await rejection(driver.discoverEndpoints());
  });

  test('connect_delay_ms delays the connection; concurrent connects share it; disconnect aborts it', async () => {
    const driver = new EmulatedDriver(config({ ...OFC22_SETTINGS, connect_delay_ms: 40 }));
    const started = Date.now();
    await Promise.all([driver.connect(), driver.connect()]);
    assert.ok(Date.now() - started >= 35);
    await driver.disconnect();

    const slow = new EmulatedDriver(config({ ...OFC22_SETTINGS, connect_delay_ms: 5000 }));
    const pending = slow.connect();
    await slow.disconnect();
    const e = await rejection(pending);
    assert.equal(e.code, 'DEVICE_UNREACHABLE');
    assert.match(e.message, /disconnected while connecting/);
  });

  test('invalid settings reject connect with INVALID_ARGUMENT and JSON paths', async () => {
    const driver = new EmulatedDriver(
      config({ endpoints: [{ uuid: 'a', type: 'copper' }, { uuid: '', type: 1 }, { uuid: 'c', type: 'copper', sample_types: ['x'] }], connect_delay_ms: -1 }),
    );
    const e = await rejection(driver.connect());
    assert.equal(e.code, 'INVALID_ARGUMENT');
    assert.deepEqual(
      e.details.map((d) => d.path),
      ['/endpoints/1/uuid', '/endpoints/1/type', '/endpoints/2/sample_types', '/connect_delay_ms'],
    );
    const dup = await rejection(new EmulatedDriver(config({ endpoints: [{ uuid: 'a', type: 'c' }, { uuid: 'b', name: 'a', type: 'c' }] })).connect());
    assert.match(dup.message, /duplicate endpoint "a"/);
    const notArray = await rejection(new EmulatedDriver(config({ endpoints: {} })).connect());
    assert.equal(notArray.details[0]?.path, '/endpoints');
  });

  test('config survives a disconnect and reconnect of the same driver', async () => {
    const driver = await connected();
    await driver.setConfig([['/network_instance[default]', { name: 'default' }]]);
    await driver.disconnect();
    await driver.connect();
    assert.deepEqual(await driver.getConfig(['/network_instance[default]']), [['/network_instance[default]', { name: 'default' }]]);
  });
});
