/**
 * The role matrix over every route the controller registers: the list comes from the running
 * server (GET /api/auth/routes), so a route added later is covered without touching this test.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningController, startController } from '../app/index.js';
import { isSafeMethod } from './principal.js';

const ADMIN_TOKEN = 'rbac-admin-token-0123456789';
/** Writes every signed-in user may make on their own account. */
const SELF_SERVICE = new Set(['POST /api/auth/logout', 'POST /api/auth/password']);

interface RouteRole {
  method: string;
  url: string;
  role: 'public' | 'viewer' | 'operator' | 'admin';
}

describe('role matrix over every registered route', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnsdn-rbac-'));
  let c: RunningController;
  let routes: RouteRole[] = [];
  const tokens: Record<'viewer' | 'operator', string> = { viewer: '', operator: '' };

  const call = (method: string, url: string, token?: string) =>
    fetch(`${c.url}${url}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(isSafeMethod(method) ? {} : { 'content-type': 'application/json' }) },
      ...(isSafeMethod(method) || method === 'DELETE' ? {} : { body: '{}' }),
      signal: AbortSignal.timeout(30_000),
    });
  // Fastify writes a literal ':' in a route as '::'.
  const concrete = (url: string) =>
    url
      .replace(/::/g, '\u0000')
      .replace(/:[A-Za-z_]+/g, 'rbac-x')
      .replace(/\*$/, 'rbac-x')
      .replace(/\u0000/g, ':');
  const snapshot = async () => (await call('GET', '/tfs-api/descriptors', ADMIN_TOKEN)).text();

  before(async () => {
    c = await startController({ host: '127.0.0.1', port: 0, dataDir: dir, auth: 'on', adminToken: ADMIN_TOKEN, logLevel: 'silent',
      initialAdmin: { username: 'root', password: 'rbac root password' },
      // This measures roles, not the web tier: no shedding or rate limits on a loaded test machine.
      guard: { shedLagMs: 60_000, shedLagTrustedMs: 60_000, rateLimit: false, trustedRateLimit: false },
    });
    const res = await call('GET', '/api/auth/routes', ADMIN_TOKEN);
    assert.equal(res.status, 200);
    routes = ((await res.json()) as { routes: RouteRole[] }).routes;
    for (const role of ['viewer', 'operator'] as const) {
      const made = await fetch(`${c.url}/api/auth/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: role, role }),
      });
      assert.equal(made.status, 201);
      tokens[role] = ((await made.json()) as { token: string }).token;
    }
  });
  after(async () => {
    await c?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the whole NBI: TFS API, descriptors, IETF RESTCONF, services, telemetry, events, metrics, users, audit', () => {
    const keys = new Set(routes.map((r) => `${r.method} ${r.url}`));
    for (const k of ['POST /tfs-api/devices', 'POST /tfs-api/descriptors', 'GET /api/events', 'GET /metrics', 'POST /api/users', 'GET /api/audit']) assert.ok(keys.has(k), k);
    assert.ok(routes.some((r) => r.url.startsWith('/restconf/data/ietf-l3vpn-svc') && r.method === 'POST'));
    assert.ok(routes.some((r) => r.url.startsWith('/api/telemetry')));
    assert.ok(routes.some((r) => r.url.startsWith('/api/services') && r.method === 'POST'));
    assert.ok(routes.length > 50, `${routes.length} routes`);
  });

  it('reads need a viewer, network writes an operator, users/tokens-of-others/audit an admin', () => {
    for (const r of routes) {
      const key = `${r.method} ${r.url}`;
      if (r.role === 'public') {
        assert.ok(['GET /api/auth/status', 'POST /api/auth/login', 'POST /api/auth/setup'].includes(key), `${key} must not be public`);
      } else if (isSafeMethod(r.method)) {
        assert.ok(r.role === 'viewer' || r.url.startsWith('/api/users') || r.url.startsWith('/api/audit') || r.url === '/api/auth/routes', `${key}: ${r.role}`);
      } else if (!SELF_SERVICE.has(key)) {
        assert.ok(r.role === 'operator' || r.role === 'admin', `${key} is a write: ${r.role}`);
      }
      if (r.url.startsWith('/api/users') || r.url.startsWith('/api/audit')) assert.equal(r.role, 'admin', key);
    }
  });

  it('without credentials every non-public route is 401', async () => {
    for (const r of routes.filter((x) => x.role !== 'public')) {
      const res = await call(r.method, concrete(r.url));
      assert.equal(res.status, 401, `${r.method} ${r.url}`);
      await res.body?.cancel();
    }
  });

  it('a viewer gets 403 on every write route (its own logout and password aside), and nothing is written', async () => {
    const state = await snapshot();
    let checked = 0;
    for (const r of routes.filter((x) => !isSafeMethod(x.method) && x.role !== 'public' && !SELF_SERVICE.has(`${x.method} ${x.url}`))) {
      const res = await call(r.method, concrete(r.url), tokens.viewer);
      const body = (await res.json()) as { code?: string };
      assert.equal(res.status, 403, `${r.method} ${r.url}`);
      assert.equal(body.code, 'CNSDN_PERMISSION_DENIED', `${r.method} ${r.url}`);
      checked++;
    }
    assert.ok(checked > 25, `${checked} write routes`);
    assert.equal(await snapshot(), state, 'nothing written');
  });

  it('an operator gets 403 on every admin route', async () => {
    for (const r of routes.filter((x) => x.role === 'admin')) {
      const res = await call(r.method, concrete(r.url), tokens.operator);
      assert.equal(res.status, 403, `${r.method} ${r.url}`);
      await res.body?.cancel();
    }
  });

  it('the audit log holds the refused writes', async () => {
    const res = await call('GET', '/api/audit?outcome=failure&limit=500', ADMIN_TOKEN);
    const entries = ((await res.json()) as { entries: { status: number; code: string | null; via: string }[] }).entries;
    assert.ok(entries.filter((e) => e.status === 403 && e.code === 'CNSDN_PERMISSION_DENIED' && e.via === 'token').length > 25);
    assert.ok(entries.some((e) => e.status === 401 && e.code === 'CNSDN_UNAUTHENTICATED'));
  });
});
