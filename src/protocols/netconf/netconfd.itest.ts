import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { NetconfClient, type ConnectOptions, NetconfError, NetconfRpcError, fingerprintSha256 } from './index.js';

// Real yuma123 netconfd devices brought up by scripts/netconf-devices.sh.
const DIR = process.env.CNSDN_NETCONF_DIR ?? '/tmp/cnsdn-netconf';
const IF_NS = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';
const IANA_NS = 'urn:ietf:params:xml:ns:yang:iana-if-type';
const IF_FILTER = { subtree: `<interfaces xmlns="${IF_NS}"/>` };

function readEnv(): Record<string, string> | undefined {
  const file = `${DIR}/env`;
  if (!existsSync(file)) return undefined;
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

const env = readEnv();
const [CANDIDATE_PORT, RUNNING_PORT] = (env?.CNSDN_TEST_NETCONF_PORTS ?? '8830,8831').split(',').map(Number);
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port, timeout: 1000 });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
    sock.once('timeout', () => done(false));
  });
}

const missing =
  env === undefined
    ? `no ${DIR}/env: run scripts/netconf-devices.sh up`
    : !(await listening(CANDIDATE_PORT)) || !(await listening(RUNNING_PORT))
      ? `nothing listening on 127.0.0.1:${CANDIDATE_PORT},${RUNNING_PORT}: run scripts/netconf-devices.sh up`
      : undefined;
if (missing && process.env.CI === 'true') throw new Error(`netconfd devices are not up (${missing})`);

function opts(port: number, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return {
    host: '127.0.0.1',
    port,
    username: env?.CNSDN_TEST_NETCONF_USER ?? '',
    password: env?.CNSDN_TEST_NETCONF_PASSWORD,
    hostKey: { knownHostsFile: env?.CNSDN_TEST_NETCONF_KNOWN_HOSTS ?? '' },
    timeoutMs: 10_000,
    rpcTimeoutMs: 10_000,
    ...extra,
  };
}

function iface(name: string, body = `<type xmlns:ianaift="${IANA_NS}">ianaift:ethernetCsmacd</type>`, attrs = ''): string {
  return `<interfaces xmlns="${IF_NS}"><interface${attrs}><name>${name}</name>${body}</interface></interfaces>`;
}

function deleteIface(name: string): string {
  return iface(name, '', ' xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" nc:operation="delete"');
}

async function interfaceNames(c: NetconfClient, source: 'running' | 'candidate' = 'running'): Promise<string[]> {
  const { element } = await c.getConfig(source, { filter: IF_FILTER });
  const names: string[] = [];
  for (const ifs of element.children) {
    if (typeof ifs === 'string') continue;
    for (const i of ifs.children) {
      if (typeof i === 'string') continue;
      const n = i.children.find((x) => typeof x !== 'string' && x.name === 'name');
      if (n && typeof n !== 'string') names.push(n.children.join('').trim());
    }
  }
  return names.sort();
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<NetconfError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof NetconfError, `expected NetconfError, got ${err}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

const tag = `${process.pid % 100000}`;

async function until(pred: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('netconfd (real devices)', { skip: missing }, () => {
  let cand: NetconfClient;
  let run: NetconfClient;

  before(async () => {
    cand = await NetconfClient.connect(opts(CANDIDATE_PORT));
    run = await NetconfClient.connect(opts(RUNNING_PORT));
  });

  after(async () => {
    await cand?.close();
    await run?.close();
  });

  it('hello and capabilities: candidate device vs running device, chunked framing', () => {
    assert.ok(cand.sessionId > 0);
    assert.equal(cand.session.currentFraming, 'chunked');
    assert.equal(cand.capabilities.candidate, true);
    assert.equal(cand.capabilities.writableRunning, false);
    assert.equal(cand.capabilities.validate, true);
    assert.equal(cand.capabilities.confirmedCommit, true);
    assert.equal(cand.capabilities.notification, true);
    assert.equal(cand.capabilities.xpath, true);
    assert.equal(run.capabilities.writableRunning, true);
    assert.equal(run.capabilities.candidate, false);
    const ifm = cand.capabilities.modules.find((m) => m.module === 'ietf-interfaces');
    assert.deepEqual([ifm?.namespace, ifm?.revision], [IF_NS, '2014-05-08']);
    assert.ok(cand.capabilities.yangLibrary?.moduleSetId);
  });

  it('authenticates with a private key and pins the host key by fingerprint', async () => {
    const pinned = cand.hostKeyFingerprint;
    assert.match(pinned, /^SHA256:[A-Za-z0-9+/]{43}$/);
    const keyFile = env?.CNSDN_TEST_NETCONF_KEY ?? '';
    const c = await NetconfClient.connect(
      opts(CANDIDATE_PORT, { password: undefined, privateKey: readFileSync(keyFile), hostKey: { fingerprint: pinned } }),
    );
    assert.ok(c.sessionId > 0 && c.sessionId !== cand.sessionId);
    await c.close();
  });

  it('refuses a wrong host key, a wrong password, and a device that is not there', async () => {
    const wrong = fingerprintSha256(Buffer.from('not the key'));
    const e1 = await rejectsWith(NetconfClient.connect(opts(CANDIDATE_PORT, { hostKey: { fingerprint: wrong } })), 'NETCONF_HOSTKEY');
    assert.match(e1.message, /does not match/);
    const e2 = await rejectsWith(NetconfClient.connect(opts(CANDIDATE_PORT, { password: 'wrong-password-xyz' })), 'NETCONF_AUTH');
    assert.doesNotMatch(e2.message, /wrong-password-xyz/, 'the password never appears in errors');
    await rejectsWith(NetconfClient.connect(opts(1, { hostKey: 'insecure-accept-any' })), 'NETCONF_CONNECT');
  });

  it('get-config running on both devices', async () => {
    for (const c of [cand, run]) {
      const r = await c.getConfig('running');
      assert.match(r.xml, /urn:ietf:params:xml:ns:yang:ietf-netconf-acm/);
    }
  });

  it('candidate: lock → edit-config → validate → commit → unlock; read back from another session; delete', async () => {
    const name = `itc${tag}`;
    const reader = await NetconfClient.connect(opts(CANDIDATE_PORT));
    try {
      await cand.lock('candidate');
      try {
        await cand.editConfig('candidate', iface(name, `<type xmlns:ianaift="${IANA_NS}">ianaift:ethernetCsmacd</type><description>cnsdn &amp; test</description>`));
        // Validates the same edit as a <config> source: see the quirk test below for why not <candidate/>.
        await cand.validate({ config: iface(name) });
        await cand.commit();
      } finally {
        await cand.unlock('candidate');
      }
      assert.ok((await interfaceNames(reader)).includes(name));
      const back = await reader.getConfig('running', {
        filter: { subtree: `<interfaces xmlns="${IF_NS}"><interface><name>${name}</name></interface></interfaces>` },
      });
      assert.match(back.xml, /<description>cnsdn &amp; test<\/description>/);
      assert.match(back.xml, /ianaift:ethernetCsmacd/);
      const xp = await reader.getConfig('running', {
        filter: { xpath: `/if:interfaces/if:interface[if:name='${name}']`, namespaces: { if: IF_NS } },
      });
      assert.match(xp.xml, new RegExp(`<name>${name}</name>`));
    } finally {
      await cand.editConfig('candidate', deleteIface(name)).catch(() => {});
      await cand.commit();
      await reader.close();
    }
    assert.equal((await interfaceNames(cand)).includes(name), false);
  });

  it('netconfd quirk: <validate> of <candidate/> drops earlier edits from the next commit', async () => {
    const before = `itq${tag}a`;
    const afterName = `itq${tag}b`;
    try {
      await cand.editConfig('candidate', iface(before));
      await cand.validate('candidate');
      await cand.editConfig('candidate', iface(afterName));
      await cand.commit();
      const names = await interfaceNames(cand);
      assert.equal(names.includes(afterName), true);
      assert.equal(names.includes(before), false, 'if this fails, netconfd no longer has the quirk: validate <candidate/> directly');
    } finally {
      for (const n of [before, afterName]) {
        await cand.editConfig('candidate', deleteIface(n)).catch(() => {});
      }
      await cand.commit().catch(() => {});
      await cand.discardChanges();
    }
  });

  it('an invalid edit → NetconfRpcError with tag and the device words; discard-changes leaves running as it was', async () => {
    const runningBefore = (await cand.getConfig('running')).xml;
    const missingType = await rejectsWith(cand.editConfig('candidate', iface(`itbad${tag}`, '')), 'NETCONF_RPC_ERROR');
    assert.ok(missingType instanceof NetconfRpcError);
    assert.equal(missingType.tag, 'data-missing');
    assert.match(missingType.message, /edit-config failed: application\/data-missing .*at \/if:interfaces/);
    assert.ok(missingType.errors[0].message);
    const badValue = await rejectsWith(
      cand.editConfig('candidate', iface(`itbad${tag}`, `<type xmlns:ianaift="${IANA_NS}">ianaift:ethernetCsmacd</type><enabled>maybe</enabled>`)),
      'NETCONF_RPC_ERROR',
    );
    assert.ok(badValue instanceof NetconfRpcError);
    assert.ok(['invalid-value', 'bad-element', 'operation-failed'].includes(badValue.tag), badValue.message);
    await cand.discardChanges();
    assert.equal((await cand.getConfig('running')).xml, runningBefore);
    assert.equal((await interfaceNames(cand, 'candidate')).includes(`itbad${tag}`), false);
  });

  it('a lock held by another session → lock-denied naming the holder', async () => {
    const other = await NetconfClient.connect(opts(CANDIDATE_PORT));
    try {
      await other.lock('candidate');
      const err = await rejectsWith(cand.lock('candidate'), 'NETCONF_RPC_ERROR');
      assert.ok(err instanceof NetconfRpcError);
      assert.equal(err.tag, 'lock-denied');
      assert.equal(err.errors[0].info.find((i) => i.name === 'session-id')?.value, String(other.sessionId));
    } finally {
      await other.close();
    }
  });

  it('running device: edit-config straight on running, read back, delete', async () => {
    const name = `itr${tag}`;
    await run.lock('running');
    try {
      await run.editConfig('running', iface(name), { errorOption: 'rollback-on-error' });
      assert.ok((await interfaceNames(run)).includes(name));
      await run.editConfig('running', deleteIface(name));
      assert.equal((await interfaceNames(run)).includes(name), false);
    } finally {
      await run.unlock('running');
    }
  });

  it('several RPCs in flight at once on one session', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? cand.getConfig('running') : cand.get({ filter: IF_FILTER }))));
    assert.equal(results.length, 20);
    for (const [i, r] of results.entries()) {
      if (i % 2) assert.match(r.xml, /ietf-netconf-acm/);
      else assert.doesNotMatch(r.xml, /ietf-netconf-acm/);
    }
    assert.equal(cand.session.inFlight, 0);
  });

  it('create-subscription: a commit yields a netconf-config-change notification', async () => {
    const listener = await NetconfClient.connect(opts(CANDIDATE_PORT));
    const name = `itn${tag}`;
    try {
      const queue = listener.notifications();
      await listener.createSubscription();
      await cand.editConfig('candidate', iface(name));
      await cand.commit();
      const deadline = Date.now() + 5000;
      let change: Awaited<ReturnType<typeof queue.nextWithin>>;
      while (!change && Date.now() < deadline) {
        const n = await queue.nextWithin(deadline - Date.now());
        if (n?.event?.name === 'netconf-config-change') change = n;
      }
      assert.ok(change, 'netconf-config-change within 5 s');
      assert.equal(change.event?.ns, 'urn:ietf:params:xml:ns:yang:ietf-netconf-notifications');
      assert.match(change.eventTime, /^\d{4}-\d{2}-\d{2}T/);
      assert.match(change.xml, /\/if:interfaces/);
      assert.match(change.xml, new RegExp(`<session-id>${cand.sessionId}</session-id>`));
    } finally {
      await cand.editConfig('candidate', deleteIface(name)).catch(() => {});
      await cand.commit().catch(() => {});
      await listener.close();
    }
  });

  it('base:1.1: a full <get/> (~30 KB, many chunks) is reassembled', async () => {
    const r = await cand.get();
    assert.ok(r.xml.length > 20_000, `got ${r.xml.length} bytes`);
    assert.match(r.xml, /<interfaces-state xmlns="urn:ietf:params:xml:ns:yang:ietf-interfaces">/);
    assert.match(r.xml, /<name>lo<\/name>/);
  });

  it('base:1.0 end-of-message framing when the client offers only base:1.0', async () => {
    const c = await NetconfClient.connect(opts(CANDIDATE_PORT, { offerBase11: false }));
    try {
      assert.equal(c.session.currentFraming, 'eom');
      const r = await c.get();
      assert.ok(r.xml.length > 20_000, `got ${r.xml.length} bytes`);
      assert.match(r.xml, /<name>lo<\/name>/);
    } finally {
      await c.close();
    }
  });

  it('confirmed commit: rolled back when its session ends; persist survives it, cancel-commit --persist-id undoes it', async () => {
    const name = `itcc${tag}`;
    const has = async () => (await interfaceNames(cand)).includes(name);
    const a = await NetconfClient.connect(opts(CANDIDATE_PORT));
    await a.editConfig('candidate', iface(name));
    await a.commit({ confirmed: true, confirmTimeout: 120 });
    assert.equal(await has(), true, 'running has it until confirmed or rolled back');
    await a.close();
    await until(async () => !(await has()), 'the unconfirmed commit is rolled back when its session ends');
    const b = await NetconfClient.connect(opts(CANDIDATE_PORT));
    const persist = `pid${tag}`;
    try {
      await b.editConfig('candidate', iface(name));
      await b.commit({ confirmed: true, confirmTimeout: 120, persist });
    } finally {
      await b.close();
    }
    assert.equal(await has(), true, 'a persistent confirmed commit outlives its session');
    const err = await rejectsWith(cand.cancelCommit({ persistId: 'not-the-id' }), 'NETCONF_RPC_ERROR');
    assert.ok(err instanceof NetconfRpcError);
    await cand.cancelCommit({ persistId: persist });
    assert.equal(await has(), false, 'cancel-commit rolled it back');
  });

  it('kill-session ends another session, which sees its close', async () => {
    const victim = await NetconfClient.connect(opts(RUNNING_PORT));
    const closed = new Promise<NetconfError | undefined>((resolve) => victim.on('close', resolve));
    await run.killSession(victim.sessionId);
    const reason = await closed;
    assert.equal(victim.closed, true);
    assert.ok(reason instanceof NetconfError, 'the victim did not ask for it: closed with a reason');
    const self = await rejectsWith(run.killSession(run.sessionId), 'NETCONF_RPC_ERROR');
    assert.ok(self instanceof NetconfRpcError);
  });

  it('copy-config running → candidate, and what netconfd refuses (delete-config of candidate, copy-config onto running without :writable-running)', async () => {
    await cand.copyConfig('candidate', 'running');
    await rejectsWith(cand.copyConfig('running', 'candidate'), 'NETCONF_UNSUPPORTED');
    const del = await rejectsWith(cand.deleteConfig('candidate'), 'NETCONF_RPC_ERROR');
    assert.ok(del instanceof NetconfRpcError);
    assert.match(del.xml, /<error-tag>unknown-element<\/error-tag>/);
  });

  it('close-session ends the session cleanly', async () => {
    const c = await NetconfClient.connect(opts(RUNNING_PORT));
    await c.close();
    assert.equal(c.closed, true);
    assert.equal(c.session.closeReason, undefined);
    await rejectsWith(c.get(), 'NETCONF_CLOSED');
  });
});
