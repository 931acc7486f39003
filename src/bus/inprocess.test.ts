import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CnsdnError } from '../common/errors.js';
import { captureLogger, collector, makeEvent, runBusContract } from './bus.contract.js';
import { InProcessBus, type InProcessSubscription, openBus } from './index.js';

runBusContract('inprocess', (runtime) => openBus({ url: 'inprocess', ...runtime }), { durable: false });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('in-process bus', () => {
  test('sequences start at 1 on a new bus', { timeout: 5000 }, async () => {
    const bus = new InProcessBus();
    assert.equal(await bus.lastSeq(), 0);
    const c = collector();
    await bus.subscribe(c.handler, { fromSeq: 0 });
    await bus.publish([makeEvent('a', 1), makeEvent('b', 1)]);
    await c.waitFor(2, 2000);
    assert.deepEqual(
      c.events.map((e) => e.seq),
      [1, 2],
    );
    await bus.close();
  });

  test('only the last `retain` events can be replayed; the seq jump shows the gap', { timeout: 5000 }, async () => {
    const bus = new InProcessBus({ retain: 10 });
    await bus.publish(Array.from({ length: 25 }, (_, i) => makeEvent(`e${i}`, 1)));
    const c = collector();
    await bus.subscribe(c.handler, { fromSeq: 1 });
    await c.waitFor(10, 2000);
    await sleep(20);
    assert.deepEqual(
      c.events.map((e) => e.seq),
      Array.from({ length: 10 }, (_, i) => 16 + i),
    );
    assert.equal(c.events[0].uuid, 'e15');
    await bus.close();
  });

  test('fromSeq beyond the last seq waits for that seq', { timeout: 5000 }, async () => {
    const bus = new InProcessBus();
    await bus.publish([makeEvent('a', 1)]);
    const c = collector();
    await bus.subscribe(c.handler, { fromSeq: 3 });
    await bus.publish([makeEvent('b', 1), makeEvent('c', 1), makeEvent('d', 1)]);
    await c.waitFor(2, 2000);
    await sleep(20);
    assert.deepEqual(
      c.events.map((e) => e.uuid),
      ['c', 'd'],
    );
    await bus.close();
  });

  test('retain 0 keeps nothing for replay but still delivers new events', { timeout: 5000 }, async () => {
    const bus = new InProcessBus({ retain: 0 });
    await bus.publish([makeEvent('old', 1)]);
    const c = collector();
    await bus.subscribe(c.handler, { fromSeq: 1 });
    await bus.publish([makeEvent('new', 1)]);
    await c.waitFor(1, 2000);
    await sleep(20);
    assert.deepEqual(
      c.events.map((e) => [e.uuid, e.seq]),
      [['new', 2]],
    );
    await bus.close();
  });

  test('a subscriber more than maxQueue behind loses the oldest queued events and counts them', { timeout: 5000 }, async () => {
    const log = captureLogger();
    const bus = new InProcessBus({ maxQueue: 10, logger: log });
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const seen: number[] = [];
    const sub = (await bus.subscribe(async (e) => {
      seen.push(e.seq);
      await gate;
    })) as InProcessSubscription;
    await bus.publish([makeEvent('first', 1)]);
    while (seen.length === 0) await sleep(1);
    await bus.publish(Array.from({ length: 29 }, (_, i) => makeEvent(`e${i}`, 1)));
    assert.equal(sub.dropped, 19);
    assert.equal(sub.pending, 10);
    assert.equal(log.warnings.length, 1);
    release();
    while (seen.length < 11) await sleep(1);
    assert.deepEqual(seen, [1, ...Array.from({ length: 10 }, (_, i) => 21 + i)]);
    await bus.close();
  });

  test('publish() returns before any handler runs, and events are frozen copies', { timeout: 5000 }, async () => {
    const bus = new InProcessBus();
    let calls = 0;
    const c = collector();
    await bus.subscribe(() => {
      calls++;
    });
    await bus.subscribe(c.handler);
    const e = { ...makeEvent('x', 1), extra: 'not an event field' };
    const published = bus.publish([e]);
    assert.equal(calls, 0);
    e.revision = 99;
    await published;
    await c.waitFor(1, 2000);
    assert.equal(c.events[0].revision, 1);
    assert.equal('extra' in c.events[0], false);
    assert.equal(Object.isFrozen(c.events[0]), true);
    await bus.close();
  });

  test('a backlog of 100,000 events is delivered in order without starving the event loop', { timeout: 20_000 }, async () => {
    const bus = new InProcessBus();
    let n = 0;
    let ordered = true;
    let last = 0;
    await bus.subscribe((e) => {
      if (e.seq !== last + 1) ordered = false;
      last = e.seq;
      n++;
    });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    const t0 = performance.now();
    await bus.publish(Array.from({ length: 100_000 }, (_, i) => makeEvent(`d${i % 100}`, i)));
    while (n < 100_000) await sleep(5);
    const ms = performance.now() - t0;
    clearInterval(ticker);
    assert.equal(ordered, true);
    assert.ok(ticks > 5, `timers ran ${ticks} times during ${ms.toFixed(0)} ms of delivery`);
    await bus.close();
  });

  test('options are checked', () => {
    assert.throws(() => new InProcessBus({ retain: -1 }), CnsdnError);
    assert.throws(() => new InProcessBus({ maxQueue: 0 }), CnsdnError);
  });

  test('openBus rejects an unknown URL', async () => {
    await assert.rejects(openBus({ url: 'kafka://x' }), (err: unknown) => err instanceof CnsdnError && err.code === 'BUS_ERROR');
  });
});
