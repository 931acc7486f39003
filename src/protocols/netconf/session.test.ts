import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NetconfClient } from './client.js';
import { NetconfError, NetconfRpcError } from './errors.js';
import { FULL_CAPS, FakeDevice } from './fake-device.test-util.js';
import { NS_BASE, textOf } from './xml.js';

async function connected(caps?: string[], opts: Parameters<typeof NetconfClient.over>[1] = {}) {
  const dev = new FakeDevice();
  dev.hello(caps);
  const client = await NetconfClient.over(dev.stream, { helloTimeoutMs: 500, rpcTimeoutMs: 500, ...opts });
  return { dev, client };
}

async function rejectsWith(p: Promise<unknown>, code: string, message?: RegExp): Promise<NetconfError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof NetconfError, `expected NetconfError, got ${err}`);
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

const OK = '<ok/>';

describe('session: hello', () => {
  it('offers base:1.0 and base:1.1, switches to chunked when both do, parses capabilities', async () => {
    const { dev, client } = await connected();
    const caps = dev.clientHello ? textOf(dev.clientHello) : '';
    assert.match(caps, /urn:ietf:params:netconf:base:1\.0/);
    assert.match(caps, /urn:ietf:params:netconf:base:1\.1/);
    assert.doesNotMatch(dev.clientHello ? JSON.stringify(dev.clientHello) : '', /session-id/);
    assert.equal(client.sessionId, 42);
    assert.equal(client.session.currentFraming, 'chunked');
    const c = client.capabilities;
    assert.equal(c.candidate, true);
    assert.equal(c.writableRunning, false);
    assert.equal(c.confirmedCommit11, true);
    assert.equal(c.validate11, true);
    assert.equal(c.xpath && c.notification && c.rollbackOnError, true);
    assert.deepEqual(c.withDefaults, { basicMode: 'explicit', alsoSupported: ['report-all', 'trim'] });
    assert.deepEqual(c.yangLibrary, { version: '1.0', revision: '2016-06-21', moduleSetId: 'abc' });
    assert.deepEqual(c.modules, [
      {
        namespace: 'urn:ietf:params:xml:ns:yang:ietf-interfaces',
        module: 'ietf-interfaces',
        revision: '2014-05-08',
        features: ['arbitrary-names', 'pre-provisioning'],
        deviations: [],
      },
    ]);
    dev.onRpc = (req, d) => d.reply(req, '<data><x xmlns="urn:x">1</x></data>');
    const r = await client.get();
    assert.equal(r.xml, '<x xmlns="urn:x">1</x>');
    assert.ok(dev.requests[0].xml.length > 0);
  });

  it('stays on end-of-message framing with a base:1.0-only device', async () => {
    const { dev, client } = await connected(['urn:ietf:params:netconf:base:1.0']);
    assert.equal(client.session.currentFraming, 'eom');
    dev.onRpc = (req, d) => d.reply(req, OK);
    await client.lock('running');
    assert.equal(dev.requests[0].op, 'lock');
  });

  const badHellos: Array<[string, string]> = [
    ['garbage', 'SSH-2.0-OpenSSH_9.2 Welcome!\n]]>]]>'],
    ['not a hello', `<rpc-reply xmlns="${NS_BASE}" message-id="1"><ok/></rpc-reply>]]>]]>`],
    ['hello in the wrong namespace', '<hello xmlns="urn:x"><capabilities/><session-id>1</session-id></hello>]]>]]>'],
    [
      'no base capability',
      `<hello xmlns="${NS_BASE}"><capabilities><capability>urn:ietf:params:netconf:capability:candidate:1.0</capability></capabilities><session-id>1</session-id></hello>]]>]]>`,
    ],
    [
      'no session-id',
      `<hello xmlns="${NS_BASE}"><capabilities><capability>urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>]]>]]>`,
    ],
    [
      'session-id zero',
      `<hello xmlns="${NS_BASE}"><capabilities><capability>urn:ietf:params:netconf:base:1.0</capability></capabilities><session-id>0</session-id></hello>]]>]]>`,
    ],
  ];
  for (const [name, wire] of badHellos) {
    it(`${name} → NETCONF_HELLO, stream closed`, async () => {
      const dev = new FakeDevice();
      dev.sendRaw(wire);
      await rejectsWith(NetconfClient.over(dev.stream, { helloTimeoutMs: 1000 }), 'NETCONF_HELLO');
      assert.equal(dev.stream.destroyed, true);
    });
  }

  it('a device that never says hello → NETCONF_TIMEOUT within the bound', async () => {
    const dev = new FakeDevice();
    await rejectsWith(NetconfClient.over(dev.stream, { helloTimeoutMs: 100 }), 'NETCONF_TIMEOUT', /no hello from the device within 100 ms/);
    assert.equal(dev.stream.destroyed, true);
  });

  it('an endless hello without delimiter → NETCONF_MESSAGE_TOO_LARGE, memory bounded', async () => {
    const dev = new FakeDevice();
    const p = NetconfClient.over(dev.stream, { helloTimeoutMs: 2000, maxMessageBytes: 4096 });
    for (let i = 0; i < 10; i++) dev.sendRaw(Buffer.alloc(1000, 0x61));
    await rejectsWith(p, 'NETCONF_MESSAGE_TOO_LARGE');
  });
});

describe('session: RPCs', () => {
  it('several RPCs in flight, answered out of order, each get their own reply', async () => {
    const { dev, client } = await connected();
    const held: Parameters<FakeDevice['onRpc']>[0][] = [];
    dev.onRpc = (req) => {
      held.push(req);
      if (held.length === 5) {
        for (const r of [...held].reverse()) dev.reply(r, `<data><n xmlns="urn:n">${r.messageId}</n></data>`);
      }
    };
    const replies = await Promise.all([1, 2, 3, 4, 5].map(() => client.getConfig('running')));
    const ids = dev.requests.map((r) => r.messageId);
    assert.equal(new Set(ids).size, 5, 'message-ids are unique');
    assert.deepEqual(
      replies.map((r) => r.xml),
      ids.map((id) => `<n xmlns="urn:n">${id}</n>`),
    );
  });

  it('a reply with an unknown message-id → NETCONF_PROTOCOL, pending RPCs rejected, session closed', async () => {
    const { dev, client } = await connected();
    dev.onRpc = (_req, d) => d.send(`<rpc-reply xmlns="${NS_BASE}" message-id="999"><ok/></rpc-reply>`);
    let closeReason: NetconfError | undefined;
    client.on('close', (r) => {
      closeReason = r;
    });
    await rejectsWith(client.lock('candidate'), 'NETCONF_PROTOCOL', /unknown message-id "999"/);
    assert.equal(client.closed, true);
    assert.equal(closeReason?.code, 'NETCONF_PROTOCOL');
    await rejectsWith(client.unlock('candidate'), 'NETCONF_PROTOCOL');
  });

  it('a chunk header with a wrong size → NETCONF_FRAMING, session closed', async () => {
    const { dev, client } = await connected();
    dev.onRpc = (_req, d) => d.sendRaw(`\n#00\n<rpc-reply xmlns="${NS_BASE}" message-id="1"><ok/></rpc-reply>\n##\n`);
    await rejectsWith(client.commit(), 'NETCONF_FRAMING');
    assert.equal(client.closed, true);
  });

  it('a chunk longer than its header says → NETCONF_FRAMING', async () => {
    const { dev, client } = await connected();
    dev.onRpc = (req, d) => {
      const body = `<rpc-reply xmlns="${NS_BASE}" message-id="${req.messageId}"><ok/></rpc-reply>`;
      d.sendRaw(`\n#${body.length - 5}\n${body}\n##\n`);
    };
    await rejectsWith(client.commit(), 'NETCONF_FRAMING');
  });

  it('an unterminated message then end of stream → NETCONF_FRAMING', async () => {
    const { dev, client } = await connected();
    dev.onRpc = (req, d) => {
      d.sendRaw(`\n#500\n<rpc-reply xmlns="${NS_BASE}" message-id="${req.messageId}"><data>`);
      d.end();
    };
    await rejectsWith(client.get(), 'NETCONF_FRAMING', /unterminated/);
  });

  it('an oversized reply → NETCONF_MESSAGE_TOO_LARGE before it is all read', async () => {
    const { dev, client } = await connected(undefined, { maxMessageBytes: 10_000 });
    dev.onRpc = (req, d) => d.reply(req, `<data><big xmlns="urn:b">${'x'.repeat(20_000)}</big></data>`);
    await rejectsWith(client.get(), 'NETCONF_MESSAGE_TOO_LARGE');
    assert.equal(client.closed, true);
  });

  it('an XML bomb in a reply → NETCONF_XML: refused at its DOCTYPE, nothing expanded', async () => {
    const { dev, client } = await connected();
    dev.onRpc = (req, d) =>
      d.send(
        `<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><rpc-reply xmlns="${NS_BASE}" message-id="${req.messageId}"><data>&c;</data></rpc-reply>`,
      );
    await rejectsWith(client.get(), 'NETCONF_XML', /XML with a DOCTYPE is refused/);
    assert.equal(client.closed, true);
  });

  it('a silent device → NETCONF_TIMEOUT for that RPC; the session stays usable and ignores the late reply', async () => {
    const { dev, client } = await connected();
    const late: Parameters<FakeDevice['onRpc']>[0][] = [];
    dev.onRpc = (req) => late.push(req);
    await rejectsWith(client.get({ timeoutMs: 80 }), 'NETCONF_TIMEOUT', /no reply to get \(message-id 1\) within 80 ms/);
    assert.equal(client.closed, false);
    assert.equal(client.session.inFlight, 0);
    dev.onRpc = (req, d) => d.reply(req, OK);
    dev.reply(late[0], '<data/>');
    await client.lock('candidate');
    assert.equal(client.closed, false);
  });

  it('rpc-error → NetconfRpcError with the device words; warnings alone still succeed', async () => {
    const { dev, client } = await connected();
    dev.onRpc = (req, d) => {
      if (req.op === 'lock') {
        d.reply(
          req,
          '<rpc-error><error-type>protocol</error-type><error-tag>lock-denied</error-tag><error-severity>error</error-severity><error-message>Lock failed, lock is already held</error-message><error-info><session-id>7</session-id></error-info></rpc-error>',
        );
      } else {
        d.reply(
          req,
          '<rpc-error><error-type>application</error-type><error-tag>operation-failed</error-tag><error-severity>warning</error-severity><error-message>just saying</error-message></rpc-error><ok/>',
        );
      }
    };
    const err = await rejectsWith(client.lock('candidate'), 'NETCONF_RPC_ERROR', /lock failed: protocol\/lock-denied: Lock failed, lock is already held \[session-id=7\]/);
    assert.ok(err instanceof NetconfRpcError);
    assert.equal(err.tag, 'lock-denied');
    assert.equal(err.errors[0].info[0].value, '7');
    assert.match(err.xml, /^<rpc-error xmlns="urn:ietf:params:xml:ns:netconf:base:1\.0"><error-type>protocol<\/error-type><error-tag>lock-denied<\/error-tag>.*<\/rpc-error>$/);
    await client.discardChanges();
    assert.equal(client.closed, false);
  });

  it('notifications arrive as events and through the async iterator', async () => {
    const { dev, client } = await connected();
    dev.onRpc = (req, d) => d.reply(req, OK);
    const queue = client.notifications();
    const seen: string[] = [];
    client.on('notification', (n) => seen.push(n.eventTime));
    await client.createSubscription({ stream: 'NETCONF' });
    assert.match(dev.requests[0].xml, /<create-subscription xmlns="urn:ietf:params:xml:ns:netconf:notification:1.0"><stream>NETCONF<\/stream><\/create-subscription>/);
    dev.send(
      '<notification xmlns="urn:ietf:params:xml:ns:netconf:notification:1.0"><eventTime>2024-01-01T00:00:00Z</eventTime><netconf-config-change xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-notifications"><datastore>running</datastore></netconf-config-change></notification>',
    );
    const n = await queue.nextWithin(1000);
    assert.equal(n?.eventTime, '2024-01-01T00:00:00Z');
    assert.equal(n?.event?.name, 'netconf-config-change');
    assert.equal(
      n?.xml,
      '<netconf-config-change xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-notifications"><datastore>running</datastore></netconf-config-change>',
    );
    assert.deepEqual(seen, ['2024-01-01T00:00:00Z']);
    dev.end();
    assert.equal((await queue.next()).done, true, 'the iterator ends with the session');
  });

  it('a message that is neither reply nor notification → NETCONF_PROTOCOL', async () => {
    const { dev, client } = await connected();
    dev.onRpc = (_req, d) => d.send(`<hello xmlns="${NS_BASE}"/>`);
    await rejectsWith(client.get(), 'NETCONF_PROTOCOL', /unexpected message <hello>/);
  });

  it('close() sends close-session, ends the stream and refuses later RPCs', async () => {
    const { dev, client } = await connected();
    dev.onRpc = (req, d) => {
      d.reply(req, OK);
      if (req.op === 'close-session') d.end();
    };
    await client.close();
    assert.equal(dev.requests.at(-1)?.op, 'close-session');
    assert.equal(client.closed, true);
    assert.equal(client.session.closeReason, undefined);
    await rejectsWith(client.get(), 'NETCONF_CLOSED');
    await client.close();
  });

  it('closeSession() rejects when the device refuses or ignores close-session; close() does not; both close the stream', async () => {
    const refusing = await connected();
    refusing.dev.onRpc = (req, d) =>
      d.reply(req, '<rpc-error><error-type>protocol</error-type><error-tag>operation-failed</error-tag><error-severity>error</error-severity></rpc-error>');
    await rejectsWith(refusing.client.closeSession(), 'NETCONF_RPC_ERROR', /close-session failed/);
    assert.equal(refusing.dev.stream.destroyed, true);
    await rejectsWith(refusing.client.closeSession(), 'NETCONF_CLOSED');
    const silent = await connected();
    await rejectsWith(silent.client.closeSession(100), 'NETCONF_TIMEOUT');
    assert.equal(silent.dev.stream.destroyed, true);
    const lenient = await connected();
    lenient.dev.onRpc = refusing.dev.onRpc;
    await lenient.client.close();
    assert.equal(lenient.client.closed, true);
  });

  it('close() on a silent device returns (its bound, not an answer, ends the wait)', async () => {
    const { dev, client } = await connected();
    await client.close(100);
    assert.equal(dev.requests.at(-1)?.op, 'close-session');
    assert.equal(dev.stream.destroyed, true);
  });

  it('the device closing the session rejects pending RPCs with NETCONF_CLOSED', async () => {
    const { dev, client } = await connected();
    dev.onRpc = (_req, d) => d.end();
    await rejectsWith(client.get(), 'NETCONF_CLOSED', /device closed the session/);
  });
});

describe('operations: request XML and capability checks', () => {
  async function sent(caps: string[] | undefined, call: (c: NetconfClient) => Promise<unknown>): Promise<string> {
    const { dev, client } = await connected(caps);
    dev.onRpc = (req, d) => d.reply(req, req.op.startsWith('get') ? '<data/>' : OK);
    await call(client);
    const xml = dev.requests[0].xml;
    return xml.slice(xml.indexOf('>') + 1, xml.lastIndexOf('</rpc>'));
  }

  it('builds every operation as RFC 6241 says', async () => {
    const cfg = '<interfaces xmlns="urn:ietf:params:xml:ns:yang:ietf-interfaces"/>';
    const cases: Array<[(c: NetconfClient) => Promise<unknown>, string]> = [
      [(c) => c.get(), '<get></get>'],
      [
        (c) => c.get({ filter: { subtree: cfg }, withDefaults: 'report-all' }),
        `<get><filter type="subtree">${cfg}</filter><with-defaults xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-with-defaults">report-all</with-defaults></get>`,
      ],
      [
        (c) => c.getConfig('candidate', { filter: { xpath: "/if:interfaces/if:interface[if:name='a&b']", namespaces: { if: 'urn:if' } } }),
        `<get-config><source><candidate/></source><filter type="xpath" select="/if:interfaces/if:interface[if:name='a&amp;b']" xmlns:if="urn:if"/></get-config>`,
      ],
      [
        (c) => c.editConfig('candidate', cfg, { defaultOperation: 'replace', testOption: 'test-then-set', errorOption: 'rollback-on-error' }),
        `<edit-config><target><candidate/></target><default-operation>replace</default-operation><test-option>test-then-set</test-option><error-option>rollback-on-error</error-option><config>${cfg}</config></edit-config>`,
      ],
      [(c) => c.copyConfig('candidate', 'running'), '<copy-config><target><candidate/></target><source><running/></source></copy-config>'],
      [(c) => c.lock('candidate'), '<lock><target><candidate/></target></lock>'],
      [(c) => c.unlock('running'), '<unlock><target><running/></target></unlock>'],
      [(c) => c.killSession(12), '<kill-session><session-id>12</session-id></kill-session>'],
      [(c) => c.commit(), '<commit/>'],
      [
        (c) => c.commit({ confirmed: true, confirmTimeout: 60, persist: 'p<1>' }),
        '<commit><confirmed/><confirm-timeout>60</confirm-timeout><persist>p&lt;1&gt;</persist></commit>',
      ],
      [(c) => c.commit({ persistId: 'p1' }), '<commit><persist-id>p1</persist-id></commit>'],
      [(c) => c.cancelCommit({ persistId: 'p1' }), '<cancel-commit><persist-id>p1</persist-id></cancel-commit>'],
      [(c) => c.discardChanges(), '<discard-changes/>'],
      [(c) => c.validate('candidate'), '<validate><source><candidate/></source></validate>'],
      [(c) => c.validate({ config: cfg }), `<validate><source><config>${cfg}</config></source></validate>`],
      [
        (c) => c.createSubscription({ filter: '<netconf-config-change xmlns="urn:n"/>', startTime: '2024-01-01T00:00:00Z', stopTime: '2024-01-02T00:00:00+01:00' }),
        '<create-subscription xmlns="urn:ietf:params:xml:ns:netconf:notification:1.0"><filter type="subtree"><netconf-config-change xmlns="urn:n"/></filter><startTime>2024-01-01T00:00:00Z</startTime><stopTime>2024-01-02T00:00:00+01:00</stopTime></create-subscription>',
      ],
    ];
    for (const [call, expected] of cases) assert.equal(await sent(undefined, call), expected);
    assert.equal(
      await sent([...FULL_CAPS, 'urn:ietf:params:netconf:capability:startup:1.0'], (c) => c.deleteConfig('startup')),
      '<delete-config><target><startup/></target></delete-config>',
    );
  });

  it('refuses what the device does not offer, and bad arguments, without sending anything', async () => {
    const base10 = ['urn:ietf:params:netconf:base:1.0', 'urn:ietf:params:netconf:capability:writable-running:1.0'];
    const { dev, client } = await connected(base10);
    await rejectsWith(client.commit(), 'NETCONF_UNSUPPORTED', /:candidate/);
    await rejectsWith(client.editConfig('candidate', '<a xmlns="urn:a"/>'), 'NETCONF_UNSUPPORTED');
    await rejectsWith(client.getConfig('running', { filter: { xpath: '/a' } }), 'NETCONF_UNSUPPORTED', /:xpath/);
    await rejectsWith(client.validate('running'), 'NETCONF_UNSUPPORTED', /:validate/);
    await rejectsWith(client.createSubscription(), 'NETCONF_UNSUPPORTED', /:notification/);
    await rejectsWith(client.editConfig('running', '</config><kill-session/>'), 'NETCONF_INVALID_ARGUMENT');
    await rejectsWith(client.getConfig('running', { filter: { subtree: '<a>' } }), 'NETCONF_INVALID_ARGUMENT');
    await rejectsWith(client.deleteConfig('running'), 'NETCONF_INVALID_ARGUMENT');
    await rejectsWith(client.killSession(0), 'NETCONF_INVALID_ARGUMENT');
    await rejectsWith(
      client.editConfig('running', '<a xmlns="urn:a"/>', { defaultOperation: 'bogus' as 'merge' }),
      'NETCONF_INVALID_ARGUMENT',
    );
    assert.equal(dev.requests.length, 0);
    const full = await connected();
    await rejectsWith(full.client.commit({ confirmTimeout: 0 }), 'NETCONF_INVALID_ARGUMENT');
    await rejectsWith(full.client.createSubscription({ startTime: 'yesterday' }), 'NETCONF_INVALID_ARGUMENT');
    await rejectsWith(full.client.editConfig('running', '<a xmlns="urn:a"/>'), 'NETCONF_UNSUPPORTED', /:writable-running/);
  });
});
