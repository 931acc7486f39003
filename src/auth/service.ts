/**
 * The auth service: who a request comes from (admin token, API token, session cookie, or open
 * mode), account operations (login, setup, users, tokens) and their rules. HTTP lives in
 * hook.ts and routes.ts; records in store.ts.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { CnsdnError } from '../common/errors.js';
import type { Store } from '../store/index.js';
import { AuditWriter } from './audit.js';
import { checkPasswordPolicy, dummyHash, hashPassword, verifyPassword } from './password.js';
import { bearerToken, lowerRole, type Principal, type Role, roleAtLeast } from './principal.js';
import { SessionRevocations } from './revocations.js';
import { newSessionId, type SessionClaims, SessionKeyring } from './session-cookie.js';
import { API_TOKEN_PREFIX, registerKeyring, tokenHash } from './session-registry.js';
import { AuthStore, type TokenRecord, type UserRecord } from './store.js';
import { FailureThrottle, type ThrottleOptions } from './throttle.js';

export type AuthMode = 'on' | 'off';

export interface AuthOptions {
  /** on: accounts, sessions and API tokens; off: every caller is admin (or must present the admin token when one is set). */
  mode: AuthMode;
  store: Store;
  logger: FastifyBaseLogger;
  /** Accepted as `Authorization: Bearer` with the admin role (CNSDN_ADMIN_TOKEN). */
  adminToken?: string;
  /** CNSDN_SESSION_KEYS: comma-separated base64 32-byte keys, the first seals. Else a key kept in the store. */
  sessionKeys?: string;
  /** Created at start when no user of that name exists (CNSDN_ADMIN_USER / CNSDN_ADMIN_PASSWORD[_FILE]). */
  initialAdmin?: { username: string; password: string };
  /** Idle timeout of a session (default 30 min) and its absolute lifetime (default 12 h). */
  sessionIdleMs?: number;
  sessionMaxMs?: number;
  /** How long a user or token row read from the store is trusted (default 2 s; local changes drop it at once). */
  cacheMs?: number;
  /** /metrics without credentials (default false: viewer). */
  metricsPublic?: boolean;
  /** Where the one-time setup token is printed besides the log (default stderr). */
  announce?: (line: string) => void;
  accountThrottle?: Partial<ThrottleOptions>;
  addressThrottle?: Partial<ThrottleOptions>;
}

export interface UserView {
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface LoginResult {
  user: { username: string; role: Role };
  claims: SessionClaims;
}

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const OPEN: Principal = Object.freeze({ role: 'admin', via: 'open' }) as Principal;
const ADMIN_TOKEN: Principal = Object.freeze({ role: 'admin', via: 'token' }) as Principal;
const SESSION_KEY_SETTING = 'auth.session_key';

const sha256 = (s: string): Buffer => hash('sha256', s, 'buffer');

export function userView(u: UserRecord): UserView {
  return { username: u.username, role: u.role, disabled: u.disabled, createdAt: u.createdAt, updatedAt: u.updatedAt };
}

export function checkUsername(username: unknown, path = '/username'): string {
  if (typeof username !== 'string' || !USERNAME.test(username)) {
    const message = 'must be 1–64 characters: letters, digits, . _ @ - (starting with a letter or digit)';
    throw new CnsdnError('VALIDATION_FAILED', `username ${message}`, [{ path, message }]);
  }
  return username;
}

interface Cached<T> {
  value: T;
  at: number;
}

/** What resolving a request's credentials found. */
export interface Resolved {
  principal: Principal | null;
  /** Why credentials that were presented were refused (for the 401 message). */
  refused?: string;
  /** The session's claims when a cookie authenticated the request. */
  session?: SessionClaims;
}

export class AuthService {
  readonly mode: AuthMode;
  readonly store: AuthStore;
  readonly keyring: SessionKeyring;
  readonly audit: AuditWriter;
  readonly idleMs: number;
  readonly maxMs: number;
  readonly metricsPublic: boolean;
  readonly log: FastifyBaseLogger;
  readonly accounts: FailureThrottle;
  readonly addresses: FailureThrottle;
  readonly revocations: SessionRevocations;
  readonly #adminTokenDigest: Buffer | undefined;
  readonly #cacheMs: number;
  readonly #users = new Map<string, Cached<UserRecord | undefined>>();
  readonly #tokens = new Map<string, Cached<TokenRecord>>();
  readonly #unregister: () => void;
  readonly #announce: (line: string) => void;

  constructor(options: AuthOptions, store: AuthStore, keyring: SessionKeyring) {
    this.mode = options.mode;
    this.store = store;
    this.keyring = keyring;
    this.log = options.logger;
    this.audit = new AuditWriter(store, options.logger);
    this.idleMs = options.sessionIdleMs ?? 30 * 60_000;
    this.maxMs = options.sessionMaxMs ?? 12 * 3600_000;
    this.metricsPublic = options.metricsPublic ?? false;
    this.#cacheMs = options.cacheMs ?? 2000;
    this.#adminTokenDigest = options.adminToken ? sha256(options.adminToken) : undefined;
    this.accounts = new FailureThrottle({ freeFailures: 5, ...options.accountThrottle });
    this.addresses = new FailureThrottle({ freeFailures: 20, ...options.addressThrottle });
    this.#announce = options.announce ?? ((line) => process.stderr.write(`${line}\n`));
    this.revocations = new SessionRevocations(store, this.#cacheMs);
    this.#unregister =
      options.mode === 'on'
        ? registerKeyring(keyring, this.idleMs, { revoked: (sid) => this.revocations.has(sid), tokenKnown: (hash) => this.#tokens.has(hash) })
        : () => {};
  }

  // ---- credentials → principal ----

  async resolve(headers: { authorization?: string | string[]; cookie?: string | string[] }, sessionCookie: string | undefined): Promise<Resolved> {
    const bearer = bearerToken(headers.authorization);
    if (this.mode === 'off' && this.#adminTokenDigest === undefined) return { principal: OPEN };
    if (bearer !== undefined) {
      if (this.#adminTokenDigest && timingSafeEqual(sha256(bearer), this.#adminTokenDigest)) return { principal: ADMIN_TOKEN };
      if (this.mode === 'on' && bearer.startsWith(API_TOKEN_PREFIX)) {
        const principal = await this.#apiToken(bearer);
        if (principal) return { principal };
      }
      return { principal: null, refused: 'Invalid bearer token' };
    }
    if (this.mode === 'on' && sessionCookie !== undefined && sessionCookie !== '') {
      const claims = this.keyring.open(sessionCookie, Date.now(), this.idleMs);
      if (!claims) return { principal: null, refused: 'Session expired or invalid: log in again' };
      await this.revocations.refresh();
      if (this.revocations.has(claims.sid)) return { principal: null, refused: 'Session ended (logged out): log in again' };
      const user = await this.user(claims.username);
      if (!user || user.disabled || claims.iat < user.sessionsSince) return { principal: null, refused: 'Session no longer valid: log in again' };
      return { principal: { role: user.role, via: 'session', username: user.username, sessionId: claims.sid }, session: claims };
    }
    return { principal: null };
  }

  /**
   * The caller of a request without a session cookie when it can be told from memory alone:
   * open mode, the admin token, or an API token (and its owner) read within the cache time.
   * Undefined when resolve() would read the store, or the request has no usable bearer token.
   */
  resolveFromMemory(headers: { authorization?: string | string[]; cookie?: string | string[] }): Principal | undefined {
    if (this.mode === 'off' && this.#adminTokenDigest === undefined) return OPEN;
    const bearer = bearerToken(headers.authorization);
    if (bearer === undefined) return undefined;
    if (this.#adminTokenDigest && timingSafeEqual(sha256(bearer), this.#adminTokenDigest)) return ADMIN_TOKEN;
    if (this.mode !== 'on' || !bearer.startsWith(API_TOKEN_PREFIX)) return undefined;
    const now = Date.now();
    const cached = this.#tokens.get(tokenHash(bearer));
    if (!cached || now - cached.at > this.#cacheMs) return undefined;
    const owner = cached.value.owner === null ? null : this.#users.get(cached.value.owner);
    if (owner !== null && (!owner || now - owner.at > this.#cacheMs)) return undefined;
    return this.#tokenPrincipal(cached.value, owner?.value ?? null);
  }

  async #apiToken(token: string): Promise<Principal | undefined> {
    const hash = tokenHash(token);
    const now = Date.now();
    let cached = this.#tokens.get(hash);
    if (!cached || now - cached.at > this.#cacheMs) {
      const record = await this.store.getTokenByHash(hash);
      if (!record) {
        this.#tokens.delete(hash);
        return undefined;
      }
      if (this.#tokens.size >= 1000) this.#tokens.clear();
      cached = { value: record, at: now };
      this.#tokens.set(hash, cached);
    }
    const t = cached.value;
    return this.#tokenPrincipal(t, t.owner === null ? null : await this.user(t.owner));
  }

  /** An API token acts with its own role, never above its owner's; a disabled or removed owner voids it. */
  #tokenPrincipal(t: TokenRecord, owner: UserRecord | undefined | null): Principal | undefined {
    if (t.owner === null) return { role: t.role, via: 'token', tokenId: t.id };
    if (!owner || owner.disabled) return undefined;
    return { role: lowerRole(t.role, owner.role), via: 'token', tokenId: t.id, username: t.owner };
  }

  /** The user row, cached for a moment (changes made through this service drop it at once). */
  async user(username: string): Promise<UserRecord | undefined> {
    const now = Date.now();
    const cached = this.#users.get(username);
    if (cached && now - cached.at <= this.#cacheMs) return cached.value;
    const value = await this.store.getUser(username);
    if (this.#users.size >= 10_000) this.#users.clear();
    this.#users.set(username, { value, at: now });
    return value;
  }

  #forget(username: string): void {
    this.#users.delete(username);
    this.#tokens.clear();
  }

  // ---- sessions ----

  newSession(user: { username: string; role: Role }, now = Date.now()): SessionClaims {
    return { sid: newSessionId(), username: user.username, role: user.role, iat: now, seen: now, exp: now + this.maxMs };
  }

  /** Logout: the session is refused from now on, on every replica (within the cache time) and after restarts. */
  async logout(session: SessionClaims): Promise<void> {
    await this.revocations.revoke(session.sid, session.exp);
  }

  /** Login: the same answer and about the same time for an unknown user and a wrong password. */
  async login(username: string, password: string, clientIp: string): Promise<LoginResult> {
    const accountKey = `u:${username.toLowerCase()}`;
    const addressKey = `ip:${clientIp}`;
    const wait = Math.max(this.accounts.retryAfterMs(accountKey), this.addresses.retryAfterMs(addressKey));
    if (wait > 0) throw throttled(wait);
    const user = await this.user(username);
    const ok = await verifyPassword(password, user?.passwordHash);
    if (!ok || !user || user.disabled) {
      this.accounts.failure(accountKey);
      this.addresses.failure(addressKey);
      throw new CnsdnError('INVALID_CREDENTIALS', 'Invalid username or password');
    }
    this.accounts.reset(accountKey);
    return { user: { username: user.username, role: user.role }, claims: this.newSession(user) };
  }

  // ---- first admin ----

  async setupRequired(): Promise<boolean> {
    if (this.mode === 'off') return false;
    return !(await this.store.setupDone()) && (await this.store.countUsers()) === 0;
  }

  /** At start: the admin from the environment, or else (no user yet) a one-time setup token, printed. */
  async bootstrap(initialAdmin: AuthOptions['initialAdmin'], baseUrl: string): Promise<void> {
    if (this.mode === 'off') return;
    if (initialAdmin) {
      checkUsername(initialAdmin.username, '/CNSDN_ADMIN_USER');
      checkPasswordPolicy(initialAdmin.password, '/CNSDN_ADMIN_PASSWORD');
      if (await this.store.getUser(initialAdmin.username)) {
        this.log.info({ username: initialAdmin.username }, 'admin from the environment exists already; its password is left as it is');
      } else {
        const passwordHash = await hashPassword(initialAdmin.password);
        try {
          await this.store.createUser({ username: initialAdmin.username, role: 'admin', passwordHash });
          this.log.info({ username: initialAdmin.username }, 'admin created from the environment');
        } catch (e) {
          // Replicas starting together on an empty database race to create it: the loser finds it made.
          if (!(e instanceof CnsdnError && e.code === 'ALREADY_EXISTS')) throw e;
          this.log.info({ username: initialAdmin.username }, 'admin from the environment was created by another replica');
        }
      }
      await this.store.closeSetup(initialAdmin.username);
      return;
    }
    if (!(await this.setupRequired())) return;
    const token = randomBytes(24).toString('base64url');
    await this.store.addSetupToken(tokenHash(token));
    const url = `${baseUrl}/webui`;
    this.log.warn({ url }, `No user exists yet. Create the first admin at ${url} with the one-time setup token ${token}`);
    this.#announce(
      [
        '',
        '  cnsdn: no user exists yet. Create the first admin account:',
        `    open ${url} and enter the one-time setup token: ${token}`,
        `    or: curl -X POST ${baseUrl}/api/auth/setup -H 'content-type: application/json' \\`,
        `          -d '{"token":"${token}","username":"admin","password":"<12+ characters>"}'`,
        '',
      ].join('\n'),
    );
  }

  async setup(token: string, username: string, password: string, clientIp: string): Promise<UserRecord> {
    const addressKey = `ip:${clientIp}`;
    const wait = this.addresses.retryAfterMs(addressKey);
    if (wait > 0) throw throttled(wait);
    checkUsername(username);
    checkPasswordPolicy(password);
    if (!(await this.setupRequired())) throw new CnsdnError('SETUP_COMPLETED', 'Setup was already completed: log in instead');
    const passwordHash = await hashPassword(password);
    try {
      const user = await this.store.completeSetup({ username, passwordHash }, (known) => known(tokenHash(token)));
      this.#forget(username);
      return user;
    } catch (err) {
      if (err instanceof CnsdnError && err.code === 'INVALID_CREDENTIALS') this.addresses.failure(addressKey);
      throw err;
    }
  }

  // ---- users ----

  async listUsers(): Promise<UserView[]> {
    return (await this.store.listUsers()).map(userView);
  }

  async createUser(username: string, password: string, role: Role): Promise<UserView> {
    checkUsername(username);
    checkPasswordPolicy(password);
    const user = await this.store.createUser({ username, role, passwordHash: await hashPassword(password) });
    this.#forget(username);
    return userView(user);
  }

  async updateUser(username: string, patch: { role?: Role; password?: string; disabled?: boolean }): Promise<UserView> {
    const current = await this.store.getUser(username);
    if (!current) throw new CnsdnError('NOT_FOUND', `No user ${username}`);
    const demotes = (patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true;
    if (current.role === 'admin' && !current.disabled && demotes) await this.#keepAnAdmin(username);
    const now = Date.now();
    const passwordHash = patch.password === undefined ? undefined : await hashPassword(checkPasswordPolicy(patch.password));
    const updated = await this.store.updateUser(username, {
      ...(patch.role !== undefined ? { role: patch.role } : {}),
      ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
      // A new password ends the user's sessions everywhere.
      ...(passwordHash !== undefined ? { passwordHash, sessionsSince: now } : {}),
    });
    this.#forget(username);
    if (!updated) throw new CnsdnError('NOT_FOUND', `No user ${username}`);
    return userView(updated);
  }

  async deleteUser(username: string): Promise<void> {
    const current = await this.store.getUser(username);
    if (!current) throw new CnsdnError('NOT_FOUND', `No user ${username}`);
    if (current.role === 'admin' && !current.disabled) await this.#keepAnAdmin(username);
    await this.store.deleteUser(username);
    this.#forget(username);
  }

  async #keepAnAdmin(leaving: string): Promise<void> {
    const others = (await this.store.listUsers()).filter((u) => u.role === 'admin' && !u.disabled && u.username !== leaving);
    if (others.length === 0) throw new CnsdnError('IN_USE', `${leaving} is the last enabled admin: create another admin first`);
  }

  /** Own password change: the current one must be right; other sessions of the user end. */
  async changePassword(username: string, current: string, next: string): Promise<number> {
    const accountKey = `u:${username.toLowerCase()}`;
    const wait = this.accounts.retryAfterMs(accountKey);
    if (wait > 0) throw throttled(wait);
    const user = await this.store.getUser(username);
    if (!user || !(await verifyPassword(current, user.passwordHash))) {
      this.accounts.failure(accountKey);
      throw new CnsdnError('INVALID_CREDENTIALS', 'The current password is wrong', [{ path: '/current', message: 'is wrong' }]);
    }
    checkPasswordPolicy(next, '/next');
    const now = Date.now();
    await this.store.updateUser(username, { passwordHash: await hashPassword(next), sessionsSince: now });
    this.#forget(username);
    return now;
  }

  // ---- API tokens ----

  async createToken(caller: Principal, name: string, role: Role): Promise<{ record: TokenRecord; token: string }> {
    if (!roleAtLeast(caller.role, role)) throw new CnsdnError('PERMISSION_DENIED', `A ${caller.role} cannot create a ${role} token`, [{ path: '/role', message: `must not exceed ${caller.role}` }]);
    const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const record = await this.store.createToken({ name, role, tokenHash: tokenHash(token), owner: caller.username ?? null });
    return { record, token };
  }

  /** Admins see every token; others their own. */
  async listTokens(caller: Principal): Promise<TokenRecord[]> {
    return caller.role === 'admin' ? this.store.listTokens() : this.store.listTokens(caller.username ?? '');
  }

  async revokeToken(caller: Principal, id: string): Promise<void> {
    const t = await this.store.getToken(id);
    // Someone else's token is "not found" to a non-admin: ids of others' tokens are not disclosed.
    if (!t || (caller.role !== 'admin' && t.owner !== caller.username)) throw new CnsdnError('NOT_FOUND', `No token ${id}`);
    await this.store.deleteToken(id);
    this.#tokens.clear();
  }

  async close(): Promise<void> {
    this.#unregister();
    await this.audit.close();
  }
}

function throttled(waitMs: number): CnsdnError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  const e = new CnsdnError('LOGIN_THROTTLED', `Too many failed attempts: retry in ${seconds} s`);
  (e as CnsdnError & { retryAfter: number }).retryAfter = seconds;
  return e;
}

/** Opens the auth service over the controller's store: session keys from the option or the store. */
export async function createAuth(options: AuthOptions): Promise<AuthService> {
  const store = AuthStore.of(options.store);
  let keyring: SessionKeyring;
  if (options.sessionKeys !== undefined && options.sessionKeys.trim() !== '') {
    keyring = SessionKeyring.parse(options.sessionKeys);
    options.logger.info({ source: 'CNSDN_SESSION_KEYS', keys: keyring.keys.length, sealing: keyring.primary.kid }, 'session keys');
  } else {
    // First writer wins: every replica sharing the database, and every restart, uses the same key.
    const stored = await store.settingIfAbsent(SESSION_KEY_SETTING, SessionKeyring.generateKey().toString('base64'));
    keyring = SessionKeyring.parse(stored);
    options.logger.info({ source: 'store', keys: 1, sealing: keyring.primary.kid }, 'session keys (set CNSDN_SESSION_KEYS to manage them yourself)');
  }
  const service = new AuthService(options, store, keyring);
  if (options.mode === 'on') await dummyHash();
  if (options.mode === 'off') {
    options.logger.warn(
      options.adminToken
        ? 'Auth is OFF (CNSDN_AUTH=off): no accounts or sessions; only the admin token is accepted.'
        : 'Auth is OFF (CNSDN_AUTH=off): the API is OPEN and every caller acts as admin. Do not expose this server.',
    );
  }
  return service;
}
