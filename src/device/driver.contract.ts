/**
 * The one contract every driver passes (emulated, gNMI, NETCONF, ...). A driver is done
 * when this suite passes against it. Run it from a *.test.ts / *.itest.ts file.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Driver, DriverConnectConfig, DriverFactory, EndpointInfo, Resource, StateSample, StateSubscription } from './api.js';

export interface DriverContractSetup {
  factory: DriverFactory;
  config: DriverConnectConfig;
  cleanup?: () => Promise<void>;
}

export interface DriverContractOptions {
  /** A resource the device accepts and reads back; default `/interface[<first endpoint>]/settings` = {description}. */
  resource?: (endpoints: readonly EndpointInfo[]) => Resource;
  /** Asserts that getConfig([key]) output shows the resource; default: an entry with that key and a deep-equal value. */
  assertReadBack?: (got: ReadonlyArray<[string, unknown]>, resource: Resource) => void;
  /** Asserts that getConfig([key]) output no longer shows the resource; default: no entry with that key. */
  assertDeleted?: (got: ReadonlyArray<[string, unknown]>, resource: Resource) => void;
  /** Default: `/interface[<first endpoint with sample types>]`, sampled every 50 ms, no end. */
  subscription?: (endpoints: readonly EndpointInfo[]) => StateSubscription;
  /** How long a first sample may take (default 5000 ms). */
  sampleTimeoutMs?: number;
  /** Bound for each test (default 30000 ms). */
  testTimeoutMs?: number;
}

function defaultResource(endpoints: readonly EndpointInfo[]): Resource {
  return [`/interface[${endpoints[0]!.name}]/settings`, { description: 'cnsdn driver contract' }];
}

function defaultSubscription(endpoints: readonly EndpointInfo[]): StateSubscription {
  const ep = endpoints.find((e) => e.sampleTypes.length > 0) ?? endpoints[0]!;
  return [`/interface[${ep.name}]`, 0, 0.05];
}

function defaultReadBack(got: ReadonlyArray<[string, unknown]>, [key, value]: Resource): void {
  const entry = got.find(([k]) => k === key);
  assert.ok(entry, `getConfig did not return ${key}; got keys: ${got.map(([k]) => k).join(', ')}`);
  assert.deepEqual(entry[1], value);
}

function defaultDeleted(got: ReadonlyArray<[string, unknown]>, [key]: Resource): void {
  const entry = got.find(([k, v]) => k === key && !(v instanceof Error));
  assert.equal(entry, undefined, `${key} is still there after deleteConfig`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves when `count()` reaches `atLeast`; rejects after `timeoutMs`. */
async function waitFor(count: () => number, atLeast: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (count() < atLeast) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

function assertCoded(e: unknown, op: string): void {
  assert.ok(e instanceof Error, `${op}: rejected with a non-Error ${String(e)}`);
  const code = (e as { code?: unknown }).code;
  assert.equal(typeof code, 'string', `${op}: rejected without an error code: ${e.message}`);
}

export function runDriverContract(
  name: string,
  makeConfig: () => Promise<DriverContractSetup>,
  options: DriverContractOptions = {},
): void {
  const resourceOf = options.resource ?? defaultResource;
  const subscriptionOf = options.subscription ?? defaultSubscription;
  const readBack = options.assertReadBack ?? defaultReadBack;
  const deleted = options.assertDeleted ?? defaultDeleted;
  const sampleTimeoutMs = options.sampleTimeoutMs ?? 5000;
  const timeout = options.testTimeoutMs ?? 30_000;
  // node:test is taken when the suite runs: the device index re-exports it, and a controller
  // importing that index must not load the test runner.
  const { after, describe, test } = createRequire(import.meta.url)('node:test') as typeof import('node:test');

  describe(`driver contract: ${name}`, () => {
    const open: Array<{ driver: Driver; cleanup?: () => Promise<void> }> = [];

    async function fresh(connect = true): Promise<Driver> {
      const setup = await makeConfig();
      const driver = setup.factory.create(setup.config);
      open.push({ driver, cleanup: setup.cleanup });
      if (connect) await driver.connect();
      return driver;
    }

    after(async () => {
      for (const { driver, cleanup } of open.splice(0)) {
        await driver.disconnect().catch(() => undefined);
        await cleanup?.();
      }
    });

    test('connect and disconnect are idempotent and repeatable', { timeout }, async () => {
      const driver = await fresh(false);
      await driver.connect();
      await driver.connect();
      assert.ok((await driver.discoverEndpoints()).length > 0);
      await driver.disconnect();
      await driver.disconnect();
      await driver.connect();
      assert.ok((await driver.discoverEndpoints()).length > 0, 'works again after a reconnect');
      await driver.disconnect();
    });

    test('discoverEndpoints returns endpoints with name, type and sample types', { timeout }, async () => {
      const endpoints = await (await fresh()).discoverEndpoints();
      assert.ok(endpoints.length > 0, 'no endpoints');
      for (const ep of endpoints) {
        assert.equal(typeof ep.name, 'string');
        assert.ok(ep.name.length > 0, 'empty endpoint name');
        assert.equal(typeof ep.type, 'string');
        assert.ok(Array.isArray(ep.sampleTypes));
        assert.ok(ep.sampleTypes.every((t) => Number.isInteger(t)));
      }
      assert.equal(new Set(endpoints.map((e) => e.name)).size, endpoints.length, 'endpoint names are unique');
    });

    test('getInitialConfig returns [key, value] resources', { timeout }, async () => {
      const config = await (await fresh()).getInitialConfig();
      assert.ok(Array.isArray(config));
      for (const entry of config) {
        assert.ok(Array.isArray(entry) && entry.length === 2);
        assert.equal(typeof entry[0], 'string');
      }
    });

    test('setConfig then getConfig reads the resource back; deleteConfig removes it', { timeout }, async () => {
      const driver = await fresh();
      const resource = resourceOf(await driver.discoverEndpoints());
      assert.deepEqual(await driver.setConfig([resource]), [true]);
      readBack(await driver.getConfig([resource[0]]), resource);
      assert.deepEqual(await driver.deleteConfig([resource]), [true]);
      deleted(await driver.getConfig([resource[0]]), resource);
    });

    test('results come per resource, in the order given', { timeout }, async () => {
      const driver = await fresh();
      const endpoints = await driver.discoverEndpoints();
      const good = resourceOf(endpoints);
      const bad: Resource = ['', 'not a resource'];
      const set = await driver.setConfig([good, bad]);
      assert.equal(set.length, 2);
      assert.ok(set[1] instanceof Error, 'an empty key is rejected');
      for (const r of set) assert.ok(r === true || r instanceof Error);
      assert.deepEqual(await driver.setConfig([good]), [true]);
      assert.equal((await driver.deleteConfig([good, bad])).length, 2);
      assert.deepEqual(await driver.setConfig([]), []);
      const sub = subscriptionOf(endpoints);
      const subscribed = await driver.subscribeState([sub, ['', 0, 1]]);
      assert.equal(subscribed.length, 2);
      assert.equal(subscribed[0], true);
      assert.ok(subscribed[1] instanceof Error);
      assert.equal((await driver.unsubscribeState([sub, ['', 0, 1]])).length, 2);
    });

    test('subscribeState produces samples; unsubscribeState stops them', { timeout }, async () => {
      const driver = await fresh();
      const sub = subscriptionOf(await driver.discoverEndpoints());
      const samples: StateSample[] = [];
      const off = driver.onSample((s) => samples.push(s));
      assert.deepEqual(await driver.subscribeState([sub]), [true]);
      await waitFor(() => samples.length, 1, sampleTimeoutMs, 'a first sample');
      const s = samples[0]!;
      assert.equal(typeof s.ts, 'number');
      assert.ok(Math.abs(Date.now() - s.ts) < 60_000, 'ts is a current epoch time in ms');
      assert.equal(typeof s.key, 'string');
      assert.ok(['number', 'string', 'boolean'].includes(typeof s.value));
      assert.deepEqual(await driver.unsubscribeState([sub]), [true]);
      const intervalMs = Math.max(sub[2] * 1000, 10);
      await sleep(intervalMs * 2);
      const settled = samples.length;
      await sleep(intervalMs * 4);
      assert.equal(samples.length, settled, 'samples kept coming after unsubscribeState');
      off();
    });

    test('disconnect stops samples and does not report an unexpected disconnect', { timeout }, async () => {
      const driver = await fresh();
      const sub = subscriptionOf(await driver.discoverEndpoints());
      let samples = 0;
      const drops: Error[] = [];
      driver.onSample(() => {
        samples += 1;
      });
      driver.onDisconnect((e) => drops.push(e));
      assert.deepEqual(await driver.subscribeState([sub]), [true]);
      await waitFor(() => samples, 1, sampleTimeoutMs, 'a first sample');
      await driver.disconnect();
      const settled = samples;
      await sleep(Math.max(sub[2] * 1000, 10) * 4);
      assert.equal(samples, settled, 'samples kept coming after disconnect');
      assert.deepEqual(drops, []);
    });

    test('an unregistered sample sink receives nothing more', { timeout }, async () => {
      const driver = await fresh();
      const sub = subscriptionOf(await driver.discoverEndpoints());
      let kept = 0;
      let removed = 0;
      driver.onSample(() => {
        kept += 1;
      });
      const off = driver.onSample(() => {
        removed += 1;
      });
      off();
      await driver.subscribeState([sub]);
      await waitFor(() => kept, 1, sampleTimeoutMs, 'a first sample');
      assert.equal(removed, 0);
      await driver.unsubscribeState([sub]);
    });

    test('operations after disconnect reject with a coded error', { timeout }, async () => {
      const driver = await fresh();
      const endpoints = await driver.discoverEndpoints();
      const resource = resourceOf(endpoints);
      const sub = subscriptionOf(endpoints);
      await driver.disconnect();
      const ops: Array<[string, () => Promise<unknown>]> = [
        ['discoverEndpoints', () => driver.discoverEndpoints()],
        ['getInitialConfig', () => driver.getInitialConfig()],
        ['getConfig', () => driver.getConfig([resource[0]])],
        ['setConfig', () => driver.setConfig([resource])],
        ['deleteConfig', () => driver.deleteConfig([resource])],
        ['subscribeState', () => driver.subscribeState([sub])],
        ['unsubscribeState', () => driver.unsubscribeState([sub])],
      ];
      for (const [op, run] of ops) {
        await run().then(
          () => assert.fail(`${op} succeeded on a disconnected driver`),
          (e: unknown) => assertCoded(e, op),
        );
      }
    });
  });
}
