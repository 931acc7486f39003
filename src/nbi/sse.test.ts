import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Bus, BusEvent, BusSubscription, SubscribeOptions } from '../bus/api.js';
import { openBus } from '../bus/index.js';
import type { EntityKind } from '../store/api.js';
import { buildServer } from './server.js';
import type { SseOptions } from './sse.js';

/** The real in-process bus, counting live subscriptions so tests can see unsubscribes. */
async function countingBus(): Promise<{ bus: Bus; live: () => number }> {
  const inner = await openBus({ url: 'inprocess' });
  let live = 0;
  const bus: Bus = {
    backend: inner.backend,
    publish: (events) => inner.publish(events),
    lastSeq: () => inner.lastSeq(),
    ping: () => inner.ping(),
    close: () => inner.close(),
    async subscribe(handler, options?: SubscribeOptions): Promise<BusSubscription> {
      const sub = await inner.subscribe(handler, options);
      live++;
      let done = false;
      return {
        async unsubscribe() {
          if (!done) {
            done = true;
            live--;
          }
          await sub.unsubscribe();
        },
      };
    },
  };
  return { bus, live: () => live };
}

function ev(kind: EntityKind, uuid: string, revision = 1): BusEvent {
  return { kind, uuid, name: uuid, parent: null, op: 'CREATE', revision, ts: Date.now() };
}

interface Frame {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** A minimal SSE client over node:http that records parsed frames. */
function connect(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ res: http.IncomingMessage; frames: Frame[]; next: (n: number, timeoutMs?: number) => Promise<Frame[]>; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const frames: Frame[] = [];
      const waiters: (() => void)[] = [];
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let cut = buf.indexOf('\n\n');
        while (cut >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const frame: Frame = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) frame.comment = line.slice(1).trim();
            else {
              const i = line.indexOf(':');
              const field = line.slice(0, i);
              const value = line.slice(i + 1).replace(/^ /, '');
              if (field === 'id' || field === 'event' || field === 'data') frame[field] = value;
            }
          }
          frames.push(frame);
          cut = buf.indexOf('\n\n');
        }
        for (const w of waiters.splice(0)) w();
      });
      res.on('error', () => {});
      const events = () => frames.filter((f) => f.event !== undefined);
      const next = async (n: number, timeoutMs = 3000): Promise<Frame[]> => {
        const until = Date.now() + timeoutMs;
        while (events().length < n) {
          const left = until - Date.now();
          if (left <= 0) throw new Error(`timed out waiting for ${n} events, got ${JSON.stringify(frames)}`);
          await new Promise<void>((r) => {
            const t = setTimeout(r, left);
            waiters.push(() => {
              clearTimeout(t);
              r();
            });
          });
        }
        return events().slice(0, n);
      };
      resolve({ res, frames, next, close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

async function waitFor(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('GET /api/events', () => {
  let app: FastifyInstance;
  let bus: Bus;
  let live: () => number;
  let port: number;

  async function start(sse: Omit<SseOptions, 'bus'> = {}, adminToken?: string): Promise<void> {
    ({ bus, live } = await countingBus());
    app = await buildServer({ logger: false, readiness: [], routes: [], bus, sse, rateLimit: false, version: 't', adminToken });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as net.AddressInfo).port;
  }

  beforeEach(() => {
    live = () => 0;
  });
  afterEach(async () => {
    await app.close();
    await bus.close();
  });

  it('streams events as id/event/data frames with SSE headers', async () => {
    await start();
    const c = await connect(port, '/api/events');
    assert.equal(c.res.statusCode, 200);
    assert.match(String(c.res.headers['content-type']), /^text\/event-stream/);
    assert.equal(c.res.headers['cache-control'], 'no-cache, no-transform');
    assert.ok(c.res.headers['x-request-id']);
    await waitFor(() => live() === 1);
    await bus.publish([ev('device', 'R1'), ev('link', 'L1')]);
    const [a, b] = await c.next(2);
    assert.equal(a.id, '1');
    assert.equal(a.event, 'device');
    const data = JSON.parse(a.data!) as Record<string, unknown>;
    assert.equal(data.uuid, 'R1');
    assert.equal(data.seq, 1);
    assert.equal(data.op, 'CREATE');
    assert.equal(b.id, '2');
    assert.equal(b.event, 'link');
    c.close();
  });

  it('resumes after Last-Event-ID, which wins over ?from', async () => {
    await start();
    await bus.publish([ev('device', 'R1'), ev('device', 'R2'), ev('device', 'R3')]);
    const c = await connect(port, '/api/events?from=1', { 'last-event-id': '1' });
    const got = await c.next(2);
    assert.deepEqual(
      got.map((f) => f.id),
      ['2', '3'],
    );
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(c.frames.filter((f) => f.event).length, 2, 'nothing before Last-Event-ID + 1');
    c.close();
  });

  it('resumes from ?from=<seq> inclusive', async () => {
    await start();
    await bus.publish([ev('device', 'R1'), ev('device', 'R2'), ev('device', 'R3')]);
    const c = await connect(port, '/api/events?from=3');
    const [only] = await c.next(1);
    assert.equal(only.id, '3');
    await bus.publish([ev('device', 'R4')]);
    const got = await c.next(2);
    assert.equal(got[1].id, '4');
    c.close();
  });

  it('filters by ?kinds=', async () => {
    await start();
    const c = await connect(port, '/api/events?kinds=device,link&from=0');
    await bus.publish([ev('service', 'S1'), ev('device', 'R1'), ev('context', 'C1'), ev('link', 'L1'), ev('slice', 'X')]);
    const got = await c.next(2);
    assert.deepEqual(
      got.map((f) => `${f.id}:${f.event}`),
      ['2:device', '4:link'],
    );
    c.close();
  });

  it('rejects unknown kinds and bad Last-Event-ID with 400 VALIDATION_FAILED', async () => {
    await start();
    const bad = await app.inject({ method: 'GET', url: '/api/events?kinds=device,router' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'CNSDN_VALIDATION_FAILED');
    assert.match(bad.json().detail, /router/);
    const badId = await app.inject({ method: 'GET', url: '/api/events', headers: { 'last-event-id': 'abc' } });
    assert.equal(badId.statusCode, 400);
    const badFrom = await app.inject({ method: 'GET', url: '/api/events?from=-2' });
    assert.equal(badFrom.statusCode, 400);
    assert.equal(live(), 0);
  });

  it('unsubscribes when the client disconnects', async () => {
    await start();
    const c = await connect(port, '/api/events');
    await waitFor(() => live() === 1);
    c.close();
    await waitFor(() => live() === 0);
    await bus.publish([ev('device', 'R1')]);
  });

  it('caps concurrent streams with 503 UNAVAILABLE', async () => {
    await start({ maxClients: 1 });
    const c1 = await connect(port, '/api/events');
    const c2 = await connect(port, '/api/events');
    assert.equal(c2.res.statusCode, 503);
    assert.ok(c2.res.headers['retry-after']);
    c1.close();
    await waitFor(() => live() === 0);
    const c3 = await connect(port, '/api/events');
    assert.equal(c3.res.statusCode, 200);
    c3.close();
  });

  it('sends heartbeat comments', async () => {
    await start({ heartbeatMs: 30 });
    const c = await connect(port, '/api/events');
    await waitFor(() => c.frames.some((f) => f.comment === 'heartbeat'));
    c.close();
  });

  it('requires the token like the rest of /api', async () => {
    await start({}, 'tok');
    const res = await app.inject({ method: 'GET', url: '/api/events' });
    assert.equal(res.statusCode, 401);
    const c = await connect(port, '/api/events', { authorization: 'Bearer tok' });
    assert.equal(c.res.statusCode, 200);
    c.close();
  });

  it('app.close() ends open streams instead of hanging', async () => {
    await start();
    const c = await connect(port, '/api/events');
    const ended = new Promise<void>((r) => c.res.on('close', () => r()));
    await waitFor(() => live() === 1);
    await app.close();
    await ended;
    assert.equal(live(), 0);
  });

  it('drops a client that stops reading with a final overflow event, without growing memory', async () => {
    await start({ maxBufferedEvents: 50 });
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      received += d;
    });
    socket.write('GET /api/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n');
    await waitFor(() => received.includes('connected'));
    socket.pause();
    // Enough data to fill the kernel's socket buffers so writes start to back up.
    const big = 'x'.repeat(2000);
    for (let round = 0; round < 40 && live() > 0; round++) {
      await bus.publish(Array.from({ length: 500 }, (_, i) => ({ ...ev('device', `${big}-${round}-${i}`) })));
      await new Promise((r) => setTimeout(r, 20));
    }
    await waitFor(() => live() === 0, 5000);
    socket.resume();
    await waitFor(() => /event: overflow\ndata: .*\n\n/.test(received), 5000);
    socket.destroy();
    assert.match(received, /event: overflow\ndata: \{"lastSeq":\d+\}/);
    const lastSeq = Number(/"lastSeq":(\d+)/.exec(received)![1]);
    const ids = [...received.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    assert.equal(ids[ids.length - 1], lastSeq, 'lastSeq names the last event written to the client');
  });
});
