import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { CnsdnError } from '../common/errors.js';
import { migrate } from './migrations.js';
import { storeError } from './reader.js';
import type { EntityKind, StoredEntity } from './api.js';
import { type BackendTraits, type Db, type EntityTable, type StoreDb, toStoredEntity } from './schema.js';
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
  if (path === ':memory:') return new SqlStore(db, SQLITE_TRAITS, options);
  let reader: Database.Database;
  try {
    reader = new Database(path, { readonly: true, fileMustExist: true });
    reader.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  } catch (err) {
    await db.destroy();
    throw storeError(`open ${path} for reading`, err);
  }
  return new SqliteStore(db, reader, options);
}

/**
 * Reads of one entity (`GET /tfs-api/device/{id}`, the busiest read) go to a second, read-only
 * connection with prepared statements kept: no query building and no statement preparation per
 * request, and no waiting for a transaction that holds the writing connection. In WAL mode each
 * statement reads the last committed state, so a read never sees a transaction in progress.
 */
class SqliteStore extends SqlStore {
  readonly #reader: Database.Database;
  readonly #getBody: Database.Statement<[EntityKind, string], { body: string }>;
  readonly #getRow: Database.Statement<[EntityKind, string], EntityTable>;

  constructor(db: Db, reader: Database.Database, options: SqlStoreOptions) {
    super(db, SQLITE_TRAITS, options);
    this.#reader = reader;
    this.#getBody = reader.prepare('select body from entity where kind = ? and uuid = ?');
    this.#getRow = reader.prepare('select * from entity where kind = ? and uuid = ?');
  }

  override async getJson(kind: EntityKind, uuid: string): Promise<string | undefined> {
    try {
      return this.#getBody.get(kind, uuid)?.body;
    } catch (err) {
      throw storeError('get', err);
    }
  }

  override async get<T = unknown>(kind: EntityKind, uuid: string): Promise<StoredEntity<T> | undefined> {
    let row: EntityTable | undefined;
    try {
      row = this.#getRow.get(kind, uuid);
    } catch (err) {
      throw storeError('get', err);
    }
    return row && toStoredEntity<T>(row);
  }

  override async close(): Promise<void> {
    try {
      this.#reader.close();
    } finally {
      await super.close();
    }
  }
}
