import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { GnmiClient } from './client.js';
import { GnmiError } from './errors.js';
import { MemoryTarget } from './memory-target.js';
import { parsePath, pathToString } from './path.js';
import { type GnmiServer, startGnmiServer } from './server.js';
import type { GnmiNotification, GnmiUpdate } from './target.js';
import { notificationsToLeaves } from './tree.js';

const leaf = (path: string, value: GnmiUpdate['value']): GnmiUpdate => ({ path: parsePath(path), value });
const uint = (v: bigint | number) => ({ kind: 'uint', value: BigInt(v) }) as const;

function makeTarget(): MemoryTarget {
  const t = new MemoryTarget({
    users: [
      { username: 'admin', password: 'secret', role: 'rw' },
      { username: 'viewer', password: 'view', role: 'ro' },
    ],
    models: [{ name: 'openconfig-interfaces', organization: 'OpenConfig working group', version: '3.0.0' }],
    validate: (path, value) => (path.elem.at(-1)?.name === 'mtu' && value.kind === 'uint' && value.value > 9216n ? 'mtu above 9216' : undefined),
  });
  for (const name of ['eth0', 'Ethernet1/1']) {
    t.put([
      leaf(`/interfaces/interface[name=${name}]/config/name`, { kind: 'string', value: name }),
      leaf(`/interfaces/interface[name=${name}]/config/mtu`, uint(1500)),
      leaf(`/interfaces/interface[name=${name}]/state/oper-status`, { kind: 'string', value: 'UP' }),
      leaf(`/interfaces/interface[name=${name}]/state/counters/in-octets`, uint(2n ** 64n - 1n)),
      leaf(`/interfaces/interface[name=${name}]/state/counters/out-octets`, uint(0)),
    ]);
  }
  return t;
}

const leavesOf = (ns: GnmiNotification[]) => notificationsToLeaves(ns);

describe('gNMI client ↔ server (plaintext loopback)', { timeout: 30_000 }, () => {
  let target: MemoryTarget;
  let server: GnmiServer;
  let client: GnmiClient;

  before(async () => {
    target = makeTarget();
    server = await startGnmiServer({ port: 0, target, tls: 'insecure', defaultSampleIntervalMs: 100 });
    client = await GnmiClient.connect({ address: `127.0.0.1:${server.port}`, tls: 'insecure', username: 'admin', password: 'secret', timeoutMs: 3000 });
  });
  after(async () => {
    client.close();
    await server.close();
  });

  it('Capabilities', async () => {
    const caps = await client.capabilities();
    assert.equal(caps.gnmiVersion, '0.10.0');
    assert.deepEqual(caps.encodings, ['JSON', 'JSON_IETF', 'PROTO', 'ASCII']);
    assert.equal(caps.models[0].name, 'openconfig-interfaces');
  });

  it('Get JSON_IETF returns a tree; PROTO one scalar per leaf; ASCII text', async () => {
    const [n] = await client.get({ paths: ['/interfaces/interface[name=Ethernet1/1]/config'], encoding: 'JSON_IETF' });
    assert.equal(n.update[0].value.kind, 'json_ietf');
    assert.deepEqual(n.update[0].value.value, { name: 'Ethernet1/1', mtu: '1500' });
    const proto = await client.get({ prefix: '/interfaces', paths: ['/interface[name=eth0]/state/counters'], encoding: 'PROTO' });
    const m = leavesOf(proto);
    assert.equal(m.get('/interfaces/interface[name=eth0]/state/counters/in-octets'), 2n ** 64n - 1n);
    assert.equal(m.size, 2);
    const ascii = await client.get({ paths: ['/interfaces/interface[name=eth0]/config/mtu'], encoding: 'ASCII' });
    assert.deepEqual(ascii[0].update[0].value, { kind: 'ascii', value: '1500' });
  });

  it('Get filters by data type and reports unknown paths as NOT_FOUND', async () => {
    const config = leavesOf(await client.get({ paths: ['/interfaces'], type: 'CONFIG', encoding: 'PROTO' }));
    assert.ok([...config.keys()].every((k) => k.includes('/config/')));
    assert.equal(config.size, 4);
    await assert.rejects(client.get({ paths: ['/nope'] }), (e: GnmiError) => e instanceof GnmiError && e.code === 'NOT_FOUND');
    await assert.rejects(client.get({ paths: ['/interfaces'], encoding: 'BYTES' }), (e: GnmiError) => e.code === 'UNIMPLEMENTED');
  });

  it('Set applies delete, replace and update as one transaction', async () => {
    const res = await client.set({
      prefix: '/interfaces',
      delete: ['/interface[name=eth0]/state/oper-status'],
      replace: [{ path: '/interface[name=eth9]/config', value: { kind: 'json_ietf', value: { name: 'eth9', mtu: 9000 } } }],
      update: [{ path: '/interface[name=eth0]/config/mtu', value: uint(9100) }],
    });
    assert.ok(res.timestamp > 0n);
    assert.deepEqual(res.results.map((r) => `${r.op} ${pathToString(r.path)}`), [
      'DELETE /interface[name=eth0]/state/oper-status',
      'REPLACE /interface[name=eth9]/config',
      'UPDATE /interface[name=eth0]/config/mtu',
    ]);
    const m = leavesOf(await client.get({ paths: ['/interfaces'], encoding: 'PROTO' }));
    assert.equal(m.get('/interfaces/interface[name=eth0]/config/mtu'), 9100n);
    assert.equal(m.get('/interfaces/interface[name=eth9]/config/mtu'), 9000n);
    assert.equal(m.has('/interfaces/interface[name=eth0]/state/oper-status'), false);
  });

  it('Set is all-or-nothing: one bad value rejects the whole request', async () => {
    await assert.rejects(
      client.set({
        update: [
          { path: '/interfaces/interface[name=eth0]/config/mtu', value: uint(1400) },
          { path: '/interfaces/interface[name=Ethernet1/1]/config/mtu', value: uint(10000) },
        ],
        delete: ['/interfaces/interface[name=eth9]'],
      }),
      (e: GnmiError) => e.code === 'INVALID_ARGUMENT' && /mtu above 9216/.test(e.message),
    );
    const m = leavesOf(await client.get({ paths: ['/interfaces'], encoding: 'PROTO' }));
    assert.equal(m.get('/interfaces/interface[name=eth0]/config/mtu'), 9100n);
    assert.equal(m.get('/interfaces/interface[name=eth9]/config/mtu'), 9000n);
  });

  it('read-only users get PERMISSION_DENIED on Set, bad passwords UNAUTHENTICATED', async () => {
    const ro = await GnmiClient.connect({ address: `127.0.0.1:${server.port}`, tls: 'insecure', username: 'viewer', password: 'view' });
    const bad = await GnmiClient.connect({ address: `127.0.0.1:${server.port}`, tls: 'insecure', username: 'admin', password: 'wrong' });
    try {
      assert.equal((await ro.get({ paths: ['/interfaces/interface[name=eth0]/config/mtu'] })).length, 1);
      await assert.rejects(ro.set({ update: [{ path: '/interfaces/interface[name=eth0]/config/mtu', value: uint(1) }] }), (e: GnmiError) => e.code === 'PERMISSION_DENIED');
      await assert.rejects(bad.capabilities(), (e: GnmiError) => e.code === 'UNAUTHENTICATED');
      const sub = bad.subscribe({ mode: 'ONCE', subscriptions: [{ path: '/interfaces' }] });
      await assert.rejects(sub.synced, (e: GnmiError) => e.code === 'UNAUTHENTICATED');
    } finally {
      ro.close();
      bad.close();
    }
  });

  it('Subscribe ONCE: updates, sync_response, then the stream ends', async () => {
    const sub = client.subscribe({ mode: 'ONCE', encoding: 'PROTO', subscriptions: [{ path: '/interfaces/interface[name=eth0]/state/counters' }] });
    const got: GnmiNotification[] = [];
    for await (const n of sub) got.push(n);
    await sub.synced;
    await sub.done;
    assert.equal(sub.syncCount, 1);
    assert.equal(got.length, 1, 'one notification for the counters container');
    assert.equal(pathToString(got[0].prefix), '/interfaces/interface[name=eth0]/state/counters');
    assert.deepEqual(got[0].update.map((u) => pathToString(u.path)), ['/in-octets', '/out-octets']);
  });

  it('Subscribe STREAM SAMPLE: initial values, sync, then a sample per interval', async () => {
    const sub = client.subscribe({
      encoding: 'PROTO',
      subscriptions: [{ path: '/interfaces/interface[name=eth0]/state/counters', mode: 'SAMPLE', sampleIntervalNs: 50_000_000 }],
    });
    const times: number[] = [];
    let beforeSync = 0;
    sub.on('notification', () => {
      if (sub.syncCount === 0) beforeSync++;
      else times.push(Date.now());
    });
    await sub.synced;
    assert.equal(beforeSync, 1);
    await sleep(400);
    sub.cancel();
    assert.ok(times.length >= 4 && times.length <= 10, `samples in 400 ms at 50 ms: ${times.length}`);
  });

  it('Subscribe STREAM ON_CHANGE: only changes under the path, deletes included', async () => {
    const sub = client.subscribe({ encoding: 'PROTO', subscriptions: [{ path: '/interfaces/interface[name=eth0]/config', mode: 'ON_CHANGE' }] });
    const got: GnmiNotification[] = [];
    sub.on('notification', (n: GnmiNotification) => got.push(n));
    await sub.synced;
    const initial = got.length;
    assert.ok(initial >= 1);
    target.put([leaf('/interfaces/interface[name=Ethernet1/1]/config/mtu', uint(1234))]);
    target.put([leaf('/interfaces/interface[name=eth0]/config/mtu', uint(4321))]);
    await client.set({ delete: ['/interfaces/interface[name=eth0]/config/name'] });
    await sleep(200);
    sub.cancel();
    const changes = got.slice(initial);
    assert.equal(changes.length, 2, JSON.stringify(changes, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
    assert.deepEqual(leavesOf([changes[0]]), new Map([['/interfaces/interface[name=eth0]/config/mtu', 4321n]]));
    assert.deepEqual(changes[1].delete.map(pathToString), ['/interfaces/interface[name=eth0]/config/name']);
  });

  it('TARGET_DEFINED samples counters and reports other leaves on change', async () => {
    const sub = client.subscribe({
      encoding: 'PROTO',
      subscriptions: [{ path: '/interfaces/interface[name=eth0]/state/counters' }, { path: '/interfaces/interface[name=eth0]/state/oper-status' }],
    });
    const seen: string[] = [];
    sub.on('notification', (n: GnmiNotification) => {
      if (sub.syncCount > 0) for (const k of leavesOf([n]).keys()) seen.push(k);
    });
    await sub.synced;
    // Two samples at the 100 ms default; the deadline only bounds a loaded machine's delay.
    const deadline = Date.now() + 10_000;
    while (seen.filter((k) => k.endsWith('/in-octets')).length < 2 && Date.now() < deadline) await sleep(50);
    sub.cancel();
    assert.ok(seen.filter((k) => k.endsWith('/in-octets')).length >= 2, 'counters sampled at the 100 ms default');
    assert.equal(seen.filter((k) => k.endsWith('/oper-status')).length, 0, 'unchanged state not resent');
  });

  it('suppress_redundant sends only changes; heartbeat_interval resends everything', async () => {
    const path = '/interfaces/interface[name=Ethernet1/1]/state/counters';
    const sub = client.subscribe({
      encoding: 'PROTO',
      subscriptions: [{ path, mode: 'SAMPLE', sampleIntervalNs: 20_000_000, suppressRedundant: true, heartbeatIntervalNs: 300_000_000 }],
    });
    const after: { t: number; keys: string[] }[] = [];
    const t0 = Date.now();
    sub.on('notification', (n: GnmiNotification) => {
      if (sub.syncCount > 0) after.push({ t: Date.now() - t0, keys: [...leavesOf([n]).keys()] });
    });
    await sub.synced;
    await sleep(150);
    assert.equal(after.length, 0, 'nothing changed, nothing sent');
    target.put([leaf(`${path}/out-octets`, uint(77))]);
    await sleep(100);
    assert.equal(after.length, 1);
    assert.deepEqual(after[0].keys, ['/interfaces/interface[name=Ethernet1/1]/state/counters/out-octets']);
    await sleep(250);
    sub.cancel();
    assert.ok(after.some((a) => a.keys.length === 2), 'heartbeat resent both counters');
  });

  it('ON_CHANGE heartbeat_interval resends unchanged values', async () => {
    const sub = client.subscribe({
      encoding: 'PROTO',
      subscriptions: [{ path: '/interfaces/interface[name=Ethernet1/1]/state/oper-status', mode: 'ON_CHANGE', heartbeatIntervalNs: 60_000_000 }],
    });
    let count = 0;
    sub.on('notification', () => {
      if (sub.syncCount > 0) count++;
    });
    await sub.synced;
    await sleep(300);
    sub.cancel();
    assert.ok(count >= 3, `heartbeats: ${count}`);
  });

  it('updates_only: sync_response first, then only changes', async () => {
    const sub = client.subscribe({
      encoding: 'PROTO',
      updatesOnly: true,
      subscriptions: [{ path: '/interfaces/interface[name=eth0]/config/mtu', mode: 'ON_CHANGE' }],
    });
    const got: GnmiNotification[] = [];
    sub.on('notification', (n: GnmiNotification) => got.push(n));
    await sub.synced;
    assert.equal(got.length, 0);
    target.put([leaf('/interfaces/interface[name=eth0]/config/mtu', uint(2000))]);
    await sleep(100);
    sub.cancel();
    assert.equal(got.length, 1);
  });

  it('POLL: initial values and sync, then current values on each poll', async () => {
    const sub = client.subscribe({ mode: 'POLL', encoding: 'PROTO', subscriptions: [{ path: '/interfaces/interface[name=eth0]/config/mtu' }] });
    await sub.synced;
    target.put([leaf('/interfaces/interface[name=eth0]/config/mtu', uint(3000))]);
    const first = await sub.poll();
    assert.deepEqual([...leavesOf(first).values()], [3000n]);
    target.put([leaf('/interfaces/interface[name=eth0]/config/mtu', uint(3001))]);
    const second = await sub.poll();
    assert.deepEqual([...leavesOf(second).values()], [3001n]);
    assert.equal(sub.syncCount, 3);
    sub.cancel();
    await sub.done;
  });

  it('cancel stops the server side (listeners and timers released)', async () => {
    const base = target.listenerCount;
    const sub = client.subscribe({ subscriptions: [{ path: '/interfaces', mode: 'ON_CHANGE' }] });
    await sub.synced;
    assert.equal(target.listenerCount, base + 1);
    sub.cancel();
    const deadline = Date.now() + 2000;
    while (target.listenerCount !== base && Date.now() < deadline) await sleep(10);
    assert.equal(target.listenerCount, base);
  });

  it('rejects a Subscribe on an unknown path, and a poll outside POLL mode', async () => {
    const sub = client.subscribe({ mode: 'ONCE', subscriptions: [{ path: '/does/not/exist' }] });
    await assert.rejects(sub.synced, (e: GnmiError) => e.code === 'NOT_FOUND');
    const stream = client.subscribe({ subscriptions: [{ path: '/interfaces', mode: 'ON_CHANGE' }] });
    await stream.synced;
    await assert.rejects(stream.poll(), (e: GnmiError) => e.code === 'INVALID_ARGUMENT');
  });

  it('unary deadlines surface as DEADLINE_EXCEEDED', async () => {
    const slow = new MemoryTarget();
    const origGet = slow.get.bind(slow);
    slow.get = (...args) => {
      const until = Date.now() + 300;
      while (Date.now() < until) {}
      return origGet(...args);
    };
    const s2 = await startGnmiServer({ port: 0, target: slow, tls: 'insecure' });
    const c2 = await GnmiClient.connect({ address: `127.0.0.1:${s2.port}`, tls: 'insecure', timeoutMs: 100 });
    try {
      await assert.rejects(c2.get({ paths: ['/'] }), (e: GnmiError) => e.code === 'DEADLINE_EXCEEDED');
    } finally {
      c2.close();
      await s2.close();
    }
  });
});
