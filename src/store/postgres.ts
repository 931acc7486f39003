import { Kysely } from 'kysely';
import { detectEngine, migrate } from './migrations.js';
import { CnsdnError } from '../common/errors.js';
import { isConnectionError, postgresClient, SafePostgresJSDialect } from './pg-driver.js';
import { storeError } from './reader.js';
import type { BackendTraits, StoreDb } from './schema.js';
import { SqlStore, type SqlStoreOptions } from './sql-store.js';

export const POSTGRES_TRAITS: BackendTraits = {
  backend: 'postgres',
  maxParams: 65535,
  beginSql: 'start transaction isolation level serializable',
};

export interface PostgresStoreOptions extends SqlStoreOptions {
  /** Pool size (default 10). */
  maxConnections?: number;
}

/**
 * Opens a PostgreSQL/CockroachDB store. The URL may list several hosts (`postgres://h1:5432,h2:5432/db`)
 * with `?target_session_attrs=read-write`: postgres.js then connects only to the writable primary.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<SqlStore> {
  const client = postgresClient(url, { max: options.maxConnections ?? 10, applicationName: 'cnsdn' });
  const db = new Kysely<StoreDb>({ dialect: new SafePostgresJSDialect(client) });
  try {
    await migrate(db, await detectEngine(db));
  } catch (err) {
    await db.destroy().catch(() => {});
    // At start-up an unreachable database is a configuration error, not a moment to wait out.
    throw isConnectionError(err) ? new CnsdnError('STORE_ERROR', `migrate: ${(err as Error).message}`, [], { cause: err }) : storeError('migrate', err);
  }
  return new SqlStore(db, POSTGRES_TRAITS, options);
}
