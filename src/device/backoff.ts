import { CnsdnError } from '../common/errors.js';

export interface BackoffOptions {
  /** Delay before the first retry, in ms. */
  initialMs: number;
  /** Upper bound of any delay, in ms. */
  maxMs: number;
}

export function validateBackoff(b: BackoffOptions): BackoffOptions {
  if (!(Number.isFinite(b.initialMs) && b.initialMs > 0 && Number.isFinite(b.maxMs) && b.maxMs >= b.initialMs)) {
    throw new CnsdnError('INVALID_ARGUMENT', `backoff needs 0 < initialMs <= maxMs, got ${JSON.stringify(b)}`);
  }
  return b;
}

/**
 * Delay before retry number `attempt` (1-based): the ceiling doubles per attempt up to
 * maxMs, and the delay is drawn from [ceiling/2, ceiling]. Half the ceiling is jitter,
 * which spreads thousands of devices that failed together, while the lower half keeps
 * consecutive delays from shrinking.
 */
export function backoffDelay(attempt: number, b: BackoffOptions, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 52);
  const ceiling = Math.min(b.maxMs, b.initialMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
