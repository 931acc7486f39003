import { CnsdnError } from '../common/errors.js';
import type { Kysely } from 'kysely';
import type { Store, StoreOptions } from './api.js';
import { openPostgresStore } from './postgres.js';
import type { StoreDb } from './schema.js';
import { SqlStore } from './sql-store.js';
import { openSqliteStore } from './sqlite.js';

export * from './api.js';
export { MIGRATIONS } from './migrations.js';
export { isSerializationFailure, withRetry } from './retry.js';

/** Opens the backend the URL names and brings its schema up to date. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const { url, maxAttempts } = options;
  if (url.startsWith('sqlite:')) return openSqliteStore(url, { maxAttempts });
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgresStore(url, { maxAttempts });
  throw new CnsdnError('INVALID_ARGUMENT', `unsupported store URL scheme: ${url.replace(/\/\/[^@/]*@/, '//***@')}`);
}

/** The SQL database behind a store, for modules that keep their own tables in it (auth: users, tokens, audit). */
export function storeDatabase(store: Store): Kysely<StoreDb> {
  if (!(store instanceof SqlStore)) throw new CnsdnError('INVALID_ARGUMENT', 'the store is not SQL-backed');
  return store.kysely;
}
