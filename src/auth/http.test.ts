import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import { SessionKeyring } from './session-cookie.js';
import { hasApiToken, hasSession } from './session-registry.js';
import { type AuthServer, SessionClient, startAuthServer } from './testing.js';

const dir = mkdtempSync(join(tmpdir(), 'cnsdn-auth-http-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let dbs = 0;
const dbFile = () => join(dir, `auth-${dbs++}.db`);

const ADMIN = { username: 'root', password: 'root password 123' };
const writes: unknown[] = [];
const things: FastifyPluginAsync = async (app) => {
  app.get('/tfs-api/things', async () => ({ things: writes.length }));
  app.post('/tfs-api/things/:id', async (request) => {
    writes.push(request.body);
    return { ok: true };
  });
};

async function server(options: Parameters<typeof startAuthServer>[1] = {}, file = dbFile()): Promise<AuthServer> {
  const s = await startAuthServer(file, { routes: [things], initialAdmin: undefined, ...options });
  await s.auth.bootstrap(ADMIN, 'http://127.0.0.1:1');
  return s;
}

const code = (res: { json(): { code?: string } }) => res.json().code;

describe('login, me, logout', () => {
  it('logs in with a cookie: HttpOnly, SameSite=Strict, Path=/, not Secure over plain HTTP; me answers with the CSRF token', async () => {
    const s = await server();
    try {
      const c = new SessionClient(s.app);
      const res = await c.login(ADMIN.username, ADMIN.password);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json().user, { username: 'root', role: 'admin' });
      const set = String(res.headers['set-cookie']);
      assert.match(set, /^cnsdn_session=v1\./);
      for (const attr of ['HttpOnly', 'SameSite=Strict', 'Path=/', 'Max-Age=']) assert.ok(set.includes(attr), attr);
      assert.ok(!set.includes('Secure'));
      const me = await c.request({ method: 'GET', url: '/api/auth/me' });
      assert.equal(me.statusCode, 200);
      assert.deepEqual(me.json(), { user: { username: 'root', role: 'admin' }, csrfToken: c.csrf, via: 'session' });
      assert.equal((await c.request({ method: 'GET', url: '/tfs-api/things' })).statusCode, 200);
      const out = await c.request({ method: 'POST', url: '/api/auth/logout' });
      assert.equal(out.statusCode, 204);
      assert.match(String(out.headers['set-cookie']), /^cnsdn_session=; .*Max-Age=0/);
    } finally {
      await s.close();
    }
  });

  it('the same 401 INVALID_CREDENTIALS for a wrong password, an unknown user and a disabled user', async () => {
    const s = await server();
    try {
      await s.auth.createUser('dora', 'dora password 1', 'viewer');
      await s.auth.updateUser('dora', { disabled: true });
      const bodies: string[] = [];
      for (const [username, password] of [['root', 'wrong password 1'], ['nobody', 'whatever pass 1'], ['dora', 'dora password 1']] as const) {
        const res = await s.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
        assert.equal(res.statusCode, 401, username);
        assert.equal(res.headers['set-cookie'], undefined);
        const { instance: _i, ...rest } = res.json();
        bodies.push(JSON.stringify(rest));
      }
      assert.equal(new Set(bodies).size, 1, 'no user enumeration');
      assert.equal(JSON.parse(bodies[0]!).code, 'CNSDN_INVALID_CREDENTIALS');
    } finally {
      await s.close();
    }
  });

  it('401 UNAUTHENTICATED without credentials; /api/auth/status is public', async () => {
    const s = await server();
    try {
      assert.equal(code(await s.app.inject({ method: 'GET', url: '/api/auth/me' })), 'CNSDN_UNAUTHENTICATED');
      assert.equal((await s.app.inject({ method: 'GET', url: '/tfs-api/things' })).statusCode, 401);
      assert.equal((await s.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401, '/metrics needs a viewer');
      const status = await s.app.inject({ method: 'GET', url: '/api/auth/status' });
      assert.deepEqual(status.json(), { setupRequired: false, auth: 'on' });
      for (const url of ['/healthz', '/docs/', '/openapi.json']) assert.equal((await s.app.inject({ method: 'GET', url })).statusCode, 200, url);
    } finally {
      await s.close();
    }
  });
});

describe('CSRF', () => {
  it('a cookie-authenticated write needs x-csrf-token bound to the session: missing or wrong → 403 CSRF_FAILED, nothing written', async () => {
    const s = await server();
    try {
      const c = new SessionClient(s.app);
      await c.login(ADMIN.username, ADMIN.password);
      const before = writes.length;
      const missing = await c.request({ method: 'POST', url: '/tfs-api/things/a', payload: { x: 1 }, csrf: false });
      assert.equal(missing.statusCode, 403);
      assert.equal(code(missing), 'CNSDN_CSRF_FAILED');
      const other = new SessionClient(s.app);
      await other.login(ADMIN.username, ADMIN.password);
      const wrong = await c.request({ method: 'POST', url: '/tfs-api/things/a', payload: { x: 1 }, csrf: false, headers: { 'x-csrf-token': other.csrf } });
      assert.equal(code(wrong), 'CNSDN_CSRF_FAILED', "another session's token");
      assert.equal(code(await c.request({ method: 'POST', url: '/api/auth/logout', csrf: false })), 'CNSDN_CSRF_FAILED');
      assert.equal(writes.length, before, 'nothing written');
      assert.equal((await c.request({ method: 'POST', url: '/tfs-api/things/a', payload: { x: 1 } })).statusCode, 200);
      assert.equal(writes.length, before + 1);
    } finally {
      await s.close();
    }
  });

  it('bearer-token writes need no CSRF token (the admin token and API tokens)', async () => {
    const s = await server({ adminToken: 'the-admin-token-value' });
    try {
      const res = await s.app.inject({ method: 'POST', url: '/tfs-api/things/b', headers: { authorization: 'Bearer the-admin-token-value' }, payload: { y: 1 } });
      assert.equal(res.statusCode, 200);
      const me = await s.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: 'Bearer the-admin-token-value' } });
      assert.deepEqual(me.json(), { user: { username: 'admin-token', role: 'admin' }, csrfToken: '', via: 'token' });
    } finally {
      await s.close();
    }
  });
});

describe('forged, expired and revoked sessions', () => {
  it('a forged or expired cookie is 401 UNAUTHENTICATED and cleared; nothing written', async () => {
    const s = await server({ sessionIdleMs: 60_000 });
    try {
      const c = new SessionClient(s.app);
      await c.login(ADMIN.username, ADMIN.password);
      const value = c.cookie!.slice('cnsdn_session='.length);
      const [v, kid, body] = value.split('.') as [string, string, string];
      const flipped = Buffer.from(body, 'base64url');
      flipped[20]! ^= 1;
      const foreign = new SessionKeyring([SessionKeyring.generateKey()]);
      const t = Date.now();
      const claims = { sid: 's', username: 'root', role: 'admin' as const, iat: t - 7200_000, seen: t - 7200_000, exp: t - 3600_000 };
      const expired = s.auth.keyring.seal(claims);
      const idle = s.auth.keyring.seal({ ...claims, exp: t + 3600_000, seen: t - 120_000 });
      const before = writes.length;
      for (const cookie of [`${v}.${kid}.${flipped.toString('base64url')}`, foreign.seal({ ...claims, exp: t + 3600_000, seen: t }), expired, idle, 'garbage']) {
        const res = await s.app.inject({ method: 'POST', url: '/tfs-api/things/f', headers: { cookie: `cnsdn_session=${cookie}`, 'x-csrf-token': c.csrf }, payload: {} });
        assert.equal(res.statusCode, 401, cookie.slice(0, 20));
        assert.equal(code(res), 'CNSDN_UNAUTHENTICATED');
        assert.match(String(res.headers['set-cookie']), /Max-Age=0/);
      }
      assert.equal(writes.length, before);
    } finally {
      await s.close();
    }
  });

  it('sliding idle timeout: a cookie last refreshed over a minute ago is re-issued with the current role', async () => {
    const s = await server();
    try {
      const t = Date.now();
      const old = s.auth.keyring.seal({ sid: 'slide', username: 'root', role: 'viewer', iat: t - 120_000, seen: t - 90_000, exp: t + 3600_000 });
      const res = await s.app.inject({ method: 'GET', url: '/tfs-api/things', headers: { cookie: `cnsdn_session=${old}` } });
      assert.equal(res.statusCode, 200);
      const fresh = /^cnsdn_session=([^;]+)/.exec(String(res.headers['set-cookie']))?.[1];
      const claims = fresh ? s.auth.keyring.open(fresh) : undefined;
      assert.ok(claims && claims.seen >= t && claims.sid === 'slide' && claims.role === 'admin' && claims.exp === t + 3600_000, JSON.stringify(claims));
      const recent = s.auth.keyring.seal({ sid: 'slide', username: 'root', role: 'admin', iat: t, seen: t, exp: t + 3600_000 });
      const quiet = await s.app.inject({ method: 'GET', url: '/tfs-api/things', headers: { cookie: `cnsdn_session=${recent}` } });
      assert.equal(quiet.headers['set-cookie'], undefined, 'not re-issued on every request');
    } finally {
      await s.close();
    }
  });

  it('a disabled or deleted user, or a changed role, takes effect on the next request', async () => {
    const s = await server();
    try {
      await s.auth.createUser('olga', 'olga password 1', 'operator');
      const c = new SessionClient(s.app);
      await c.login('olga', 'olga password 1');
      assert.equal((await c.request({ method: 'POST', url: '/tfs-api/things/o', payload: {} })).statusCode, 200);
      await s.auth.updateUser('olga', { role: 'viewer' });
      const denied = await c.request({ method: 'POST', url: '/tfs-api/things/o', payload: {} });
      assert.equal(code(denied), 'CNSDN_PERMISSION_DENIED');
      assert.equal((await c.request({ method: 'GET', url: '/api/auth/me' })).json().user.role, 'viewer');
      await s.auth.updateUser('olga', { disabled: true });
      assert.equal((await c.request({ method: 'GET', url: '/tfs-api/things' })).statusCode, 401);
      await s.auth.updateUser('olga', { disabled: false });
      assert.equal((await c.request({ method: 'GET', url: '/tfs-api/things' })).statusCode, 200);
      await s.auth.deleteUser('olga');
      assert.equal((await c.request({ method: 'GET', url: '/tfs-api/things' })).statusCode, 401);
    } finally {
      await s.close();
    }
  });
});

describe('lockout', () => {
  it('after the free failures: 429 LOGIN_THROTTLED with Retry-After, even with the right password, for known and unknown users alike', async () => {
    const s = await server({ accountThrottle: { freeFailures: 3, baseDelayMs: 60_000 } });
    try {
      const login = (username: string, password: string) => s.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
      for (const username of ['root', 'ghost']) {
        for (let i = 0; i < 3; i++) assert.equal((await login(username, 'wrong password!')).statusCode, 401);
        assert.equal((await login(username, 'wrong password!')).statusCode, 401, 'the failure that starts the lock');
        const locked = await login(username, username === 'root' ? ADMIN.password : 'wrong password!');
        assert.equal(locked.statusCode, 429, username);
        assert.equal(code(locked), 'CNSDN_LOGIN_THROTTLED');
        assert.equal(locked.headers['retry-after'], '60');
      }
    } finally {
      await s.close();
    }
  });

  it('per client address: many accounts tried from one address lock that address', async () => {
    const s = await server({ addressThrottle: { freeFailures: 4, baseDelayMs: 30_000 } });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await s.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: `user${i}`, password: 'wrong password!' } });
        assert.equal(res.statusCode, 401);
      }
      const res = await s.app.inject({ method: 'POST', url: '/api/auth/login', payload: ADMIN });
      assert.equal(res.statusCode, 429);
      const other = await s.app.inject({ method: 'POST', url: '/api/auth/login', payload: ADMIN, remoteAddress: '127.0.0.9' });
      assert.equal(other.statusCode, 200, 'another address is not locked');
    } finally {
      await s.close();
    }
  });
});

describe('first admin', () => {
  it('no user and no admin from the environment: a setup token is printed once and accepted once', async () => {
    const file = dbFile();
    const s = await startAuthServer(file, { routes: [things] });
    try {
      assert.deepEqual((await s.app.inject({ method: 'GET', url: '/api/auth/status' })).json(), { setupRequired: true, auth: 'on' });
      await s.auth.bootstrap(undefined, 'http://127.0.0.1:9');
      const printed = s.announced.join('\n');
      const token = /setup token: (\S+)/.exec(printed)?.[1];
      assert.ok(token, printed);
      assert.match(printed, /http:\/\/127\.0\.0\.1:9\/webui/);
      const setup = (body: object) => s.app.inject({ method: 'POST', url: '/api/auth/setup', payload: body });
      assert.equal(code(await setup({ token: 'wrong', username: 'boss', password: 'boss password 1' })), 'CNSDN_INVALID_CREDENTIALS');
      assert.equal(code(await setup({ token, username: 'boss', password: 'short' })), 'CNSDN_PASSWORD_POLICY');
      assert.equal(await s.auth.store.countUsers(), 0, 'nothing written');
      const ok = await setup({ token, username: 'boss', password: 'boss password 1' });
      assert.equal(ok.statusCode, 201);
      assert.deepEqual(ok.json(), { user: { username: 'boss', role: 'admin' } });
      assert.equal(code(await setup({ token, username: 'boss2', password: 'boss password 1' })), 'CNSDN_SETUP_COMPLETED');
      assert.deepEqual((await s.app.inject({ method: 'GET', url: '/api/auth/status' })).json(), { setupRequired: false, auth: 'on' });
      assert.equal((await new SessionClient(s.app).login('boss', 'boss password 1')).statusCode, 200);
      s.announced.length = 0;
      await s.auth.bootstrap(undefined, 'http://127.0.0.1:9');
      assert.deepEqual(s.announced, [], 'no token once a user exists');
    } finally {
      await s.close();
    }
  });

  it('replicas creating the admin from the environment at the same moment all start (one creates it)', async () => {
    const s = await startAuthServer(dbFile());
    try {
      const admin = { username: 'env', password: 'environment pass' };
      await Promise.all([s.auth.bootstrap(admin, 'http://x'), s.auth.bootstrap(admin, 'http://x'), s.auth.bootstrap(admin, 'http://x')]);
      assert.equal((await new SessionClient(s.app).login('env', 'environment pass')).statusCode, 200);
      assert.equal(await s.auth.setupRequired(), false);
    } finally {
      await s.close();
    }
  });

  it('an admin from the environment is created once, needs the password policy, and closes setup', async () => {
    const s = await startAuthServer(dbFile());
    try {
      await assert.rejects(s.auth.bootstrap({ username: 'env', password: 'short' }, 'http://x'), (e: { code?: string }) => e.code === 'PASSWORD_POLICY');
      await s.auth.bootstrap({ username: 'env', password: 'environment pass' }, 'http://x');
      await s.auth.bootstrap({ username: 'env', password: 'another password' }, 'http://x');
      assert.equal((await new SessionClient(s.app).login('env', 'environment pass')).statusCode, 200, 'the first password stays');
      assert.deepEqual(s.announced, []);
      assert.equal(await s.auth.setupRequired(), false);
    } finally {
      await s.close();
    }
  });
});

describe('users, passwords, tokens', () => {
  it('admins manage users; the last admin cannot be removed; a viewer cannot manage anything', async () => {
    const s = await server();
    try {
      const admin = new SessionClient(s.app);
      await admin.login(ADMIN.username, ADMIN.password);
      const created = await admin.request({ method: 'POST', url: '/api/users', payload: { username: 'vic', password: 'vic password 12', role: 'viewer' } });
      assert.equal(created.statusCode, 201);
      assert.equal(created.json().user.role, 'viewer');
      assert.ok(!JSON.stringify(created.json()).includes('password'), 'no hash in answers');
      assert.equal(code(await admin.request({ method: 'POST', url: '/api/users', payload: { username: 'vic', password: 'vic password 12', role: 'viewer' } })), 'CNSDN_ALREADY_EXISTS');
      assert.equal(code(await admin.request({ method: 'POST', url: '/api/users', payload: { username: 'x y', password: 'vic password 12', role: 'viewer' } })), 'CNSDN_VALIDATION_FAILED');
      assert.equal(code(await admin.request({ method: 'POST', url: '/api/users', payload: { username: 'w', password: 'short', role: 'viewer' } })), 'CNSDN_PASSWORD_POLICY');
      assert.equal(code(await admin.request({ method: 'POST', url: '/api/users', payload: { username: 'w', password: 'long enough 12', role: 'root' } })), 'CNSDN_VALIDATION_FAILED');
      assert.equal(code(await admin.request({ method: 'DELETE', url: '/api/users/root' })), 'CNSDN_IN_USE');
      assert.equal(code(await admin.request({ method: 'PATCH', url: '/api/users/root', payload: { role: 'viewer' } })), 'CNSDN_IN_USE');
      assert.equal(code(await admin.request({ method: 'PATCH', url: '/api/users/nobody', payload: { role: 'viewer' } })), 'CNSDN_NOT_FOUND');
      const list = await admin.request({ method: 'GET', url: '/api/users' });
      assert.deepEqual(list.json().users.map((u: { username: string }) => u.username), ['root', 'vic']);

      const viewer = new SessionClient(s.app);
      await viewer.login('vic', 'vic password 12');
      for (const [method, url] of [['GET', '/api/users'], ['POST', '/api/users'], ['DELETE', '/api/users/root'], ['GET', '/api/audit'], ['POST', '/tfs-api/things/v'], ['POST', '/api/auth/tokens']] as const) {
        const res = await viewer.request({ method, url, payload: method === 'GET' || method === 'DELETE' ? undefined : {} });
        assert.equal(res.statusCode, 403, `${method} ${url}`);
      }
      // A password set by an admin ends the user's sessions.
      assert.equal((await admin.request({ method: 'PATCH', url: '/api/users/vic', payload: { password: 'new vic password' } })).statusCode, 200);
      assert.equal((await viewer.request({ method: 'GET', url: '/api/auth/me' })).statusCode, 401);
      assert.equal((await admin.request({ method: 'DELETE', url: '/api/users/vic' })).statusCode, 204);
    } finally {
      await s.close();
    }
  });

  it('own password change: the current one must be right, the next must meet the policy; other sessions end, this one carries on', async () => {
    const s = await server();
    try {
      await s.auth.createUser('pat', 'pat password 12', 'viewer');
      const a = new SessionClient(s.app);
      const b = new SessionClient(s.app);
      await a.login('pat', 'pat password 12');
      await b.login('pat', 'pat password 12');
      const change = (current: string, next: string) => a.request({ method: 'POST', url: '/api/auth/password', payload: { current, next } });
      assert.equal(code(await change('wrong password!', 'pat new password')), 'CNSDN_INVALID_CREDENTIALS');
      assert.equal(code(await change('pat password 12', 'short')), 'CNSDN_PASSWORD_POLICY');
      const ok = await change('pat password 12', 'pat new password');
      assert.equal(ok.statusCode, 204);
      a.takeCookie(ok);
      assert.equal((await a.request({ method: 'GET', url: '/api/auth/me' })).statusCode, 200, 'this session carries on');
      assert.equal((await b.request({ method: 'GET', url: '/api/auth/me' })).statusCode, 401, 'the other one ended');
      assert.equal((await new SessionClient(s.app).login('pat', 'pat new password')).statusCode, 200);
    } finally {
      await s.close();
    }
  });

  it('API tokens: shown once, act with their role (never above the owner’s), listed without secrets, revocable', async () => {
    const s = await server();
    try {
      await s.auth.createUser('opal', 'opal password 1', 'operator');
      const op = new SessionClient(s.app);
      await op.login('opal', 'opal password 1');
      assert.equal(code(await op.request({ method: 'POST', url: '/api/auth/tokens', payload: { name: 'too high', role: 'admin' } })), 'CNSDN_PERMISSION_DENIED');
      const made = await op.request({ method: 'POST', url: '/api/auth/tokens', payload: { name: 'ci', role: 'operator' } });
      assert.equal(made.statusCode, 201);
      const { id, token } = made.json();
      assert.match(token, /^cnsdn_[A-Za-z0-9_-]{43}$/);
      const bearer = { authorization: `Bearer ${token}` };
      assert.equal(hasApiToken(bearer), false, 'the web tier counts a token as logged in once this process has accepted it');
      assert.equal((await s.app.inject({ method: 'POST', url: '/tfs-api/things/t', headers: bearer, payload: {} })).statusCode, 200);
      assert.equal(hasApiToken(bearer), true);
      assert.equal(hasApiToken({ authorization: 'Bearer cnsdn_forged' }), false);
      assert.deepEqual((await s.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer })).json().user, { username: 'opal', role: 'operator' });
      const listed = await op.request({ method: 'GET', url: '/api/auth/tokens' });
      assert.deepEqual(listed.json().tokens.map((t: { id: string }) => t.id), [id]);
      assert.ok(!listed.body.includes(token));
      // The owner is demoted: the token follows at once.
      await s.auth.updateUser('opal', { role: 'viewer' });
      assert.equal((await s.app.inject({ method: 'POST', url: '/tfs-api/things/t', headers: bearer, payload: {} })).statusCode, 403);
      await s.auth.updateUser('opal', { role: 'operator' });
      assert.equal((await op.request({ method: 'DELETE', url: `/api/auth/tokens/${id}` })).statusCode, 204);
      assert.equal(hasApiToken(bearer), false, 'a revoked token is anonymous to the web tier');
      assert.equal((await s.app.inject({ method: 'GET', url: '/tfs-api/things', headers: bearer })).statusCode, 401);
      assert.equal((await s.app.inject({ method: 'GET', url: '/tfs-api/things', headers: { authorization: 'Bearer cnsdn_forged' } })).statusCode, 401);
    } finally {
      await s.close();
    }
  });
});

describe('audit log', () => {
  it('records writes, failures, logins and user changes with who, what, where and outcome; never a secret', async () => {
    const s = await server();
    try {
      const admin = new SessionClient(s.app);
      await s.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'root', password: 'bad password 1' } });
      await admin.login(ADMIN.username, ADMIN.password);
      await admin.request({ method: 'POST', url: '/tfs-api/things/d1', payload: { a: 1 } });
      await admin.request({ method: 'POST', url: '/tfs-api/things/d2', payload: { a: 1 }, csrf: false });
      await admin.request({ method: 'POST', url: '/api/users', payload: { username: 'aud', password: 'audit password 1', role: 'viewer' } });
      await s.app.inject({ method: 'POST', url: '/tfs-api/things/d3', payload: {}, remoteAddress: '127.0.0.7' });
      const res = await admin.request({ method: 'GET', url: '/api/audit?limit=50' });
      assert.equal(res.statusCode, 200);
      const entries = res.json().entries as { principal: string; method: string; path: string; action: string | null; target: unknown; status: number; code: string | null; clientIp: string; requestId: string }[];
      const brief = entries.map((e) => [e.principal, e.path, e.action, e.status, e.code]);
      assert.deepEqual(brief, [
        ['anonymous', '/tfs-api/things/d3', null, 401, 'CNSDN_UNAUTHENTICATED'],
        ['root', '/api/users', 'user.create', 201, null],
        ['root', '/tfs-api/things/d2', null, 403, 'CNSDN_CSRF_FAILED'],
        ['root', '/tfs-api/things/d1', null, 200, null],
        ['root', '/api/auth/login', 'login', 200, null],
        ['anonymous', '/api/auth/login', 'login', 401, 'CNSDN_INVALID_CREDENTIALS'],
      ]);
      assert.deepEqual(entries[3]!.target, { id: 'd1' });
      assert.deepEqual(entries[1]!.target, { username: 'aud' });
      assert.equal(entries[0]!.clientIp, '127.0.0.7');
      assert.ok(entries.every((e) => e.requestId.length > 0));
      assert.ok(!res.body.includes('password 1'), 'no password in the audit log');
      const failures = await admin.request({ method: 'GET', url: '/api/audit?outcome=failure&user=root' });
      assert.deepEqual(failures.json().entries.map((e: { code: string }) => e.code), ['CNSDN_CSRF_FAILED']);
      const page1 = await admin.request({ method: 'GET', url: '/api/audit?limit=2' });
      const page2 = await admin.request({ method: 'GET', url: `/api/audit?limit=2&cursor=${page1.json().next}` });
      assert.deepEqual(page2.json().entries.map((e: { path: string }) => e.path), ['/tfs-api/things/d2', '/tfs-api/things/d1']);
      assert.equal(code(await admin.request({ method: 'GET', url: '/api/audit?cursor=bm9wZQ' })), 'CNSDN_VALIDATION_FAILED');
      assert.equal(code(await admin.request({ method: 'GET', url: '/api/audit?since=yesterday' })), 'CNSDN_VALIDATION_FAILED');
    } finally {
      await s.close();
    }
  });
});

describe('logout ends the session server-side', () => {
  it('a copy of the cookie kept after logout is refused here, on another replica and after a restart; other sessions go on', async () => {
    const file = dbFile();
    const a = await server({ cacheMs: 0 }, file);
    const b = await startAuthServer(file, { routes: [things], cacheMs: 0 });
    let restarted: AuthServer | undefined;
    try {
      const c = new SessionClient(a.app);
      await c.login(ADMIN.username, ADMIN.password);
      const other = new SessionClient(a.app);
      await other.login(ADMIN.username, ADMIN.password);
      const stolen = { cookie: c.cookie! };
      assert.equal((await b.app.inject({ method: 'GET', url: '/tfs-api/things', headers: stolen })).statusCode, 200, 'replica b accepts it before');
      assert.equal(hasSession(stolen), true);
      assert.equal((await c.request({ method: 'POST', url: '/api/auth/logout' })).statusCode, 204);
      assert.equal(hasSession(stolen), false, 'the web tier no longer counts it as logged in');
      const here = await a.app.inject({ method: 'GET', url: '/tfs-api/things', headers: stolen });
      assert.equal(here.statusCode, 401);
      assert.match(here.json().detail, /logged out/);
      assert.equal((await b.app.inject({ method: 'GET', url: '/tfs-api/things', headers: stolen })).statusCode, 401, 'replica b refuses it');
      assert.equal((await other.request({ method: 'GET', url: '/tfs-api/things' })).statusCode, 200, 'another session of the user goes on');
      await a.close();
      await b.close();
      restarted = await startAuthServer(file, { routes: [things] });
      assert.equal((await restarted.app.inject({ method: 'GET', url: '/tfs-api/things', headers: stolen })).statusCode, 401, 'after a restart');
      assert.equal((await restarted.app.inject({ method: 'GET', url: '/tfs-api/things', headers: { cookie: other.cookie! } })).statusCode, 200);
    } finally {
      if (restarted) await restarted.close();
      else {
        await a.close().catch(() => {});
        await b.close().catch(() => {});
      }
    }
  });
});

describe('sessions survive restarts and key rotation', () => {
  it('a cookie stays valid after a restart with the same store (key kept in the store)', async () => {
    const file = dbFile();
    const first = await server({}, file);
    const c = new SessionClient(first.app);
    await c.login(ADMIN.username, ADMIN.password);
    await first.close();
    const second = await startAuthServer(file, { routes: [things] });
    try {
      const me = await new SessionClient(second.app).request({ method: 'GET', url: '/api/auth/me', headers: { cookie: c.cookie! } });
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().csrfToken, c.csrf, 'the CSRF token too');
    } finally {
      await second.close();
    }
  });

  it('CNSDN_SESSION_KEYS rotation: a cookie sealed by the old key is accepted while the old key is listed, refused after', async () => {
    const file = dbFile();
    const oldKey = SessionKeyring.generateKey().toString('base64');
    const newKey = SessionKeyring.generateKey().toString('base64');
    const first = await server({ sessionKeys: oldKey }, file);
    const c = new SessionClient(first.app);
    await c.login(ADMIN.username, ADMIN.password);
    await first.close();
    const rotated = await startAuthServer(file, { routes: [things], sessionKeys: `${newKey},${oldKey}` });
    try {
      const res = await rotated.app.inject({ method: 'POST', url: '/tfs-api/things/r', headers: { cookie: c.cookie!, 'x-csrf-token': c.csrf }, payload: {} });
      assert.equal(res.statusCode, 200, 'old cookie and old CSRF token accepted');
    } finally {
      await rotated.close();
    }
    const retired = await startAuthServer(file, { routes: [things], sessionKeys: newKey });
    try {
      const res = await retired.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: c.cookie! } });
      assert.equal(res.statusCode, 401);
    } finally {
      await retired.close();
    }
  });
});

describe('bad input', () => {
  it('non-JSON, oversize and unexpected bodies get coded errors and write nothing', async () => {
    const s = await server();
    try {
      const post = (url: string, payload: string, type = 'application/json') => s.app.inject({ method: 'POST', url, headers: { 'content-type': type }, payload });
      assert.equal(code(await post('/api/auth/login', '{"username": "root", ')), 'CNSDN_MALFORMED_JSON');
      assert.equal(code(await post('/api/auth/login', JSON.stringify({ username: 'root', password: 'x'.repeat(20_000) }))), 'CNSDN_BODY_TOO_LARGE');
      assert.equal(code(await post('/api/auth/login', JSON.stringify({ username: 'root', password: 'p', admin: true }))), 'CNSDN_VALIDATION_FAILED');
      assert.equal(code(await post('/api/auth/login', 'username=root', 'application/x-www-form-urlencoded')), 'CNSDN_UNSUPPORTED_MEDIA_TYPE');
      assert.equal(code(await post('/api/auth/setup', '[1,2]')), 'CNSDN_VALIDATION_FAILED');
      assert.equal(await s.auth.store.countUsers(), 1);
    } finally {
      await s.close();
    }
  });
});

describe('security headers', () => {
  it('CSP without inline scripts and no framing; HSTS only over TLS (here: X-Forwarded-Proto from a trusted proxy); Secure cookie then', async () => {
    const s = await server({ trustProxy: true });
    try {
      const plain = await s.app.inject({ method: 'GET', url: '/api/auth/status' });
      const csp = String(plain.headers['content-security-policy']);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(plain.headers['x-frame-options'], 'DENY');
      assert.equal(plain.headers['strict-transport-security'], undefined);
      const tls = await s.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-forwarded-proto': 'https' }, payload: ADMIN });
      assert.match(String(tls.headers['strict-transport-security']), /max-age=\d+/);
      assert.match(String(tls.headers['set-cookie']), /; Secure/);
      const docs = await s.app.inject({ method: 'GET', url: '/docs/' });
      assert.equal(docs.statusCode, 200);
      assert.doesNotMatch(docs.body, /<script>[^<]/, 'swagger-ui loads its scripts from files');
    } finally {
      await s.close();
    }
  });
});

describe('auth off', () => {
  it('every caller is admin (via open) and writes are still audited', async () => {
    const s = await startAuthServer(dbFile(), { mode: 'off', routes: [things] });
    try {
      const me = await s.app.inject({ method: 'GET', url: '/api/auth/me' });
      assert.deepEqual(me.json(), { user: { username: 'open', role: 'admin' }, csrfToken: '', via: 'open' });
      assert.equal((await s.app.inject({ method: 'POST', url: '/tfs-api/things/o', payload: {} })).statusCode, 200);
      assert.deepEqual((await s.app.inject({ method: 'GET', url: '/api/auth/status' })).json(), { setupRequired: false, auth: 'off' });
      await s.auth.audit.flush();
      assert.deepEqual((await s.auth.store.queryAudit({ limit: 5 })).map((e) => [e.principal, e.via, e.status]), [['open', 'open', 200]]);
    } finally {
      await s.close();
    }
  });

  it('with an admin token set, only that token is accepted', async () => {
    const s = await startAuthServer(dbFile(), { mode: 'off', adminToken: 'only-this-token', routes: [things] });
    try {
      assert.equal((await s.app.inject({ method: 'GET', url: '/tfs-api/things' })).statusCode, 401);
      assert.equal((await s.app.inject({ method: 'GET', url: '/tfs-api/things', headers: { authorization: 'Bearer only-this-token' } })).statusCode, 200);
    } finally {
      await s.close();
    }
  });
});
