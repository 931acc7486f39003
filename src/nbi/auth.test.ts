import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { pino } from 'pino';
import { requireRole } from './auth.js';
import { buildServer } from './server.js';

const routes: FastifyPluginAsync = async (app) => {
  app.get('/tfs-api/context_ids', async (request) => ({ principal: request.principal }));
  app.get('/restconf/data/x', async () => ({ ok: true }));
  app.get('/api/whoami', { preHandler: requireRole('viewer') }, async (request) => ({ principal: request.principal }));
  app.get('/api/login-form', { config: { public: true } }, async (request) => ({ principal: request.principal }));
  app.get('/ui/*', async () => ({ ui: true }));
};

function capture(): { lines: string[]; logger: ReturnType<typeof pino> } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _e, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, logger: pino({ level: 'trace' }, sink) };
}

async function server(adminToken: string | undefined, logger: ReturnType<typeof pino> | false = false): Promise<FastifyInstance> {
  return buildServer({ logger, adminToken, readiness: [], routes: [routes], rateLimit: false, version: 't' });
}

describe('auth without a token (open API)', () => {
  it('acts as admin via open and warns at start', async () => {
    const { lines, logger } = capture();
    const app = await server(undefined, logger);
    try {
      const res = await app.inject({ method: 'GET', url: '/tfs-api/context_ids' });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { principal: { role: 'admin', via: 'open' } });
      assert.ok(lines.some((l) => /"level":40/.test(l) && /API is OPEN/.test(l)));
    } finally {
      await app.close();
    }
  });
});

describe('auth with an admin token', () => {
  const token = 's3cret-token-value';

  it('401 UNAUTHENTICATED without a token on /tfs-api, /restconf and /api', async () => {
    const app = await server(token);
    try {
      for (const url of ['/tfs-api/context_ids', '/restconf/data/x', '/api/whoami', '/api/unknown', '/tfs-api']) {
        const res = await app.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 401, url);
        assert.match(String(res.headers['content-type']), /problem\+json/);
        assert.equal(res.json().code, 'CNSDN_UNAUTHENTICATED');
      }
    } finally {
      await app.close();
    }
  });

  it('401 with a wrong token, a token of another length, or another scheme', async () => {
    const app = await server(token);
    try {
      for (const authorization of [`Bearer ${token.slice(0, -1)}x`, 'Bearer short', `Basic ${token}`, `Bearer ${token} extra`]) {
        const res = await app.inject({ method: 'GET', url: '/tfs-api/context_ids', headers: { authorization } });
        assert.equal(res.statusCode, 401, authorization);
      }
    } finally {
      await app.close();
    }
  });

  it('200 with the right token, principal admin via token', async () => {
    const app = await server(token);
    try {
      const res = await app.inject({ method: 'GET', url: '/api/whoami', headers: { authorization: `bearer ${token}` } });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { principal: { role: 'admin', via: 'token' } });
    } finally {
      await app.close();
    }
  });

  it('rejects before the body is read (no 413 or 400 for unauthenticated bodies)', async () => {
    const app = await server(token);
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/tfs-api/context_ids',
        headers: { 'content-type': 'application/json' },
        payload: '{not json',
      });
      assert.equal(res.statusCode, 401);
    } finally {
      await app.close();
    }
  });

  it('health, readiness, metrics, docs, public routes and other prefixes stay open', async () => {
    const app = await server(token);
    try {
      for (const url of ['/healthz', '/readyz', '/metrics', '/docs/', '/openapi.json', '/ui/index.html']) {
        const res = await app.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 200, url);
      }
      const pub = await app.inject({ method: 'GET', url: '/api/login-form' });
      assert.equal(pub.statusCode, 200);
      assert.deepEqual(pub.json(), { principal: null });
    } finally {
      await app.close();
    }
  });

  it('failed attempts count against the rate limit', async () => {
    const app = await buildServer({ logger: false, adminToken: token, readiness: [], routes: [routes], rateLimit: { max: 2, timeWindow: 60_000 }, version: 't' });
    try {
      const guess = (n: number) => app.inject({ method: 'GET', url: '/tfs-api/context_ids', headers: { authorization: `Bearer guess-${n}` } });
      assert.equal((await guess(1)).statusCode, 401);
      assert.equal((await guess(2)).statusCode, 401);
      assert.equal((await guess(3)).statusCode, 429);
      const unknown = await app.inject({ method: 'GET', url: '/api/no-such', headers: { authorization: 'Bearer guess-4' } });
      assert.equal(unknown.statusCode, 429, 'unknown protected paths are throttled too');
    } finally {
      await app.close();
    }
  });

  it('a catch-all route cannot open a protected prefix', async () => {
    const catchAll: FastifyPluginAsync = async (app) => {
      app.get('/*', async () => ({ spa: true }));
    };
    const app = await buildServer({ logger: false, adminToken: token, readiness: [], routes: [catchAll], rateLimit: false, version: 't' });
    try {
      assert.equal((await app.inject({ method: 'GET', url: '/index.html' })).statusCode, 200);
      assert.equal((await app.inject({ method: 'GET', url: '/api/anything' })).statusCode, 401);
    } finally {
      await app.close();
    }
  });

  it('never logs the token', async () => {
    const { lines, logger } = capture();
    const app = await server(token, logger);
    try {
      await app.inject({ method: 'GET', url: '/tfs-api/context_ids', headers: { authorization: `Bearer ${token}`, cookie: 'sid=abc' } });
      await app.inject({ method: 'GET', url: '/tfs-api/context_ids', headers: { authorization: 'Bearer wrong-guess' } });
      app.log.info({ headers: { authorization: `Bearer ${token}`, cookie: 'sid=abc' } }, 'explicit header log');
      const all = lines.join('');
      assert.ok(lines.length > 3);
      assert.doesNotMatch(all, new RegExp(token));
      assert.doesNotMatch(all, /wrong-guess|sid=abc/);
      assert.match(all, /\[redacted\]/);
    } finally {
      await app.close();
    }
  });
});

describe('requireRole', () => {
  it('403 PERMISSION_DENIED when the role ranks lower, 401 without a principal', async () => {
    const check = requireRole('admin');
    const viewerReq = { principal: { role: 'viewer', via: 'token' } } as never;
    await assert.rejects(check(viewerReq, {} as never), (e: unknown) => (e as { code: string }).code === 'PERMISSION_DENIED');
    await assert.rejects(check({ principal: null } as never, {} as never), (e: unknown) => (e as { code: string }).code === 'UNAUTHENTICATED');
    await requireRole('operator')({ principal: { role: 'admin', via: 'open' } } as never, {} as never);
    await assert.rejects(
      requireRole('operator')({ principal: { role: 'viewer', via: 'token' } } as never, {} as never),
      (e: unknown) => (e as { status: number }).status === 403,
    );
  });
});
