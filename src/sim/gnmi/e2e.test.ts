import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GnmiClient, type GnmiClientOptions, GnmiError, type GnmiNotification } from '../../protocols/gnmi/index.js';
import { type GnmiSim, startGnmiSim } from './run.js';
import { parseUser } from './users.js';

const E1 = '/interfaces/interface[name=Ethernet1]';

async function expectCode(p: Promise<unknown>, code: string, fragment?: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof GnmiError, String(err));
    assert.equal(err.code, code, err.message);
    if (fragment) assert.ok(err.message.includes(fragment), `"${err.message}" should mention ${fragment}`);
    return true;
  });
}

const uintOf = (n: GnmiNotification, leaf: string): bigint | undefined => {
  const u = n.update.find((x) => x.path.elem.at(-1)?.name === leaf);
  return u?.value.kind === 'uint' ? u.value.value : undefined;
};

describe('simulated targets over gRPC with TLS', { timeout: 60_000 }, () => {
  let dir: string;
  let sim: GnmiSim;
  const clients: GnmiClient[] = [];
  const connect = async (t: number, user: string, password: string, extra: Partial<GnmiClientOptions> = {}) => {
    const c = await GnmiClient.connect({
      address: sim.targets[t].address,
      tls: { ca: sim.pki!.caCert },
      username: user,
      password,
      timeoutMs: 5000,
      ...extra,
    });
    clients.push(c);
    return c;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cnsdn-sim-e2e-'));
    sim = await startGnmiSim({
      port: 0,
      count: 2,
      tls: { dir },
      users: [parseUser('admin:admin-pw:rw'), parseUser('viewer:viewer-pw:ro')],
      interfaces: ['Ethernet1', 'Ethernet2', 'mgmt0'],
      hostnamePrefix: 'leaf',
      defaultSampleIntervalMs: 50,
    });
  });

  after(async () => {
    for (const c of clients) c.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the PKI is written to the directory and verifies the targets', async () => {
    assert.deepEqual((await readdir(dir)).sort(), ['ca.crt', 'ca.key', 'client.crt', 'client.key', 'server.crt', 'server.key']);
    const c = await connect(0, 'admin', 'admin-pw');
    const caps = await c.capabilities();
    assert.ok(caps.models.some((m) => m.name === 'openconfig-network-instance'));
    assert.deepEqual(caps.encodings, ['JSON', 'JSON_IETF', 'PROTO', 'ASCII']);
    await assert.rejects(
      GnmiClient.connect({ address: sim.targets[0].address, tls: {}, timeoutMs: 3000 }),
      /cannot connect/,
      'a client that does not trust the generated CA is refused',
    );
  });

  test('Get JSON_IETF of an interface; each target has its own hostname', async () => {
    const c = await connect(0, 'viewer', 'viewer-pw');
    const [n] = await c.get({ paths: [E1], encoding: 'JSON_IETF' });
    const v = n.update[0].value as { kind: string; value: { config: { name: string; type: string } } };
    assert.equal(v.kind, 'json_ietf');
    assert.equal(v.value.config.name, 'Ethernet1');
    assert.equal(v.value.config.type, 'iana-if-type:ethernetCsmacd');
    const c2 = await connect(1, 'viewer', 'viewer-pw');
    const [h] = await c2.get({ paths: ['/system/state/hostname'], encoding: 'PROTO' });
    assert.deepEqual(h.update[0].value, { kind: 'string', value: 'leaf2' });
  });

  test('Set a subinterface IPv4 address, then read it back', async () => {
    const c = await connect(0, 'admin', 'admin-pw');
    const sub = `${E1}/subinterfaces/subinterface[index=0]`;
    const res = await c.set({
      update: [
        {
          path: sub,
          value: {
            kind: 'json_ietf',
            value: {
              config: { index: 0, enabled: true },
              'openconfig-if-ip:ipv4': { addresses: { address: [{ ip: '192.0.2.1', config: { ip: '192.0.2.1', 'prefix-length': 30 } }] } },
            },
          },
        },
      ],
    });
    assert.equal(res.results[0].op, 'UPDATE');
    const [n] = await c.get({ paths: [`${sub}/ipv4/addresses/address[ip=192.0.2.1]/state/prefix-length`], encoding: 'PROTO' });
    assert.deepEqual(n.update[0].value, { kind: 'uint', value: 30n });
    const [other] = await (await connect(1, 'admin', 'admin-pw')).get({ paths: [`${E1}/subinterfaces`], type: 'CONFIG' }).catch((e) => [e]);
    assert.ok(other instanceof GnmiError && other.code === 'NOT_FOUND', 'the other target is unaffected');
  });

  test('read-only users get PERMISSION_DENIED, bad credentials UNAUTHENTICATED, bad values INVALID_ARGUMENT', async () => {
    const viewer = await connect(0, 'viewer', 'viewer-pw');
    const mtu = (v: unknown) => ({ update: [{ path: `${E1}/config/mtu`, value: { kind: 'json_ietf' as const, value: v } }] });
    await expectCode(viewer.set(mtu(9000)), 'PERMISSION_DENIED');
    const intruder = await connect(0, 'admin', 'guess');
    await expectCode(intruder.get({ paths: [E1] }), 'UNAUTHENTICATED');
    const admin = await connect(0, 'admin', 'admin-pw');
    await expectCode(admin.set(mtu(99999)), 'INVALID_ARGUMENT', `${E1}/config/mtu`);
    const [n] = await admin.get({ paths: [`${E1}/config/mtu`], encoding: 'PROTO' });
    assert.deepEqual(n.update[0].value, { kind: 'uint', value: 1500n });
  });

  test('Subscribe SAMPLE to counters delivers growing values', async () => {
    const c = await connect(0, 'viewer', 'viewer-pw');
    const sub = c.subscribe({
      encoding: 'PROTO',
      subscriptions: [{ path: `${E1}/state/counters`, mode: 'SAMPLE', sampleIntervalNs: 50_000_000n }],
    });
    const seen: bigint[] = [];
    try {
      for await (const n of sub) {
        const v = uintOf(n, 'in-octets');
        if (v !== undefined) seen.push(v);
        if (seen.length >= 4) break;
      }
    } finally {
      sub.cancel();
    }
    assert.equal(seen.length, 4);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], `in-octets grows: ${seen}`);
  });

  test('Subscribe ON_CHANGE sees a Set made by another session', async () => {
    const c = await connect(0, 'viewer', 'viewer-pw');
    const sub = c.subscribe({ encoding: 'PROTO', updatesOnly: true, subscriptions: [{ path: `${E1}/config/description`, mode: 'ON_CHANGE' }] });
    try {
      await sub.synced;
      const got = new Promise<GnmiNotification>((resolve) => sub.once('notification', resolve));
      const admin = await connect(0, 'admin', 'admin-pw');
      await admin.set({ update: [{ path: `${E1}/config/description`, value: { kind: 'string', value: 'watched' } }] });
      const n = await got;
      assert.deepEqual(n.update.map((u) => u.value), [{ kind: 'string', value: 'watched' }]);
    } finally {
      sub.cancel();
    }
  });

  test('a stopped target refuses calls, and after start the same client works again', async () => {
    const c = await connect(1, 'admin', 'admin-pw', { timeoutMs: 2000 });
    await c.set({ update: [{ path: '/system/config/login-banner', value: { kind: 'string', value: 'kept' } }] });
    const sub = c.subscribe({ encoding: 'PROTO', subscriptions: [{ path: '/system/state', mode: 'ON_CHANGE' }] });
    sub.on('error', () => {});
    await sub.synced;
    await sim.stop(1);
    assert.equal(sim.targets[1].running, false);
    await sub.done.catch(() => {});
    await assert.rejects(c.get({ paths: ['/system/state/hostname'], timeoutMs: 1000 }), GnmiError);
    await sim.start(1);
    assert.equal(sim.targets[1].running, true);
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const [n] = await c.get({ paths: ['/system/config/login-banner'], encoding: 'PROTO', timeoutMs: 1000 });
        assert.deepEqual(n.update[0].value, { kind: 'string', value: 'kept' }, 'data survives a restart');
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });
});

describe('mutual TLS', { timeout: 30_000 }, () => {
  test('with requireClientCert only clients holding a certificate from the CA get in', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cnsdn-sim-mtls-'));
    const sim = await startGnmiSim({ port: 0, tls: { dir, requireClientCert: true }, interfaces: ['Ethernet1'] });
    const pki = sim.pki!;
    try {
      const anonymous = await GnmiClient.connect({ address: sim.targets[0].address, tls: { ca: pki.caCert }, timeoutMs: 3000 }).then(
        (c) => c.capabilities().finally(() => c.close()),
      );
      assert.fail(`a client without a certificate was served: ${JSON.stringify(anonymous.encodings)}`);
    } catch (err) {
      assert.ok(err instanceof GnmiError, String(err));
    }
    const c = await GnmiClient.connect({
      address: sim.targets[0].address,
      tls: { ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey },
      timeoutMs: 5000,
    });
    try {
      assert.equal((await c.capabilities()).gnmiVersion, '0.10.0');
    } finally {
      c.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('plaintext targets', { timeout: 30_000 }, () => {
  test('serve without TLS and accept any credentials read-write when no users are configured', async () => {
    const sim = await startGnmiSim({ port: 0, tls: 'insecure', interfaces: ['Ethernet1'] });
    const c = await GnmiClient.connect({ address: sim.targets[0].address, tls: 'insecure', username: 'x', password: 'y' });
    try {
      assert.equal(sim.pki, undefined);
      await c.set({ update: [{ path: `${E1}/config/description`, value: { kind: 'string', value: 'open' } }] });
      const [n] = await c.get({ paths: [`${E1}/state/description`], encoding: 'ASCII' });
      assert.deepEqual(n.update[0].value, { kind: 'ascii', value: 'open' });
    } finally {
      c.close();
      await sim.close();
    }
  });
});
