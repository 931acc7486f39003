/**
 * Riding out a lost database connection (primary failover, restart, partition): work that is safe
 * to run again is retried for a bounded time; past it the caller gets UNAVAILABLE (HTTP 503).
 */
import { CnsdnError } from '../common/errors.js';
import { isConnectionError } from './pg-driver.js';
import { errorCode, isSerializationFailure, withRetry } from './retry.js';

/** How long work waits for the database to come back (a pg_auto_failover failover takes 10–16 s). */
export const DEFAULT_RECONNECT_BUDGET_MS = 8000;

export interface ReconnectOptions {
  budgetMs?: number;
  /** Whether this failure may be retried; default: isTransientDatabaseError. */
  isRetryable?: (err: unknown) => boolean;
  onRetry?: (err: unknown) => void;
}

/**
 * Worth waiting out: a lost connection, a server shutting down or starting, a standby about to be
 * promoted (0A000 "… in a hot standby", a connection made just before), or a primary that does
 * not take writes yet (SQLSTATE 25006: pg_auto_failover keeps a promoted node read-only until it
 * may accept writes).
 */
export function isTransientDatabaseError(err: unknown): boolean {
  const code = errorCode(err);
  if (code === '0A000') return /hot standby/.test(String((err as Error)?.message));
  return isConnectionError(err) || (code !== undefined && TRANSIENT_SQLSTATES.test(code));
}

/** 25006 read-only transaction; 57P01–57P03 the server ending or not yet taking connections; class 08 connection exceptions. */
const TRANSIENT_SQLSTATES = /^(25006|57P0[123]|08[0-9A-Z]{3})$/;

/** UNAVAILABLE for a connection error (the client may retry), err itself otherwise. */
export function unavailableIfDisconnected(what: string, err: unknown): unknown {
  if (!isTransientDatabaseError(err) || (err instanceof CnsdnError && err.code === 'UNAVAILABLE')) return err;
  return new CnsdnError('UNAVAILABLE', `${what}: the database is unreachable; retry shortly`, [], { cause: err });
}

/** Runs fn again after transient database errors (250 ms, 500 ms, then every 1 s) until budgetMs has passed. */
export async function withReconnect<R>(fn: () => Promise<R>, options: ReconnectOptions = {}): Promise<R> {
  const deadline = Date.now() + (options.budgetMs ?? DEFAULT_RECONNECT_BUDGET_MS);
  const retryable = options.isRetryable ?? isTransientDatabaseError;
  for (let n = 1; ; n++) {
    try {
      return await fn();
    } catch (err) {
      const delay = Math.min(1000, 125 * 2 ** n);
      if (!retryable(err) || Date.now() + delay > deadline) throw err;
      options.onRetry?.(err);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

export interface TransactionRetryOptions {
  maxAttempts: number;
  reconnectBudgetMs?: number;
  onRetry?: (err: unknown, attempt: number) => void;
}

/**
 * Runs one database transaction, again on a serialization failure (bounded by maxAttempts) and
 * again after a transient database error unless it came while committing (its outcome is then
 * unknown: the caller gets the error). attempt(markCommitting) calls markCommitting() right
 * before it sends COMMIT.
 */
export function retryTransaction<R>(attempt: (markCommitting: () => void) => Promise<R>, options: TransactionRetryOptions): Promise<R> {
  let committing = false;
  return withReconnect(
    () =>
      withRetry(
        () => {
          committing = false;
          return attempt(() => {
            committing = true;
          });
        },
        { maxAttempts: options.maxAttempts, isRetryable: isSerializationFailure, onRetry: options.onRetry },
      ),
    { budgetMs: options.reconnectBudgetMs, isRetryable: (err) => !committing && isTransientDatabaseError(err) },
  );
}
