import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CnsdnError } from '../common/errors.js';
import { backoffDelay, errorCode, isSerializationFailure, withRetry } from './retry.js';

const sqlError = (code: string) => Object.assign(new Error(`sqlstate ${code}`), { code });

describe('withRetry', () => {
  it('runs again on a retryable failure until the attempt succeeds', async () => {
    const seen: number[] = [];
    const result = await withRetry(
      async (n) => {
        seen.push(n);
        if (n < 3) throw sqlError('40001');
        return 'ok';
      },
      { maxAttempts: 8, isRetryable: isSerializationFailure, baseDelayMs: 1 },
    );
    assert.equal(result, 'ok');
    assert.deepEqual(seen, [1, 2, 3]);
  });

  it('gives up after maxAttempts with UNAVAILABLE, keeping the last error as cause', async () => {
    let attempts = 0;
    const last = sqlError('40P01');
    await assert.rejects(
      withRetry(
        async () => {
          attempts++;
          throw last;
        },
        { maxAttempts: 4, isRetryable: isSerializationFailure, baseDelayMs: 1 },
      ),
      (e) => e instanceof CnsdnError && e.code === 'UNAVAILABLE' && e.cause === last,
    );
    assert.equal(attempts, 4);
  });

  it('passes other errors through at once', async () => {
    let attempts = 0;
    const err = sqlError('23505');
    await assert.rejects(
      withRetry(
        async () => {
          attempts++;
          throw err;
        },
        { maxAttempts: 8, isRetryable: isSerializationFailure },
      ),
      (e) => e === err,
    );
    assert.equal(attempts, 1);
  });
});

describe('error classification', () => {
  it('finds the driver code behind a CnsdnError wrapper', () => {
    const wrapped = new CnsdnError('STORE_ERROR', 'x', [], { cause: sqlError('40001') });
    assert.equal(errorCode(wrapped), '40001');
    assert.equal(isSerializationFailure(wrapped), true);
    assert.equal(isSerializationFailure(new CnsdnError('REVISION_CONFLICT', 'x')), false);
    assert.equal(isSerializationFailure(sqlError('SQLITE_BUSY')), true);
    assert.equal(isSerializationFailure(sqlError('SQLITE_CONSTRAINT')), false);
    assert.equal(isSerializationFailure(new Error('plain')), false);
  });

  it('keeps backoff within the exponential cap', () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      const cap = Math.min(500, 5 * 2 ** (attempt - 1));
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(attempt);
        assert.ok(d >= 0 && d <= cap, `attempt ${attempt}: ${d} > ${cap}`);
      }
    }
  });
});
