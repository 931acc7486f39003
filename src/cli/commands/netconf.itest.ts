import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CANDIDATE_PORT, devicesMissing, env } from '../../drivers/netconf-openconfig/testing.js';
import { run } from '../program.js';
import { captureIO } from '../testing.js';

// The real yuma123 netconfd devices of scripts/netconf-devices.sh: candidate on the first port.
const IF_NS = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';
const IANA_NS = 'urn:ietf:params:xml:ns:yang:iana-if-type';
const missing = await devicesMissing();

const NAME = `cli-itest-${process.pid % 100000}`;

async function netconf(args: string[]) {
  const io = captureIO({ CNSDN_NETCONF_PASSWORD: env?.CNSDN_TEST_NETCONF_PASSWORD });
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
  });

  it('an XPath filter works on a device that offers :xpath', async () => {
    const r = await netconf(['get-config', '--filter', '/if:interfaces', '--ns', `if=${IF_NS}`]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`<interfaces xmlns="${IF_NS}"`));
  });
});
