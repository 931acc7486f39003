import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CANDIDATE_PORT, devicesMissing, env, independentClient } from '../../drivers/netconf-openconfig/testing.js';
import { run } from '../program.js';
import { captureIO } from '../testing.js';

// The real yuma123 netconfd devices of scripts/netconf-devices.sh: candidate on the first port.
const IF_NS = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';
const IANA_NS = 'urn:ietf:params:xml:ns:yang:iana-if-type';
const missing = await devicesMissing();

const NAME = `cli-itest-${process.pid % 100000}`;

async function netconf(args: string[], ioEnv: Record<string, string | undefined> = { CNSDN_NETCONF_PASSWORD: env?.CNSDN_TEST_NETCONF_PASSWORD }) {
  const io = captureIO(ioEnv);
  const conn = ['--host', '127.0.0.1', '--port', String(CANDIDATE_PORT), '-u', env?.CNSDN_TEST_NETCONF_USER ?? '', '--known-hosts', env?.CNSDN_TEST_NETCONF_KNOWN_HOSTS ?? ''];
  const code = await run(['--timeout', '15s', 'netconf', args[0], ...conn, ...args.slice(1)], io);
  return { code, out: io.out(), err: io.err() };
}

const IF_FILTER = `<interfaces xmlns="${IF_NS}"/>`;

describe('cnsdn netconf against the real netconfd', { skip: missing, timeout: 60_000 }, () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cnsdn-netconf-itest-'));
  });

  after(async () => {
    const file = join(dir, 'delete.xml');
    await writeFile(file, `<interfaces xmlns="${IF_NS}" xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0"><interface nc:operation="remove"><name>${NAME}</name></interface></interfaces>`);
    await netconf(['discard']);
    if ((await netconf(['edit-config', '--file', file])).code === 0) await netconf(['commit']);
    await rm(dir, { recursive: true, force: true });
  });

  it('get-config running prints the data as XML', async () => {
    const r = await netconf(['get-config', '--filter', IF_FILTER]);
    assert.equal(r.code, 0, r.err);
    // A freshly started netconfd has no interfaces configured: an empty <data/> is a valid answer.
    assert.match(r.out, /^<data xmlns="urn:ietf:params:xml:ns:netconf:base:1\.0"(\/>|>)/);
    const empty = /^<data[^>]*\/>/.test(r.out);
    if (!empty) assert.match(r.out, new RegExp(`<interfaces xmlns="${IF_NS}"`));
  });

  it('edit-config of an ietf-interfaces interface on the candidate, commit, then get-config running shows it', async () => {
    const file = join(dir, 'if.xml');
    await writeFile(file, `<interfaces xmlns="${IF_NS}"><interface><name>${NAME}</name><description>from cnsdn netconf</description><type xmlns:ianaift="${IANA_NS}">ianaift:ethernetCsmacd</type></interface></interfaces>`);
    const edit = await netconf(['edit-config', '--file', file, '--target', 'candidate']);
    assert.deepEqual([edit.code, edit.out], [0, '<ok/>\n'], edit.err);
    const before = await netconf(['get-config', '--filter', IF_FILTER]);
    assert.doesNotMatch(before.out, new RegExp(NAME));
    const commit = await netconf(['commit']);
    assert.equal(commit.code, 0, commit.err);
    const running = await netconf(['get-config', '--filter', `<interfaces xmlns="${IF_NS}"><interface><name>${NAME}</name></interface></interfaces>`]);
    assert.equal(running.code, 0, running.err);
    assert.match(running.out, new RegExp(`<name>${NAME}</name>`));
    assert.match(running.out, /<description>from cnsdn netconf<\/description>/);
  });

  it("an invalid edit exits non-zero with the device's own message", async () => {
    const file = join(dir, 'bad.xml');
    await writeFile(file, `<interfaces xmlns="${IF_NS}"><interface><name>${NAME}-bad</name><enabled>bogus</enabled></interface></interfaces>`);
    const r = await netconf(['edit-config', '--file', file]);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.match(r.err, /^error: edit-config: protocol\/invalid-value \(data-invalid\): invalid value at .*if:enabled \[bad-value=bogus\]/);
    assert.match(r.err, /\n<rpc-error xmlns="urn:ietf:params:xml:ns:netconf:base:1\.0">\n {2}<error-type>protocol<\/error-type>\n {2}<error-tag>invalid-value<\/error-tag>/, 'the rpc-error as the device sent it');
  });

  it('validate: the candidate, and a file that lacks a mandatory leaf (rpc-error, exit 1)', async () => {
    assert.deepEqual(await netconf(['validate']), { code: 0, out: '<ok/>\n', err: '' });
    const file = join(dir, 'untyped.xml');
    await writeFile(file, `<interfaces xmlns="${IF_NS}"><interface><name>${NAME}-untyped</name></interface></interfaces>`);
    const r = await netconf(['validate', '--file', file]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^error: validate: application\/data-missing/);
  });

  it('commit --persist survives its session; cancel-commit --persist-id rolls it back', async () => {
    const name = `${NAME}-persist`;
    const file = join(dir, 'persist.xml');
    await writeFile(file, `<interfaces xmlns="${IF_NS}"><interface><name>${name}</name><type xmlns:ianaift="${IANA_NS}">ianaift:ethernetCsmacd</type></interface></interfaces>`);
    const filter = `<interfaces xmlns="${IF_NS}"><interface><name>${name}</name></interface></interfaces>`;
    assert.equal((await netconf(['edit-config', '--file', file])).code, 0);
    const persist = `p${process.pid}`;
    try {
      const commit = await netconf(['commit', '--persist', persist, '--confirm-timeout', '120']);
      assert.deepEqual([commit.code, commit.out], [0, '<ok/>\n'], commit.err);
      assert.match((await netconf(['get-config', '--filter', filter])).out, new RegExp(`<name>${name}</name>`), 'running has it while the commit waits');
    } finally {
      const cancel = await netconf(['cancel-commit', '--persist-id', persist]);
      assert.deepEqual([cancel.code, cancel.out], [0, '<ok/>\n'], cancel.err);
    }
    assert.doesNotMatch((await netconf(['get-config', '--filter', filter])).out, new RegExp(name), 'rolled back');
    const again = await netconf(['cancel-commit', '--persist-id', persist]);
    assert.equal(again.code, 1, 'nothing left to cancel');
    assert.match(again.err, /^error: cancel-commit: protocol\/operation-failed/);
  });

  it('kill-session ends another session; close-session ends its own cleanly', async () => {
    const victim = await independentClient(CANDIDATE_PORT);
    try {
      const closed = new Promise((resolve) => victim.on('close', resolve));
      const r = await netconf(['kill-session', '--session-id', String(victim.sessionId)]);
      assert.deepEqual([r.code, r.out], [0, '<ok/>\n'], r.err);
      await closed;
      assert.equal(victim.closed, true);
    } finally {
      await victim.close();
    }
    assert.deepEqual(await netconf(['close-session']), { code: 0, out: '<ok/>\n', err: '' });
  });

  it('--key authenticates without a password; an encrypted key needs --key-passphrase (or its env)', async () => {
    const key = env?.CNSDN_TEST_NETCONF_KEY ?? '';
    const plain = await netconf(['hello', '--key', key], {});
    assert.equal(plain.code, 0, plain.err);
    assert.match(plain.out, /^session-id: \d+/);
    const encrypted = join(dir, 'key_enc');
    await copyFile(key, encrypted);
    await chmod(encrypted, 0o600);
    const keygen = spawnSync('ssh-keygen', ['-p', '-f', encrypted, '-N', 'cli phrase', '-P', ''], { encoding: 'utf8' });
    if (keygen.error || keygen.status !== 0) return; // no ssh-keygen here: the plain key case above still ran
    const without = await netconf(['hello', '--key', encrypted], {});
    assert.equal(without.code, 1);
    assert.match(without.err, /private key unusable: .*passphrase/);
    assert.equal((await netconf(['hello', '--key', encrypted, '--key-passphrase', 'cli phrase'], {})).code, 0);
    assert.equal((await netconf(['hello', '--key', encrypted], { CNSDN_NETCONF_KEY_PASSPHRASE: 'cli phrase' })).code, 0);
    assert.equal((await netconf(['hello', '--key-passphrase', 'cli phrase'])).code, 2, 'a passphrase without --key is a usage error');
  });

  it('an XPath filter works on a device that offers :xpath', async () => {
    const r = await netconf(['get-config', '--filter', '/if:interfaces', '--ns', `if=${IF_NS}`]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`<interfaces xmlns="${IF_NS}"`));
    assert.equal(r.err, '');
    const byModule = await netconf(['get', '--filter', "/ietf-interfaces:interfaces-state/ietf-interfaces:interface[ietf-interfaces:name='lo']"]);
    assert.equal(byModule.code, 0, byModule.err);
    assert.match(byModule.out, /<name>lo<\/name>/, 'module names are bound as prefixes');
    // netconfd resolves names without a prefix; when such a filter selects nothing, a hint says why it might.
    const bare = await netconf(['get', '--filter', "/interfaces-state/interface[name='lo']"]);
    assert.equal(bare.code, 0, bare.err);
    assert.match(bare.out, /<name>lo<\/name>/);
    assert.equal(bare.err, '');
    const none = await netconf(['get', '--filter', "/interfaces-state/interface[name='no-such-if']"]);
    assert.deepEqual([none.code, none.out], [0, '<data xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"/>\n']);
    assert.match(none.err, /^hint: nothing selected; a name without a prefix matches no namespace on many devices/);
  });
});
