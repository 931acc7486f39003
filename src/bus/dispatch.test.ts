import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeliveredEvent } from './api.js';
import { invokeHandler, isInsideHandlerOf } from './dispatch.js';
import type { BusLogger } from './log.js';

const silent: BusLogger = { warn() {}, error() {} };
const event = { kind: 'device', uuid: 'u', seq: 1, revision: 1 } as unknown as DeliveredEvent;

test('a handler still sees its owner after another handler ended (the storage is switched off only when none runs)', { timeout: 10_000 }, async () => {
  const a = {};
  const b = {};
  let releaseA!: () => void;
  let releaseB!: () => void;
  const gateA = new Promise<void>((r) => {
    releaseA = r;
  });
  const gateB = new Promise<void>((r) => {
    releaseB = r;
  });
  const seen: [string, boolean, boolean][] = [];
  const runA = invokeHandler(a, async () => {
    await gateA;
    seen.push(['a', isInsideHandlerOf(a), isInsideHandlerOf(b)]);
  }, event, silent);
  const runB = invokeHandler(b, async () => {
    await gateB;
    await new Promise((r) => setTimeout(r, 5));
    seen.push(['b', isInsideHandlerOf(b), isInsideHandlerOf(a)]);
  }, event, silent);
  releaseA();
  await runA;
  releaseB();
  await runB;
  assert.deepEqual(seen, [
    ['a', true, false],
    ['b', true, false],
  ]);
  assert.equal(isInsideHandlerOf(a), false);
  assert.equal(isInsideHandlerOf(b), false);
  // A new handler after every one ended gets its context again.
  let again = false;
  await invokeHandler(a, async () => {
    await new Promise((r) => setTimeout(r, 1));
    again = isInsideHandlerOf(a);
  }, event, silent);
  assert.equal(again, true);
});

test('a throwing handler is logged and still leaves the storage consistent', { timeout: 10_000 }, async () => {
  const owner = {};
  const errors: string[] = [];
  const logger: BusLogger = { ...silent, error: (_o, msg) => errors.push(msg as string) };
  await invokeHandler(owner, () => {
    throw new Error('boom');
  }, event, logger);
  assert.equal(errors.length, 1);
  let inside = false;
  await invokeHandler(owner, async () => {
    await null;
    inside = isInsideHandlerOf(owner);
  }, event, logger);
  assert.equal(inside, true);
});
