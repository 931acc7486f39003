import { sql } from 'kysely';
import { errorCode, isSerializationFailure, withRetry } from './retry.js';
import type { Db } from './schema.js';

/** The SQL engine a migration runs on (CockroachDB speaks the PostgreSQL protocol but not all of its DDL). */
export type Engine = 'sqlite' | 'postgres' | 'cockroachdb';

export interface Migration {
  version: number;
  description: string;
  /** Must be idempotent (IF NOT EXISTS): a concurrent opener may have run it already. */
  up: (db: Db, engine: Engine) => Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'entity table',
    async up(db, engine) {
      // List order is byte order everywhere: SQLite (BINARY) and CockroachDB compare bytes by default,
      // PostgreSQL needs collate "C" (which CockroachDB refuses on a column).
      const orderedText = engine === 'postgres' ? sql`text collate "C"` : sql`text`;
      await db.schema
        .createTable('entity')
        .ifNotExists()
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('uuid', orderedText, (c) => c.notNull())
        .addColumn('parent', 'text')
        .addColumn('name', orderedText, (c) => c.notNull())
        .addColumn('revision', engine === 'sqlite' ? 'integer' : 'bigint', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('entity_pkey', ['kind', 'uuid'])
        .execute();
      await db.schema
        .createIndex('entity_kind_parent_idx')
        .ifNotExists()
        .on('entity')
        .columns(['kind', 'parent', 'name', 'uuid'])
        .execute();
      await db.schema.createIndex('entity_kind_name_idx').ifNotExists().on('entity').columns(['kind', 'name', 'uuid']).execute();
    },
  },
  {
    version: 2,
    description: 'outbox of committed changes not yet published',
    async up(db) {
      await db.schema
        .createTable('outbox')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('changes', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('outbox_created_idx').ifNotExists().on('outbox').columns(['created_at', 'id']).execute();
    },
  },
  {
    version: 3,
    description: 'auth: users, API tokens, audit log, settings',
    async up(db) {
      await db.schema
        .createTable('auth_user')
        .ifNotExists()
        .addColumn('username', 'text', (c) => c.primaryKey())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull())
        .addColumn('sessions_since', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('auth_token')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('owner', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('audit_log')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('principal', 'text', (c) => c.notNull())
        .addColumn('via', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('action', 'text')
        .addColumn('target', 'text')
        .addColumn('client_ip', 'text', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('code', 'text')
        .addColumn('request_id', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_log_at_idx').ifNotExists().on('audit_log').columns(['at', 'id']).execute();
      await db.schema.createIndex('audit_log_principal_idx').ifNotExists().on('audit_log').columns(['principal', 'at', 'id']).execute();
      await db.schema
        .createTable('settings')
        .ifNotExists()
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  {
    version: 4,
    description: 'cluster members (heartbeats) and device leases',
    async up(db, engine) {
      const int64 = engine === 'sqlite' ? 'integer' : 'bigint';
      // Times are milliseconds on the database's clock, so members never compare their own clocks.
      await db.schema
        .createTable('cluster_member')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('incarnation', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('draining', 'integer', (c) => c.notNull())
        .addColumn('heartbeat_at', int64, (c) => c.notNull())
        .addColumn('expires_at', int64, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('device_lease')
        .ifNotExists()
        .addColumn('device', 'text', (c) => c.primaryKey())
        .addColumn('owner', 'text')
        .addColumn('incarnation', 'text')
        .addColumn('epoch', int64, (c) => c.notNull())
        .addColumn('acquired_at', int64, (c) => c.notNull())
        .execute();
    },
  },
];

/** Tells PostgreSQL from CockroachDB on a PostgreSQL-protocol connection. */
export async function detectEngine(db: Db): Promise<Engine> {
  const { rows } = await sql<{ version: string }>`select version() as version`.execute(db);
  return /cockroach/i.test(rows[0]?.version ?? '') ? 'cockroachdb' : 'postgres';
}

/** Duplicate-object errors PostgreSQL raises when two sessions create the same table/index at once. */
const DDL_RACE_CODES = new Set(['23505', '42P07', '42710']);

function isMigrationRace(err: unknown): boolean {
  const code = errorCode(err);
  return isSerializationFailure(err) || (code !== undefined && DDL_RACE_CODES.has(code));
}

/**
 * Applies pending migrations, each in its own transaction together with its schema_migrations row.
 * Two processes opening the same database at once race without locks: the loser hits a duplicate-object
 * error or a conflict on schema_migrations, and retries from the top, where it finds the work done.
 */
export async function migrate(db: Db, engine: Engine, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return withRetry(
    async () => {
      await db.schema
        .createTable('schema_migrations')
        .ifNotExists()
        .addColumn('version', 'integer', (c) => c.primaryKey())
        .addColumn('applied_at', 'text', (c) => c.notNull())
        .execute();
      const rows = await db.selectFrom('schema_migrations').select('version').execute();
      const applied = new Set(rows.map((r) => Number(r.version)));
      const ran: number[] = [];
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        if (applied.has(m.version)) continue;
        await db.transaction().execute(async (trx) => {
          await m.up(trx, engine);
          await trx
            .insertInto('schema_migrations')
            .values({ version: m.version, applied_at: new Date().toISOString() })
            .onConflict((oc) => oc.column('version').doNothing())
            .execute();
        });
        ran.push(m.version);
      }
      return ran;
    },
    { maxAttempts: 10, isRetryable: isMigrationRace, baseDelayMs: 20 },
  );
}
