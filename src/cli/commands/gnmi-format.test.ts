import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parsePath } from '../../protocols/gnmi/index.js';
import { UsageError } from '../io.js';
import { jsonText, notificationMsg, rfc3339Nano, setResponseMsg, xpath } from './gnmi-format.js';
import { clientOptions, durationMs, durationNs, normalizeAddress, pairOperations, typedValueFor } from './gnmi-options.js';

describe('gnmi output format', () => {
  it('writes JSON like JSON.stringify, with bigints as exact numbers', () => {
    const plain = { a: [1, 'x', null, true, { b: [] }], c: {}, d: undefined, e: -0.5 };
    assert.equal(jsonText(plain), JSON.stringify(plain, null, 2));
    assert.equal(jsonText(plain, 0), JSON.stringify(plain));
    assert.equal(jsonText({ ts: 1700000000123456789n, n: -18446744073709551615n }, 0), '{"ts":1700000000123456789,"n":-18446744073709551615}');
    assert.equal(jsonText({ s: 'quote " and \n newline' }, 0), JSON.stringify({ s: 'quote " and \n newline' }));
  });

  it('formats nanosecond timestamps as RFC 3339 with nanoseconds (Go RFC3339Nano, UTC)', () => {
    assert.equal(rfc3339Nano(1700000000123456789n), '2023-11-14T22:13:20.123456789Z');
    assert.equal(rfc3339Nano(1700000000120000000n), '2023-11-14T22:13:20.12Z');
    assert.equal(rfc3339Nano(1700000000000000000n), '2023-11-14T22:13:20Z');
    assert.equal(rfc3339Nano(1n), '1970-01-01T00:00:00.000000001Z');
  });

  it('prints paths without a leading slash, with origin and escaped keys', () => {
    assert.equal(xpath(parsePath('/interfaces/interface[name=Ethernet1/1]/state')), 'interfaces/interface[name=Ethernet1/1]/state');
    assert.equal(xpath(parsePath('openconfig:/a/b[k=x\\]y]')), 'openconfig:a/b[k=x\\]y]');
    assert.equal(xpath(undefined), '');
  });

  it('shapes a notification like gnmic: source, timestamp, time, prefix, updates keyed by element names, deletes', () => {
    const msg = notificationMsg(
      {
        timestamp: 1700000000123456789n,
        prefix: { elem: [{ name: 'interfaces' }, { name: 'interface', key: { name: 'eth0' } }], target: 'leaf1' },
        update: [
          { path: parsePath('state/counters/in-octets'), value: { kind: 'uint', value: 18446744073709551615n } },
          { path: parsePath('config'), value: { kind: 'json_ietf', value: { mtu: 1500 } } },
        ],
        delete: [parsePath('config/description')],
      },
      '10.0.0.1:57400',
    );
    assert.equal(
      jsonText(msg, 0),
      '{"source":"10.0.0.1:57400","timestamp":1700000000123456789,"time":"2023-11-14T22:13:20.123456789Z",' +
        '"prefix":"interfaces/interface[name=eth0]","target":"leaf1","updates":[' +
        '{"Path":"state/counters/in-octets","values":{"state/counters/in-octets":18446744073709551615}},' +
        '{"Path":"config","values":{"config":{"mtu":1500}}}],"deletes":["config/description"]}',
    );
    const empty = notificationMsg({ timestamp: 5n, update: [], delete: [] }, 'x:1');
    assert.deepEqual(Object.keys(empty), ['source', 'timestamp', 'time']);
  });

  it('shapes a SetResponse with one result per operation', () => {
    const msg = setResponseMsg(
      { timestamp: 1700000000000000001n, results: [{ path: parsePath('/system/config/hostname'), op: 'UPDATE' }, { path: parsePath('/a'), op: 'DELETE' }] },
      'h:1',
    );
    assert.equal(
      jsonText(msg, 0),
      '{"source":"h:1","timestamp":1700000000000000001,"time":"2023-11-14T22:13:20.000000001Z","results":[' +
        '{"operation":"UPDATE","path":"system/config/hostname"},{"operation":"DELETE","path":"a"}]}',
    );
  });
});

describe('gnmi options', () => {
  it('reads Go-style durations', () => {
    assert.equal(durationNs('10s'), 10_000_000_000n);
    assert.equal(durationNs('1m30s'), 90_000_000_000n);
    assert.equal(durationNs('1.5s'), 1_500_000_000n);
    assert.equal(durationNs('250us'), 250_000n);
    assert.equal(durationNs('2h'), 7_200_000_000_000n);
    assert.equal(durationMs('500ms'), 500);
    assert.equal(durationMs('1ns'), 1);
    for (const bad of ['', '10', 's', '10 s', '1x', '-1s', '1s2']) assert.equal(durationNs(bad), undefined, bad);
  });

  it('normalizes addresses and rejects what is not HOST:PORT', () => {
    assert.equal(normalizeAddress('10.0.0.1:6030'), '10.0.0.1:6030');
    assert.equal(normalizeAddress('router1'), 'router1:57400');
    assert.equal(normalizeAddress('[::1]:9339'), '[::1]:9339');
    assert.equal(normalizeAddress('[::1]'), '[::1]:57400');
    assert.throws(() => normalizeAddress('::1:80'), UsageError);
    assert.throws(() => normalizeAddress('http://x:1'), UsageError);
  });

  it('carries Set values in the chosen encoding: JSON when it parses, text otherwise', () => {
    assert.deepEqual(typedValueFor('{"mtu":9000}', 'json_ietf', 'v'), { kind: 'json_ietf', value: { mtu: 9000 } });
    assert.deepEqual(typedValueFor('uplink to spine', 'json_ietf', 'v'), { kind: 'json_ietf', value: 'uplink to spine' });
    assert.deepEqual(typedValueFor('"9000"', 'json', 'v'), { kind: 'json', value: '9000' });
    assert.deepEqual(typedValueFor('9000', 'proto', 'v'), { kind: 'uint', value: 9000n });
    assert.deepEqual(typedValueFor('18446744073709551615', 'proto', 'v'), { kind: 'uint', value: 18446744073709551615n });
    assert.deepEqual(typedValueFor('-3', 'proto', 'v'), { kind: 'int', value: -3n });
    assert.deepEqual(typedValueFor('true', 'proto', 'v'), { kind: 'bool', value: true });
    assert.deepEqual(typedValueFor('up', 'proto', 'v'), { kind: 'string', value: 'up' });
    assert.deepEqual(typedValueFor('1.5', 'proto', 'v'), { kind: 'double', value: 1.5 });
    assert.throws(() => typedValueFor('{"a":1}', 'proto', '--update-value'), /scalar values only/);
    assert.deepEqual(typedValueFor('{"a":1}', 'ascii', 'v'), { kind: 'ascii', value: '{"a":1}' });
  });

  it('reads @file values, and names a missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cnsdn-gnmi-opt-'));
    try {
      const file = join(dir, 'v.json');
      await writeFile(file, '{"config": {"description": "from file"}}\n');
      assert.deepEqual(typedValueFor(`@${file}`, 'json_ietf', 'v'), { kind: 'json_ietf', value: { config: { description: 'from file' } } });
      assert.throws(() => typedValueFor(`@${join(dir, 'nope.json')}`, 'json', '--update-value'), /--update-value @.*nope\.json: no such file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('pairs paths and values in order, and refuses unequal counts', () => {
    const ops = pairOperations(['/a', '/b'], ['1', 'x'], 'update', 'json');
    assert.deepEqual(ops, [
      { path: '/a', value: { kind: 'json', value: 1 } },
      { path: '/b', value: { kind: 'json', value: 'x' } },
    ]);
    assert.throws(() => pairOperations(['/a', '/b'], ['1'], 'replace', 'json'), /--replace-path given 2 time\(s\) but --replace-value 1/);
  });

  it('uses TLS unless --insecure; refuses TLS flags with --insecure; takes the password from the environment', () => {
    const base = { address: '127.0.0.1:1', encoding: 'json' as const };
    assert.deepEqual(clientOptions(base, {}, 1000), { address: '127.0.0.1:1', timeoutMs: 1000, tls: {} });
    assert.deepEqual(clientOptions({ ...base, skipVerify: true, username: 'u' }, { CNSDN_GNMI_PASSWORD: 'envpw' }, 1000), {
      address: '127.0.0.1:1',
      timeoutMs: 1000,
      username: 'u',
      password: 'envpw',
      tls: { skipVerify: true },
    });
    assert.equal(clientOptions({ ...base, password: 'flag' }, { CNSDN_GNMI_PASSWORD: 'env' }, 1).password, 'flag');
    assert.equal(clientOptions({ ...base, insecure: true }, {}, 1).tls, 'insecure');
    assert.throws(() => clientOptions({ ...base, insecure: true, skipVerify: true }, {}, 1), /--insecure \(plaintext\) cannot be combined with --skip-verify/);
    assert.throws(() => clientOptions({ ...base, tlsCert: '/etc/hostname' }, {}, 1), /needs both --tls-cert and --tls-key/);
    assert.throws(() => clientOptions({ ...base, tlsCa: '/nonexistent/ca.crt' }, {}, 1), /--tls-ca \/nonexistent\/ca.crt: no such file/);
  });
});
