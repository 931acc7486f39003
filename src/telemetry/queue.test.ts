import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ingest } from './ingest.js';
import { SampleQueue } from './queue.js';
import { SeriesStore } from './series-store.js';

describe('SampleQueue', () => {
  it('keeps FIFO order across wrap-around', () => {
    const q = new SampleQueue<string>(3);
    const out: Array<[string, number, number]> = [];
    q.offer('a', 1, 10);
    q.offer('b', 2, 20);
    q.drain((s, ts, v) => out.push([s, ts, v]), 1);
    q.offer('c', 3, 30);
    q.offer('d', 4, 40);
    assert.equal(q.length, 3);
    q.drain((s, ts, v) => out.push([s, ts, v]));
    assert.deepEqual(out, [
      ['a', 1, 10],
      ['b', 2, 20],
      ['c', 3, 30],
      ['d', 4, 40],
    ]);
    assert.equal(q.length, 0);
  });

  it('refuses and counts offers beyond its capacity', () => {
    const q = new SampleQueue<number>(4);
    const accepted = [1, 2, 3, 4, 5, 6].map((i) => q.offer(i, i, i));
    assert.deepEqual(accepted, [true, true, true, true, false, false]);
    assert.equal(q.dropped, 2);
    const seen: number[] = [];
    q.drain((s) => seen.push(s));
    assert.deepEqual(seen, [1, 2, 3, 4]);
  });

  it('rejects a non-positive capacity', () => {
    assert.throws(() => new SampleQueue(0), RangeError);
  });
});

describe('Ingest bound', () => {
  it('stays bounded when 10× the queue bound is pushed synchronously, and counts the drops', () => {
    const bound = 100_000;
    const store = new SeriesStore({ maxPoints: 16 });
    const ingest = new Ingest(store, { queueCapacity: bound, batchSize: bound * 100 });
    const series = store.ensure({ deviceUuid: 'd', deviceName: 'D', endpoint: 'e', kpi: 101 })!;
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    for (let i = 0; i < bound * 10; i++) ingest.offer(series, i, i);
    const grown = process.memoryUsage().rss - rssBefore;
    assert.equal(ingest.queue.length, bound);
    assert.equal(ingest.dropped, bound * 9);
    assert.equal(ingest.received, bound * 10);
    // The queue is preallocated: a million offers must not allocate per sample (a boxed sample is ≥ 40 B: ≥ 40 MB).
    assert.ok(grown < 20 * 1024 * 1024, `RSS grew by ${grown} bytes`);
    assert.equal(ingest.flush(), bound);
    assert.equal(ingest.queue.length, 0);
    assert.equal(series.ring.size, 16);
    assert.equal(series.ring.ts(15), bound - 1);
  });

  it('writes when batchSize samples wait, without waiting for the timer', async () => {
    const store = new SeriesStore();
    const ingest = new Ingest(store, { batchSize: 5, flushMs: 60_000 });
    ingest.start();
    try {
      const series = store.ensure({ deviceUuid: 'd', deviceName: 'D', endpoint: 'e', kpi: 101 })!;
      for (let i = 0; i < 5; i++) ingest.offer(series, i, i);
      assert.equal(series.ring.size, 0);
      await new Promise((r) => setImmediate(r));
      assert.equal(series.ring.size, 5);
      assert.equal(ingest.written, 5);
    } finally {
      ingest.stop();
    }
  });

  it('hands written samples with rates to listeners, and a throwing listener does not stop ingest', () => {
    const store = new SeriesStore();
    const ingest = new Ingest(store);
    const series = store.ensure({ deviceUuid: 'd', deviceName: 'D', endpoint: 'e', kpi: 101 })!;
    const got: Array<[number, number | undefined]> = [];
    ingest.onBatch(() => {
      throw new Error('boom');
    });
    ingest.onBatch((batch) => got.push(...batch.map((w): [number, number | undefined] => [w.value, w.rate])));
    ingest.offer(series, 1000, 10);
    ingest.offer(series, 2000, 30);
    ingest.offer(series, 1500, 99);
    ingest.flush();
    assert.deepEqual(got, [
      [10, undefined],
      [30, 20],
    ]);
    assert.equal(ingest.listenerErrors, 1);
    assert.equal(store.outOfOrder, 1);
  });
});
