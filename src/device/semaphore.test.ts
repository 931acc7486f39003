import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Semaphore } from './semaphore.js';
import { stableStringify } from './stable-json.js';

describe('Semaphore', () => {
  test('grants up to its size, then serves waiters in arrival order', async () => {
    const sem = new Semaphore(2);
    const r1 = await sem.acquire();
    const r2 = await sem.acquire();
    const order: number[] = [];
    const waiter = (n: number) =>
      sem.acquire().then((release) => {
        order.push(n);
        return release;
      });
    const w3 = waiter(3);
    const w4 = waiter(4);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(order, []);
    assert.equal(sem.active, 2);
    assert.equal(sem.waiting, 2);
    r1();
    r1();
    const r3 = await w3;
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(order, [3], 'a double release frees one slot only');
    r2();
    const r4 = await w4;
    assert.deepEqual(order, [3, 4]);
    r3();
    r4();
    assert.equal(sem.active, 0);
    assert.equal(sem.waiting, 0);
  });

  test('rejects a non-positive size', () => {
    assert.throws(() => new Semaphore(0), RangeError);
  });
});

describe('stableStringify', () => {
  test('equal values with different key order give equal strings; arrays keep order', () => {
    assert.equal(stableStringify({ b: 1, a: { d: [2, 1], c: null } }), stableStringify({ a: { c: null, d: [2, 1] }, b: 1 }));
    assert.notEqual(stableStringify({ a: [1, 2] }), stableStringify({ a: [2, 1] }));
  });
});
