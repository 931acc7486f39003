/** The web tier guard on real loopback sockets: attacker 127.0.0.1, other clients 127.0.0.2. */
import assert from 'node:assert/strict';
import { Agent, type IncomingHttpHeaders, request, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { bearerTokenTrust, type GuardOptions } from './guard-config.js';
import { WebTierGuard } from './guard.js';
import { buildServer } from './server.js';

const TOKEN = 'guard-test-token';
const AUTH = { authorization: `Bearer ${TOKEN}` };

interface Harness {
  guard: WebTierGuard;
  port: number;
  handled: () => number;
  close(): Promise<void>;
}

const open: Harness[] = [];
after(async () => {
  for (const h of open) await h.close();
});

/** A guard in front of a trivial handler that counts the requests it sees. */
async function harness(options: Partial<GuardOptions>): Promise<Harness> {
  // No shedding unless a test asks: a loaded machine lags and would turn expected answers into 503s.
  const guard = new WebTierGuard({ shedGraceMs: 0, shedLagMs: 0, isTrusted: bearerTokenTrust(TOKEN), ...options });
  let handled = 0;
  // GET /hold is answered only when the server closes: a connection with a request in progress.
  const server: Server = guard.createServer((req, res) => {
    handled++;
    if (req.url === '/hold') return;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const h: Harness = {
    guard,
    port,
    handled: () => handled,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  open.push(h);
  return h;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request on a fresh connection from a given loopback address. */
function get(port: number, from: string, path = '/x', headers: Record<string, string> = {}, agent: Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, localAddress: from, headers, agent, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} from ${from} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** A connection from `from` with a request the server never answers (not idle). */
async function busyConnect(port: number, from: string) {
  const c = await rawConnect(port, from);
  c.socket.write('GET /hold HTTP/1.1\r\nHost: a\r\n\r\n');
  return c;
}

/** A raw connection from `from`; resolves once connected. Collects what the server sends and when it closes. */
function rawConnect(port: number, from: string): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = connect({ host: '127.0.0.1', port, localAddress: from });
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('data', (c: Buffer) => {
      data += c.toString();
    });
    socket.on('error', () => {});
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function withinDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  const timeout = new Promise<T>((_r, reject) => {
    setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms).unref();
  });
  return Promise.race([p, timeout]);
}

describe('web tier guard: connection caps', () => {
  it('refuses the N+1th connection from one address while another address is served', async () => {
    const h = await harness({ maxConnsPerIp: 3, trustedReserve: 0, rateLimit: false });
    const held = [];
    for (let i = 0; i < 3; i++) held.push(await busyConnect(h.port, '127.0.0.1'));
    await until('3 requests in progress', () => h.guard.stats().connections === 3 && h.handled() === 3);
    const extra = await rawConnect(h.port, '127.0.0.1');
    await withinDeadline(extra.closed, 5000, 'refused connection closed');
    assert.match(extra.received(), /^HTTP\/1\.1 503 /);
    assert.match(extra.received(), /retry-after: 1/i);
    assert.equal(h.guard.stats().refusedConnections, 1);
    const other = await get(h.port, '127.0.0.2');
    assert.equal(other.status, 200);
    for (const c of held) c.socket.destroy();
  });

  it('past its graceful refusals, an address over the cap is closed at accept with no answer; other addresses are served', async () => {
    const h = await harness({ maxConnsPerIp: 2, trustedReserve: 0, rateLimit: false });
    const held = [await busyConnect(h.port, '127.0.0.1'), await busyConnect(h.port, '127.0.0.1')];
    await until('2 requests in progress', () => h.guard.stats().connections === 2 && h.handled() === 2);
    // 20 refusals a second get a 503; reconnect until one is closed at accept (at most a few seconds' worth).
    let graceful = 0;
    let silent = 0;
    for (let i = 0; i < 200 && h.guard.stats().refusedAtAccept < 3; i++) {
      const c = await rawConnect(h.port, '127.0.0.1');
      await withinDeadline(c.closed, 5000, 'refused connection closed');
      if (/^HTTP\/1\.1 503 /.test(c.received())) graceful++;
      else {
        assert.equal(c.received(), '', 'a connection closed at accept gets no bytes');
        silent++;
      }
    }
    const s = h.guard.stats();
    assert.equal(s.refusedAtAccept, 3);
    assert.equal(silent, 3);
    assert.equal(s.refusedConnections, graceful + silent);
    assert.ok(graceful >= 20, `the first 20 refusals of a second get a 503 (got ${graceful})`);
    assert.equal(s.connections, 2, 'connections closed at accept never counted as open');
    assert.equal(h.handled(), 2);
    assert.equal((await get(h.port, '127.0.0.2')).status, 200);
    // Once the address is under its cap again it is admitted as before.
    held[0]!.socket.destroy();
    await until('1 connection left', () => h.guard.stats().connections === 1);
    assert.equal((await get(h.port, '127.0.0.1')).status, 200);
    held[1]!.socket.destroy();
  });

  it('admits a logged-in client over the cap (probation) and turns away an anonymous one', async () => {
    const h = await harness({ maxConnsPerIp: 2, trustedReserve: 4, trustedReservePerIp: 4, rateLimit: false });
    const held = [await busyConnect(h.port, '127.0.0.1'), await busyConnect(h.port, '127.0.0.1')];
    await until('2 requests in progress', () => h.guard.stats().connections === 2 && h.handled() === 2);
    const before = h.handled();
    const trusted = await get(h.port, '127.0.0.1', '/x', AUTH);
    assert.equal(trusted.status, 200);
    const anonymous = await get(h.port, '127.0.0.1');
    assert.equal(anonymous.status, 503);
    assert.equal(anonymous.headers.connection, 'close');
    assert.equal(h.handled(), before + 1, 'the anonymous request never reached the handler');
    for (const c of held) c.socket.destroy();
  });

  it('at the cap, a connection idle for over a second gives way to a new one', async () => {
    const h = await harness({ maxConnsPerIp: 2, trustedReserve: 0, rateLimit: false });
    const idle = [await rawConnect(h.port, '127.0.0.1'), await rawConnect(h.port, '127.0.0.1')];
    await until('2 connections admitted', () => h.guard.stats().connections === 2);
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await get(h.port, '127.0.0.1')).status, 200);
    await withinDeadline(idle[0]!.closed, 5000, 'the oldest idle connection closed');
    assert.equal(h.guard.stats().refusedConnections, 0);
    for (const c of idle) c.socket.destroy();
  });

  it('closes the oldest idle connection of an address when it holds too many', async () => {
    const h = await harness({ maxIdlePerIp: 2, rateLimit: false });
    const first = await rawConnect(h.port, '127.0.0.1');
    const second = await rawConnect(h.port, '127.0.0.1');
    await until('2 connections admitted', () => h.guard.stats().connections === 2);
    await new Promise((r) => setTimeout(r, 1100)); // idle connections younger than 1 s are never evicted
    const third = await rawConnect(h.port, '127.0.0.1');
    await withinDeadline(first.closed, 5000, 'oldest idle connection closed');
    assert.equal(h.guard.stats().evictedIdle, 1);
    assert.equal(second.socket.destroyed, false);
    second.socket.destroy();
    third.socket.destroy();
  });
});

describe('web tier guard: timeouts', () => {
  it('closes a slowloris connection (headers never completed) after the header timeout', async () => {
    const h = await harness({ headersTimeoutMs: 300, requestTimeoutMs: 600, timeoutCheckMs: 100, rateLimit: false });
    const slow = await rawConnect(h.port, '127.0.0.1');
    slow.socket.write('GET /x HTTP/1.1\r\nHost: a\r\n');
    const silent = await rawConnect(h.port, '127.0.0.1');
    await withinDeadline(Promise.all([slow.closed, silent.closed]), 10_000, 'slow connections closed');
    assert.match(slow.received(), /^HTTP\/1\.1 408 /);
    assert.equal(h.handled(), 0);
  });
});

describe('web tier guard: request budgets', () => {
  it('answers 429 with Retry-After once an address spends its budget; other addresses are unaffected', async () => {
    const h = await harness({ rateLimit: { max: 3, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) assert.equal((await get(h.port, '127.0.0.1')).status, 200);
    const limited = await get(h.port, '127.0.0.1');
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers['retry-after']) >= 1, `retry-after ${limited.headers['retry-after']}`);
    assert.equal(JSON.parse(limited.body).code, 'CNSDN_RATE_LIMITED');
    assert.equal(limited.headers['content-type'], 'application/problem+json');
    assert.equal((await get(h.port, '127.0.0.2')).status, 200);
  });

  it('a logged-in client keeps its own budget while its address floods', async () => {
    const h = await harness({ rateLimit: { max: 5, windowMs: 60_000 }, trustedRateLimit: { max: 1000, windowMs: 60_000 } });
    const agent = new Agent({ keepAlive: true, maxSockets: 8, localAddress: '127.0.0.1' });
    try {
      const flood = await Promise.all(Array.from({ length: 60 }, () => get(h.port, '127.0.0.1', '/x', {}, agent)));
      assert.ok(flood.filter((a) => a.status === 429).length >= 50);
      const trusted = await Promise.all(Array.from({ length: 30 }, () => get(h.port, '127.0.0.1', '/x', AUTH, agent)));
      assert.deepEqual(new Set(trusted.map((a) => a.status)), new Set([200]));
      const forged = await get(h.port, '127.0.0.1', '/x', { authorization: 'Bearer wrong' });
      assert.equal(forged.status, 429, 'an invalid token spends the anonymous budget');
    } finally {
      agent.destroy();
    }
  });

  it('never limits the probes', async () => {
    const h = await harness({ rateLimit: { max: 1, windowMs: 60_000 } });
    for (let i = 0; i < 5; i++) assert.equal((await get(h.port, '127.0.0.1', '/healthz')).status, 200);
  });

  it('ignores X-Forwarded-For unless the peer is a configured proxy', async () => {
    const direct = await harness({ rateLimit: { max: 2, windowMs: 60_000 } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get(direct.port, '127.0.0.1', '/x', { 'x-forwarded-for': `203.0.113.${i}` })).status);
    assert.deepEqual(statuses, [200, 200, 429, 429]);

    const proxied = await harness({ rateLimit: { max: 2, windowMs: 60_000 }, trustProxy: { cidrs: ['127.0.0.1'] } });
    for (let i = 0; i < 4; i++) assert.equal((await get(proxied.port, '127.0.0.1', '/x', { 'x-forwarded-for': `203.0.113.${i}` })).status, 200);
    assert.equal((await get(proxied.port, '127.0.0.1', '/x', { 'x-forwarded-for': '203.0.113.0' })).status, 200);
    assert.equal((await get(proxied.port, '127.0.0.1', '/x', { 'x-forwarded-for': '203.0.113.0' })).status, 429);
    // Not a configured proxy: its header is ignored and it spends its own budget.
    for (let i = 0; i < 2; i++) assert.equal((await get(proxied.port, '127.0.0.2', '/x', { 'x-forwarded-for': '198.51.100.1' })).status, 200);
    assert.equal((await get(proxied.port, '127.0.0.2', '/x', { 'x-forwarded-for': '198.51.100.2' })).status, 429);
  });
});

function blockLoop(ms: number): void {
  const stop = Date.now() + ms;
  while (Date.now() < stop) {
    // Busy: the event loop lags by ms.
  }
}

describe('web tier guard: load shedding', () => {
  it('answers 503 with Retry-After before the handler when the loop lags, sparing logged-in clients', async () => {
    const h = await harness({ rateLimit: false, shedLagMs: 50, shedLagTrustedMs: 60_000 });
    const agentAnon = new Agent({ keepAlive: true, localAddress: '127.0.0.2' });
    const agentTrusted = new Agent({ keepAlive: true, localAddress: '127.0.0.1' });
    try {
      // Warm connections, so the requests after the block only need the server's attention.
      assert.equal((await get(h.port, '127.0.0.2', '/x', {}, agentAnon)).status, 200);
      assert.equal((await get(h.port, '127.0.0.1', '/x', AUTH, agentTrusted)).status, 200);
      let shed: Answer | undefined;
      let spared: Answer | undefined;
      for (let attempt = 0; attempt < 10 && shed === undefined; attempt++) {
        const before = h.handled();
        // Shedding acts on lag sustained over two 250 ms samples: two long blocks with a turn between.
        blockLoop(400);
        await new Promise((r) => setTimeout(r, 0)); // the overdue sampler runs first in this timers phase
        blockLoop(400);
        const [anon, trusted] = await Promise.all([get(h.port, '127.0.0.2', '/x', {}, agentAnon), get(h.port, '127.0.0.1', '/x', AUTH, agentTrusted)]);
        if (anon.status === 503) {
          shed = anon;
          spared = trusted;
          assert.equal(h.handled(), before + 1, 'only the logged-in request reached the handler');
        }
      }
      assert.ok(shed, 'no request was shed after 10 blocks of 400 ms');
      assert.equal(shed.headers['retry-after'], '1');
      assert.equal(JSON.parse(shed.body).code, 'CNSDN_UNAVAILABLE');
      assert.equal(spared?.status, 200);
      await until('lag back to normal', () => h.guard.lag.sustainedLagMs < 50);
      assert.equal((await get(h.port, '127.0.0.2', '/x', {}, agentAnon)).status, 200);
    } finally {
      agentAnon.destroy();
      agentTrusted.destroy();
    }
  });
});

describe('web tier guard in front of Fastify', () => {
  let app: FastifyInstance | undefined;
  after(async () => {
    await app?.close();
  });

  it('Fastify sees the client address the guard resolved, and body limits hold for every content type', async () => {
    const guard = new WebTierGuard({ shedLagMs: 0, rateLimit: false, trustProxy: { cidrs: ['127.0.0.1'] } });
    let posted = 0;
    app = await buildServer({
      logger: false,
      readiness: [],
      bodyLimit: 1024,
      rateLimit: false,
      guard,
      version: 't',
      routes: [
        async (a) => {
          a.get('/api/ip', async (request) => ({ ip: request.ip }));
          a.post('/api/sink', async () => {
            posted++;
            return { ok: true };
          });
        },
      ],
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const viaProxy = await get(port, '127.0.0.1', '/api/ip', { 'x-forwarded-for': '203.0.113.7' });
    assert.equal(JSON.parse(viaProxy.body).ip, '203.0.113.7');
    const direct = await get(port, '127.0.0.2', '/api/ip', { 'x-forwarded-for': '203.0.113.7' });
    assert.equal(JSON.parse(direct.body).ip, '127.0.0.2');

    const big = 'x'.repeat(4096);
    const types = ['application/json', 'application/yang-data+json', 'text/plain', 'application/octet-stream', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=b', undefined];
    for (const type of types) {
      for (const chunked of [false, true]) {
        const status = await new Promise<number>((resolve, reject) => {
          const headers: Record<string, string> = type ? { 'content-type': type } : {};
          if (!chunked) headers['content-length'] = String(big.length);
          const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/sink', headers, agent: false }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? resolve(-1) : reject(e)));
          req.end(type?.includes('json') ? JSON.stringify({ a: big }) : big);
        });
        assert.ok([413, 415, -1].includes(status), `${type ?? 'no content-type'}${chunked ? ' chunked' : ''}: ${status}`);
      }
    }
    assert.equal(posted, 0, 'no oversized body reached a handler');
  });
});
