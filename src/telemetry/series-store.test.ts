import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { latestSamples, recentSamples } from './query.js';
import { Arena, Ring } from './ring.js';
import { SeriesStore } from './series-store.js';

const points = (r: Ring) => Array.from({ length: r.size }, (_, i) => [r.ts(i), r.value(i)]);

describe('Ring', () => {
  it('keeps the newest points when full, oldest first', () => {
    const r = new Ring(3);
    for (let i = 1; i <= 5; i++) r.push(i * 10, i);
    assert.deepEqual(points(r), [
      [30, 3],
      [40, 4],
      [50, 5],
    ]);
  });

  it('grows keeping order after wrapping', () => {
    const r = new Ring(3);
    for (let i = 1; i <= 4; i++) r.push(i, i);
    r.grow(5);
    r.push(5, 5);
    r.push(6, 6);
    assert.equal(r.capacity, 5);
    assert.deepEqual(points(r).map(([t]) => t), [2, 3, 4, 5, 6]);
  });

  it('shrinks keeping the newest points', () => {
    const r = new Ring(4);
    for (let i = 1; i <= 6; i++) r.push(i, i);
    r.shrink(2);
    assert.deepEqual(points(r).map(([t]) => t), [5, 6]);
    r.push(7, 7);
    assert.deepEqual(points(r).map(([t]) => t), [6, 7]);
  });

  it('drops points older than a cutoff, across the wrap', () => {
    const r = new Ring(4);
    for (let i = 1; i <= 6; i++) r.push(i * 100, i);
    assert.equal(r.dropBefore(450), 2);
    assert.deepEqual(points(r).map(([t]) => t), [500, 600]);
    assert.equal(r.dropBefore(10_000), 2);
    assert.equal(r.size, 0);
    r.push(700, 7);
    assert.deepEqual(points(r), [[700, 7]]);
  });
});

describe('SeriesStore retention', () => {
  const meta = (endpoint = 'e1', kpi = 101) => ({ deviceUuid: 'u1', deviceName: 'R1', endpoint, kpi });

  it('bounds each series by count', () => {
    const store = new SeriesStore({ maxPoints: 10 });
    const s = store.ensure(meta())!;
    for (let i = 0; i < 100; i++) store.append(s, i, i);
    assert.equal(s.ring.size, 10);
    assert.equal(s.ring.ts(0), 90);
    assert.equal(store.allocatedPoints, 10);
  });

  it('bounds each series by age on sweep and on read', () => {
    const store = new SeriesStore({ maxPoints: 100, maxAgeMs: 1000 });
    const s = store.ensure(meta())!;
    for (let t = 0; t <= 5000; t += 500) store.append(s, t, t);
    assert.deepEqual(
      recentSamples(store, {}, 0, 100, 5000).map((p) => p.ts),
      [4000, 4500, 5000],
    );
    store.sweep(5000);
    assert.deepEqual(points(s.ring).map(([t]) => t), [4000, 4500, 5000]);
    assert.deepEqual(latestSamples(store, {}, 10, 7000), []);
  });

  it('removes inactive series once they are empty, and keeps active ones', () => {
    const store = new SeriesStore({ maxAgeMs: 1000 });
    const a = store.ensure(meta('e1'))!;
    const b = store.ensure({ ...meta('e1'), deviceUuid: 'u2', deviceName: 'R2' })!;
    store.append(a, 0, 1);
    store.append(b, 0, 1);
    store.setDeviceActive('u1', false);
    assert.equal(store.sweep(500), 0, 'points still within retention');
    assert.equal(store.sweep(2000), 1);
    assert.equal(a.removed, true);
    assert.equal(store.append(a, 3000, 1), false);
    assert.deepEqual(store.select().map((s) => s.deviceUuid), ['u2']);
    assert.equal(store.resolveDevice('R1'), undefined);
    assert.equal(store.resolveDevice('R2'), 'u2');
    assert.ok(store.ensure(meta('e1')) !== a, 'a new series replaces the removed one');
  });

  it('never allocates more points than the total budget, and refuses series only when 2 points each no longer fit', () => {
    const store = new SeriesStore({ maxPoints: 80, maxTotalPoints: 100 });
    const series = [0, 1, 2, 3].map((i) => store.ensure(meta(`e${i}`))!);
    for (let t = 0; t < 200; t++) for (const s of series) store.append(s, t, t);
    assert.ok(store.allocatedPoints <= 100, `allocated ${store.allocatedPoints}`);
    assert.deepEqual(
      series.map((s) => s.ring.size),
      [25, 25, 25, 25],
      'an equal share each',
    );
    const extra = Array.from({ length: 50 }, (_, i) => store.ensure(meta(`x${i}`)));
    assert.equal(extra.filter((s) => s !== undefined).length, 46, '50 series × 2 points fill the budget');
    assert.equal(store.rejectedSeries, 4);
    assert.ok(store.allocatedPoints <= 100);
    assert.ok(series.every((s) => s.ring.size >= 2 && s.ring.ts(s.ring.size - 1) === 199), 'shrunk rings keep their newest points');
  });

  it('shares the budget with series that come late', () => {
    const store = new SeriesStore({ maxPoints: 100, maxTotalPoints: 1000 });
    const early = Array.from({ length: 10 }, (_, i) => store.ensure(meta(`a${i}`))!);
    for (let t = 0; t < 100; t++) for (const s of early) store.append(s, t, t);
    assert.ok(early.every((s) => s.ring.size === 100));
    const late = Array.from({ length: 10 }, (_, i) => store.ensure(meta(`b${i}`)));
    assert.ok(late.every((s) => s !== undefined));
    const all = [...early, ...(late as NonNullable<(typeof late)[number]>[])];
    for (let t = 100; t < 300; t++) for (const s of all) store.append(s, t, t);
    assert.ok(store.allocatedPoints <= 1000);
    const sizes = all.map((s) => s.ring.size);
    assert.ok(Math.max(...sizes) <= 50, `no series above the fair share: ${sizes}`);
    assert.ok(Math.min(...sizes) >= 30, `every series near the fair share: ${sizes}`);
  });

  it('refuses series beyond maxSeries', () => {
    const store = new SeriesStore({ maxSeries: 2 });
    assert.ok(store.ensure(meta('a')));
    assert.ok(store.ensure(meta('b')));
    assert.equal(store.ensure(meta('c')), undefined);
    assert.equal(store.seriesCount, 2);
  });

  it('follows a device rename and resolves devices by uuid or name', () => {
    const store = new SeriesStore();
    const s = store.ensure(meta())!;
    store.ensure({ ...meta('e2'), deviceName: 'core-1' });
    assert.equal(s.deviceName, 'core-1');
    assert.equal(store.resolveDevice('core-1'), 'u1');
    assert.equal(store.resolveDevice('u1'), 'u1');
    assert.equal(store.resolveDevice('R1'), undefined);
  });

  it('rates are per second and absent at a counter reset', () => {
    const store = new SeriesStore();
    const s = store.ensure(meta())!;
    store.append(s, 0, 100);
    store.append(s, 2000, 300);
    store.append(s, 3000, 5);
    assert.deepEqual(
      recentSamples(store, {}, 0, 10, 3000).map((p) => p.rate),
      [undefined, 100, undefined],
    );
  });
});

describe('recentSamples', () => {
  it('returns the newest `limit` points across series, oldest first, from `since`', () => {
    const store = new SeriesStore();
    const a = store.ensure({ deviceUuid: 'u1', deviceName: 'R1', endpoint: 'a', kpi: 101 })!;
    const b = store.ensure({ deviceUuid: 'u1', deviceName: 'R1', endpoint: 'b', kpi: 202 })!;
    for (let t = 1; t <= 10; t++) {
      store.append(a, t * 10, t);
      store.append(b, t * 10 + 5, t);
    }
    const got = recentSamples(store, {}, 0, 4, 200);
    assert.deepEqual(
      got.map((p) => [p.ts, p.endpoint, p.kpi]),
      [
        [90, 'a', 'KPISAMPLETYPE_PACKETS_TRANSMITTED'],
        [95, 'b', 'KPISAMPLETYPE_BYTES_RECEIVED'],
        [100, 'a', 'KPISAMPLETYPE_PACKETS_TRANSMITTED'],
        [105, 'b', 'KPISAMPLETYPE_BYTES_RECEIVED'],
      ],
    );
    assert.deepEqual(
      recentSamples(store, { endpoint: 'b' }, 80, 100, 200).map((p) => p.ts),
      [85, 95, 105],
    );
    assert.equal(got[0]!.device, 'R1');
    assert.equal(got[0]!.rate, 100);
  });
});

describe('Arena', () => {
  it('hands a freed region to the next ring of its size, and rings sharing a chunk keep their own points', () => {
    const arena = new Arena(64);
    const a = new Ring(4, arena);
    const b = new Ring(4, arena);
    for (let t = 1; t <= 6; t++) {
      a.push(t, t * 10);
      b.push(t, -t);
    }
    assert.deepEqual(points(a), [[3, 30], [4, 40], [5, 50], [6, 60]]);
    assert.deepEqual(points(b), [[3, -3], [4, -4], [5, -5], [6, -6]]);
    a.grow(8);
    assert.equal(arena.wasted, 8, 'the 4-point region of a is free');
    const c = new Ring(4, arena);
    assert.equal(arena.wasted, 0, 'c took it');
    c.push(7, 70);
    assert.deepEqual(points(a), [[3, 30], [4, 40], [5, 50], [6, 60]]);
    assert.deepEqual(points(c), [[7, 70]]);
    a.moveTo(new Arena());
    assert.deepEqual(points(a), [[3, 30], [4, 40], [5, 50], [6, 60]]);
  });

  it('a store compacts its arena when freed regions outgrow the live ones, keeping every series\' points', () => {
    const store = new SeriesStore({ maxPoints: 64, maxTotalPoints: 1_000_000 });
    const series = Array.from({ length: 3000 }, (_, i) => store.ensure({ deviceUuid: `u${i % 30}`, deviceName: `R${i % 30}`, endpoint: `e${i}`, kpi: 201 })!);
    const kept = series.slice(2500);
    for (let t = 1; t <= 64; t++) {
      for (const s of series.slice(0, 2500)) store.append(s, t, t);
      for (const s of kept) store.append(s, 5_000_000 + t, t * 2);
    }
    const reservedBefore = store.reservedPoints;
    for (const s of series.slice(0, 2500)) s.active = false;
    assert.equal(store.sweep(5_000_100), 2500);
    assert.equal(store.seriesCount, 500);
    assert.ok(store.reservedPoints < reservedBefore / 2, `reserved ${store.reservedPoints} of ${reservedBefore}`);
    for (const s of kept) assert.deepEqual(points(s), Array.from({ length: 64 }, (_, k) => [5_000_001 + k, (k + 1) * 2]));
    assert.deepEqual(store.select({ deviceUuid: 'u1' }).length, kept.filter((s) => s.deviceUuid === 'u1').length);
    assert.equal(store.select({ deviceUuid: 'u1', endpoint: 'e1' }).length, 0, 'removed series are gone from the device index');
  });
});
