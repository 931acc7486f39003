import type { SelectQueryBuilder } from 'kysely';
import { CnsdnError } from '../common/errors.js';
import type { EntityKind, ListOptions, StoredEntity, StoreReader } from './api.js';
import { isTransientDatabaseError, unavailableIfDisconnected, withReconnect } from './reconnect.js';
import type { BackendTraits, Db, StoreDb } from './schema.js';
import { toStoredEntity } from './schema.js';

/** Wraps a driver error so callers see STORE_ERROR; the driver error stays reachable as cause (for retry). */
export function storeError(what: string, err: unknown): unknown {
  if (err instanceof CnsdnError) return err;
  if (isTransientDatabaseError(err)) return unavailableIfDisconnected(what, err);
  const message = err instanceof Error ? err.message : String(err);
  return new CnsdnError('STORE_ERROR', `${what}: ${message}`, [], { cause: err });
}

/** Reads shared by the store (autocommit) and by transactions. */
export class SqlReader implements StoreReader {
  constructor(
    protected readonly db: Db,
    protected readonly traits: BackendTraits,
  ) {}

  /** Runs one statement (again for a while if the connection is lost); driver errors come out as STORE_ERROR. */
  protected async run<R>(what: string, query: () => Promise<R>, reconnect = true): Promise<R> {
    try {
      return await (reconnect ? withReconnect(query) : query());
    } catch (err) {
      throw storeError(what, err);
    }
  }

  async get<T = unknown>(kind: EntityKind, uuid: string): Promise<StoredEntity<T> | undefined> {
    const row = await this.run('get', () =>
      this.db.selectFrom('entity').selectAll().where('kind', '=', kind).where('uuid', '=', uuid).executeTakeFirst(),
    );
    return row && toStoredEntity<T>(row);
  }

  async getMany<T = unknown>(kind: EntityKind, uuids: readonly string[]): Promise<StoredEntity<T>[]> {
    const unique = [...new Set(uuids)];
    const chunkSize = Math.min(1000, this.traits.maxParams - 1);
    const out: StoredEntity<T>[] = [];
    for (let i = 0; i < unique.length; i += chunkSize) {
      const chunk = unique.slice(i, i + chunkSize);
      const rows = await this.run('getMany', () =>
        this.db.selectFrom('entity').selectAll().where('kind', '=', kind).where('uuid', 'in', chunk).execute(),
      );
      for (const row of rows) out.push(toStoredEntity<T>(row));
    }
    return out;
  }

  async list<T = unknown>(kind: EntityKind, options: ListOptions = {}): Promise<StoredEntity<T>[]> {
    const rows = await this.run('list', () =>
      filtered(this.db.selectFrom('entity').selectAll(), kind, options).orderBy('name').orderBy('uuid').execute(),
    );
    return rows.map((row) => toStoredEntity<T>(row));
  }

  async getJson(kind: EntityKind, uuid: string): Promise<string | undefined> {
    const row = await this.run('get', () =>
      this.db.selectFrom('entity').select('body').where('kind', '=', kind).where('uuid', '=', uuid).executeTakeFirst(),
    );
    return row?.body;
  }

  async listJson(kind: EntityKind, options: ListOptions = {}): Promise<string[]> {
    const rows = await this.run('list', () =>
      filtered(this.db.selectFrom('entity').select('body'), kind, options).orderBy('name').orderBy('uuid').execute(),
    );
    return rows.map((row) => row.body);
  }

  async count(kind: EntityKind, options: ListOptions = {}): Promise<number> {
    const row = await this.run('count', () =>
      filtered(this.db.selectFrom('entity'), kind, options)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow(),
    );
    return Number(row.n);
  }
}

function filtered<O>(
  query: SelectQueryBuilder<StoreDb, 'entity', O>,
  kind: EntityKind,
  options: ListOptions,
): SelectQueryBuilder<StoreDb, 'entity', O> {
  let q = query.where('kind', '=', kind);
  if (options.parent !== undefined) q = q.where('parent', '=', options.parent);
  if (options.name !== undefined) q = q.where('name', '=', options.name);
  return q;
}
