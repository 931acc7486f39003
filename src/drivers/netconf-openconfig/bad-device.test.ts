/**
 * The issue's "Bad input" list, end to end: a scripted NETCONF-over-SSH peer on 127.0.0.1
 * misbehaves in one way per login name, the session manager onboards it through this driver,
 * and each case ends as a coded error on that device (DISABLED with the reason), the process
 * unharmed. Also: an SSH connection that stops answering is found by keepalives.
 */
import assert from 'node:assert/strict';
import { type AddressInfo, type Server, type Socket, createServer, connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import ssh2 from 'ssh2';
import { Allowlist, type DeviceOperationalStatus, type DeviceStatusSink, DriverRegistry, SessionManager } from '../../device/index.js';
import { netconfOpenconfigDriverFactory } from './index.js';
import { until } from './testing.js';

const EOM = ']]>]]>';
const BASE = 'urn:ietf:params:xml:ns:netconf:base:1.0';
const IETF_IF = 'urn:ietf:params:xml:ns:yang:ietf-interfaces?module=ietf-interfaces&amp;revision=2014-05-08';
const hello = (caps: string[]) =>
  `<hello xmlns="${BASE}"><capabilities>${caps.map((c) => `<capability>${c}</capability>`).join('')}</capabilities><session-id>3</session-id></hello>`;
const HELLO_10 = hello(['urn:ietf:params:netconf:base:1.0', IETF_IF]) + EOM;
const HELLO_11 = hello(['urn:ietf:params:netconf:base:1.1', IETF_IF]) + EOM;
const STATE = '<interfaces-state xmlns="urn:ietf:params:xml:ns:yang:ietf-interfaces"><interface><name>eth0</name></interface></interfaces-state>';
const MAX_MESSAGE_BYTES = 65_536;

type Channel = ssh2.ServerChannel;

interface Behaviour {
  /** What the peer sends first (its hello, or not). */
  hello: string;
  /** What it does with the first RPC after the client's hello (message-id 1); undefined: answers properly. */
  onRpc?: (ch: Channel) => void;
  /** The reason the device ends DISABLED with. */
  expect: RegExp;
}

const BEHAVIOURS: Record<string, Behaviour> = {
  'garbage-hello': { hello: `SSH-2.0-NotNetconf hello there\r\n${EOM}`, expect: /\[NETCONF_HELLO\]: the device sent no valid hello/ },
  'hello-without-base': {
    hello: hello(['urn:ietf:params:netconf:capability:candidate:1.0', IETF_IF]) + EOM,
    expect: /\[NETCONF_HELLO\]: the device hello offers neither base:1\.0 nor base:1\.1/,
  },
  'wrong-chunk-size': {
    hello: HELLO_11,
    onRpc: (ch) => ch.write(`\n#0012\n<rpc-reply xmlns="${BASE}" message-id="1"><data/></rpc-reply>\n##\n`),
    expect: /\[NETCONF_FRAMING\]: chunked framing/,
  },
  unterminated: {
    hello: HELLO_11,
    onRpc: (ch) => {
      ch.write(`\n#4000\n<rpc-reply xmlns="${BASE}" message-id="1"><data>`);
      ch.end();
    },
    expect: /\[NETCONF_FRAMING\]: the device closed the session inside an unterminated message/,
  },
  'wrong-message-id': {
    hello: HELLO_10,
    onRpc: (ch) => ch.write(`<rpc-reply xmlns="${BASE}" message-id="4711"><data/></rpc-reply>${EOM}`),
    expect: /\[NETCONF_PROTOCOL\]: rpc-reply with unknown message-id "4711"/,
  },
  'xml-bomb': {
    hello: HELLO_10,
    onRpc: (ch) => {
      const entities = ['<!ENTITY a0 "lollollollollollollollollollol">'];
      for (let i = 1; i < 10; i++) entities.push(`<!ENTITY a${i} "${`&a${i - 1};`.repeat(10)}">`);
      ch.write(`<?xml version="1.0"?><!DOCTYPE r [${entities.join('')}]><rpc-reply xmlns="${BASE}" message-id="1"><data>&a9;</data></rpc-reply>${EOM}`);
    },
    expect: /\[NETCONF_XML\]: XML with a DOCTYPE is refused/,
  },
  'oversize-chunks': {
    hello: HELLO_11,
    onRpc: (ch) => {
      // 1 MiB in 16 KiB chunks, the cap is 64 KiB: refused once the cap is passed, the rest unread.
      const head = `<rpc-reply xmlns="${BASE}" message-id="1"><data>`;
      ch.write(`\n#16384\n${head}${'x'.repeat(16_384 - head.length)}`);
      for (let i = 0; i < 63; i++) ch.write(`\n#16384\n${'x'.repeat(16_384)}`);
    },
    expect: /\[NETCONF_MESSAGE_TOO_LARGE\]: message larger than the limit of 65536 bytes/,
  },
  'endless-eom': {
    hello: HELLO_10,
    onRpc: (ch) => {
      for (let i = 0; i < 64; i++) ch.write(Buffer.alloc(16_384, 0x61));
    },
    expect: /\[NETCONF_MESSAGE_TOO_LARGE\]/,
  },
  silent: { hello: HELLO_10, onRpc: () => undefined, expect: /\[NETCONF_TIMEOUT\]: no reply to get \(message-id 1\) within 1000 ms/ },
};

async function startPeer(): Promise<{ port: number; close: () => Promise<void> }> {
  const hostKey = ssh2.utils.generateKeyPairSync('ed25519').private;
  const server = new ssh2.Server({ hostKeys: [hostKey] }, (conn) => {
    let user = '';
    conn.on('error', () => undefined);
    conn.on('authentication', (ctx) => {
      user = ctx.username;
      return ctx.method === 'password' && ctx.password === 'pw' ? ctx.accept() : ctx.reject(['password']);
    });
    conn.on('ready', () => {
      conn.on('session', (acceptSession) => {
        acceptSession().on('subsystem', (acceptSub, _reject, info) => {
          if (info.name !== 'netconf') return;
          const b = BEHAVIOURS[user];
          const ch = acceptSub();
          ch.on('error', () => undefined);
          ch.write(b?.hello ?? HELLO_10);
          let seen = '';
          let helloSeen = false;
          ch.on('data', (chunk: Buffer) => {
            seen += chunk.toString('latin1');
            if (!helloSeen) {
              const end = seen.indexOf(EOM);
              if (end < 0) return;
              helloSeen = true;
              seen = seen.slice(end + EOM.length);
            }
            const id = /message-id="(\d+)"/.exec(seen)?.[1];
            if (!id) return;
            seen = '';
            if (b?.onRpc && id === '1') return b.onRpc(ch);
            // A well-behaved answer (base:1.0 framing: the behaviours that get here use it).
            ch.write(`<rpc-reply xmlns="${BASE}" message-id="${id}"><data>${STATE}</data></rpc-reply>${EOM}`);
          });
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Forwards TCP to `port` until freeze(): then drops every byte both ways, keeping the connection open. */
async function startFreezer(port: number): Promise<{ port: number; freeze: () => void; cut: () => void; close: () => Promise<void> }> {
  let frozen = false;
  const sockets: Socket[] = [];
  const server: Server = createServer((inbound) => {
    const outbound = connect(port, '127.0.0.1');
    sockets.push(inbound, outbound);
    for (const [from, to] of [
      [inbound, outbound],
      [outbound, inbound],
    ] as const) {
      from.on('data', (d) => {
        if (!frozen) to.write(d);
      });
      from.on('error', () => undefined);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    freeze: () => {
      frozen = true;
    },
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function manager(statuses: Map<string, Array<[DeviceOperationalStatus, string | undefined]>>): SessionManager {
  const sink: DeviceStatusSink = {
    setStatus: async (uuid, status, reason) => {
      statuses.set(uuid, [...(statuses.get(uuid) ?? []), [status, reason]]);
    },
    setEndpoints: async () => undefined,
  };
  return new SessionManager({
    registry: new DriverRegistry().register(netconfOpenconfigDriverFactory),
    allowlist: new Allowlist(['127.0.0.0/8']),
    sink,
    backoff: { initialMs: 60_000, maxMs: 120_000 },
    connectTimeoutMs: 10_000,
  });
}

const settings = (user: string, extra: Record<string, unknown> = {}) => ({
  username: user,
  password: 'pw',
  hostkey_verify: false,
  timeout: 1,
  max_message_bytes: MAX_MESSAGE_BYTES,
  ...extra,
});

describe('a misbehaving NETCONF device ends DISABLED with a coded reason, never a crash', { timeout: 60_000 }, () => {
  let peer: Awaited<ReturnType<typeof startPeer>>;
  before(async () => {
    peer = await startPeer();
  });
  after(async () => {
    await peer.close();
  });

  test('every bad input of the issue, each on its own device of one session manager', async () => {
    const statuses = new Map<string, Array<[DeviceOperationalStatus, string | undefined]>>();
    const sessions = manager(statuses);
    const heapBefore = process.memoryUsage().heapUsed;
    try {
      for (const name of Object.keys(BEHAVIOURS)) {
        await sessions.add({ uuid: name, name, drivers: ['DEVICEDRIVER_OPENCONFIG'], address: '127.0.0.1', port: peer.port, settings: settings(name) });
      }
      for (const [name, b] of Object.entries(BEHAVIOURS)) {
        const [, reason] = await until(`${name} DISABLED`, () => statuses.get(name)?.find(([s]) => s === 'DEVICEOPERATIONALSTATUS_DISABLED'), 20_000);
        assert.match(reason ?? '', /^CNSDN_DEVICE_UNREACHABLE: /, name);
        assert.match(reason ?? '', b.expect, name);
        assert.equal(statuses.get(name)?.some(([s]) => s === 'DEVICEOPERATIONALSTATUS_ENABLED'), false, `${name} was never ENABLED`);
        assert.equal(sessions.status(name)?.state, 'backoff', name);
      }
      // The oversized replies (1 MiB each) were dropped at the 64 KiB cap, not buffered.
      assert.ok(process.memoryUsage().heapUsed - heapBefore < 64 * 1024 * 1024);
    } finally {
      await sessions.close();
    }
  });

  /** Onboards a well-behaved device behind a TCP proxy, breaks the path, and returns the DISABLED reason. */
  async function reasonAfter(name: string, extra: Record<string, unknown>, breakPath: (p: Awaited<ReturnType<typeof startFreezer>>) => void): Promise<string> {
    const proxy = await startFreezer(peer.port);
    const statuses = new Map<string, Array<[DeviceOperationalStatus, string | undefined]>>();
    const sessions = manager(statuses);
    try {
      await sessions.add({ uuid: name, name, drivers: ['DEVICEDRIVER_OPENCONFIG'], address: '127.0.0.1', port: proxy.port, settings: settings('well-behaved', extra) });
      await until('ENABLED', () => statuses.get(name)?.some(([s]) => s === 'DEVICEOPERATIONALSTATUS_ENABLED'), 10_000);
      breakPath(proxy);
      const [, reason] = await until('DISABLED', () => statuses.get(name)?.find(([s]) => s === 'DEVICEOPERATIONALSTATUS_DISABLED'), 20_000);
      return reason ?? '';
    } finally {
      await sessions.close();
      await proxy.close();
    }
  }

  test('a port that accepts TCP but never speaks SSH: the connect timeout, DISABLED with the reason', async () => {
    const sockets: Socket[] = [];
    const mute = createServer((sock) => {
      sockets.push(sock);
      sock.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    const statuses = new Map<string, Array<[DeviceOperationalStatus, string | undefined]>>();
    const sessions = manager(statuses);
    try {
      const port = (mute.address() as AddressInfo).port;
      await sessions.add({ uuid: 'mute', name: 'mute', drivers: ['DEVICEDRIVER_OPENCONFIG'], address: '127.0.0.1', port, settings: settings('mute') });
      const [, reason] = await until('DISABLED', () => statuses.get('mute')?.find(([s]) => s === 'DEVICEOPERATIONALSTATUS_DISABLED'), 20_000);
      assert.match(reason ?? '', /^CNSDN_DEVICE_UNREACHABLE: NETCONF connect to mute at 127\.0\.0\.1:\d+ failed \[NETCONF_TIMEOUT\]: no (SSH handshake|NETCONF session) with 127\.0\.0\.1:\d+ within 1000 ms/);
    } finally {
      await sessions.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => mute.close(() => resolve()));
    }
  });

  test('an SSH connection that stops answering is dropped by keepalives: DISABLED with the reason', async () => {
    // A long RPC timeout: only the keepalives can notice (no RPC is in flight while idle).
    const reason = await reasonAfter('frozen', { timeout: 30, keepalive: 0.2, keepalive_count_max: 2 }, (p) => p.freeze());
    assert.match(reason, /^CNSDN_DEVICE_UNREACHABLE: session to frozen lost: .*[Kk]eepalive.*2 SSH keepalives unanswered/);
  });

  test('a TCP connection that goes away under an idle session: DISABLED at once with the reason', async () => {
    const reason = await reasonAfter('cut', { timeout: 30, keepalive: 0 }, (p) => p.cut());
    assert.match(reason, /^CNSDN_DEVICE_UNREACHABLE: session to cut lost: .*SSH connection to 127\.0\.0\.1:\d+ closed/);
  });
});
