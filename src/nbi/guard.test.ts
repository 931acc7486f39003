import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { isCnsdnError } from '../common/errors.js';
import { clientKey, normalizeIp, parseTrustProxy, resolveClientIp, trustFunction } from './guard-address.js';
import { bearerTokenTrust, DEFAULT_GUARD_OPTIONS, guardOptionsFromEnv } from './guard-config.js';
import { RateBuckets } from './guard-limits.js';

describe('guard: client addresses', () => {
  it('keys IPv4 by address, IPv4-mapped IPv6 as IPv4, IPv6 by its /64', () => {
    assert.equal(clientKey('127.0.0.2'), '127.0.0.2');
    assert.equal(clientKey('::ffff:10.1.2.3'), '10.1.2.3');
    assert.equal(clientKey('2001:db8:0:1:aaaa::1'), '2001:db8:0:1::/64');
    assert.equal(clientKey('2001:db8:0:1:bbbb:1:2:3'), '2001:db8:0:1::/64');
    assert.equal(clientKey('2001:DB8::1'), '2001:db8:0:0::/64');
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
    assert.equal(normalizeIp('::ffff:127.0.0.1'), '127.0.0.1');
  });

  it('ignores X-Forwarded-For unless the peer is a trusted proxy', () => {
    const off = trustFunction(parseTrustProxy(undefined));
    assert.equal(resolveClientIp('127.0.0.1', '203.0.113.9', off), '127.0.0.1');
    const cidr = trustFunction(parseTrustProxy('10.0.0.0/8, 127.0.0.1'));
    assert.equal(resolveClientIp('192.0.2.1', '203.0.113.9', cidr), '192.0.2.1', 'untrusted peer');
    assert.equal(resolveClientIp('127.0.0.1', '203.0.113.9', cidr), '203.0.113.9');
    // A client-supplied entry left of the real client is not believed: the walk stops at the first untrusted hop.
    assert.equal(resolveClientIp('10.0.0.5', '1.1.1.1, 203.0.113.9, 10.0.0.7', cidr), '203.0.113.9');
    assert.equal(resolveClientIp('10.0.0.5', ['1.1.1.1', '203.0.113.9'], cidr), '203.0.113.9');
    assert.equal(resolveClientIp('10.0.0.5', 'garbage, 10.0.0.9', cidr), '10.0.0.9', 'an entry that is no address ends the walk');
    const hops = trustFunction(parseTrustProxy('1'));
    assert.equal(resolveClientIp('10.0.0.5', '1.1.1.1, 203.0.113.9', hops), '203.0.113.9');
    assert.equal(resolveClientIp('10.0.0.5', undefined, hops), '10.0.0.5');
    const twoHops = trustFunction(parseTrustProxy('2'));
    assert.equal(resolveClientIp('10.0.0.5', '1.1.1.1, 203.0.113.9, 10.0.0.6', twoHops), '203.0.113.9');
  });

  it('parses CNSDN_TRUST_PROXY and refuses values that would trust anyone or are not addresses', () => {
    assert.equal(parseTrustProxy(''), false);
    assert.equal(parseTrustProxy('off'), false);
    assert.equal(parseTrustProxy('0'), false);
    assert.deepEqual(parseTrustProxy('2'), { hops: 2 });
    assert.deepEqual(parseTrustProxy('10.0.0.0/8,fd00::/8'), { cidrs: ['10.0.0.0/8', 'fd00::/8'] });
    for (const bad of ['true', 'proxy.example', '10.0.0.0/33', '10.0.0.0/x', '99']) {
      assert.throws(
        () => parseTrustProxy(bad),
        (e) => isCnsdnError(e) && e.code === 'INVALID_ARGUMENT' && e.message.startsWith('CNSDN_TRUST_PROXY'),
        bad,
      );
    }
  });
});

describe('guard: token buckets', () => {
  it('allows max requests at once, then refills at max per window, per key', () => {
    const b = new RateBuckets({ max: 3, windowMs: 3000 });
    for (let i = 0; i < 3; i++) assert.equal(b.take('a', 0), 0);
    assert.equal(b.take('a', 0), 1000, 'one token per second');
    assert.equal(b.take('b', 0), 0, 'another key has its own bucket');
    assert.equal(b.take('a', 500), 500);
    assert.equal(b.take('a', 1000), 0);
    assert.ok(b.take('a', 1000) > 0);
  });

  it('forgets quiet clients and never holds more than maxKeys', () => {
    const b = new RateBuckets({ max: 2, windowMs: 1000 }, 10);
    for (let i = 0; i < 25; i++) b.take(`k${i}`, 0);
    assert.ok(b.size <= 10, `size ${b.size}`);
    b.sweep(5000);
    assert.equal(b.size, 0);
  });
});

describe('guard: options from the environment', () => {
  it('uses the defaults when nothing is set', () => {
    const o = guardOptionsFromEnv({});
    assert.deepEqual(o.rateLimit, DEFAULT_GUARD_OPTIONS.rateLimit);
    assert.equal(o.maxConnsPerIp, 256);
    assert.equal(o.trustProxy, false);
    assert.equal(o.staticRateLimit, false);
  });

  it('reads every knob; 0 turns a rate limit off', () => {
    const o = guardOptionsFromEnv({
      CNSDN_RATE_LIMIT: '0',
      CNSDN_RATE_LIMIT_TRUSTED: '100',
      CNSDN_RATE_LIMIT_STATIC: '50',
      CNSDN_MAX_CONNS: '500',
      CNSDN_MAX_CONNS_PER_IP: '20',
      CNSDN_MAX_IDLE_CONNS_PER_IP: '5',
      CNSDN_TRUSTED_CONN_RESERVE: '3',
      CNSDN_HEADERS_TIMEOUT_MS: '2000',
      CNSDN_REQUEST_TIMEOUT_MS: '4000',
      CNSDN_KEEPALIVE_TIMEOUT_MS: '1000',
      CNSDN_SHED_LAG_MS: '0',
      CNSDN_SHED_LAG_TRUSTED_MS: '900',
      CNSDN_TRUST_PROXY: '10.0.0.0/8',
    });
    assert.equal(o.rateLimit, false);
    assert.deepEqual(o.trustedRateLimit, { max: 100, windowMs: 60_000 });
    assert.deepEqual(o.staticRateLimit, { max: 50, windowMs: 60_000 });
    assert.deepEqual(
      [o.maxConns, o.maxConnsPerIp, o.maxIdlePerIp, o.trustedReserve, o.headersTimeoutMs, o.requestTimeoutMs, o.keepAliveTimeoutMs, o.shedLagMs, o.shedLagTrustedMs],
      [500, 20, 5, 3, 2000, 4000, 1000, 0, 900],
    );
    assert.deepEqual(o.trustProxy, { cidrs: ['10.0.0.0/8'] });
  });

  it('refuses bad values naming the variable', () => {
    for (const [name, value] of [
      ['CNSDN_MAX_CONNS_PER_IP', '0'],
      ['CNSDN_MAX_CONNS', 'many'],
      ['CNSDN_RATE_LIMIT', '-5'],
      ['CNSDN_HEADERS_TIMEOUT_MS', '1.5'],
    ]) {
      assert.throws(
        () => guardOptionsFromEnv({ [name!]: value }),
        (e) => isCnsdnError(e) && e.code === 'INVALID_ARGUMENT' && e.message.startsWith(`${name}:`),
        name,
      );
    }
    assert.throws(() => guardOptionsFromEnv({ CNSDN_HEADERS_TIMEOUT_MS: '5000', CNSDN_REQUEST_TIMEOUT_MS: '1000' }), /must be at least/);
  });

  it('bearerTokenTrust accepts exactly the token', () => {
    const trust = bearerTokenTrust('s3cret-token');
    const req = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } }) as IncomingMessage;
    assert.equal(trust(req('Bearer s3cret-token')), true);
    assert.equal(trust(req('bearer s3cret-token ')), true);
    assert.equal(trust(req('Bearer s3cret-tokenX')), false);
    assert.equal(trust(req('Basic s3cret-token')), false);
    assert.equal(trust(req()), false);
  });
});
