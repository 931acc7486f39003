import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { describeReplicas, TEST_NATS_URL as NATS_URL, waitFor } from '../cluster/testing.js';
import { startController, type RunningController } from './index.js';

await describeReplicas('two replicas on PostgreSQL + NATS JetStream', (databaseUrl) => {
  describe('two replicas on PostgreSQL + NATS JetStream', () => {
    const stream = `CNSDN_TEST_${randomBytes(4).toString('hex')}`;
    const common = {
      host: '127.0.0.1',
      port: 0,
      databaseUrl,
      natsUrl: NATS_URL,
      natsStream: stream,
      natsSubjectPrefix: `t${randomBytes(4).toString('hex')}`,
      logLevel: 'silent',
      southboundAllow: '127.0.0.0/8',
      // Several replicas share this process's event loop: shedding on its lag is not what is tested here.
      guard: { shedLagMs: 0 },
    };
    let a: RunningController;
    let b: RunningController;
    before(async () => {
      a = await startController({ ...common, dataDir: mkdtempSync(join(tmpdir(), 'cnsdn-a-')) });
      b = await startController({ ...common, dataDir: mkdtempSync(join(tmpdir(), 'cnsdn-b-')) });
    });
    after(async () => {
      await a?.close();
      await b?.close();
      const nc = await connect({ servers: NATS_URL.replace('nats://', '') });
      await (await jetstreamManager(nc)).streams.delete(stream).catch(() => {});
      await nc.close();
    });

    it('a write on one replica is read on the other and streamed by its SSE endpoint', async () => {
      const ac = new AbortController();
      const events = await fetch(`${b.url}/api/events?kinds=device`, { signal: ac.signal });
      assert.equal(events.status, 200);
      const reader = events.body!.getReader();
      const descriptor = readFileSync(new URL('../context/testdata/small-topology.json', import.meta.url), 'utf8');
      const res = await fetch(`${a.url}/tfs-api/descriptors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: descriptor });
      assert.equal(res.status, 200, await res.clone().text());
      let text = '';
      const deadline = Date.now() + 10_000;
      while (!/event: device/.test(text) && Date.now() < deadline) {
        const { value, done } = await Promise.race([reader.read(), new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no SSE event within 10 s')), 10_000))]);
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      ac.abort();
      assert.match(text, /event: device/);
      assert.match(text, /"op":"CREATE"/);
      const onB = (await (await fetch(`${b.url}/tfs-api/devices`)).json()) as { devices: Array<{ name: string }> };
      assert.deepEqual(onB.devices.map((d) => d.name).sort(), ['dc1', 'r1']);
      const dc1 = await waitFor('dc1 ENABLED', async () => {
        const d = (await (await fetch(`${b.url}/tfs-api/device/dc1`)).json()) as { device_operational_status: string; device_endpoints: unknown[] };
        return d.device_operational_status === 'DEVICEOPERATIONALSTATUS_ENABLED' ? d : undefined;
      });
      assert.equal(dc1.device_endpoints.length, 2);
    });
  });
});
