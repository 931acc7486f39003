import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { CnsdnError } from '../common/errors.js';
import { captureLogger, collector, makeEvent, runBusContract } from './bus.contract.js';
import { type NatsBus, openBus, parseNatsUrls } from './index.js';
import { messageId, subjectToken } from './nats.js';

const url = process.env.CNSDN_TEST_NATS_URL || 'nats://127.0.0.1:4222';
const run = `${process.pid}_${Date.now().toString(36)}`;
const stream = `CNSDN_TEST_${run}`;
const subjectPrefix = `cnsdntest.${run}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function reachable(u: string): Promise<boolean> {
  const { hostname, port } = new URL(parseNatsUrls(u)[0]);
  return new Promise((resolve) => {
    const s = createConnection({ host: hostname, port: Number(port || 4222), timeout: 2000 });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

async function deleteStreams(u: string, names: string[]): Promise<void> {
  const nc = await connect({ servers: parseNatsUrls(u) });
  const jsm = await jetstreamManager(nc);
  for (const name of names) await jsm.streams.delete(name).catch(() => {});
  await nc.close();
}

const up = await reachable(url);
const skip = up ? false : `NATS not reachable at ${url} (set CNSDN_TEST_NATS_URL or start nats-server -js)`;
if (!up && process.env.CI === 'true') {
  test('NATS is reachable (required when CI=true)', () => assert.fail(`NATS not reachable at ${url}`));
}

if (up) {
  after(() => deleteStreams(url, [stream]));
  runBusContract('nats', (runtime) => openBus({ url, stream, subjectPrefix, retryBudgetMs: 10_000, ...runtime }), { durable: true });
}

describe('NATS JetStream bus', { skip }, () => {
  const open = () => openBus({ url, stream, subjectPrefix, logger: captureLogger(), retryBudgetMs: 10_000 }) as Promise<NatsBus>;

  test('a publish repeated with the same message id is stored once', { timeout: 10_000 }, async () => {
    const bus = await open();
    try {
      const before = await bus.lastSeq();
      const e = makeEvent(randomUUID(), 4);
      await bus.publish([e]);
      await bus.publish([e]);
      await bus.publish([{ ...e }, { ...e }]);
      assert.equal(await bus.lastSeq(), before + 1);
      const got = await bus.jsm.streams.getMessage(stream, { seq: before + 1 });
      assert.equal(got?.header.get('Nats-Msg-Id'), messageId(e));
      assert.equal(got?.subject, `${subjectPrefix}.device.${e.uuid}`);
    } finally {
      await bus.close();
    }
  });

  test('the stream is durable, deduplicating and age-limited', { timeout: 10_000 }, async () => {
    const bus = await open();
    try {
      const { config } = await bus.jsm.streams.info(stream);
      assert.equal(config.storage, 'file');
      assert.deepEqual(config.subjects, [`${subjectPrefix}.>`]);
      assert.equal(config.duplicate_window, 2 * 60 * 1e9);
      assert.equal(config.max_age, 7 * 24 * 3600 * 1e9);
    } finally {
      await bus.close();
    }
  });

  test('opening updates a stream created with other limits, and twice is harmless', { timeout: 10_000 }, async () => {
    const name = `${stream}_UPD`;
    const prefix = `cnsdntestupd.${run}`;
    const nc = await connect({ servers: parseNatsUrls(url) });
    const jsm = await jetstreamManager(nc);
    try {
      await jsm.streams.add({ name, subjects: [`${prefix}.>`], max_age: 60 * 1e9 });
      await jsm.streams.update(name, { duplicate_window: 10 * 1e9 });
      const a = await openBus({ url, stream: name, subjectPrefix: prefix, logger: captureLogger(), maxAgeMs: 3_600_000 });
      const b = await openBus({ url, stream: name, subjectPrefix: prefix, logger: captureLogger(), maxAgeMs: 3_600_000 });
      await a.publish([makeEvent('x', 1)]);
      assert.equal(await b.lastSeq(), 1);
      const { config } = await jsm.streams.info(name);
      assert.equal(config.max_age, 3600 * 1e9);
      assert.equal(config.duplicate_window, 120 * 1e9);
      await Promise.all([a.close(), b.close()]);
    } finally {
      await jsm.streams.delete(name).catch(() => {});
      await nc.close();
    }
  });

  test('publishes 10,000 events with pipelined acks in well under 2 s', { timeout: 20_000 }, async () => {
    const bus = await open();
    try {
      const before = await bus.lastSeq();
      const events = Array.from({ length: 10_000 }, (_, i) => makeEvent(`perf-${i % 50}`, i + 1));
      const t0 = performance.now();
      await bus.publish(events);
      const ms = performance.now() - t0;
      assert.equal(await bus.lastSeq(), before + 10_000);
      assert.ok(ms < 2000, `10,000 events took ${ms.toFixed(0)} ms`);
      console.log(`# nats publish 10,000 events: ${ms.toFixed(0)} ms`);
    } finally {
      await bus.close();
    }
  });

  test('subject tokens: plain uuids as they are, anything else encoded without collisions', () => {
    assert.equal(subjectToken('0b5a7c1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b'), '0b5a7c1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b');
    const odd = ['a.b', 'a*', '>', 'a b', '~YS5i', 'é'];
    const tokens = odd.map(subjectToken);
    for (const t of tokens) assert.match(t, /^~[A-Za-z0-9_-]+$/);
    assert.equal(new Set(tokens).size, odd.length);
  });

  test('URL lists become a servers array; bad URLs are refused', () => {
    assert.deepEqual(parseNatsUrls('nats://a:4222, nats://b:4223'), ['nats://a:4222', 'nats://b:4223']);
    assert.throws(() => parseNatsUrls('http://a:4222'), CnsdnError);
    assert.throws(() => parseNatsUrls(' , '), CnsdnError);
  });

  test('an unreachable server gives UNAVAILABLE within the retry budget', { timeout: 10_000 }, async () => {
    const port = await freePort();
    const t0 = Date.now();
    await assert.rejects(
      openBus({ url: `nats://127.0.0.1:${port}`, stream, subjectPrefix, retryBudgetMs: 1500, logger: captureLogger() }),
      (err: unknown) => err instanceof CnsdnError && err.code === 'UNAVAILABLE',
    );
    assert.ok(Date.now() - t0 < 5000);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const natsServerBinary = '/usr/sbin/nats-server';

describe('NATS bus across a server restart', { skip: skip || (!(await exists(natsServerBinary)) && 'nats-server binary not installed') }, () => {
  async function startServer(port: number, dir: string): Promise<ChildProcess> {
    const child = spawn(natsServerBinary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (await reachable(`nats://127.0.0.1:${port}`)) return child;
      await sleep(50);
    }
    child.kill('SIGKILL');
    throw new Error('nats-server did not start');
  }
  async function stopServer(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  test('publish fails with UNAVAILABLE while the server is down, then publish and delivery resume', { timeout: 40_000 }, async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'cnsdn-nats-'));
    let server = await startServer(port, dir);
    const log = captureLogger();
    const bus = await openBus({ url: `nats://127.0.0.1:${port}`, stream: 'RESTART', subjectPrefix: 'restart', retryBudgetMs: 2000, logger: log });
    try {
      const c = collector();
      await bus.subscribe(c.handler);
      await bus.publish([makeEvent('r', 1)]);
      await c.waitFor(1);

      await stopServer(server);
      const second = makeEvent('r', 2);
      await assert.rejects(bus.publish([second]), (err: unknown) => err instanceof CnsdnError && err.code === 'UNAVAILABLE');
      assert.equal(await bus.ping(), false);

      server = await startServer(port, dir);
      const deadline = Date.now() + 15_000;
      while (!(await bus.ping()) && Date.now() < deadline) await sleep(200);
      assert.equal(await bus.ping(), true);
      // The failed publish may still reach the server from the client's reconnect buffer:
      // the caller retries the same event, and the message id keeps it from being stored twice.
      await bus.publish([second, makeEvent('r', 3)]);
      await c.waitFor(3, 20_000);
      assert.deepEqual(
        c.events.map((e) => e.revision),
        [1, 2, 3],
      );
      assert.deepEqual(
        c.events.map((e) => e.seq),
        [1, 2, 3],
      );
    } finally {
      await bus.close();
      await stopServer(server);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function exists(path: string): Promise<boolean> {
  const { access } = await import('node:fs/promises');
  return access(path).then(
    () => true,
    () => false,
  );
}
