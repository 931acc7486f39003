import { CnsdnError } from '../common/errors.js';

export interface RetryOptions {
  maxAttempts: number;
  /** Which failures justify running the whole attempt again. */
  isRetryable: (err: unknown) => boolean;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Called before each retry; attempt is the 1-based number of the attempt that failed. */
  onRetry?: (err: unknown, attempt: number) => void;
}

export const DEFAULT_MAX_ATTEMPTS = 8;

/** SQLSTATE (PostgreSQL/CockroachDB) or SQLITE_* code of a driver error, looking through wrappers. */
export function errorCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && !(e instanceof CnsdnError)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

const SERIALIZATION_CODES = new Set(['40001', '40P01', 'SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT']);

/** Serialization failure or deadlock: retrying the whole transaction is the prescribed remedy. */
export function isSerializationFailure(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && SERIALIZATION_CODES.has(code);
}

/** "Full jitter" exponential backoff: uniform in [0, min(max, base * 2^(attempt-1))]. */
export function backoffDelay(attempt: number, baseDelayMs = 5, maxDelayMs = 500): number {
  return Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
}

/** Runs attempt() until it succeeds, fails with a non-retryable error, or maxAttempts is reached (→ UNAVAILABLE). */
export async function withRetry<R>(attempt: (n: number) => Promise<R>, options: RetryOptions): Promise<R> {
  const { maxAttempts, isRetryable, baseDelayMs, maxDelayMs, onRetry } = options;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!isRetryable(err)) throw err;
      if (n >= maxAttempts) {
        throw new CnsdnError('UNAVAILABLE', `transaction gave up after ${n} attempts on serialization conflicts`, [], {
          cause: err,
        });
      }
      onRetry?.(err, n);
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(n, baseDelayMs, maxDelayMs)));
    }
  }
}
