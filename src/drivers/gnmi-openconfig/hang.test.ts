/**
 * A target that stops answering mid-stream (the TCP connection stays open, nothing comes back):
 * the session is declared lost with a coded error within the keepalive bound, and a second
 * device on the same simulator keeps streaming.
 */
import assert from 'node:assert/strict';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { CnsdnError } from '../../common/errors.js';
import type { StateSample } from '../../device/index.js';
import { GnmiOpenconfigDriver } from './index.js';
import { startTestTargets, type TestTargets, until } from './testing.js';

/** A TCP relay to a target that can freeze: it then holds every byte both ways without closing. */
async function relay(port: number): Promise<{ port: number; freeze(): void; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  let frozen = false;
  const server: Server = createServer((down) => {
    const up = createConnection({ host: '127.0.0.1', port });
    sockets.push(down, up);
    down.on('data', (b) => frozen || up.write(b));
    up.on('data', (b) => frozen || down.write(b));
    const end = () => {
      down.destroy();
      up.destroy();
    };
    down.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    port: (server.address() as { port: number }).port,
    freeze: () => {
      frozen = true;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

describe('gnmi-openconfig: a target that stops answering mid-stream', { timeout: 90_000 }, () => {
  let t: TestTargets;
  before(async () => {
    t = await startTestTargets({ count: 2, tls: true, users: [{ username: 'admin', password: 'pw', role: 'rw' }], interfaces: ['Ethernet1'] });
  });
  after(async () => {
    await t.close();
  });

  test('is declared lost (DEVICE_UNREACHABLE) by keepalive; the other device goes on streaming', async () => {
    const direct = t.config(1);
    const r = await relay(Number(t.config(0).port));
    const hung = new GnmiOpenconfigDriver({ ...t.config(0), port: r.port });
    const other = new GnmiOpenconfigDriver(direct);
    const drops: Error[] = [];
    const otherDrops: Error[] = [];
    const hungSamples: StateSample[] = [];
    const otherSamples: StateSample[] = [];
    hung.onDisconnect((e) => drops.push(e));
    other.onDisconnect((e) => otherDrops.push(e));
    hung.onSample((s) => hungSamples.push(s));
    other.onSample((s) => otherSamples.push(s));
    try {
      await hung.connect();
      await other.connect();
      await hung.subscribeState([['/interface[Ethernet1]', 0, 0.05]]);
      await other.subscribeState([['/interface[Ethernet1]', 0, 0.05]]);
      await until('samples from both', () => hungSamples.length > 0 && otherSamples.length > 0, 10_000);
      r.freeze();
      await until('onDisconnect of the hung device', () => drops.length > 0, 60_000);
      assert.ok(drops[0] instanceof CnsdnError && drops[0].code === 'DEVICE_UNREACHABLE', String(drops[0]));
      const seen = otherSamples.length;
      await until('the other device still streams', () => otherSamples.length > seen, 10_000);
      assert.equal(otherDrops.length, 0);
    } finally {
      await hung.disconnect();
      await other.disconnect();
      await r.close();
    }
  });
});
