/**
 * The store SPI. Managers see only this; backends (SQLite, PostgreSQL/CockroachDB) implement it.
 * Entities are JSON documents keyed by (kind, uuid) with a revision that increments on every write.
 */
export type EntityKind = 'context' | 'topology' | 'device' | 'link' | 'service' | 'slice' | 'connection';
export const ENTITY_KINDS: readonly EntityKind[] = ['context', 'topology', 'device', 'link', 'service', 'slice', 'connection'];

export interface StoredEntity<T = unknown> {
  kind: EntityKind;
  uuid: string;
  /** Owning entity's uuid (the context for topologies/services/slices, the service for connections), else null. */
  parent: string | null;
  name: string;
  /** Starts at 1 on create and increments by one on every update. */
  revision: number;
  body: T;
  /** ISO-8601 time of the last write. */
  updatedAt: string;
}

export interface EntityWrite<T = unknown> {
  kind: EntityKind;
  uuid: string;
  parent: string | null;
  name: string;
  body: T;
}

/**
 * expectedRevision:
 *  - undefined: write whatever is there (create or update);
 *  - 0: the entity must not exist yet (create only) — else ALREADY_EXISTS;
 *  - n > 0: the stored revision must be n — else REVISION_CONFLICT (or NOT_FOUND if absent).
 */
export type ExpectedRevision = number | undefined;

export type ChangeOp = 'CREATE' | 'UPDATE' | 'REMOVE';

/** What a committed transaction changed; the caller publishes these as events. */
export interface Change {
  kind: EntityKind;
  uuid: string;
  parent: string | null;
  name: string;
  op: ChangeOp;
  /** The revision after the write; for REMOVE, the last revision the entity had. */
  revision: number;
}

export interface ListOptions {
  /** Only entities with this parent. */
  parent?: string;
  /** Only entities with this name. */
  name?: string;
}

export interface StoreReader {
  get<T = unknown>(kind: EntityKind, uuid: string): Promise<StoredEntity<T> | undefined>;
  /** Entities found among the given uuids (missing ones are simply absent), any order. */
  getMany<T = unknown>(kind: EntityKind, uuids: readonly string[]): Promise<StoredEntity<T>[]>;
  /** Ordered by name, then uuid. */
  list<T = unknown>(kind: EntityKind, options?: ListOptions): Promise<StoredEntity<T>[]>;
  count(kind: EntityKind, options?: ListOptions): Promise<number>;
  /** The stored JSON text of one body, unparsed (for responses that send it as it is). */
  getJson(kind: EntityKind, uuid: string): Promise<string | undefined>;
  /** The stored JSON texts of the bodies list() would return, in the same order, unparsed. */
  listJson(kind: EntityKind, options?: ListOptions): Promise<string[]>;
}

export interface StoreTx extends StoreReader {
  /** Creates or updates one entity; returns it as stored (with its new revision). */
  put<T>(write: EntityWrite<T>, expectedRevision?: ExpectedRevision): Promise<StoredEntity<T>>;
  /** Bulk create-or-update without revision checks (used by descriptor import); batched for speed. */
  putMany(writes: readonly EntityWrite[]): Promise<void>;
  /** Removes one entity; false when it did not exist (and expectedRevision was undefined). */
  delete(kind: EntityKind, uuid: string, expectedRevision?: ExpectedRevision): Promise<boolean>;
}

/** A committed transaction's changes, kept until they are acknowledged as published. */
export interface OutboxEntry {
  id: string;
  /** ISO time of the commit. */
  createdAt: string;
  changes: Change[];
}

export interface TransactionResult<R> {
  result: R;
  changes: Change[];
  /** Present when the transaction changed anything. */
  outbox?: { id: string; createdAt: string };
}

export interface Store extends StoreReader {
  readonly backend: 'sqlite' | 'postgres';
  /**
   * Runs fn in one transaction (SERIALIZABLE on PostgreSQL/CockroachDB). On a serialization
   * conflict (SQLSTATE 40001/40P01) the whole fn is retried with backoff, so fn must not have
   * side effects outside tx. Returns fn's result and every change committed.
   * A transaction that changed anything also records its changes in the outbox, in the same
   * commit, as `outbox`: it stays there until outboxAck, so a crash between the commit and the
   * publication of its events loses nothing (a relay republishes what is left).
   */
  transaction<R>(fn: (tx: StoreTx) => Promise<R>): Promise<TransactionResult<R>>;
  /** Outbox entries committed before `olderThan` (ISO time), oldest first. */
  outboxPending(olderThan: string, limit: number): Promise<OutboxEntry[]>;
  /** Removes published outbox entries. */
  outboxAck(ids: readonly string[]): Promise<void>;
  /** True when the backend answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** `sqlite:PATH`, `sqlite::memory:`, or a `postgres://` / `postgresql://` URL (several hosts allowed). */
  url: string;
  /** Max attempts of a transaction on serialization conflicts (default 8). */
  maxAttempts?: number;
}
