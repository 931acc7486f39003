import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FailureThrottle } from './throttle.js';

describe('failure throttle', () => {
  it('lets the free failures pass, then locks for base × 2^n, capped', () => {
    const t = new FailureThrottle({ freeFailures: 3, baseDelayMs: 1000, maxDelayMs: 8000 });
    const now = 1_000_000;
    for (let i = 0; i < 3; i++) t.failure('k', now);
    assert.equal(t.retryAfterMs('k', now), 0);
    const locks: number[] = [];
    for (let i = 0; i < 6; i++) {
      t.failure('k', now);
      locks.push(t.retryAfterMs('k', now));
    }
    assert.deepEqual(locks, [1000, 2000, 4000, 8000, 8000, 8000]);
    assert.equal(t.retryAfterMs('k', now + 8000), 0);
    assert.equal(t.retryAfterMs('other', now), 0, 'keys are independent');
  });

  it('reset clears a key; a key quiet for forgetAfterMs starts over', () => {
    const t = new FailureThrottle({ freeFailures: 1, baseDelayMs: 100, forgetAfterMs: 10_000 });
    t.failure('k', 0);
    t.failure('k', 0);
    assert.equal(t.retryAfterMs('k', 0), 100);
    t.reset('k');
    assert.equal(t.retryAfterMs('k', 0), 0);
    t.failure('j', 0);
    t.failure('j', 0);
    t.failure('j', 20_000);
    assert.equal(t.retryAfterMs('j', 20_000), 0, 'the old failures were forgotten: this is the first again');
  });

  it('stays bounded: the oldest keys are dropped first', () => {
    const t = new FailureThrottle({ maxKeys: 100 });
    for (let i = 0; i < 1000; i++) t.failure(`ip:${i}`, i);
    assert.equal(t.size, 100);
  });
});
