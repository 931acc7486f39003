import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Change, OutboxEntry, Store, StoreTx, TransactionResult } from './api.js';
import { SqlReader, storeError } from './reader.js';
import { retryTransaction } from './reconnect.js';
import { DEFAULT_MAX_ATTEMPTS } from './retry.js';
import type { Backend, BackendTraits, Db } from './schema.js';
import { SqlTx } from './tx.js';

export interface SqlStoreOptions {
  maxAttempts?: number;
  /** Observes retries (tests count them; the app may log them). */
  onRetry?: (err: unknown, attempt: number) => void;
}

/** A Store over any Kysely database: both backends differ only in traits and how they are opened. */
export class SqlStore extends SqlReader implements Store {
  readonly backend: Backend;
  readonly #maxAttempts: number;
  readonly #onRetry: SqlStoreOptions['onRetry'];

  constructor(db: Db, traits: BackendTraits, options: SqlStoreOptions = {}) {
    super(db, traits);
    this.backend = traits.backend;
    this.#maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.#onRetry = options.onRetry;
  }

  /** The Kysely handle, for modules that keep their own tables in this database (src/auth). */
  get kysely(): Db {
    return this.db;
  }

  transaction<R>(fn: (tx: StoreTx) => Promise<R>): Promise<TransactionResult<R>> {
    // Retried on serialization failures, and after a lost connection unless COMMIT had been sent.
    return retryTransaction((markCommitting) => this.#attempt(fn, markCommitting), {
      maxAttempts: this.#maxAttempts,
      onRetry: this.#onRetry,
    });
  }

  async #attempt<R>(fn: (tx: StoreTx) => Promise<R>, markCommitting: () => void): Promise<TransactionResult<R>> {
    return this.db.connection().execute(async (conn) => {
      await this.run('begin', () => sql.raw(this.traits.beginSql).execute(conn), false);
      const tx = new SqlTx(conn, this.traits);
      try {
        const result = await fn(tx);
        if (tx.failure !== undefined) throw tx.failure;
        let outbox: TransactionResult<R>['outbox'];
        if (tx.changes.length > 0) {
          outbox = { id: randomUUID(), createdAt: new Date().toISOString() };
          const row = { id: outbox.id, created_at: outbox.createdAt, changes: JSON.stringify(tx.changes) };
          await this.run('outbox', () => conn.insertInto('outbox').values(row).execute(), false);
        }
        markCommitting();
        await this.run('commit', () => sql`commit`.execute(conn), false);
        return outbox ? { result, changes: tx.changes, outbox } : { result, changes: tx.changes };
      } catch (err) {
        await sql`rollback`.execute(conn).catch(() => {});
        throw err;
      } finally {
        tx.finish();
      }
    });
  }

  async outboxPending(olderThan: string, limit: number): Promise<OutboxEntry[]> {
    const rows = await this.run('outbox', () =>
      this.db.selectFrom('outbox').selectAll().where('created_at', '<', olderThan).orderBy('created_at').orderBy('id').limit(limit).execute(),
    );
    return rows.map((r) => ({ id: r.id, createdAt: r.created_at, changes: JSON.parse(r.changes) as Change[] }));
  }

  async outboxAck(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      await this.run('outbox', () => this.db.deleteFrom('outbox').where('id', 'in', chunk).execute());
    }
  }

  async ping(): Promise<boolean> {
    try {
      await sql`select 1`.execute(this.db);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    try {
      await this.db.destroy();
    } catch (err) {
      throw storeError('close', err);
    }
  }
}
