import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CnsdnError } from '../common/errors.js';
import { Allowlist, DEFAULT_SOUTHBOUND_ALLOW, type HostResolver } from './allowlist.js';

async function refusal(p: Promise<unknown>): Promise<CnsdnError> {
  const e = await p.then(
    () => assert.fail('expected a refusal'),
    (err: unknown) => err,
  );
  assert.ok(e instanceof CnsdnError, `expected CnsdnError, got ${String(e)}`);
  return e;
}

describe('Allowlist', () => {
  test('unset env means loopback only', async () => {
    const list = Allowlist.fromEnv({});
    assert.deepEqual(list.cidrs, DEFAULT_SOUTHBOUND_ALLOW);
    assert.equal(await list.check('127.0.0.1'), '127.0.0.1');
    assert.equal(await list.check('127.20.0.9'), '127.20.0.9');
    assert.equal(await list.check('::1'), '::1');
    assert.equal(await list.check('[::1]'), '::1');
    for (const ip of ['172.20.20.101', '10.0.0.1', '::2', '0.0.0.0', '::ffff:172.20.20.101']) {
      const e = await refusal(list.check(ip));
      assert.equal(e.code, 'SOUTHBOUND_NOT_ALLOWED', ip);
    }
  });

  test('refusal names the address, the allowlist and the variable to set', async () => {
    const list = new Allowlist(['127.0.0.0/8', '::1/128']);
    const e = await refusal(list.check('172.20.20.101'));
    assert.equal(e.code, 'SOUTHBOUND_NOT_ALLOWED');
    assert.equal(e.fullCode, 'CNSDN_SOUTHBOUND_NOT_ALLOWED');
    assert.match(e.message, /172\.20\.20\.101/);
    assert.match(e.message, /127\.0\.0\.0\/8,::1\/128/);
    assert.match(e.message, /set CNSDN_SOUTHBOUND_ALLOW/);
    assert.equal(e.details[0]?.path, '/_connect/address');
  });

  test('env list is parsed, trimmed, and accepts bare addresses', async () => {
    const list = Allowlist.fromEnv({ CNSDN_SOUTHBOUND_ALLOW: ' 10.1.0.0/16 , 2001:db8::/32,192.0.2.7 ' });
    assert.deepEqual(list.cidrs, ['10.1.0.0/16', '2001:db8::/32', '192.0.2.7']);
    assert.ok(list.allows('10.1.255.3'));
    assert.ok(!list.allows('10.2.0.1'));
    assert.ok(list.allows('2001:db8:1::5'));
    assert.ok(!list.allows('2001:db9::1'));
    assert.ok(list.allows('192.0.2.7'));
    assert.ok(!list.allows('192.0.2.8'));
    assert.ok(!list.allows('127.0.0.1'), 'loopback is not implied once the list is set');
  });

  test('set but empty allows nothing', async () => {
    const list = Allowlist.fromEnv({ CNSDN_SOUTHBOUND_ALLOW: '' });
    assert.deepEqual(list.cidrs, []);
    const e = await refusal(list.check('127.0.0.1'));
    assert.match(e.message, /allowlist: \(empty\)/);
  });

  test('IPv4-mapped IPv6 addresses are judged by their IPv4 address', async () => {
    const list = new Allowlist(['127.0.0.0/8']);
    assert.ok(list.allows('::ffff:127.0.0.1'));
    assert.ok(!list.allows('::ffff:10.0.0.1'));
  });

  test('malformed CIDRs are rejected at construction', () => {
    for (const bad of ['10.0.0.0/33', '::/129', 'example.com/24', '10.0.0.0/x', '10.0.0/8', '1.2.3.4/']) {
      assert.throws(
        () => new Allowlist([bad]),
        (e: unknown) => e instanceof CnsdnError && e.code === 'INVALID_ARGUMENT' && e.message.includes(bad),
        bad,
      );
    }
  });

  test('default resolver accepts localhost and refuses every other host name without a lookup', async () => {
    const list = new Allowlist(['127.0.0.0/8', '::1/128']);
    assert.equal(await list.check('localhost'), '127.0.0.1');
    assert.equal(await list.check('LOCALHOST'), '127.0.0.1');
    const e = await refusal(list.check('router1.lab.example'));
    assert.equal(e.code, 'SOUTHBOUND_NOT_ALLOWED');
    assert.match(e.message, /router1\.lab\.example/);
    assert.match(e.message, /CNSDN_SOUTHBOUND_ALLOW/);
  });

  test('injected resolver: every resolved address must be allowed; the vetted IP is returned', async () => {
    const asked: string[] = [];
    const resolver: HostResolver = async (host) => {
      asked.push(host);
      if (host === 'good.lab') return ['10.0.0.5', '10.0.0.6'];
      if (host === 'mixed.lab') return ['10.0.0.7', '172.20.20.101'];
      return [];
    };
    const list = new Allowlist(['10.0.0.0/24'], resolver);
    assert.equal(await list.check('good.lab'), '10.0.0.5');
    const e = await refusal(list.check('mixed.lab'));
    assert.equal(e.code, 'SOUTHBOUND_NOT_ALLOWED');
    assert.match(e.message, /resolves to 172\.20\.20\.101/);
    const none = await refusal(list.check('nothing.lab'));
    assert.equal(none.code, 'DEVICE_UNREACHABLE');
    assert.deepEqual(asked, ['good.lab', 'mixed.lab', 'nothing.lab']);
  });

  test('a failing resolver is a reachability error, not a refusal', async () => {
    const list = new Allowlist(['10.0.0.0/8'], async () => {
      throw new Error('ENOTFOUND');
    });
    const e = await refusal(list.check('gone.lab'));
    assert.equal(e.code, 'DEVICE_UNREACHABLE');
    assert.match(e.message, /ENOTFOUND/);
  });

  test('empty address is refused', async () => {
    const e = await refusal(new Allowlist(['0.0.0.0/0']).check('  '));
    assert.equal(e.code, 'SOUTHBOUND_NOT_ALLOWED');
  });
});
