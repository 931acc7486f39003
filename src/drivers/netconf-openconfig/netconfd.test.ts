/** The driver against the real yuma123 netconfd devices (candidate on one port, running on the other). */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CnsdnError } from '../../common/errors.js';
import { type Resource, runDriverContract } from '../../device/index.js';
import { fingerprintSha256 } from '../../protocols/netconf/index.js';
import { NetconfOpenconfigDriver, netconfOpenconfigDriverFactory } from './index.js';
import { CANDIDATE_PORT, deviceConfig, devicesMissing, independentClient, RUNNING_PORT, removeInterfaces, runningInterfaces, until } from './testing.js';

const missing = await devicesMissing();
const tag = `${process.pid % 100000}`;
const names: string[] = [];
const testName = (what: string): string => {
  const n = `cnsdn-${what}${tag}`;
  names.push(n);
  return n;
};

after(async () => {
  if (missing) return;
  for (const port of [CANDIDATE_PORT, RUNNING_PORT]) await removeInterfaces(port, names);
});

for (const [kind, port] of [
  ['candidate', CANDIDATE_PORT],
  ['running', RUNNING_PORT],
] as const) {
  const ifName = testName(`c${kind[0]}`);
  describe(`netconfd --target=${kind}`, { skip: missing }, () => {
    runDriverContract(
      `netconf-openconfig on netconfd (${kind})`,
      async () => ({ factory: netconfOpenconfigDriverFactory, config: deviceConfig(port) }),
      {
        resource: () => [`/interface[${ifName}]`, { description: `cnsdn driver contract <${kind}> & co` }],
        assertReadBack: (got, [key, value]) => {
          const entry = got.find(([k]) => k === key);
          assert.ok(entry, `getConfig did not return ${key}; got ${got.map(([k]) => k).join(', ')}`);
          assert.deepEqual(entry[1], { name: ifName, type: 'ethernetCsmacd', ...(value as object) });
        },
        subscription: (eps) => [`/interface[${eps.find((e) => e.sampleTypes.length > 0)!.name}]`, 0, 0.05],
        testTimeoutMs: 20_000,
      },
    );
  });
}

async function connected(port: number, extra: Record<string, unknown> = {}): Promise<NetconfOpenconfigDriver> {
  const d = new NetconfOpenconfigDriver(deviceConfig(port, extra));
  await d.connect();
  return d;
}

describe('netconf-openconfig transactions on netconfd', { skip: missing, timeout: 60_000 }, () => {
  // The device refuses these values; the controller's own YANG check (yang-check.test.ts) would refuse them first.
  before(() => {
    process.env.CNSDN_YANG_VALIDATE = '0';
  });
  after(() => {
    delete process.env.CNSDN_YANG_VALIDATE;
  });

  const open: NetconfOpenconfigDriver[] = [];
  after(async () => {
    for (const d of open) await d.disconnect();
  });
  const driver = async (port: number, extra: Record<string, unknown> = {}) => {
    const d = await connected(port, extra);
    open.push(d);
    return d;
  };

  test('the hello decides: candidate + commit on 8830, running on 8831 and with force_running; ietf-interfaces with ietf-ip', async () => {
    const cand = await driver(CANDIDATE_PORT);
    const run = await driver(RUNNING_PORT);
    assert.equal(cand.datastore, 'candidate');
    assert.equal(run.datastore, 'running');
    assert.equal(cand.models?.interfaces, 'ietf');
    assert.equal(cand.models?.ietfIp, true);
    assert.equal(cand.models?.networkInstances, false);
    // netconfd's candidate device does not offer :writable-running, so force_running cannot apply there.
    assert.equal((await driver(CANDIDATE_PORT, { force_running: true })).datastore, 'candidate');
  });

  for (const port of [CANDIDATE_PORT, RUNNING_PORT]) {
    test(`create, change, delete with subinterfaces, read independently (port ${port})`, async () => {
      const d = await driver(port);
      const name = testName(`rt${port}-`);
      const reader = await independentClient(port);
      try {
        const set: Resource[] = [
          [`/interface[${name}]`, { description: 'uplink "A" & <B>', enabled: false, mtu: 1400 }],
          [`/interface[${name}]/subinterface[0]`, { address_ip: '10.11.12.1', address_prefix: 24 }],
          [`/interface[${name}]/subinterface[7]`, { description: 'seven', address_ip: '10.11.7.1', address_prefix: 30 }],
        ];
        assert.deepEqual(await d.setConfig(set), [true, true, true]);
        let seen = await runningInterfaces(reader);
        assert.deepEqual(seen.get(`/interface[${name}]`), { name, type: 'ethernetCsmacd', description: 'uplink "A" & <B>', enabled: false, mtu: 1400 });
        assert.deepEqual(seen.get(`/interface[${name}]/subinterface[0]`), { name, index: 0, address_ip: '10.11.12.1', address_prefix: 24 });
        assert.deepEqual(seen.get(`/interface[${name}]/subinterface[7]`), { name, index: 7, description: 'seven', address_ip: '10.11.7.1', address_prefix: 30 });
        const got = new Map(await d.getConfig([`/interface[${name}]`]));
        assert.deepEqual([...got.keys()].sort(), set.map(([k]) => k).sort(), 'getConfig of the interface key returns it and what lies under it');

        assert.deepEqual(await d.setConfig([[`/interface[${name}]`, { description: 'changed', enabled: true }]]), [true]);
        seen = await runningInterfaces(reader);
        assert.deepEqual(seen.get(`/interface[${name}]`), { name, type: 'ethernetCsmacd', description: 'changed', enabled: true, mtu: 1400 });

        assert.deepEqual(await d.deleteConfig([[`/interface[${name}]/subinterface[0]`, { address_ip: '10.11.12.1' }], [`/interface[${name}]/subinterface[7]`, {}]]), [true, true]);
        seen = await runningInterfaces(reader);
        assert.equal(seen.has(`/interface[${name}]/subinterface[0]`), false);
        assert.equal(seen.has(`/interface[${name}]/subinterface[7]`), false);
        assert.ok(seen.has(`/interface[${name}]`));
        assert.deepEqual(await d.deleteConfig([[`/interface[${name}]`, {}]]), [true]);
        assert.equal((await runningInterfaces(reader)).has(`/interface[${name}]`), false);
        assert.deepEqual(await d.deleteConfig([[`/interface[${name}]`, {}]]), [true], 'deleting what is gone is fine');
      } finally {
        await reader.close();
      }
    });

    test(`a refused second rule leaves the device as it was, errors in the device's words (port ${port})`, async () => {
      const d = await driver(port);
      const reader = await independentClient(port);
      const good = testName(`g${port}-`);
      const bad = testName(`b${port}-`);
      try {
        const before = (await reader.getConfig('running')).xml;
        const results = await d.setConfig([
          [`/interface[${good}]`, { description: 'must not stay' }],
          [`/interface[${bad}]`, { type: 'noSuchIfType', description: 'refused' }],
        ]);
        assert.equal(results.length, 2);
        for (const r of results) {
          assert.ok(r instanceof CnsdnError, String(r));
          assert.equal(r.code, 'DRIVER_ERROR');
          assert.match(r.message, /invalid-value/, 'the rpc-error tag');
          assert.match(r.message, /invalid value at .*if:type/, "the device's error-message and path");
          assert.match(r.message, /bad-value=ianaift:noSuchIfType/);
        }
        assert.match((results[0] as Error).message, new RegExp(`^/interface\\[${good}\\] not applied`));
        assert.equal((await reader.getConfig('running')).xml, before, 'running is unchanged');
        if (port === CANDIDATE_PORT) {
          const candidate = (await reader.getConfig('candidate')).xml;
          assert.doesNotMatch(candidate, new RegExp(good), 'the candidate was discarded');
        }
        assert.deepEqual(await d.setConfig([[`/interface[${good}]`, { description: 'now fine' }]]), [true], 'the lock was released');
      } finally {
        await reader.close();
      }
    });
  }

  test('no <validate> between edits and commit: every edit of a batch is committed (netconfd would drop them)', async () => {
    const d = await driver(CANDIDATE_PORT);
    const reader = await independentClient(CANDIDATE_PORT);
    const batch = [testName('v1-'), testName('v2-'), testName('v3-')];
    try {
      assert.deepEqual(await d.setConfig(batch.map((n): Resource => [`/interface[${n}]`, { description: n }])), [true, true, true]);
      const seen = await runningInterfaces(reader);
      for (const n of batch) assert.equal((seen.get(`/interface[${n}]`) as { description?: string } | undefined)?.description, n);
    } finally {
      await reader.close();
    }
  });

  test('commit_per_rule: rules before and after a refused one are committed, each result its own', async () => {
    const d = await driver(CANDIDATE_PORT, { commit_per_rule: true });
    const reader = await independentClient(CANDIDATE_PORT);
    const [a, b, c] = [testName('p1-'), testName('p2-'), testName('p3-')];
    try {
      const results = await d.setConfig([
        [`/interface[${a}]`, { description: 'a' }],
        [`/interface[${b}]`, { type: 'noSuchIfType' }],
        [`/interface[${c}]`, { description: 'c' }],
        ['', 'not a resource'],
      ]);
      assert.equal(results[0], true);
      assert.ok(results[1] instanceof CnsdnError && /invalid-value/.test(results[1].message));
      assert.equal(results[2], true);
      assert.ok(results[3] instanceof CnsdnError && results[3].code === 'INVALID_ARGUMENT');
      const seen = await runningInterfaces(reader);
      assert.ok(seen.has(`/interface[${a}]`) && seen.has(`/interface[${c}]`));
      assert.equal(seen.has(`/interface[${b}]`), false);
    } finally {
      await reader.close();
    }
  });

  test('a lock held by another session is waited for, within a bound', async () => {
    const d = await driver(CANDIDATE_PORT);
    const holder = await independentClient(CANDIDATE_PORT);
    const name = testName('lk-');
    try {
      await holder.lock('candidate');
      const pending = d.setConfig([[`/interface[${name}]`, { description: 'after the lock' }]]);
      setTimeout(() => void holder.unlock('candidate'), 300);
      assert.deepEqual(await pending, [true]);
    } finally {
      await holder.close();
    }
  });

  test('network-instance keys on an ietf-interfaces-only device: a clear per-resource error, nothing sent', async () => {
    const d = await driver(CANDIDATE_PORT);
    const results = await d.setConfig([['/network_instance[vrf1]', { name: 'vrf1', type: 'L3VRF' }]]);
    assert.ok(results[0] instanceof CnsdnError);
    assert.equal(results[0].code, 'INVALID_ARGUMENT');
    assert.match(results[0].message, /unsupported by this device: network instances need openconfig-network-instance/);
    const read = await d.getConfig(['/network_instance[vrf1]']);
    assert.ok(read[0][1] instanceof CnsdnError);
  });

  test('a notification arrives after a commit (ietf-netconf-notifications netconf-config-change)', async () => {
    const d = await driver(CANDIDATE_PORT);
    const seen: Array<{ name: string; xml: string }> = [];
    d.onNotification((n) => seen.push(n));
    const name = testName('nt-');
    assert.deepEqual(await d.setConfig([[`/interface[${name}]`, { description: 'notify' }]]), [true]);
    const change = await until('netconf-config-change', () => seen.find((n) => n.name === 'netconf-config-change' && n.xml.includes(name)), 5000);
    assert.match(change.xml, /urn:ietf:params:xml:ns:yang:ietf-netconf-notifications/);
  });

  test('counters are polled: samples with endpoint and TFS sample types; unsubscribe stops them', async () => {
    const d = await driver(RUNNING_PORT);
    const eps = await d.discoverEndpoints();
    assert.ok(eps.some((e) => e.name === 'lo' && e.type === 'loopback'));
    assert.ok(eps.every((e) => e.type === 'loopback' || e.type === 'copper'));
    const samples: Array<{ key: string; endpoint?: string; sampleType?: number; value: unknown }> = [];
    d.onSample((s) => samples.push(s));
    assert.deepEqual(await d.subscribeState([['/interface[lo]/state/counters/in-octets', 0, 0.05], ['/interface[lo]', 0, 0.2]]), [true, true]);
    await until('in-octets and in-pkts samples of lo', () => samples.some((s) => s.sampleType === 102) && samples.filter((s) => s.key.endsWith('/in-octets')).length >= 2, 5000);
    const octets = samples.find((s) => s.key === '/interface[lo]/state/counters/in-octets')!;
    assert.equal(octets.endpoint, 'lo');
    assert.equal(octets.sampleType, 202);
    assert.equal(typeof octets.value, 'number');
    assert.deepEqual((await d.subscribeState([['/interface[no-such-if]', 0, 1]]))[0] instanceof CnsdnError, true);
    await d.unsubscribeState([['/interface[lo]/state/counters/in-octets', 0, 0.05], ['/interface[lo]', 0, 0.2]]);
    const n = samples.length;
    await new Promise((r) => setTimeout(r, 400));
    assert.ok(samples.length - n <= 9, 'at most one poll in flight finishes after unsubscribe');
    const settled = samples.length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(samples.length, settled);
  });
});

describe('netconf-openconfig host keys and credentials on netconfd', { skip: missing, timeout: 30_000 }, () => {
  test('hostkey_verify with known_hosts_file (from the env) connects; the pinned fingerprint too', async () => {
    const d = await connected(CANDIDATE_PORT);
    await d.disconnect();
    const probe = await independentClient(CANDIDATE_PORT);
    const fingerprint = probe.hostKeyFingerprint;
    await probe.close();
    const pinned = await connected(CANDIDATE_PORT, { known_hosts_file: undefined, hostkey_fingerprint: fingerprint });
    await pinned.disconnect();
  });

  test('a wrong fingerprint: coded error naming the host key, no session', async () => {
    const wrong = fingerprintSha256(Buffer.from('not the device key'));
    const d = new NetconfOpenconfigDriver(deviceConfig(CANDIDATE_PORT, { known_hosts_file: undefined, hostkey_fingerprint: wrong }));
    const e = await d.connect().then(
      () => assert.fail('connected with a wrong host key'),
      (err: unknown) => err,
    );
    assert.ok(e instanceof CnsdnError);
    assert.equal(e.code, 'DRIVER_ERROR');
    assert.match(e.message, /NETCONF_HOSTKEY.*does not match/);
    assert.equal(d.datastore, undefined);
    await assert.rejects(d.discoverEndpoints(), (err: CnsdnError) => err.code === 'DEVICE_UNREACHABLE');
  });

  test('hostkey_verify true with nothing to verify against, or no password/key: INVALID_ARGUMENT before any connection', async () => {
    const home = process.env.HOME;
    process.env.HOME = '/nonexistent-cnsdn-home';
    try {
      const noRef = new NetconfOpenconfigDriver(deviceConfig(CANDIDATE_PORT, { known_hosts_file: undefined }));
      await assert.rejects(noRef.connect(), (e: CnsdnError) => e.code === 'INVALID_ARGUMENT' && /known_hosts_file or hostkey_fingerprint/.test(e.message));
    } finally {
      process.env.HOME = home;
    }
    const noPassword = new NetconfOpenconfigDriver(deviceConfig(CANDIDATE_PORT, { password: undefined }));
    await assert.rejects(noPassword.connect(), (e: CnsdnError) => e.code === 'INVALID_ARGUMENT');
  });

  test('hostkey_verify false accepts any host key (explicitly); key_filename authenticates', async () => {
    const insecure = await connected(CANDIDATE_PORT, { known_hosts_file: undefined, hostkey_verify: 'false' });
    await insecure.disconnect();
    const { env } = await import('./testing.js');
    const withKey = await connected(CANDIDATE_PORT, { password: undefined, key_filename: env?.CNSDN_TEST_NETCONF_KEY });
    assert.ok((await withKey.discoverEndpoints()).length > 0);
    await withKey.disconnect();
  });

  test('look_for_keys: the first of ~/.ssh/id_ed25519, id_ecdsa, id_rsa authenticates without a password', async () => {
    const { env } = await import('./testing.js');
    const { copyFileSync, mkdirSync, mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const home = mkdtempSync(join(tmpdir(), 'cnsdn-home-'));
    const saved = process.env.HOME;
    try {
      mkdirSync(join(home, '.ssh'));
      process.env.HOME = home;
      const nothing = new NetconfOpenconfigDriver(deviceConfig(CANDIDATE_PORT, { password: undefined, look_for_keys: true }));
      await assert.rejects(nothing.connect(), (e: CnsdnError) => e.code === 'INVALID_ARGUMENT' && /look_for_keys/.test(e.message), 'no key in ~/.ssh yet');
      copyFileSync(env?.CNSDN_TEST_NETCONF_KEY ?? '', join(home, '.ssh', 'id_ed25519'));
      const off = new NetconfOpenconfigDriver(deviceConfig(CANDIDATE_PORT, { password: undefined }));
      await assert.rejects(off.connect(), (e: CnsdnError) => e.code === 'INVALID_ARGUMENT', 'look_for_keys is off by default');
      const d = await connected(CANDIDATE_PORT, { password: undefined, look_for_keys: 'True' });
      assert.ok((await d.discoverEndpoints()).length > 0);
      await d.disconnect();
    } finally {
      process.env.HOME = saved;
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('key_filename of an encrypted key with key_passphrase; a list of key files takes the first that exists', async () => {
    const { env } = await import('./testing.js');
    const { spawnSync } = await import('node:child_process');
    const { chmodSync, copyFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'cnsdn-keys-'));
    try {
      const encrypted = join(dir, 'key_enc');
      copyFileSync(env?.CNSDN_TEST_NETCONF_KEY ?? '', encrypted);
      chmodSync(encrypted, 0o600);
      const keygen = spawnSync('ssh-keygen', ['-p', '-f', encrypted, '-N', 'drv phrase', '-P', ''], { encoding: 'utf8' });
      assert.equal(keygen.status, 0, `ssh-keygen: ${keygen.stderr}`);
      const noPhrase = new NetconfOpenconfigDriver(deviceConfig(CANDIDATE_PORT, { password: undefined, key_filename: encrypted }));
      await assert.rejects(noPhrase.connect(), (e: CnsdnError) => e.code === 'INVALID_ARGUMENT' && /passphrase/.test(e.message));
      const d = await connected(CANDIDATE_PORT, { password: undefined, key_filename: [join(dir, 'missing'), encrypted], key_passphrase: 'drv phrase' });
      assert.ok((await d.discoverEndpoints()).length > 0);
      await d.disconnect();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('allow_agent: the keys of the ssh-agent at SSH_AUTH_SOCK authenticate; off by default', async () => {
    const { env } = await import('./testing.js');
    const { spawnSync } = await import('node:child_process');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'cnsdn-agent-'));
    const sock = join(dir, 'agent.sock');
    const started = spawnSync('ssh-agent', ['-a', sock, '-s'], { encoding: 'utf8' });
    assert.equal(started.status, 0, `ssh-agent: ${started.stderr}`);
    const agentPid = Number(/SSH_AGENT_PID=(\d+)/.exec(started.stdout)?.[1]);
    const saved = process.env.SSH_AUTH_SOCK;
    try {
      const added = spawnSync('ssh-add', [env?.CNSDN_TEST_NETCONF_KEY ?? ''], { encoding: 'utf8', env: { ...process.env, SSH_AUTH_SOCK: sock } });
      assert.equal(added.status, 0, `ssh-add: ${added.stderr}`);
      process.env.SSH_AUTH_SOCK = sock;
      const off = new NetconfOpenconfigDriver(deviceConfig(CANDIDATE_PORT, { password: undefined }));
      await assert.rejects(off.connect(), (e: CnsdnError) => e.code === 'INVALID_ARGUMENT' && /allow_agent/.test(e.message));
      const d = await connected(CANDIDATE_PORT, { password: undefined, allow_agent: true });
      assert.ok((await d.discoverEndpoints()).length > 0);
      await d.disconnect();
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
      if (Number.isInteger(agentPid) && agentPid > 0) process.kill(agentPid);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a wrong password: coded error without the password in it', async () => {
    const d = new NetconfOpenconfigDriver(deviceConfig(CANDIDATE_PORT, { password: 'wrong-pw-cnsdn-xyz' }));
    const e = await d.connect().then(
      () => assert.fail('connected with a wrong password'),
      (err: unknown) => err as CnsdnError,
    );
    assert.match(e.message, /NETCONF_AUTH/);
    assert.doesNotMatch(e.message, /wrong-pw-cnsdn-xyz/);
  });
});
