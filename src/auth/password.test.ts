import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CnsdnError } from '../common/errors.js';
import { checkPasswordPolicy, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './password.js';

const FAST = { N: 1024, r: 8, p: 1 };

describe('password hashing', () => {
  it('hashes with a fresh salt each time and verifies only the right password', async () => {
    const a = await hashPassword('correct horse battery staple', FAST);
    const b = await hashPassword('correct horse battery staple', FAST);
    assert.match(a, /^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.notEqual(a, b, 'salted');
    assert.equal(await verifyPassword('correct horse battery staple', a), true);
    assert.equal(await verifyPassword('correct horse battery stapl', a), false);
    assert.equal(await verifyPassword('', a), false);
  });

  it('uses the default cost (N=2^15) when none is given, and keeps it in the hash', async () => {
    const h = await hashPassword('another long password');
    assert.ok(h.startsWith('scrypt$32768$8$1$'));
    assert.equal(await verifyPassword('another long password', h), true);
  });

  it('an unknown user (no hash) and a malformed hash never verify', async () => {
    assert.equal(await verifyPassword('whatever password', undefined), false);
    for (const bad of ['', 'plain', 'scrypt$x$8$1$AA==$AA==', 'bcrypt$1$2$3$4$5', 'scrypt$1024$8$1$AAAA$short']) {
      assert.equal(await verifyPassword('whatever password', bad), false, bad);
    }
  });

  it('normalises Unicode so the same password typed differently verifies', async () => {
    const h = await hashPassword('caf\u00e9 caf\u00e9 caf\u00e9', FAST);
    assert.equal(await verifyPassword('cafe\u0301 cafe\u0301 cafe\u0301', h), true);
  });
});

describe('password policy', () => {
  it(`refuses fewer than ${MIN_PASSWORD_LENGTH} characters with PASSWORD_POLICY and the field's pointer`, () => {
    assert.throws(
      () => checkPasswordPolicy('short-pass1', '/next'),
      (e) => e instanceof CnsdnError && e.code === 'PASSWORD_POLICY' && e.status === 400 && e.details[0]?.path === '/next',
    );
    assert.equal(checkPasswordPolicy('twelve chars'), 'twelve chars');
    // Characters, not bytes: 12 emoji are fine, 11 are not.
    assert.equal(checkPasswordPolicy('🔑'.repeat(12)), '🔑'.repeat(12));
    assert.throws(() => checkPasswordPolicy('🔑'.repeat(11)), (e) => e instanceof CnsdnError && e.code === 'PASSWORD_POLICY');
    assert.throws(() => checkPasswordPolicy(42), (e) => e instanceof CnsdnError && e.code === 'VALIDATION_FAILED');
  });
});
