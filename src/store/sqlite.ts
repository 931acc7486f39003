import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { CnsdnError } from '../common/errors.js';
import { migrate } from './migrations.js';
import { storeError } from './reader.js';
import type { BackendTraits, StoreDb } from './schema.js';
import { SqlStore, type SqlStoreOptions } from './sql-store.js';

export const SQLITE_TRAITS: BackendTraits = {
  backend: 'sqlite',
  maxParams: 32766,
  // Takes the write lock up front: a read-modify-write can never be overtaken by another writer.
  beginSql: 'begin immediate',
};

const BUSY_TIMEOUT_MS = 5000;

/** `sqlite:PATH` or `sqlite::memory:` → the better-sqlite3 filename. */
export function sqlitePath(url: string): string {
  if (!url.startsWith('sqlite:')) throw new CnsdnError('INVALID_ARGUMENT', `not a sqlite URL: ${url}`);
  const path = url.slice('sqlite:'.length);
  if (path === '') throw new CnsdnError('INVALID_ARGUMENT', 'sqlite URL needs a path or :memory:');
  return path;
}

export async function openSqliteStore(url: string, options: SqlStoreOptions = {}): Promise<SqlStore> {
  const path = sqlitePath(url);
  let database: Database.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    database = new Database(path);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  } catch (err) {
    throw storeError(`open ${path}`, err);
  }
  const db = new Kysely<StoreDb>({ dialect: new SqliteDialect({ database }) });
  try {
    await migrate(db, 'sqlite');
  } catch (err) {
    await db.destroy();
    throw storeError('migrate', err);
  }
  return new SqlStore(db, SQLITE_TRAITS, options);
}
