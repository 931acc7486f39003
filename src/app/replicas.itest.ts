import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeReplicas, sharedReplicaOptions, waitFor } from '../cluster/testing.js';
import { startController, type RunningController } from './index.js';

await describeReplicas('two replicas on PostgreSQL + NATS JetStream', (databaseUrl) => {
  describe('two replicas on PostgreSQL + NATS JetStream', () => {
    const shared = sharedReplicaOptions(databaseUrl);
    const common = shared.options;
    let a: RunningController;
    let b: RunningController;
    before(async () => {
      a = await startController({ ...common, dataDir: mkdtempSync(join(tmpdir(), 'cnsdn-a-')) });
      b = await startController({ ...common, dataDir: mkdtempSync(join(tmpdir(), 'cnsdn-b-')) });
    });
    after(async () => {
      await a?.close();
      await b?.close();
      await shared.cleanUp();
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
