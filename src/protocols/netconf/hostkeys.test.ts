import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NetconfError } from './errors.js';
import { fingerprintSha256, hostMatches, knownHostsVerifier, normaliseFingerprint } from './hostkeys.js';

const KEY_A = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'base64');
const KEY_B = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'base64');

function hashed(name: string): string {
  const salt = Buffer.from('0123456789abcdefghij');
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('host keys', () => {
  it('fingerprints like OpenSSH and normalises pinned fingerprints', () => {
    const fp = fingerprintSha256(KEY_A);
    assert.match(fp, /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.equal(normaliseFingerprint(`${fp.slice(7)}=`), fp);
    assert.throws(() => normaliseFingerprint('MD5:aa:bb'), (e: unknown) => e instanceof NetconfError && e.code === 'NETCONF_INVALID_ARGUMENT');
  });

  it('matches plain, bracketed, wildcard, negated and hashed host patterns', () => {
    assert.equal(hostMatches('[127.0.0.1]:8830', '127.0.0.1', 8830), true);
    assert.equal(hostMatches('[127.0.0.1]:8830', '127.0.0.1', 8831), false);
    assert.equal(hostMatches('router1,router2', 'router2', 22), true);
    assert.equal(hostMatches('router1', 'router1', 830), false);
    assert.equal(hostMatches('*.lab,!bad.lab', 'r1.lab', 22), true);
    assert.equal(hostMatches('*.lab,!bad.lab', 'bad.lab', 22), false);
    assert.equal(hostMatches('r?.lab', 'r12.lab', 22), false);
    assert.equal(hostMatches(hashed('[10.0.0.1]:830'), '10.0.0.1', 830), true);
    assert.equal(hostMatches(hashed('[10.0.0.1]:830'), '10.0.0.2', 830), false);
  });

  it('verifies against a known_hosts file, honouring @revoked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnsdn-kh-'));
    const file = join(dir, 'known_hosts');
    writeFileSync(
      file,
      [
        '# comment',
        `[dev1]:830 ssh-ed25519 ${KEY_A.toString('base64')}`,
        `${hashed('[dev2]:830')} ssh-ed25519 ${KEY_B.toString('base64')}`,
        `[dev2]:830 ssh-rsa ${KEY_A.toString('base64')}`,
        `@revoked * ssh-ed25519 ${KEY_A.toString('base64')}`,
      ].join('\n'),
    );
    const v1 = knownHostsVerifier(file, 'dev1', 830);
    assert.equal(v1.verify(KEY_A), false, 'revoked everywhere');
    assert.equal(v1.verify(KEY_B), false);
    const v2 = knownHostsVerifier(file, 'dev2', 830);
    assert.equal(v2.verify(KEY_B), true);
    assert.deepEqual(v2.algorithms, ['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    assert.throws(() => knownHostsVerifier(file, 'dev3', 830), (e: unknown) => e instanceof NetconfError && e.code === 'NETCONF_HOSTKEY');
    assert.throws(() => knownHostsVerifier(join(dir, 'nope'), 'dev1', 830), (e: unknown) => e instanceof NetconfError && e.code === 'NETCONF_HOSTKEY');
  });
});
