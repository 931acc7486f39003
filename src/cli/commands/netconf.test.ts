import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { knownHostsLine } from '../../sim/netconf/hostkey.js';
import { type NetconfSim, startNetconfSim } from '../../sim/netconf/run.js';
import { run } from '../program.js';
import { captureIO } from '../testing.js';

const IF = 'http://openconfig.net/yang/interfaces';
const PASSWORD = 'Cl1-pass';
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

let sim: NetconfSim;
let dir: string;
let conn: string[];

async function netconf(args: string[], env: Record<string, string> = {}) {
  const io = captureIO(env);
  const code = await run(['--timeout', '10s', 'netconf', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

before(async () => {
  sim = await startNetconfSim({ port: 0, users: [{ username: 'ops', password: PASSWORD }] });
  dir = await mkdtemp(join(tmpdir(), 'cnsdn-netconf-cli-'));
  conn = ['--host', '127.0.0.1', '--port', String(sim.devices[0].port), '-u', 'ops', '--fingerprint', sim.hostKey.fingerprint];
});

after(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

describe('cnsdn netconf against the simulator', { timeout: 60_000 }, () => {
  it('hello prints the session-id and capabilities (password from the environment)', async () => {
    const r = await netconf(['hello', ...conn], { CNSDN_NETCONF_PASSWORD: PASSWORD });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^session-id: \d+\n/);
    assert.match(r.out, /\n {2}urn:ietf:params:netconf:capability:candidate:1\.0\n/);
    assert.match(r.out, /openconfig-interfaces&revision=/);
  });

  it('get-config prints <data> as indented XML; a subtree filter narrows it', async () => {
    const r = await netconf(['get-config', ...conn, '-p', PASSWORD, '--filter', `<interfaces xmlns="${IF}"><interface><name>Ethernet2</name><config><mtu/></config></interface></interfaces>`]);
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.out,
      [
        '<data xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">',
        `  <interfaces xmlns="${IF}">`,
        '    <interface>',
        '      <name>Ethernet2</name>',
        '      <config>',
        '        <mtu>1500</mtu>',
        '      </config>',
        '    </interface>',
        '  </interfaces>',
        '</data>',
        '',
      ].join('\n'),
    );
  });

  it('edit-config to the candidate, commit, then get-config running shows it; get-config output can be sent back', async () => {
    const file = join(dir, 'mtu.xml');
    await writeFile(file, `<config><interfaces xmlns="${IF}"><interface><name>Ethernet1</name><config><mtu>9001</mtu></config></interface></interfaces></config>`);
    const edit = await netconf(['edit-config', ...conn, '-p', PASSWORD, '--file', file]);
    assert.deepEqual([edit.code, edit.out, edit.err], [0, '<ok/>\n', '']);
    const filter = `<interfaces xmlns="${IF}"><interface><name>Ethernet1</name><config><mtu/></config></interface></interfaces>`;
    const running = await netconf(['get-config', ...conn, '-p', PASSWORD, '--filter', filter]);
    assert.doesNotMatch(running.out, /9001/);
    const candidate = await netconf(['get-config', ...conn, '-p', PASSWORD, '--source', 'candidate', '--filter', filter]);
    assert.match(candidate.out, /<mtu>9001<\/mtu>/);
    assert.deepEqual((await netconf(['commit', ...conn, '-p', PASSWORD])).code, 0);
    const committed = await netconf(['get-config', ...conn, '-p', PASSWORD, '--filter', filter]);
    assert.match(committed.out, /<mtu>9001<\/mtu>/);
    const roundTrip = join(dir, 'data.xml');
    await writeFile(roundTrip, committed.out.replace('9001', '9002'));
    assert.equal((await netconf(['edit-config', ...conn, '-p', PASSWORD, '--file', roundTrip])).code, 0);
    assert.equal((await netconf(['discard', ...conn, '-p', PASSWORD])).code, 0);
    assert.match((await netconf(['get-config', ...conn, '-p', PASSWORD, '--source', 'candidate', '--filter', filter])).out, /<mtu>9001<\/mtu>/);
  });

  it('an invalid edit exits 1 with the rpc-error tag and message; lock and unlock print <ok/>', async () => {
    const file = join(dir, 'bad.xml');
    await writeFile(file, `<interfaces xmlns="${IF}"><interface><name>Ethernet1</name><config><enabled>maybe</enabled></config></interface></interfaces>`);
    const r = await netconf(['edit-config', ...conn, '-p', PASSWORD, '--file', file]);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    // The simulator's own check or, once its YANG models have compiled in the background, the YANG
    // validator's (with the data path): both refuse the edit as invalid-value.
    assert.match(r.err, /^error: edit-config: application\/invalid-value: (enabled: "maybe" is not a boolean|invalid boolean value "maybe" \(YANG_DATA_TYPE\) at \/openconfig-interfaces:interfaces\/interface\[name='Ethernet1'\]\/config\/enabled)/);
    assert.deepEqual(await netconf(['lock', ...conn, '-p', PASSWORD, '--target', 'running']), { code: 0, out: '<ok/>\n', err: '' });
    const unlock = await netconf(['unlock', ...conn, '-p', PASSWORD]);
    assert.equal(unlock.code, 1, 'the lock ended with the previous command');
    assert.match(unlock.err, /operation-failed: the candidate datastore is not locked/);
  });

  it('copy-config, validate, commit --persist and cancel-commit --persist-id, delete-config refused in the device words', async () => {
    const filter = `<interfaces xmlns="${IF}"><interface><name>Ethernet3</name><config><mtu/></config></interface></interfaces>`;
    const file = join(dir, 'copy.xml');
    const runningNow = await netconf(['get-config', ...conn, '-p', PASSWORD]);
    await writeFile(file, runningNow.out.replace(/(<name>Ethernet3<\/name>\s*<config>[\s\S]*?<mtu>)\d+(<\/mtu>)/, '$19100$2'));
    assert.deepEqual(await netconf(['copy-config', ...conn, '-p', PASSWORD, '--file', file, '--target', 'candidate']), { code: 0, out: '<ok/>\n', err: '' });
    assert.match((await netconf(['get-config', ...conn, '-p', PASSWORD, '--source', 'candidate', '--filter', filter])).out, /<mtu>9100<\/mtu>/);
    assert.deepEqual(await netconf(['validate', ...conn, '-p', PASSWORD]), { code: 0, out: '<ok/>\n', err: '' });
    assert.deepEqual(await netconf(['commit', ...conn, '-p', PASSWORD, '--persist', 'cli-p1']), { code: 0, out: '<ok/>\n', err: '' });
    assert.match((await netconf(['get-config', ...conn, '-p', PASSWORD, '--filter', filter])).out, /<mtu>9100<\/mtu>/, 'the persistent confirmed commit outlives its session');
    assert.deepEqual(await netconf(['cancel-commit', ...conn, '-p', PASSWORD, '--persist-id', 'cli-p1']), { code: 0, out: '<ok/>\n', err: '' });
    assert.doesNotMatch((await netconf(['get-config', ...conn, '-p', PASSWORD, '--filter', filter])).out, /9100/, 'cancel-commit rolled it back');
    assert.equal((await netconf(['copy-config', ...conn, '-p', PASSWORD, '--source', 'running', '--target', 'candidate'])).code, 0);
    const del = await netconf(['delete-config', ...conn, '-p', PASSWORD, '--target', 'candidate']);
    assert.equal(del.code, 1);
    assert.match(del.err, /^error: delete-config: protocol\/operation-not-supported: delete-config applies to startup/);
    assert.match(del.err, /<error-tag>operation-not-supported<\/error-tag>/);
  });

  it('kill-session and close-session; usage errors exit 2', async () => {
    const killed = await netconf(['kill-session', ...conn, '-p', PASSWORD, '--session-id', '999999']);
    assert.equal(killed.code, 1);
    assert.match(killed.err, /invalid-value: no session 999999/);
    assert.deepEqual(await netconf(['close-session', ...conn, '-p', PASSWORD]), { code: 0, out: '<ok/>\n', err: '' });
    for (const args of [
      ['copy-config', '--target', 'candidate'],
      ['copy-config', '--source', 'running', '--file', 'x.xml', '--target', 'candidate'],
      ['kill-session', '--session-id', '0'],
      ['commit', '--persist', ''],
      ['delete-config', '--target', 'running'],
    ]) {
      const r = await netconf([args[0], ...conn, '-p', PASSWORD, ...args.slice(1)]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    }
  });

  it('host key checking: on by default, a wrong fingerprint is refused, a known_hosts file works', async () => {
    const base = ['--host', '127.0.0.1', '--port', String(sim.devices[0].port), '-u', 'ops', '-p', PASSWORD];
    const none = await netconf(['hello', ...base]);
    assert.equal(none.code, 2);
    assert.match(none.err, /--known-hosts FILE or --fingerprint SHA256:\.\.\., or --no-hostkey-check/);
    const wrong = await netconf(['hello', ...base, '--fingerprint', `SHA256:${'A'.repeat(43)}`]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.err, /does not match the expected key/);
    const kh = join(dir, 'known_hosts');
    await writeFile(kh, `${knownHostsLine(sim.hostKey, '127.0.0.1', sim.devices[0].port)}\n`);
    assert.equal((await netconf(['hello', ...base, '--known-hosts', kh])).code, 0);
    const home = join(dir, 'home');
    await mkdir(join(home, '.ssh'), { recursive: true });
    await writeFile(join(home, '.ssh', 'known_hosts'), `${knownHostsLine(sim.hostKey, '127.0.0.1', sim.devices[0].port)}\n`);
    assert.equal((await netconf(['hello', ...base], { HOME: home })).code, 0, '~/.ssh/known_hosts is used when no flag is given');
    await writeFile(join(home, '.ssh', 'known_hosts'), `${knownHostsLine(sim.hostKey, '127.0.0.1', 1)}\n`);
    const unknown = await netconf(['hello', ...base], { HOME: home });
    assert.equal(unknown.code, 1, 'a device missing from ~/.ssh/known_hosts is refused');
    assert.match(unknown.err, /no key for 127\.0\.0\.1:\d+ in known_hosts file/);
    assert.equal((await netconf(['hello', ...base, '--no-hostkey-check'])).code, 0);
  });

  it('an XPath filter on a device without :xpath, a wrong password and a missing password are clear errors', async () => {
    const xpath = await netconf(['get', ...conn, '-p', PASSWORD, '--filter', '/oc-if:interfaces']);
    assert.equal(xpath.code, 1);
    assert.match(xpath.err, /XPath filter needs the :xpath capability/);
    const auth = await netconf(['get', ...conn, '-p', 'nope']);
    assert.equal(auth.code, 1);
    assert.match(auth.err, /authentication to 127\.0\.0\.1:\d+ failed/);
    const missing = await netconf(['get', ...conn]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /no password: pass -p PASS, set CNSDN_NETCONF_PASSWORD/);
  });
});

function spawnCollect(bin: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [join(ROOT, 'bin', bin), ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

async function bindable(port: number): Promise<boolean> {
  const s = createServer();
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** The first of `n` consecutive free ports. */
async function freeRange(n: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = await bindable(base + i);
    if (ok) return base;
  }
  throw new Error(`no ${n} consecutive free ports`);
}

async function until(what: string, pred: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('bin/cnsdn-sim.js netconf and bin/cnsdn.js netconf as processes', { timeout: 120_000 }, () => {
  it('prints one ready line per device, persists its host key, answers the CLI, and exits 0 on SIGTERM', async () => {
    const keyFile = join(dir, 'host_key');
    const port = await freeRange(3);
    const start = () => spawnCollect('cnsdn-sim.js', ['netconf', '--host', '127.0.0.1', '--port', String(port), '--count', '3', '--user', `ops:${PASSWORD}`, '--host-key', keyFile]);
    const ready = /^netconf device (sim\d) listening on 127\.0\.0\.1:(\d+) \(fingerprint (SHA256:[A-Za-z0-9+/]{43})\)$/;
    const sim1 = start();
    try {
      await until('3 ready lines', () => sim1.out().split('\n').filter(Boolean).length >= 3 || sim1.child.exitCode !== null);
      const lines = sim1.out().trim().split('\n');
      assert.equal(lines.length, 3, sim1.err());
      const parsed = lines.map((l) => ready.exec(l));
      assert.deepEqual(parsed.map((m) => [m?.[1], Number(m?.[2])]), [['sim1', port], ['sim2', port + 1], ['sim3', port + 2]]);
      const fingerprint = parsed[0]?.[3] ?? '';
      const hello = spawnCollect('cnsdn.js', ['netconf', 'hello', '--host', '127.0.0.1', '--port', String(port + 2), '-u', 'ops', '--fingerprint', fingerprint], { CNSDN_NETCONF_PASSWORD: PASSWORD });
      assert.equal(await hello.exited, 0, hello.err());
      assert.match(hello.out(), /^session-id: 1\n/);
    } finally {
      sim1.child.kill('SIGTERM');
    }
    assert.equal(await sim1.exited, 0, sim1.err());
    const sim2 = start();
    try {
      await until('a ready line', () => sim2.out().includes('\n') || sim2.child.exitCode !== null);
      assert.equal(ready.exec(sim2.out().split('\n')[0])?.[3], ready.exec(sim1.out().split('\n')[0])?.[3], 'the persisted host key is reused');
    } finally {
      sim2.child.kill('SIGTERM');
    }
    assert.equal(await sim2.exited, 0);
  });

  it('refuses to start without --user', async () => {
    const p = spawnCollect('cnsdn-sim.js', ['netconf', '--port', '0']);
    assert.equal(await p.exited, 1);
    assert.match(p.err(), /no --user given: the simulator has no default password/);
  });
});
