import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningController, startController } from '../app/index.js';
import { entityFastPath } from './entity-fastpath.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('entityFastPath', () => {
  const BODY = Buffer.from('{"device_id":{"device_uuid":{"uuid":"r1"}},"name":"r1"}');
  const recorded: unknown[][] = [];
  let server: Server;
  let port = 0;
  before(async () => {
    const fast = entityFastPath({
      kept: (kind, ref) => (kind === 'device' && ref === 'r1' ? BODY : undefined),
      mayRead: (req) => (req.headers.authorization === 'Bearer good' ? true : req.headers.authorization === 'Bearer weak' ? false : undefined),
      securityHeaders: { 'x-frame-options': 'DENY' },
      requestId: (req) => String(req.headers['x-request-id'] ?? 'generated'),
      record: (...args) => recorded.push(args),
    });
    server = createServer((req, res) => {
      if (!fast(req, res)) {
        res.writeHead(599);
        res.end('not mine');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
  });

  it('answers a kept entity to a caller known to be a reader, with the route headers, and records the metrics', async () => {
    const a = await get(port, '/tfs-api/device/r1', { authorization: 'Bearer good', 'x-request-id': 'abc' });
    assert.equal(a.status, 200);
    assert.deepEqual(a.body, BODY);
    assert.equal(a.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(a.headers['content-length'], String(BODY.length));
    assert.equal(a.headers['x-frame-options'], 'DENY');
    assert.equal(a.headers['x-request-id'], 'abc');
    assert.deepEqual(recorded.at(-1)?.slice(0, 3), ['GET', '/tfs-api/device/:id', 200]);
  });

  it('leaves to Fastify what it cannot answer the same way from memory', async () => {
    const good = { authorization: 'Bearer good' };
    const cases: Array<[string, string, Record<string, string>, string?]> = [
      ['not kept', '/tfs-api/device/r2', good],
      ['a link not kept', '/tfs-api/link/r1', good],
      ['caller unknown without I/O', '/tfs-api/device/r1', { authorization: 'Bearer other' }],
      ['caller not a reader', '/tfs-api/device/r1', { authorization: 'Bearer weak' }],
      ['no credential', '/tfs-api/device/r1', {}],
      ['compression asked', '/tfs-api/device/r1', { ...good, 'accept-encoding': 'gzip, deflate' }],
      ['behind a proxy (HSTS decided by Fastify)', '/tfs-api/device/r1', { ...good, 'x-forwarded-proto': 'https' }],
      ['a query string', '/tfs-api/device/r1?x=1', good],
      ['an encoded id', '/tfs-api/device/r%31', good],
      ['an empty id', '/tfs-api/device/', good],
      ['an id longer than the router takes', `/tfs-api/device/${'r'.repeat(101)}`, good],
      ['a sub-path', '/tfs-api/device/r1/x', good],
      ['another route', '/tfs-api/devices', good],
      ['HEAD', '/tfs-api/device/r1', good, 'HEAD'],
      ['a write', '/tfs-api/device/r1', good, 'DELETE'],
    ];
    for (const [what, path, headers, method] of cases) {
      const a = await get(port, path, headers, method);
      assert.equal(a.status, 599, what);
    }
  });
});

describe('entity fast path in the controller', () => {
  const ADMIN_TOKEN = 'fastpath-admin-token-0123456789';
  const dir = mkdtempSync(join(tmpdir(), 'cnsdn-entity-fastpath-'));
  let c: RunningController;
  let port = 0;
  let viewerToken = '';
  const guardAnswers = async () => {
    const text = (await get(port, '/metrics', { authorization: `Bearer ${ADMIN_TOKEN}` })).body.toString();
    const m = /^cnsdn_guard_responses_total\{client="trusted",status="200"\} (\d+)$/m.exec(text);
    return m ? Number(m[1]) : 0;
  };
  /** Headers that differ between any two answers. */
  const comparable = (h: IncomingHttpHeaders) => {
    const { date: _d, 'x-request-id': _r, ...rest } = h;
    return rest;
  };

  before(async () => {
    c = await startController({
      host: '127.0.0.1',
      port: 0,
      dataDir: dir,
      auth: 'on',
      adminToken: ADMIN_TOKEN,
      logLevel: 'silent',
      initialAdmin: { username: 'root', password: 'fastpath root password' },
      guard: { shedLagMs: 60_000, shedLagTrustedMs: 60_000, rateLimit: false, trustedRateLimit: false },
    });
    port = Number(new URL(c.url).port);
    const descriptor = {
      dummy_mode: true,
      devices: [{ device_id: { device_uuid: { uuid: 'fp-r1' } }, device_type: 'emu-packet-router', device_drivers: [0], device_operational_status: 1, device_config: { config_rules: [] }, device_endpoints: [] }],
    };
    const load = await fetch(`${c.url}/tfs-api/descriptors`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(descriptor) });
    assert.equal(load.status, 200, await load.text());
    const made = await fetch(`${c.url}/api/auth/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'reader', role: 'viewer' }),
    });
    assert.equal(made.status, 201);
    viewerToken = ((await made.json()) as { token: string }).token;
  });
  after(async () => {
    await c?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const who of ['admin token', 'viewer API token'] as const) {
    it(`answers a kept device to the ${who} as Fastify's route does`, async () => {
      const auth = { authorization: `Bearer ${who === 'admin token' ? ADMIN_TOKEN : viewerToken}` };
      // The query string sends this one through Fastify; it also fills the kept answer (and the token cache).
      const viaFastify = await get(port, '/tfs-api/device/fp-r1?via=fastify', auth);
      assert.equal(viaFastify.status, 200, viaFastify.body.toString());
      const before = await guardAnswers();
      const fast = await get(port, '/tfs-api/device/fp-r1', auth);
      assert.equal(await guardAnswers(), before + 1, 'answered by the guard, before Fastify');
      assert.equal(fast.status, 200);
      assert.deepEqual(fast.body, viaFastify.body);
      assert.deepEqual(comparable(fast.headers), comparable(viaFastify.headers));
      assert.match(String(fast.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    });
  }

  it('leaves a wrong token, and no token, to Fastify (401 problem)', async () => {
    await get(port, '/tfs-api/device/fp-r1', { authorization: `Bearer ${ADMIN_TOKEN}` });
    for (const headers of [{ authorization: 'Bearer cnsdn_not-a-token' }, {}] as Record<string, string>[]) {
      const a = await get(port, '/tfs-api/device/fp-r1', headers);
      assert.equal(a.status, 401);
      assert.equal(a.headers['content-type'], 'application/problem+json; charset=utf-8');
    }
  });

  it('answers the change, not the old bytes, after the device is updated', async () => {
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const first = JSON.parse((await get(port, '/tfs-api/device/fp-r1', auth)).body.toString()) as Record<string, unknown>;
    const put = await fetch(`${c.url}/tfs-api/device/fp-r1`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ ...first, device_type: 'emu-packet-router-2' }),
    });
    assert.equal(put.status, 200, await put.text());
    await get(port, '/tfs-api/device/fp-r1?refill=1', auth);
    const after = JSON.parse((await get(port, '/tfs-api/device/fp-r1', auth)).body.toString()) as { device_type: string };
    assert.equal(after.device_type, 'emu-packet-router-2');
  });
});
