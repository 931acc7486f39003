import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BASE_10,
  NS_BASE,
  NetconfClient,
  NetconfError,
  NetconfRpcError,
  encodeChunked,
  encodeEom,
  FrameDecoder,
  openSsh,
  parseXml,
} from '../../protocols/netconf/index.js';
import { type NetconfSim, startNetconfSim } from './run.js';

const IF = 'http://openconfig.net/yang/interfaces';
const USER = { username: 'admin', password: 'S1m-pass' };
const MTU_FILTER = (name: string) => ({ subtree: `<interfaces xmlns="${IF}"><interface><name>${name}</name><config><mtu/></config></interface></interfaces>` });
const setMtu = (name: string, mtu: string) => `<interfaces xmlns="${IF}"><interface><name>${name}</name><config><mtu>${mtu}</mtu></config></interface></interfaces>`;

let sim: NetconfSim;
const open: NetconfClient[] = [];

async function connect(device = 0, extra: { password?: string } = {}): Promise<NetconfClient> {
  const c = await NetconfClient.connect({
    host: '127.0.0.1',
    port: sim.devices[device].port,
    username: USER.username,
    password: extra.password ?? USER.password,
    hostKey: { fingerprint: sim.hostKey.fingerprint },
    timeoutMs: 10_000,
    rpcTimeoutMs: 5_000,
  });
  open.push(c);
  return c;
}

async function mtu(c: NetconfClient, source: 'running' | 'candidate', name = 'Ethernet1'): Promise<string | undefined> {
  const { xml } = await c.getConfig(source, { filter: MTU_FILTER(name) });
  return /<mtu>(\d+)<\/mtu>/.exec(xml)?.[1];
}

async function rpcError(p: Promise<unknown>): Promise<NetconfRpcError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof NetconfRpcError, String(e));
    return e;
  }
  assert.fail('expected an rpc-error');
}

/** A raw SSH channel to a device, speaking base:1.0 or base:1.1 by hand. */
async function raw(framing: 'eom' | 'chunked') {
  const t = await openSsh({ host: '127.0.0.1', port: sim.devices[0].port, ...USER, hostKey: 'insecure-accept-any', timeoutMs: 10_000 });
  const decoder = new FrameDecoder();
  const messages: string[] = [];
  let waiter: (() => void) | undefined;
  let closed = false;
  t.stream.on('data', (d: Buffer) => {
    decoder.push(d);
    try {
      for (let m = decoder.next(); m; m = decoder.next()) {
        messages.push(m.toString());
        if (messages.length === 1 && framing === 'chunked') decoder.setFraming('chunked');
      }
    } catch {
      // a test asserts on what arrived
    }
    waiter?.();
  });
  t.stream.on('close', () => {
    closed = true;
    waiter?.();
  });
  const caps = framing === 'chunked' ? `<capability>${BASE_10}</capability><capability>urn:ietf:params:netconf:base:1.1</capability>` : `<capability>${BASE_10}</capability>`;
  t.stream.write(encodeEom(`<hello xmlns="${NS_BASE}"><capabilities>${caps}</capabilities></hello>`));
  const next = async (count: number): Promise<string> => {
    const deadline = Date.now() + 5000;
    while (messages.length < count && !closed && Date.now() < deadline) {
      await new Promise<void>((r) => {
        waiter = r;
        setTimeout(r, 100);
      });
    }
    return messages[count - 1] ?? '';
  };
  const send = (xml: string) => t.stream.write(framing === 'chunked' ? encodeChunked(xml) : encodeEom(xml));
  return { send, next, isClosed: () => closed, close: t.close };
}

before(async () => {
  sim = await startNetconfSim({ port: 0, count: 2, users: [USER], interfaces: ['Ethernet1', 'Ethernet2', 'Ethernet3'] });
});

after(async () => {
  await Promise.all(open.map((c) => c.close().catch(() => {})));
  await sim.close();
});

describe('cnsdn-sim netconf: sessions', { timeout: 60_000 }, () => {
  it('hello: session-id, chunked framing, candidate/validate/confirmed-commit/notification and OpenConfig modules', async () => {
    const c = await connect();
    assert.ok(c.sessionId > 0);
    assert.equal(c.session.currentFraming, 'chunked');
    assert.equal(c.hostKeyFingerprint, sim.hostKey.fingerprint);
    const caps = c.capabilities;
    assert.deepEqual(
      [caps.candidate, caps.writableRunning, caps.validate11, caps.confirmedCommit11, caps.rollbackOnError, caps.notification, caps.interleave, caps.xpath],
      [true, false, true, true, true, true, true, false],
    );
    const mods = Object.fromEntries(caps.modules.map((m) => [m.module, m.revision]));
    for (const m of ['openconfig-interfaces', 'openconfig-if-ip', 'openconfig-network-instance', 'openconfig-vlan']) assert.match(mods[m] ?? '', /^\d{4}-\d{2}-\d{2}$/);
  });

  it('speaks base:1.0 end-of-message framing to a client that offers only base:1.0', async () => {
    const r = await raw('eom');
    const hello = parseXml(await r.next(1));
    assert.equal(hello.name, 'hello');
    r.send(`<rpc xmlns="${NS_BASE}" message-id="7" extra="x"><get-config><source><running/></source><filter><interfaces xmlns="${IF}"><interface><name>Ethernet2</name><config><name/></config></interface></interfaces></filter></get-config></rpc>`);
    const reply = await r.next(2);
    assert.match(reply, /message-id="7"/);
    assert.match(reply, /extra="x"/);
    assert.match(reply, /<config><name>Ethernet2<\/name><\/config>/);
    r.close();
  });

  it('refuses a wrong password and each device has its own datastores', async () => {
    await assert.rejects(connect(0, { password: 'wrong' }), (e: unknown) => e instanceof NetconfError && e.code === 'NETCONF_AUTH');
    const a = await connect(0);
    const b = await connect(1);
    await a.editConfig('candidate', setMtu('Ethernet3', '4000'));
    await a.commit();
    assert.equal(await mtu(a, 'running', 'Ethernet3'), '4000');
    assert.equal(await mtu(b, 'running', 'Ethernet3'), '1500');
  });

  it('refuses to start without users', async () => {
    await assert.rejects(startNetconfSim({ port: 0, users: [] }), /no default password/);
  });
});

describe('cnsdn-sim netconf: datastores', { timeout: 60_000 }, () => {
  it('an edit shows in the candidate only; commit brings it to running; discard drops an uncommitted one', async () => {
    const c = await connect();
    await c.editConfig('candidate', setMtu('Ethernet1', '9100'));
    assert.equal(await mtu(c, 'candidate'), '9100');
    assert.equal(await mtu(c, 'running'), '1500');
    await c.validate('candidate');
    await c.commit();
    assert.equal(await mtu(c, 'running'), '9100');
    await c.editConfig('candidate', setMtu('Ethernet1', '9200'));
    await c.discardChanges();
    assert.equal(await mtu(c, 'candidate'), '9100');
    const state = await c.get({ filter: { subtree: `<interfaces xmlns="${IF}"><interface><name>Ethernet1</name><state><oper-status/><mtu/></state></interface></interfaces>` } });
    assert.match(state.xml, /<state><mtu>9100<\/mtu><oper-status>UP<\/oper-status><\/state>/);
  });

  it('rpc-errors: invalid value, delete of a missing entry, unknown operation, running not writable, xpath', async () => {
    const c = await connect();
    const bad = await rpcError(c.editConfig('candidate', setMtu('Ethernet1', 'big')));
    assert.deepEqual([bad.errors[0].type, bad.tag, bad.errors[0].severity], ['application', 'invalid-value', 'error']);
    assert.match(bad.errors[0].message ?? '', /mtu: "big" is not an integer/);
    assert.equal(bad.errors[0].path, "/oc-if:interfaces/oc-if:interface[oc-if:name='Ethernet1']/oc-if:config/oc-if:mtu");
    assert.equal(await mtu(c, 'candidate'), await mtu(c, 'running'), 'a refused edit changes nothing');
    const gone = await rpcError(
      c.editConfig('candidate', `<interfaces xmlns="${IF}" xmlns:nc="${NS_BASE}"><interface nc:operation="delete"><name>EthernetX</name></interface></interfaces>`),
    );
    assert.equal(gone.tag, 'data-missing');
    const unknown = await rpcError(c.rpc('<reboot-now/>'));
    assert.equal(unknown.tag, 'operation-not-supported');
    assert.deepEqual(unknown.errors[0].info.map((i) => [i.name, i.value]), [['bad-element', 'reboot-now']]);
    const running = await rpcError(c.rpc(`<edit-config><target><running/></target><config>${setMtu('Ethernet1', '1400')}</config></edit-config>`));
    assert.equal(running.tag, 'operation-not-supported');
    const xpath = await rpcError(c.rpc('<get><filter type="xpath" select="/interfaces"/></get>'));
    assert.equal(xpath.tag, 'operation-not-supported');
  });

  it('bad XML gets a malformed-message rpc-error and the session goes on', async () => {
    const r = await raw('chunked');
    await r.next(1);
    r.send('<rpc message-id="1" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><get>');
    const reply = parseXml(await r.next(2));
    assert.match(await r.next(2), /<error-tag>malformed-message<\/error-tag>/);
    assert.equal(reply.attrs.length, 0);
    r.send(`<rpc xmlns="${NS_BASE}"><get/></rpc>`);
    assert.match(await r.next(3), /<error-tag>missing-attribute<\/error-tag>.*<bad-attribute>message-id<\/bad-attribute>/);
    r.send(`<rpc xmlns="${NS_BASE}" message-id="2"><close-session/></rpc>`);
    assert.match(await r.next(4), /<ok\/>/);
    r.close();
  });

  it('a message over the size cap gets too-big and ends the session', async () => {
    const small = await startNetconfSim({ port: 0, users: [USER], maxMessageBytes: 4096 });
    try {
      const c = await NetconfClient.connect({ host: '127.0.0.1', port: small.devices[0].port, ...USER, hostKey: 'insecure-accept-any', timeoutMs: 10_000, rpcTimeoutMs: 5000 });
      const big = `<interfaces xmlns="${IF}"><interface><name>Ethernet1</name><config><description>${'x'.repeat(8000)}</description></config></interface></interfaces>`;
      await assert.rejects(c.editConfig('candidate', big), (e: unknown) => e instanceof NetconfError && /too-big|closed/.test(e.message));
      assert.ok(c.closed);
    } finally {
      await small.close();
    }
  });
});

describe('cnsdn-sim netconf: locks', { timeout: 60_000 }, () => {
  it('a second session is denied the lock (with the holder), cannot edit or commit, and gets it once the holder leaves', async () => {
    const a = await connect();
    const b = await connect();
    await a.lock('candidate');
    await a.lock('running');
    const denied = await rpcError(b.lock('candidate'));
    assert.equal(denied.tag, 'lock-denied');
    assert.deepEqual(denied.errors[0].info.map((i) => [i.name, i.value]), [['session-id', String(a.sessionId)]]);
    assert.equal((await rpcError(b.editConfig('candidate', setMtu('Ethernet2', '1600')))).tag, 'in-use');
    assert.equal((await rpcError(b.commit())).tag, 'in-use');
    assert.equal((await rpcError(b.unlock('candidate'))).tag, 'operation-failed');
    await a.editConfig('candidate', setMtu('Ethernet2', '1700'));
    await a.close();
    assert.equal(await mtu(b, 'candidate', 'Ethernet2'), '1500', "the candidate changes of a session that held the lock die with it");
    await b.lock('candidate');
    await b.unlock('candidate');
  });

  it('the candidate cannot be locked while it holds uncommitted changes', async () => {
    const a = await connect();
    await a.editConfig('candidate', setMtu('Ethernet2', '1800'));
    const b = await connect();
    const denied = await rpcError(b.lock('candidate'));
    assert.deepEqual([denied.tag, denied.errors[0].info[0]?.value], ['lock-denied', '0']);
    await a.discardChanges();
    await b.lock('candidate');
    await b.unlock('candidate');
  });

  it('kill-session ends another session and frees its locks', async () => {
    const a = await connect();
    const b = await connect();
    await a.lock('running');
    await b.killSession(a.sessionId);
    await b.lock('running');
    await b.unlock('running');
    const deadline = Date.now() + 5000;
    while (!a.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(a.closed);
    assert.equal((await rpcError(b.killSession(b.sessionId))).tag, 'invalid-value');
  });
});

describe('cnsdn-sim netconf: confirmed commit and notifications', { timeout: 60_000 }, () => {
  it('a confirmed commit not confirmed in time rolls back; a confirming commit keeps it', async () => {
    const c = await connect();
    await c.editConfig('candidate', setMtu('Ethernet1', '7000'));
    await c.commit({ confirmed: true, confirmTimeout: 1 });
    assert.equal(await mtu(c, 'running'), '7000');
    const deadline = Date.now() + 5000;
    while ((await mtu(c, 'running')) === '7000' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.notEqual(await mtu(c, 'running'), '7000');
    assert.notEqual(await mtu(c, 'candidate'), '7000');
    await c.editConfig('candidate', setMtu('Ethernet1', '7100'));
    await c.commit({ confirmed: true, confirmTimeout: 1 });
    await c.commit();
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(await mtu(c, 'running'), '7100');
  });

  it('a confirmed commit rolls back when its session ends', async () => {
    const a = await connect();
    const before = await mtu(a, 'running', 'Ethernet2');
    await a.editConfig('candidate', setMtu('Ethernet2', '6000'));
    await a.commit({ confirmed: true, confirmTimeout: 60 });
    await a.close();
    const b = await connect();
    assert.equal(await mtu(b, 'running', 'Ethernet2'), before);
  });

  it('create-subscription: a commit sends netconf-config-change with the edited path; filters apply', async () => {
    const watcher = await connect();
    const filtered = await connect();
    await watcher.createSubscription();
    await filtered.createSubscription({ filter: '<netconf-session-end xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-notifications"/>' });
    const events = watcher.notifications();
    const other = filtered.notifications();
    const editor = await connect();
    await editor.editConfig('candidate', setMtu('Ethernet3', '5000'));
    await editor.commit();
    const n = await events.nextWithin(5000);
    assert.ok(n, 'a notification');
    assert.equal(n.event?.name, 'netconf-config-change');
    assert.match(n.xml, /<datastore>running<\/datastore>/);
    assert.match(n.xml, /<session-id>\d+<\/session-id>/);
    assert.match(n.xml, /oc-if:interface\[oc-if:name='Ethernet3'\]\/oc-if:config\/oc-if:mtu<\/target><operation>replace<\/operation>/);
    assert.equal(await other.nextWithin(300), undefined, 'the filter keeps config changes out');
    await editor.close();
    const ended = await other.nextWithin(5000);
    assert.equal(ended?.event?.name, 'netconf-session-end');
    assert.equal((await rpcError(watcher.createSubscription())).tag, 'operation-failed');
  });
});

describe('cnsdn-sim netconf: scale', { timeout: 120_000 }, () => {
  it('serves 50 concurrent sessions', async () => {
    const sessionsBefore = sim.devices.map((d) => d.device.sessions.size);
    const clients = await Promise.all(Array.from({ length: 50 }, (_, i) => connect(i % 2)));
    const ids = new Set(clients.map((c, i) => `${i % 2}/${c.sessionId}`));
    assert.equal(ids.size, 50);
    const replies = await Promise.all(clients.map((c) => c.getConfig('running', { filter: MTU_FILTER('Ethernet2') })));
    for (const r of replies) assert.match(r.xml, /<mtu>\d+<\/mtu>/);
    await Promise.all(clients.map((c) => c.close()));
    // Generous: the server sees each close as the SSH connection ends, slower on a loaded machine.
    const deadline = Date.now() + 30_000;
    const sessionsNow = () => sim.devices.map((d) => d.device.sessions.size);
    while (sessionsNow().some((n, i) => n !== sessionsBefore[i]) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(sessionsNow(), sessionsBefore);
  });
});
