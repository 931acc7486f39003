import type { Kysely } from 'kysely';
import { CnsdnError } from '../common/errors.js';
import type { EntityKind, StoredEntity } from './api.js';

export interface EntityTable {
  kind: EntityKind;
  uuid: string;
  parent: string | null;
  name: string;
  /** PostgreSQL/CockroachDB return int8 as a string: always read through Number(). */
  revision: number;
  /** JSON text. */
  body: string;
  updated_at: string;
}

export interface SchemaMigrationTable {
  version: number;
  applied_at: string;
}

export interface OutboxTable {
  id: string;
  created_at: string;
  /** JSON array of the transaction's Change records. */
  changes: string;
}

export interface StoreDb {
  entity: EntityTable;
  schema_migrations: SchemaMigrationTable;
  outbox: OutboxTable;
}

export type Db = Kysely<StoreDb>;

export type Backend = 'sqlite' | 'postgres';

export interface BackendTraits {
  backend: Backend;
  /** Most bind parameters one statement may carry. */
  maxParams: number;
  /** Statement that opens a write transaction with the isolation this backend promises. */
  beginSql: string;
}

export function toStoredEntity<T>(row: EntityTable): StoredEntity<T> {
  return {
    kind: row.kind,
    uuid: row.uuid,
    parent: row.parent,
    name: row.name,
    revision: Number(row.revision),
    body: JSON.parse(row.body) as T,
    updatedAt: row.updated_at,
  };
}

/** JSON text of a body; undefined is stored as null. */
export function serializeBody(body: unknown, what: string): string {
  try {
    return JSON.stringify(body) ?? 'null';
  } catch (err) {
    throw new CnsdnError('INVALID_ARGUMENT', `body of ${what} is not JSON-serialisable: ${(err as Error).message}`);
  }
}
