import { Kysely } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres from 'postgres';
import { migrate } from './migrations.js';
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
  const client = postgres(url, {
    max: options.maxConnections ?? 10,
    connect_timeout: 10,
    onnotice: () => {},
    connection: { application_name: 'cnsdn' },
  });
  const db = new Kysely<StoreDb>({ dialect: new PostgresJSDialect({ postgres: client }) });
  try {
    await migrate(db, 'postgres');
  } catch (err) {
    await db.destroy().catch(() => {});
    throw storeError('migrate', err);
  }
  return new SqlStore(db, POSTGRES_TRAITS, options);
}
