/**
 * Auth records in the controller's database (tables of migration 3): users, API tokens, the
 * audit log and settings. One implementation over Kysely for SQLite and PostgreSQL/CockroachDB;
 * every write is one statement or one short transaction, so replicas sharing the database agree.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { CnsdnError } from '../common/errors.js';
import { storeDatabase, type Store } from '../store/index.js';
import { storeError } from '../store/reader.js';
import { isRole, type Role } from './principal.js';

interface UserTable {
  username: string;
  role: string;
  password_hash: string;
  disabled: number;
  sessions_since: string;
  created_at: string;
  updated_at: string;
}

interface TokenTable {
  id: string;
  name: string;
  role: string;
  token_hash: string;
  owner: string | null;
  created_at: string;
}

/** An audit row: AuditEntry's fields in snake_case, the target as JSON text. */
type AuditTable = { [K in keyof AuditEntry as SnakeCase<K>]: K extends 'target' ? string | null : AuditEntry[K] };

type SnakeCase<S extends string> = S extends `${infer H}${infer T}` ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${SnakeCase<T>}` : S;

interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

type AuthDb = {
  auth_user: UserTable;
  auth_token: TokenTable;
  audit_log: AuditTable;
  settings: SettingsTable;
};

export interface UserRecord {
  username: string;
  role: Role;
  passwordHash: string;
  disabled: boolean;
  /** Sessions issued before this time (ms) are no longer accepted (password change, logout everywhere). */
  sessionsSince: number;
  createdAt: string;
  updatedAt: string;
}

export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  /** The user who created it; null for tokens made with the admin token. */
  owner: string | null;
  createdAt: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  /** Username, `admin-token`, `open` or `anonymous`. */
  principal: string;
  via: string;
  method: string;
  path: string;
  action: string | null;
  /** Entity ids the request named (route parameters) or the account it acted on, as JSON. */
  target: Record<string, string> | null;
  clientIp: string;
  status: number;
  code: string | null;
  requestId: string;
}

export interface AuditQuery {
  principal?: string;
  since?: string;
  until?: string;
  outcome?: 'success' | 'failure';
  limit: number;
  /** Continue after this entry (newest first). */
  before?: { at: string; id: string };
}

export interface UserPatch {
  role?: Role;
  passwordHash?: string;
  disabled?: boolean;
  sessionsSince?: number;
}

const SETUP_DONE = 'auth.setup_done';
const SETUP_TOKEN_PREFIX = 'auth.setup_token.';
const REVOKED_PREFIX = 'auth.revoked_session.';

function toUser(row: UserTable): UserRecord {
  if (!isRole(row.role)) throw new CnsdnError('STORE_ERROR', `user ${row.username} has an unknown role ${row.role}`);
  return {
    username: row.username,
    role: row.role,
    passwordHash: row.password_hash,
    disabled: Number(row.disabled) !== 0,
    sessionsSince: Date.parse(row.sessions_since),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toToken(row: TokenTable): TokenRecord {
  if (!isRole(row.role)) throw new CnsdnError('STORE_ERROR', `token ${row.id} has an unknown role ${row.role}`);
  return { id: row.id, name: row.name, role: row.role, owner: row.owner, createdAt: row.created_at };
}

function toAudit(row: AuditTable): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    principal: row.principal,
    via: row.via,
    method: row.method,
    path: row.path,
    action: row.action,
    target: row.target === null ? null : (JSON.parse(row.target) as Record<string, string>),
    clientIp: row.client_ip,
    status: Number(row.status),
    code: row.code,
    requestId: row.request_id,
  };
}

function userRow(user: { username: string; role: Role; passwordHash: string }, iso: string): UserTable {
  return {
    username: user.username,
    role: user.role,
    password_hash: user.passwordHash,
    disabled: 0,
    sessions_since: new Date(0).toISOString(),
    created_at: iso,
    updated_at: iso,
  };
}

async function run<R>(what: string, fn: () => Promise<R>): Promise<R> {
  try {
    return await fn();
  } catch (err) {
    // STORE_ERROR, or UNAVAILABLE (503) while the database fails over.
    throw storeError(`auth ${what}`, err);
  }
}

export class AuthStore {
  readonly #db: Kysely<AuthDb>;

  constructor(db: Kysely<AuthDb>) {
    this.#db = db;
  }

  /** Auth records live in the same database as the store's entities. */
  static of(store: Store): AuthStore {
    return new AuthStore(storeDatabase(store).withTables<AuthDb>());
  }

  async countUsers(): Promise<number> {
    const row = await run('count users', () =>
      this.#db
        .selectFrom('auth_user')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow(),
    );
    return Number(row.n);
  }

  async getUser(username: string): Promise<UserRecord | undefined> {
    const row = await run('get user', () => this.#db.selectFrom('auth_user').selectAll().where('username', '=', username).executeTakeFirst());
    return row && toUser(row);
  }

  async listUsers(): Promise<UserRecord[]> {
    const rows = await run('list users', () => this.#db.selectFrom('auth_user').selectAll().orderBy('username').execute());
    return rows.map(toUser);
  }

  /** ALREADY_EXISTS when the username is taken. */
  async createUser(user: { username: string; role: Role; passwordHash: string }, now = new Date()): Promise<UserRecord> {
    const iso = now.toISOString();
    const row = userRow(user, iso);
    const inserted = await run('create user', () =>
      this.#db
        .insertInto('auth_user')
        .values(row)
        .onConflict((oc) => oc.column('username').doNothing())
        .returningAll()
        .executeTakeFirst(),
    );
    if (!inserted) throw new CnsdnError('ALREADY_EXISTS', `User ${user.username} already exists`, [{ path: '/username', message: 'is taken' }]);
    return toUser(inserted);
  }

  /** The updated user, or undefined when there is none of that name. */
  async updateUser(username: string, patch: UserPatch, now = new Date()): Promise<UserRecord | undefined> {
    const set: Partial<UserTable> = { updated_at: now.toISOString() };
    if (patch.role !== undefined) set.role = patch.role;
    if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
    if (patch.disabled !== undefined) set.disabled = patch.disabled ? 1 : 0;
    if (patch.sessionsSince !== undefined) set.sessions_since = new Date(patch.sessionsSince).toISOString();
    const row = await run('update user', () =>
      this.#db.updateTable('auth_user').set(set).where('username', '=', username).returningAll().executeTakeFirst(),
    );
    return row && toUser(row);
  }

  /** Removes the user and the API tokens they own; false when there was no such user. */
  async deleteUser(username: string): Promise<boolean> {
    return run('delete user', () =>
      this.#db.transaction().execute(async (trx) => {
        await trx.deleteFrom('auth_token').where('owner', '=', username).execute();
        const r = await trx.deleteFrom('auth_user').where('username', '=', username).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      }),
    );
  }

  async createToken(token: { name: string; role: Role; tokenHash: string; owner: string | null }, now = new Date()): Promise<TokenRecord> {
    const row: TokenTable = {
      id: randomUUID(),
      name: token.name,
      role: token.role,
      token_hash: token.tokenHash,
      owner: token.owner,
      created_at: now.toISOString(),
    };
    await run('create token', () => this.#db.insertInto('auth_token').values(row).execute());
    return toToken(row);
  }

  async getTokenByHash(tokenHash: string): Promise<TokenRecord | undefined> {
    const row = await run('get token', () => this.#db.selectFrom('auth_token').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst());
    return row && toToken(row);
  }

  async getToken(id: string): Promise<TokenRecord | undefined> {
    const row = await run('get token', () => this.#db.selectFrom('auth_token').selectAll().where('id', '=', id).executeTakeFirst());
    return row && toToken(row);
  }

  /** Every token, or those of one owner; never their hashes. */
  async listTokens(owner?: string): Promise<TokenRecord[]> {
    const rows = await run('list tokens', () => {
      let q = this.#db.selectFrom('auth_token').selectAll();
      if (owner !== undefined) q = q.where('owner', '=', owner);
      return q.orderBy('created_at').orderBy('id').execute();
    });
    return rows.map(toToken);
  }

  async deleteToken(id: string): Promise<boolean> {
    const r = await run('delete token', () => this.#db.deleteFrom('auth_token').where('id', '=', id).executeTakeFirst());
    return Number(r.numDeletedRows) > 0;
  }

  async appendAudit(entries: readonly AuditEntry[]): Promise<void> {
    for (let i = 0; i < entries.length; i += 200) {
      const rows: AuditTable[] = entries.slice(i, i + 200).map((e) => ({
        id: e.id,
        at: e.at,
        principal: e.principal,
        via: e.via,
        method: e.method,
        path: e.path,
        action: e.action,
        target: e.target === null ? null : JSON.stringify(e.target),
        client_ip: e.clientIp,
        status: e.status,
        code: e.code,
        request_id: e.requestId,
      }));
      await run('append audit', () => this.#db.insertInto('audit_log').values(rows).execute());
    }
  }

  /** Newest first. */
  async queryAudit(q: AuditQuery): Promise<AuditEntry[]> {
    const rows = await run('query audit', () => {
      let s = this.#db.selectFrom('audit_log').selectAll();
      if (q.principal !== undefined) s = s.where('principal', '=', q.principal);
      if (q.since !== undefined) s = s.where('at', '>=', q.since);
      if (q.until !== undefined) s = s.where('at', '<', q.until);
      if (q.outcome === 'success') s = s.where('status', '<', 400);
      if (q.outcome === 'failure') s = s.where('status', '>=', 400);
      const before = q.before;
      if (before) s = s.where((eb) => eb.or([eb('at', '<', before.at), eb.and([eb('at', '=', before.at), eb('id', '<', before.id)])]));
      return s.orderBy('at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
    });
    return rows.map(toAudit);
  }

  async getSetting(key: string): Promise<string | undefined> {
    const row = await run('get setting', () => this.#db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst());
    return row?.value;
  }

  /** Stores the value unless the key exists; returns the value that is stored afterwards (first writer wins). */
  async settingIfAbsent(key: string, value: string, now = new Date()): Promise<string> {
    await run('put setting', () =>
      this.#db
        .insertInto('settings')
        .values({ key, value, updated_at: now.toISOString() })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute(),
    );
    const stored = await this.getSetting(key);
    if (stored === undefined) throw new CnsdnError('STORE_ERROR', `setting ${key} vanished after it was written`);
    return stored;
  }

  async addSetupToken(tokenHash: string, now = new Date()): Promise<void> {
    await this.settingIfAbsent(SETUP_TOKEN_PREFIX + tokenHash, now.toISOString(), now);
  }

  async setupTokenExists(tokenHash: string): Promise<boolean> {
    return (await this.getSetting(SETUP_TOKEN_PREFIX + tokenHash)) !== undefined;
  }

  async setupDone(): Promise<boolean> {
    return (await this.getSetting(SETUP_DONE)) !== undefined;
  }

  /**
   * Creates the first admin exactly once across every replica: the `auth.setup_done` marker is
   * claimed in the same transaction, and every setup token is removed with it.
   * SETUP_COMPLETED when setup already happened; `accept` false → INVALID_CREDENTIALS.
   */
  async completeSetup(
    admin: { username: string; passwordHash: string },
    accept: (hasToken: (hash: string) => Promise<boolean>) => Promise<boolean>,
    now = new Date(),
  ): Promise<UserRecord> {
    const iso = now.toISOString();
    return run('setup', () =>
      this.#db.transaction().execute(async (trx) => {
        const tokenKnown = async (hash: string) =>
          (await trx.selectFrom('settings').select('key').where('key', '=', SETUP_TOKEN_PREFIX + hash).executeTakeFirst()) !== undefined;
        if (!(await accept(tokenKnown))) throw new CnsdnError('INVALID_CREDENTIALS', 'Invalid or used setup token');
        const claimed = await trx
          .insertInto('settings')
          .values({ key: SETUP_DONE, value: admin.username, updated_at: iso })
          .onConflict((oc) => oc.column('key').doNothing())
          .returning('key')
          .executeTakeFirst();
        const users = await trx
          .selectFrom('auth_user')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow();
        if (!claimed || Number(users.n) > 0) throw new CnsdnError('SETUP_COMPLETED', 'Setup was already completed: log in instead');
        const row = userRow({ ...admin, role: 'admin' }, iso);
        await trx.insertInto('auth_user').values(row).execute();
        await trx.deleteFrom('settings').where('key', 'like', `${SETUP_TOKEN_PREFIX}%`).execute();
        return toUser(row);
      }),
    );
  }

  /**
   * Records that a session ended (logout) until `expiresAt` (ms; its absolute expiry, after which
   * the cookie is refused anyway); revocations already past their expiry are removed on the way.
   */
  async revokeSession(sid: string, expiresAt: number, now = new Date()): Promise<void> {
    const iso = now.toISOString();
    await run('revoke session', () =>
      this.#db.transaction().execute(async (trx) => {
        await trx.deleteFrom('settings').where('key', 'like', `${REVOKED_PREFIX}%`).where('value', '<', iso).execute();
        await trx
          .insertInto('settings')
          .values({ key: REVOKED_PREFIX + sid, value: new Date(expiresAt).toISOString(), updated_at: iso })
          .onConflict((oc) => oc.column('key').doNothing())
          .execute();
      }),
    );
  }

  /** Session revocations written at or after `since` (ISO time) and not yet expired at `now`: sid → expiry (ms). */
  async revokedSessions(since: string, now = new Date()): Promise<Map<string, number>> {
    const rows = await run('list revoked sessions', () =>
      this.#db
        .selectFrom('settings')
        .select(['key', 'value'])
        .where('key', 'like', `${REVOKED_PREFIX}%`)
        .where('updated_at', '>=', since)
        .where('value', '>', now.toISOString())
        .execute(),
    );
    return new Map(rows.map((r) => [r.key.slice(REVOKED_PREFIX.length), Date.parse(r.value)]));
  }

  /** Marks setup done (an admin came from the environment) and drops any setup token. */
  async closeSetup(by: string, now = new Date()): Promise<void> {
    await this.settingIfAbsent(SETUP_DONE, by, now);
    await run('close setup', () => this.#db.deleteFrom('settings').where('key', 'like', `${SETUP_TOKEN_PREFIX}%`).execute());
  }
}
