import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { GnmiClient } from '../../protocols/gnmi/index.js';
import { runSim } from './cli.js';

const BIN = fileURLToPath(new URL('../../../bin/cnsdn-sim.js', import.meta.url));
const READY = /^gnmi target (\S+) listening on (127\.0\.0\.1:\d+) \((tls|insecure)\)$/;

function listen(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(undefined));
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

const closeAll = (servers: Server[]) => Promise.all(servers.map((s) => new Promise((r) => s.close(r))));

/** A base port whose next `count` ports are free right now. */
async function freeRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    const held: Server[] = [];
    for (let i = 0; i < count; i++) {
      const s = await listen(base + i);
      if (!s) break;
      held.push(s);
    }
    await closeAll(held);
    if (held.length === count) return base;
  }
  throw new Error('no free port range');
}

class Capture {
  text = '';
  private waiters: (() => void)[] = [];
  write(s: string): boolean {
    this.text += s;
    for (const w of this.waiters.splice(0)) w();
    return true;
  }
  lines(): string[] {
    return this.text.split('\n').filter(Boolean);
  }
  async until(pred: (c: Capture) => boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred(this)) {
      if (Date.now() > deadline) throw new Error(`timed out; output so far:\n${this.text}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }
}

describe('cnsdn-sim gnmi (in process)', { timeout: 30_000 }, () => {
  test('prints one ready line per target, serves them, and stops on SIGTERM', async () => {
    const io = { stdout: new Capture(), stderr: new Capture(), signals: new EventEmitter() };
    const run = runSim(['gnmi', '--port', '0', '--count', '2', '--insecure', '--user', 'ops:pw:rw', '--interfaces', 'Ethernet1-2,mgmt0'], io);
    await io.stdout.until((c) => c.lines().length === 2);
    const lines = io.stdout.lines().map((l) => READY.exec(l));
    assert.deepEqual(
      lines.map((m) => [m?.[1], m?.[3]]),
      [
        ['sim1', 'insecure'],
        ['sim2', 'insecure'],
      ],
    );
    const c = await GnmiClient.connect({ address: lines[1]![2], tls: 'insecure', username: 'ops', password: 'pw' });
    try {
      const [n] = await c.get({ paths: ['/interfaces/interface/name'], encoding: 'PROTO' });
      assert.deepEqual(
        n.update.map((u) => u.value),
        ['Ethernet1', 'Ethernet2', 'mgmt0'].map((value) => ({ kind: 'string', value })),
      );
    } finally {
      c.close();
    }
    io.signals.emit('SIGTERM');
    assert.equal(await run, 0);
    assert.equal(io.signals.listenerCount('SIGTERM') + io.signals.listenerCount('SIGINT'), 0);
  });

  test('TLS by default: a temporary CA is announced, and removed on exit', async () => {
    const io = { stdout: new Capture(), stderr: new Capture(), signals: new EventEmitter() };
    const run = runSim(['gnmi', '--port', '0'], io);
    await io.stdout.until((c) => c.lines().length === 1);
    assert.match(io.stdout.lines()[0], /\(tls\)$/);
    const ca = /trust the CA in (\S+)/.exec(io.stderr.text)?.[1];
    assert.ok(ca && existsSync(ca), io.stderr.text);
    const address = READY.exec(io.stdout.lines()[0])![2];
    const c = await GnmiClient.connect({ address, tls: { ca }, timeoutMs: 5000 });
    await c.capabilities();
    c.close();
    io.signals.emit('SIGINT');
    assert.equal(await run, 0);
    assert.equal(existsSync(ca), false);
  });

  test('rejects bad arguments with a message and a non-zero code', async () => {
    for (const args of [
      ['gnmi', '--user', 'nobody'],
      ['gnmi', '--insecure', '--tls-dir', '/tmp/x'],
      ['gnmi', '--port', '70000'],
      ['gnmi', '--interfaces', 'Ethernet5-1'],
    ]) {
      const io = { stdout: new Capture(), stderr: new Capture(), signals: new EventEmitter() };
      assert.notEqual(await runSim(args, io), 0, args.join(' '));
      assert.ok(io.stderr.text.length > 0, args.join(' '));
    }
  });
});

describe('cnsdn-sim gnmi (spawned)', { timeout: 60_000 }, () => {
  test('three targets: three ready lines, exit 0 on SIGTERM', async () => {
    const port = await freeRange(3);
    const child = spawn(process.execPath, [BIN, 'gnmi', '--port', String(port), '--count', '3', '--insecure', '--interfaces', 'Ethernet1-4'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = new Capture();
    const err = new Capture();
    child.stdout.on('data', (d: Buffer) => out.write(d.toString()));
    child.stderr.on('data', (d: Buffer) => err.write(d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await out.until((c) => c.lines().length >= 3, 30_000);
      assert.deepEqual(out.lines(), [0, 1, 2].map((i) => `gnmi target sim${i + 1} listening on 127.0.0.1:${port + i} (insecure)`));
      const started = Date.now();
      child.kill('SIGTERM');
      assert.equal(await exited, 0, err.text);
      assert.ok(Date.now() - started < 5000, 'stops within 5 s');
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a port in use is named, with a hint, and the exit code is 1', async () => {
    const port = await freeRange(2);
    const blocker = (await listen(port + 1))!;
    try {
      const child = spawn(process.execPath, [BIN, 'gnmi', '--port', String(port), '--count', '2', '--insecure'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const err = new Capture();
      child.stderr.on('data', (d: Buffer) => err.write(d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(code, 1);
      assert.match(err.text, new RegExp(`port ${port + 1} .*in use.*--port`));
      assert.doesNotMatch(err.text, /No address added/, 'no raw grpc-js log line');
    } finally {
      await closeAll([blocker]);
    }
  });
});
