import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

// scripts/netconf-devices.sh, on a temporary directory and ports of its own (8842/8843) so the
// shared devices of the other integration tests are not disturbed.
const SCRIPT = new URL('../../../scripts/netconf-devices.sh', import.meta.url).pathname;
const isRoot = process.getuid?.() === 0;
const hasNetconfd = spawnSync('sh', ['-c', 'command -v netconfd || test -x /usr/sbin/netconfd']).status === 0;
const skip = !isRoot ? 'needs root' : !hasNetconfd && process.env.CI !== 'true' ? 'netconfd not installed: run scripts/netconf-devices.sh up' : false;

function run(...args: string[]) {
  const r = spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('scripts/netconf-devices.sh', { skip }, () => {
  it('rejects unknown commands and options with a usage message', () => {
    assert.equal(run('start').code, 2);
    assert.equal(run('up', '--ports', '8842').code, 2);
    assert.match(run('status', '--bogus').out, /usage:/);
  });

  it('up is idempotent, status tells, down stops both devices', { timeout: 120_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnsdn-nc-'));
    const args = ['--dir', dir, '--ports', '8842,8843', '--user', 'cnsdn-nctest'];
    try {
      const up = run('up', ...args);
      assert.equal(up.code, 0, up.out);
      assert.match(up.out, /netconf device 127\.0\.0\.1:8842 ready \(candidate\)/);
      assert.match(up.out, /netconf device 127\.0\.0\.1:8843 ready \(running\)/);
      assert.match(up.out, new RegExp(`${dir}/password \\(mode 600\\)`));
      assert.equal(statSync(join(dir, 'password')).mode & 0o777, 0o600);
      assert.equal(statSync(join(dir, 'env')).mode & 0o777, 0o600);
      const password = readFileSync(join(dir, 'password'), 'utf8').trim();
      assert.ok(password.length >= 24);
      const env = readFileSync(join(dir, 'env'), 'utf8');
      assert.match(env, /^CNSDN_TEST_NETCONF_PORTS=8842,8843$/m);
      assert.match(env, /^CNSDN_TEST_NETCONF_USER=cnsdn-nctest$/m);
      assert.ok(env.includes(`CNSDN_TEST_NETCONF_PASSWORD=${password}\n`));
      const pid = readFileSync(join(dir, '8842', 'netconfd.pid'), 'utf8').trim();

      const again = run('up', ...args);
      assert.equal(again.code, 0, again.out);
      assert.equal(readFileSync(join(dir, '8842', 'netconfd.pid'), 'utf8').trim(), pid, 'the running device is kept');
      assert.equal(readFileSync(join(dir, 'password'), 'utf8').trim(), password, 'the password is kept');

      const status = run('status', ...args);
      assert.equal(status.code, 0, status.out);
      assert.match(status.out, /8842 ready \(candidate\)/);
    } finally {
      const down = run('down', ...args);
      assert.equal(down.code, 0, down.out);
      assert.match(down.out, /8842 stopped/);
      const status = run('status', ...args);
      assert.equal(status.code, 3, status.out);
      assert.match(status.out, /8843 not ready \(running\) netconfd down, sshd down/);
    }
  });
});
