import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Driver, Resource } from '../device/index.js';
import type { DeviceConfigDiff } from './api.js';
import { type DriverRunner, runTransaction } from './transaction.js';

/** A device that keeps what is set on it and logs every call. */
function fakeDriver(log: string[], name: string): Driver {
  const held = new Map<string, unknown>();
  return {
    getConfig: async (keys: readonly string[] = []) => keys.flatMap((k) => (held.has(k) ? [[k, held.get(k)] as [string, unknown]] : [])),
    setConfig: async (resources: readonly Resource[]) => {
      for (const [k, v] of resources) held.set(k, v);
      log.push(`${name} set ${resources.map(([k]) => k).join(',')}`);
      return resources.map(() => true as const);
    },
    deleteConfig: async (resources: readonly Resource[]) => {
      for (const [k] of resources) held.delete(k);
      log.push(`${name} delete ${resources.map(([k]) => k).join(',')}`);
      return resources.map(() => true as const);
    },
  } as unknown as Driver;
}

/** One call at a time per device, first come first served (as the session manager does). */
function runner(drivers: Record<string, Driver>): DriverRunner {
  const chains = new Map<string, Promise<unknown>>();
  return {
    withDriver<T>(uuid: string, fn: (d: Driver) => Promise<T>): Promise<T> {
      const run = (chains.get(uuid) ?? Promise.resolve()).then(() => fn(drivers[uuid]!));
      chains.set(
        uuid,
        run.catch(() => undefined),
      );
      return run;
    },
  };
}

const diff = (device: string, key: string): DeviceConfigDiff => ({ deviceUuid: device, deviceName: device, set: [{ key, value: { v: 1 } }], delete: [] });

function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => {
    open = r;
  });
  return { wait, open };
}

describe('network-wide transaction: devices shared and not shared', () => {
  it('transactions on devices they do not share run side by side (one blocked device holds up only its own)', async () => {
    const log: string[] = [];
    const sessions = runner({ a: fakeDriver(log, 'a'), b: fakeDriver(log, 'b') });
    const g = gate();
    // Other work holds device a.
    const blocker = sessions.withDriver('a', () => g.wait);
    const onA = runTransaction(sessions, [diff('a', '/x')], { maxWaitMs: 0 });
    const onB = await runTransaction(sessions, [diff('b', '/y')], { maxWaitMs: 0 });
    assert.equal(onB.ok, true);
    assert.deepEqual(log, ['b set /y'], 'b changed while a is still held');
    g.open();
    await blocker;
    assert.equal((await onA).ok, true);
    assert.deepEqual(log, ['b set /y', 'a set /x']);
  });

  it('a device whose turn does not come within the bound fails the transaction (UNAVAILABLE); the others are put back and it is never touched', async () => {
    const log: string[] = [];
    const sessions = runner({ a: fakeDriver(log, 'a'), b: fakeDriver(log, 'b') });
    const g = gate();
    // b is busy (its read goes through, the change waits behind the blocker queued in between).
    const outcome = runTransaction(sessions, [diff('a', '/x'), diff('b', '/y')], { maxWaitMs: 50 });
    const blocker = sessions.withDriver('b', () => g.wait);
    const done = await outcome;
    assert.equal(done.ok, false);
    if (done.ok) return;
    assert.equal(done.failure.device, 'b');
    assert.equal(done.failure.code, 'CNSDN_UNAVAILABLE');
    assert.match(done.failure.reason, /busy/);
    assert.deepEqual(done.failure.restored, ['a']);
    g.open();
    await blocker;
    // b's late turn: nothing done.
    await sessions.withDriver('b', async () => undefined);
    assert.deepEqual(log, ['a set /x', 'a delete /x']);
  });

  it('work queued on one device is served in arrival order', async () => {
    const log: string[] = [];
    const sessions = runner({ a: fakeDriver(log, 'a') });
    const g = gate();
    const blocker = sessions.withDriver('a', () => g.wait);
    const all = ['/1', '/2', '/3'].map((k) => runTransaction(sessions, [diff('a', k)]));
    g.open();
    await blocker;
    assert.deepEqual((await Promise.all(all)).map((o) => o.ok), [true, true, true]);
    assert.deepEqual(log, ['a set /1', 'a set /2', 'a set /3']);
  });
});
