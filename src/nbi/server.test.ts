import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { pino } from 'pino';
import { CnsdnError } from '../common/errors.js';
import { buildServer, checkJsonTree, locateJsonError, parseJsonBody } from './server.js';

const deviceBody = Type.Object(
  {
    device_id: Type.Object({ device_uuid: Type.Object({ uuid: Type.String({ minLength: 1 }) }, { additionalProperties: false }) }),
    name: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const testRoutes: FastifyPluginAsync = async (app) => {
  app.post('/tfs-api/devices', { schema: { body: deviceBody } }, async (request) => ({ got: request.body }));
  app.post('/tfs-api/echo', { schema: { response: { '4xx': { $ref: 'Problem#' } } } }, async (request) => ({ got: request.body }));
  app.get('/tfs-api/conflict', async () => {
    throw new CnsdnError('REVISION_CONFLICT', 'Device d1 changed meanwhile', [
      { path: '/devices/0/device_id', message: 'stale revision 3', code: 'REVISION_CONFLICT' },
    ]);
  });
  app.get('/tfs-api/boom', async () => {
    throw new Error('secret internals at /srv/db password=hunter2');
  });
  app.get('/tfs-api/big', async () => ({ data: 'x'.repeat(10_000) }));
};

function problemOf(res: { headers: Record<string, unknown>; body: string }): Record<string, unknown> {
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  return JSON.parse(res.body) as Record<string, unknown>;
}

describe('buildServer: error mapping to problem+json', () => {
  let app: FastifyInstance;
  const logLines: string[] = [];
  before(async () => {
    const sink = new Writable({
      write(chunk, _enc, cb) {
        logLines.push(String(chunk));
        cb();
      },
    });
    app = await buildServer({
      logger: pino({ level: 'info' }, sink),
      bodyLimit: 1024,
      maxJsonDepth: 5,
      readiness: [],
      routes: [testRoutes],
      rateLimit: false,
      version: '9.9.9',
    });
    await app.ready();
  });
  after(() => app.close());

  it('accepts a valid body', async () => {
    const body = { device_id: { device_uuid: { uuid: 'R1' } } };
    const res = await app.inject({ method: 'POST', url: '/tfs-api/devices', payload: body });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { got: body });
  });

  it('malformed JSON → 400 MALFORMED_JSON with the byte position', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/tfs-api/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":"é",}',
    });
    assert.equal(res.statusCode, 400);
    const p = problemOf(res);
    assert.equal(p.code, 'CNSDN_MALFORMED_JSON');
    assert.equal(p.type, 'https://cnsdn.dev/errors/MALFORMED_JSON');
    assert.equal(p.status, 400);
    assert.equal(p.instance, '/tfs-api/echo');
    // '{"name":"é",' is 12 characters but 13 bytes (é is two bytes in UTF-8).
    assert.match(String(p.detail), /at byte 13 \(line 1, column 13\)/);
  });

  it('empty JSON body → MALFORMED_JSON', async () => {
    const res = await app.inject({ method: 'POST', url: '/tfs-api/echo', headers: { 'content-type': 'application/json' }, payload: ' ' });
    assert.equal(res.statusCode, 400);
    assert.equal(problemOf(res).code, 'CNSDN_MALFORMED_JSON');
  });

  it('JSON nested deeper than maxJsonDepth → VALIDATION_FAILED with the path', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/tfs-api/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":[{"b":{"c":{"d":{"e":1}}}}]}',
    });
    assert.equal(res.statusCode, 400);
    const p = problemOf(res);
    assert.equal(p.code, 'CNSDN_VALIDATION_FAILED');
    assert.deepEqual(p.errors, [{ path: '/a/0/b/c/d', message: 'exceeds the maximum nesting depth of 5' }]);
  });

  it('a body at exactly maxJsonDepth is accepted', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/tfs-api/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":[{"b":{"c":{"d":1}}}]}',
    });
    assert.equal(res.statusCode, 200);
  });

  it('application/yang-data+json goes through the same parser', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/tfs-api/echo',
      headers: { 'content-type': 'application/yang-data+json' },
      payload: '{"x":',
    });
    assert.equal(res.statusCode, 400);
    assert.equal(problemOf(res).code, 'CNSDN_MALFORMED_JSON');
  });

  it('__proto__ keys are rejected', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/tfs-api/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":{"__proto__":{"admin":true}}}',
    });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(problemOf(res).errors, [{ path: '/a/__proto__', message: 'is a forbidden property name' }]);
  });

  it('body over the limit → 413 BODY_TOO_LARGE', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/tfs-api/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(2000) }),
    });
    assert.equal(res.statusCode, 413);
    assert.equal(problemOf(res).code, 'CNSDN_BODY_TOO_LARGE');
  });

  it('unsupported content type → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/tfs-api/echo',
      headers: { 'content-type': 'application/xml' },
      payload: '<device/>',
    });
    assert.equal(res.statusCode, 415);
    const p = problemOf(res);
    assert.equal(p.code, 'CNSDN_UNSUPPORTED_MEDIA_TYPE');
    assert.match(String(p.detail), /application\/xml/);
  });

  it('schema violation → 400 VALIDATION_FAILED with a JSON pointer to the missing member', async () => {
    const res = await app.inject({ method: 'POST', url: '/tfs-api/devices', payload: { device_id: { device_uuid: {} } } });
    assert.equal(res.statusCode, 400);
    const p = problemOf(res);
    assert.equal(p.code, 'CNSDN_VALIDATION_FAILED');
    const errors = p.errors as { path: string; message: string }[];
    assert.equal(errors[0].path, '/device_id/device_uuid/uuid');
    assert.match(errors[0].message, /is required/);
  });

  it('schema violation on a wrong type points at the member itself', async () => {
    const res = await app.inject({ method: 'POST', url: '/tfs-api/devices', payload: { device_id: { device_uuid: { uuid: { v: 7 } } } } });
    assert.equal(res.statusCode, 400);
    assert.equal((problemOf(res).errors as { path: string }[])[0].path, '/device_id/device_uuid/uuid');
  });

  it('additional properties are rejected (not silently stripped) with their pointer', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/tfs-api/devices',
      payload: { device_id: { device_uuid: { uuid: 'R1', extra: 1 } } },
    });
    assert.equal(res.statusCode, 400);
    assert.equal((problemOf(res).errors as { path: string }[])[0].path, '/device_id/device_uuid/extra');
  });

  it('CnsdnError → its status, code and details', async () => {
    const res = await app.inject({ method: 'GET', url: '/tfs-api/conflict?x=1' });
    assert.equal(res.statusCode, 409);
    assert.deepEqual(problemOf(res), {
      type: 'https://cnsdn.dev/errors/REVISION_CONFLICT',
      title: 'Revision conflict',
      status: 409,
      code: 'CNSDN_REVISION_CONFLICT',
      detail: 'Device d1 changed meanwhile',
      errors: [{ path: '/devices/0/device_id', message: 'stale revision 3', code: 'CNSDN_REVISION_CONFLICT' }],
      instance: '/tfs-api/conflict?x=1',
    });
  });

  it('unknown route → 404 NOT_FOUND', async () => {
    const res = await app.inject({ method: 'GET', url: '/tfs-api/nope' });
    assert.equal(res.statusCode, 404);
    const p = problemOf(res);
    assert.equal(p.code, 'CNSDN_NOT_FOUND');
    assert.match(String(p.detail), /GET \/tfs-api\/nope/);
  });

  it('unexpected error → 500 INTERNAL without leaking the message or stack, logged with the request id', async () => {
    const res = await app.inject({ method: 'GET', url: '/tfs-api/boom', headers: { 'x-request-id': 'req-boom-1' } });
    assert.equal(res.statusCode, 500);
    const p = problemOf(res);
    assert.equal(p.code, 'CNSDN_INTERNAL');
    assert.doesNotMatch(res.body, /hunter2|secret|at .*\.ts/);
    assert.match(String(p.detail), /req-boom-1/);
    const logged = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.reqId === 'req-boom-1' && l.level === 50);
    assert.ok(logged, 'the 500 is logged at error level');
    assert.match(JSON.stringify(logged.err), /hunter2/);
  });

  it('echoes a sane x-request-id and generates one otherwise', async () => {
    const given = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    assert.equal(given.headers['x-request-id'], 'abc-123');
    const bad = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'has space\u0001' } });
    assert.match(String(bad.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    const none = await app.inject({ method: 'GET', url: '/healthz' });
    assert.match(String(none.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    assert.notEqual(none.headers['x-request-id'], bad.headers['x-request-id']);
  });

  it('sets helmet headers and compresses large responses', async () => {
    const res = await app.inject({ method: 'GET', url: '/tfs-api/big', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.ok(res.headers['content-security-policy']);
  });

  it('sends the same security headers on every answer, errors included, and no HSTS over plain HTTP', async () => {
    const ok = await app.inject({ method: 'GET', url: '/tfs-api/big' });
    const missing = await app.inject({ method: 'GET', url: '/no/such/route' });
    for (const res of [ok, missing]) {
      assert.match(String(res.headers['content-security-policy']), /default-src 'self';.*frame-ancestors 'none'/);
      assert.equal(res.headers['x-frame-options'], 'DENY');
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
      assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin');
      assert.equal(res.headers['strict-transport-security'], undefined);
    }
  });

  it('serves the OpenAPI document with route schemas and the docs UI', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json() as {
      openapi: string;
      info: { title: string; version: string };
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    assert.ok(doc.components.schemas.Problem.properties.errors, 'the shared Problem schema is a named component');
    assert.match(JSON.stringify(doc.paths['/tfs-api/echo']), /#\/components\/schemas\/Problem/);
    assert.match(doc.openapi, /^3\./);
    assert.deepEqual(doc.info.title, 'cnsdn');
    assert.equal(doc.info.version, '9.9.9');
    assert.ok(doc.paths['/tfs-api/devices'], 'route plugin paths are documented');
    assert.ok(doc.paths['/healthz']);
    const docs = await app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(docs.statusCode, 200);
    assert.match(docs.body, /swagger/i);
  });
});

describe('buildServer: rate limit and pressure', () => {
  it('rate limited → 429 RATE_LIMITED with retry-after, on routes and on unknown paths', async () => {
    const app = await buildServer({
      logger: false,
      readiness: [],
      routes: [testRoutes],
      rateLimit: { max: 2, timeWindow: 60_000 },
      version: '1',
    });
    try {
      for (let i = 0; i < 2; i++) assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
      const res = await app.inject({ method: 'GET', url: '/healthz' });
      assert.equal(res.statusCode, 429);
      assert.equal(problemOf(res).code, 'CNSDN_RATE_LIMITED');
      assert.ok(res.headers['retry-after']);
      const unknown = await app.inject({ method: 'GET', url: '/nothing-here' });
      assert.equal(unknown.statusCode, 429);
    } finally {
      await app.close();
    }
  });

  it('loopback is not exempt by default but an allowList exempts', async () => {
    const app = await buildServer({
      logger: false,
      readiness: [],
      routes: [],
      rateLimit: { max: 1, timeWindow: 60_000, allowList: ['127.0.0.2'] },
      version: '1',
    });
    try {
      const from = (ip: string) => app.inject({ method: 'GET', url: '/healthz', remoteAddress: ip });
      assert.equal((await from('127.0.0.1')).statusCode, 200);
      assert.equal((await from('127.0.0.1')).statusCode, 429);
      for (let i = 0; i < 3; i++) assert.equal((await from('127.0.0.2')).statusCode, 200);
    } finally {
      await app.close();
    }
  });

  it('event-loop pressure → 503 UNAVAILABLE on the API, /healthz stays 200', async () => {
    const app = await buildServer({
      logger: false,
      readiness: [],
      routes: [testRoutes],
      rateLimit: false,
      maxEventLoopDelayMs: 20,
      pressureGraceMs: 0,
      version: '1',
    });
    try {
      await app.ready();
      const until = Date.now() + 5000;
      let res = await app.inject({ method: 'GET', url: '/readyz' });
      while (res.statusCode !== 503 && Date.now() < until) {
        const stop = Date.now() + 200;
        while (Date.now() < stop) {
          // Blocks the event loop so under-pressure measures a large delay.
        }
        await new Promise((r) => setTimeout(r, 10));
        res = await app.inject({ method: 'GET', url: '/readyz' });
      }
      assert.equal(res.statusCode, 503);
      assert.equal(problemOf(res).code, 'CNSDN_UNAVAILABLE');
      assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
      assert.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 200);
    } finally {
      await app.close();
    }
  });
});

describe('start-up grace', () => {
  it('does not shed requests in the first seconds after start, whatever the event-loop delay', async () => {
    const app = await buildServer({ logger: false, readiness: [], routes: [testRoutes], rateLimit: false, maxEventLoopDelayMs: 20, pressureGraceMs: 60_000, version: '1' });
    try {
      await app.ready();
      for (let i = 0; i < 20; i++) {
        const stop = Date.now() + 200;
        while (Date.now() < stop) {
          // Blocks the event loop so under-pressure measures a large delay.
        }
        await new Promise((r) => setTimeout(r, 10));
        assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
      }
    } finally {
      await app.close();
    }
  });
});

describe('JSON parsing helpers', () => {
  it('locateJsonError finds the first invalid character', () => {
    const cases: [string, number][] = [
      ['{"a":1,}', 7],
      ['[1,2', 4],
      ['{"a" 1}', 5],
      ['{"a":tru}', 5],
      ['"abc', 4],
      ['{"a":"\\x"}', 6],
      ['[1] x', 4],
      ['{,}', 1],
      ['[01]', 2],
      ['{"a":"b\nc"}', 7],
    ];
    for (const [text, index] of cases) {
      assert.throws(() => JSON.parse(text));
      assert.equal(locateJsonError(text)?.index, index, text);
    }
    for (const ok of ['{}', '[]', ' {"a":[1,-2.5e3,true,false,null,"\\u00e9\\n"]} ', '"x"', '0']) {
      assert.equal(locateJsonError(ok), null, ok);
    }
  });

  it('parseJsonBody handles very deep input without recursion', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    assert.throws(
      () => parseJsonBody(deep, 64),
      (e: unknown) => e instanceof CnsdnError && e.code === 'VALIDATION_FAILED' && e.details[0].path === `/${Array(64).fill('0').join('/')}`,
    );
  });

  it('checkJsonTree escapes pointer segments', () => {
    assert.throws(
      () => checkJsonTree({ 'a/b': { '~c': [[1]] } }, 3),
      (e: unknown) => e instanceof CnsdnError && e.details[0].path === '/a~1b/~0c/0',
    );
    assert.doesNotThrow(() => checkJsonTree({ constructor: 'x', a: [1, 2] }, 2));
  });
});

describe('errors raised before routing', () => {
  it('bad URL encoding and over-long path parameters are problem documents', async () => {
    const app = await buildServer({ logger: false, readiness: [], routes: [async (a) => { a.get('/tfs-api/device/:id', async () => ({})); }], rateLimit: false, version: 't' });
    const bad = await app.inject({ method: 'GET', url: '/tfs-api/device/%' });
    assert.equal(bad.statusCode, 400);
    assert.match(String(bad.headers['content-type']), /application\/problem\+json/);
    assert.equal(bad.json().code, 'CNSDN_INVALID_ARGUMENT');
    const long = await app.inject({ method: 'GET', url: `/tfs-api/device/${'x'.repeat(5000)}` });
    assert.equal(long.statusCode, 400);
    assert.match(String(long.headers['content-type']), /application\/problem\+json/);
    assert.equal(long.json().code, 'CNSDN_INVALID_ARGUMENT');
    await app.close();
  });
});

describe('compression', () => {
  it('answers br-preferring clients with gzip (brotli costs seconds on large answers)', async () => {
    const big = { items: Array.from({ length: 2000 }, (_, i) => ({ i, name: `item-${i}` })) };
    const app = await buildServer({ logger: false, readiness: [], routes: [async (a) => { a.get('/api/big', async () => big); }], rateLimit: false, version: 't' });
    const res = await app.inject({ method: 'GET', url: '/api/big', headers: { 'accept-encoding': 'br, gzip, deflate' } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-encoding'], 'gzip');
    await app.close();
  });
});
