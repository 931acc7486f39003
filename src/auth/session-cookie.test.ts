import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CnsdnError } from '../common/errors.js';
import { cookieValue, serializeSessionCookie, type SessionClaims, SessionKeyring } from './session-cookie.js';
import { hasSession, registerKeyring, sessionFromRequest } from './session-registry.js';

const now = 1_800_000_000_000;
const claims = (over: Partial<SessionClaims> = {}): SessionClaims => ({
  sid: 'sid-1',
  username: 'alice',
  role: 'operator',
  iat: now,
  seen: now,
  exp: now + 3600_000,
  ...over,
});

describe('session cookies', () => {
  const k1 = SessionKeyring.generateKey();
  const k2 = SessionKeyring.generateKey();

  it('round-trips the claims, encrypted (nothing readable in the cookie)', () => {
    const ring = new SessionKeyring([k1]);
    const value = ring.seal(claims());
    assert.match(value, /^v1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+$/);
    assert.doesNotMatch(Buffer.from(value.split('.')[2]!, 'base64url').toString('latin1'), /alice|operator/);
    assert.deepEqual(ring.open(value, now + 1000), claims());
    assert.notEqual(ring.seal(claims()), value, 'a fresh IV each time');
  });

  it('refuses a tampered cookie: any flipped byte, a swapped key id, a changed version, junk', () => {
    const ring = new SessionKeyring([k1, k2]);
    const value = ring.seal(claims());
    const [v, kid, body] = value.split('.') as [string, string, string];
    const raw = Buffer.from(body, 'base64url');
    for (let i = 0; i < raw.length; i += 7) {
      const t = Buffer.from(raw);
      t[i]! ^= 0x01;
      assert.equal(ring.open(`${v}.${kid}.${t.toString('base64url')}`, now), undefined, `byte ${i}`);
    }
    const otherKid = ring.keys[1]!.kid;
    assert.equal(ring.open(`${v}.${otherKid}.${body}`, now), undefined, 'sealed under another key');
    assert.equal(ring.open(`v2.${kid}.${body}`, now), undefined);
    for (const junk of ['', 'x', 'v1..', 'v1.abc.def', `${value}.extra`, 'v1.' + 'a'.repeat(5000)]) assert.equal(ring.open(junk, now), undefined, junk);
  });

  it('refuses expired sessions: past the absolute expiry, idle too long, issued in the future', () => {
    const ring = new SessionKeyring([k1]);
    const value = ring.seal(claims());
    assert.equal(ring.open(value, now + 3600_000), undefined, 'absolute expiry');
    assert.equal(ring.open(value, now + 30 * 60_000, 30 * 60_000), undefined, 'idle');
    assert.ok(ring.open(value, now + 29 * 60_000, 30 * 60_000));
    assert.equal(ring.open(ring.seal(claims({ iat: now + 3600_000, exp: now + 7200_000 })), now), undefined, 'future');
  });

  it('rotation: the first key seals, older keys still open; a key no longer listed is refused', () => {
    const old = new SessionKeyring([k1]);
    const rotated = new SessionKeyring([k2, k1]);
    const oldCookie = old.seal(claims());
    assert.deepEqual(rotated.open(oldCookie, now), claims(), 'old key still accepted');
    const newCookie = rotated.seal(claims());
    assert.equal(newCookie.split('.')[1], rotated.keys[0]!.kid);
    assert.equal(new SessionKeyring([k2]).open(oldCookie, now), undefined, 'retired key refused');
    assert.equal(old.open(newCookie, now), undefined, 'unknown key refused');
  });

  it('key ids depend only on the key, so replicas agree', () => {
    assert.equal(new SessionKeyring([k1]).primary.kid, new SessionKeyring([Buffer.from(k1)]).primary.kid);
    assert.notEqual(new SessionKeyring([k1]).primary.kid, new SessionKeyring([k2]).primary.kid);
  });

  it('parses CNSDN_SESSION_KEYS and refuses bad keys with INVALID_ARGUMENT', () => {
    const ring = SessionKeyring.parse(` ${k1.toString('base64')} , ${k2.toString('base64url')} `);
    assert.equal(ring.keys.length, 2);
    assert.ok(ring.keys[1]!.key.equals(k2));
    for (const bad of ['', 'not*base64', Buffer.alloc(16).toString('base64')]) {
      assert.throws(() => SessionKeyring.parse(bad), (e) => e instanceof CnsdnError && e.code === 'INVALID_ARGUMENT', bad);
    }
  });

  it('CSRF tokens: bound to the session id, verified under any key of the ring, nothing else passes', () => {
    const ring = new SessionKeyring([k1]);
    const token = ring.csrfToken('sid-1');
    assert.equal(ring.verifyCsrf('sid-1', token), true);
    assert.equal(ring.verifyCsrf('sid-2', token), false);
    assert.equal(ring.verifyCsrf('sid-1', undefined), false);
    assert.equal(ring.verifyCsrf('sid-1', ''), false);
    assert.equal(ring.verifyCsrf('sid-1', [token, token]), false);
    assert.equal(ring.verifyCsrf('sid-1', `${token}x`), false);
    assert.equal(new SessionKeyring([k2, k1]).verifyCsrf('sid-1', token), true, 'after rotation');
    assert.equal(new SessionKeyring([k2]).verifyCsrf('sid-1', token), false);
  });

  it('reads one cookie from a Cookie header and writes HttpOnly, SameSite=Strict, Path=/, Secure only over TLS', () => {
    assert.equal(cookieValue('a=1; cnsdn_session=v1.x.y; b=2', 'cnsdn_session'), 'v1.x.y');
    assert.equal(cookieValue('cnsdn_session="q"', 'cnsdn_session'), 'q');
    assert.equal(cookieValue('xcnsdn_session=1', 'cnsdn_session'), undefined);
    assert.equal(cookieValue(undefined, 'cnsdn_session'), undefined);
    assert.equal(serializeSessionCookie('v', { secure: false, maxAge: 60 }), 'cnsdn_session=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=60');
    assert.match(serializeSessionCookie('v', { secure: true }), /; Secure$/);
    assert.match(serializeSessionCookie('', { secure: false, maxAge: 0 }), /Max-Age=0; Expires=Thu, 01 Jan 1970/);
  });
});

describe('sessionFromRequest / hasSession', () => {
  it('recognises a cookie of a registered keyring without the database, and forgets it when unregistered', () => {
    const ring = new SessionKeyring([SessionKeyring.generateKey()]);
    const t = Date.now();
    const cookie = `cnsdn_session=${ring.seal(claims({ iat: t, seen: t, exp: t + 60_000 }))}`;
    assert.equal(hasSession({ cookie }), false, 'not registered yet');
    const unregister = registerKeyring(ring, 30_000);
    try {
      assert.equal(hasSession({ cookie }), true);
      assert.equal(sessionFromRequest({ headers: { cookie } })?.username, 'alice');
      assert.equal(hasSession({ cookie }, t + 31_000), false, 'idle');
      assert.equal(hasSession({ cookie: 'cnsdn_session=v1.forged.AAAA' }), false);
      assert.equal(hasSession({}), false);
    } finally {
      unregister();
    }
    assert.equal(hasSession({ cookie }), false);
  });
});
