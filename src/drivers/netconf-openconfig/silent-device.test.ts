/**
 * A scripted NETCONF-over-SSH peer on 127.0.0.1 that stops answering in the middle of a
 * transaction: the driver times out, gives up the session and the session manager reports
 * the device DISABLED with the reason; nothing crashes. Also pins the transaction's RPC order.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import ssh2 from 'ssh2';
import { CnsdnError } from '../../common/errors.js';
import { Allowlist, type DeviceOperationalStatus, type DeviceStatusSink, DriverRegistry, SessionManager } from '../../device/index.js';
import { NetconfOpenconfigDriver, netconfOpenconfigDriverFactory } from './index.js';
import { until } from './testing.js';

const EOM = ']]>]]>';
const BASE = 'urn:ietf:params:xml:ns:netconf:base:1.0';
const CAPS = [
  'urn:ietf:params:netconf:base:1.0',
  'urn:ietf:params:netconf:capability:candidate:1.0',
  'urn:ietf:params:netconf:capability:validate:1.1',
  'urn:ietf:params:xml:ns:yang:ietf-interfaces?module=ietf-interfaces&amp;revision=2014-05-08',
  'urn:ietf:params:xml:ns:yang:ietf-ip?module=ietf-ip&amp;revision=2014-06-16',
];
/** yuma123 netconfd announces yuma-ncx: the driver leaves <validate> out there. */
const YUMA = 'http://netconfcentral.org/ns/yuma-ncx?module=yuma-ncx&amp;revision=2012-01-13';
const hello = (caps: string[]) => `<hello xmlns="${BASE}"><capabilities>${caps.map((c) => `<capability>${c}</capability>`).join('')}</capabilities><session-id>7</session-id></hello>`;
const REFUSAL = '<rpc-error><error-type>application</error-type><error-tag>operation-failed</error-tag><error-severity>error</error-severity><error-message>candidate invalid: mtu too big</error-message></rpc-error>';
const STATE = `<interfaces-state xmlns="urn:ietf:params:xml:ns:yang:ietf-interfaces"><interface><name>eth0</name><statistics><in-octets>1</in-octets></statistics></interface></interfaces-state>`;

interface Peer {
  port: number;
  /** Operations received, in order, across sessions. */
  ops: string[];
  /** Operations that get no answer. */
  silentOn: Set<string>;
  /** Operations answered with an rpc-error. */
  refuseOn: Set<string>;
  /** Capabilities of the next hello. */
  caps: string[];
  close(): Promise<void>;
}

async function startPeer(): Promise<Peer> {
  const hostKey = ssh2.utils.generateKeyPairSync('ed25519').private;
  const ops: string[] = [];
  const silentOn = new Set<string>();
  const refuseOn = new Set<string>();
  const peer = { caps: CAPS };
  const server = new ssh2.Server({ hostKeys: [hostKey] }, (conn) => {
    conn.on('error', () => undefined);
    conn.on('authentication', (ctx) => (ctx.method === 'password' && ctx.password === 'pw' ? ctx.accept() : ctx.reject(['password'])));
    conn.on('ready', () => {
      conn.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('subsystem', (acceptSub, _reject, info) => {
          if (info.name !== 'netconf') return;
          const channel = acceptSub();
          channel.on('error', () => undefined);
          channel.write(hello(peer.caps) + EOM);
          let buffer = '';
          let helloSeen = false;
          channel.on('data', (chunk: Buffer) => {
            buffer += chunk.toString('utf8');
            for (let end = buffer.indexOf(EOM); end >= 0; end = buffer.indexOf(EOM)) {
              const msg = buffer.slice(0, end);
              buffer = buffer.slice(end + EOM.length);
              if (!helloSeen) {
                helloSeen = true;
                continue;
              }
              const id = /message-id="([^"]+)"/.exec(msg)?.[1] ?? '';
              const op = /<rpc[^>]*>\s*<(?:[\w-]+:)?([\w-]+)/.exec(msg)?.[1] ?? '';
              ops.push(op);
              if (silentOn.has(op)) continue;
              const body = refuseOn.has(op) ? REFUSAL : op === 'get' ? `<data>${STATE}</data>` : op === 'get-config' ? '<data/>' : '<ok/>';
              channel.write(`<rpc-reply xmlns="${BASE}" message-id="${id}">${body}</rpc-reply>${EOM}`);
            }
          });
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    ops,
    silentOn,
    refuseOn,
    get caps() {
      return peer.caps;
    },
    set caps(c: string[]) {
      peer.caps = c;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const settings = { username: 'u', password: 'pw', hostkey_verify: false, timeout: 1 };

describe('a device that stops answering mid-transaction', { timeout: 30_000 }, () => {
  let peer: Peer;
  before(async () => {
    peer = await startPeer();
  });
  after(async () => {
    await peer.close();
  });

  test('the transaction is lock → edit-config per resource → validate → commit → unlock; no <validate> on yuma123', async () => {
    peer.silentOn.clear();
    const d = new NetconfOpenconfigDriver({ deviceUuid: 'u1', deviceName: 'scripted', address: '127.0.0.1', port: peer.port, settings });
    await d.connect();
    peer.ops.length = 0;
    assert.deepEqual(await d.setConfig([['/interface[eth0]', { description: 'a' }], ['/interface[eth1]', { description: 'b' }]]), [true, true]);
    assert.deepEqual(peer.ops, ['get-config', 'lock', 'edit-config', 'edit-config', 'validate', 'commit', 'unlock']);
    await d.disconnect();
    peer.caps = [...CAPS, YUMA];
    try {
      const yuma = new NetconfOpenconfigDriver({ deviceUuid: 'u1', deviceName: 'scripted', address: '127.0.0.1', port: peer.port, settings });
      await yuma.connect();
      peer.ops.length = 0;
      assert.deepEqual(await yuma.setConfig([['/interface[eth0]', { description: 'a' }]]), [true]);
      assert.deepEqual(peer.ops, ['get-config', 'lock', 'edit-config', 'commit', 'unlock']);
      await yuma.disconnect();
    } finally {
      peer.caps = CAPS;
    }
  });

  test('a candidate that does not validate: discard-changes, unlock, no commit, every rule gets the device words', async () => {
    peer.silentOn.clear();
    const d = new NetconfOpenconfigDriver({ deviceUuid: 'u1', deviceName: 'scripted', address: '127.0.0.1', port: peer.port, settings });
    await d.connect();
    peer.ops.length = 0;
    peer.refuseOn.add('validate');
    try {
      const results = await d.setConfig([['/interface[eth0]', { mtu: 9999 }], ['/interface[eth1]', { description: 'b' }]]);
      assert.deepEqual(peer.ops, ['get-config', 'lock', 'edit-config', 'edit-config', 'validate', 'discard-changes', 'unlock']);
      for (const r of results) {
        assert.ok(r instanceof CnsdnError);
        assert.equal(r.code, 'DRIVER_ERROR');
        assert.match(r.message, /not applied on scripted .*: the candidate did not validate: validate of the candidate .* failed \[NETCONF_RPC_ERROR\]: .*candidate invalid: mtu too big/);
      }
    } finally {
      peer.refuseOn.clear();
      await d.disconnect();
    }
  });

  test('no answer to commit: timeout errors for every resource, the session is given up, DISABLED with the reason', async () => {
    peer.silentOn.clear();
    const statuses: Array<[DeviceOperationalStatus, string | undefined]> = [];
    const sink: DeviceStatusSink = {
      setStatus: async (_uuid, status, reason) => {
        statuses.push([status, reason]);
      },
      setEndpoints: async () => undefined,
    };
    const sessions = new SessionManager({
      registry: new DriverRegistry().register(netconfOpenconfigDriverFactory),
      allowlist: new Allowlist(['127.0.0.0/8']),
      sink,
      backoff: { initialMs: 60_000, maxMs: 120_000 },
      connectTimeoutMs: 5000,
    });
    try {
      await sessions.add({ uuid: 'dev-1', name: 'scripted', drivers: ['DEVICEDRIVER_OPENCONFIG'], address: '127.0.0.1', port: peer.port, settings });
      await until('ENABLED', () => statuses.some(([s]) => s === 'DEVICEOPERATIONALSTATUS_ENABLED'), 5000);
      peer.silentOn.add('commit');
      const results = await sessions.withDriver('dev-1', (d) => d.setConfig([['/interface[eth0]', { description: 'never committed' }]]));
      assert.equal(results.length, 1);
      const e = results[0];
      assert.ok(e instanceof CnsdnError);
      assert.equal(e.code, 'DEVICE_UNREACHABLE');
      assert.match(e.message, /commit on scripted .* failed \[NETCONF_TIMEOUT\]/);
      const [, reason] = await until('DISABLED with a reason', () => statuses.find(([s]) => s === 'DEVICEOPERATIONALSTATUS_DISABLED'), 5000);
      assert.match(reason ?? '', /^CNSDN_DEVICE_UNREACHABLE: session to scripted lost: .*NETCONF_TIMEOUT/);
      assert.equal(sessions.status('dev-1')?.state, 'backoff');
      await assert.rejects(
        sessions.withDriver('dev-1', (d) => d.getConfig()),
        (err: CnsdnError) => err.code === 'DEVICE_UNREACHABLE',
      );
    } finally {
      await sessions.close();
    }
  });

  test('no answer to a read: coded timeout, onDisconnect once, later calls reject coded', async () => {
    peer.silentOn.clear();
    const d = new NetconfOpenconfigDriver({ deviceUuid: 'u2', deviceName: 'scripted', address: '127.0.0.1', port: peer.port, settings });
    await d.connect();
    const drops: Error[] = [];
    d.onDisconnect((e) => drops.push(e));
    peer.silentOn.add('get-config');
    await assert.rejects(d.getConfig(['/interface[eth0]']), (e: CnsdnError) => e.code === 'DEVICE_UNREACHABLE' && /NETCONF_TIMEOUT/.test(e.message));
    assert.equal(drops.length, 1);
    await assert.rejects(d.setConfig([['/interface[eth0]', {}]]), (e: CnsdnError) => e.code === 'DEVICE_UNREACHABLE');
    await d.disconnect();
  });
});
