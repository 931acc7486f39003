import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GnmiClient } from '../../protocols/gnmi/index.js';
import { startGnmiSim } from './run.js';

const COUNT = 200;
const START_BOUND_MS = 20_000;

describe('scale', { timeout: 60_000 }, () => {
  test(`${COUNT} targets start in one process within ${START_BOUND_MS / 1000} s and each answers as itself`, async () => {
    const rssBefore = process.memoryUsage().rss;
    const t0 = performance.now();
    const sim = await startGnmiSim({ port: 0, count: COUNT, tls: 'insecure', interfaces: ['Ethernet1', 'Ethernet2', 'Ethernet3', 'Ethernet4', 'Ethernet5', 'Ethernet6', 'Ethernet7', 'Ethernet8', 'mgmt0'] });
    const startMs = performance.now() - t0;
    try {
      const rss = process.memoryUsage().rss;
      console.log(
        `${COUNT} targets started in ${startMs.toFixed(0)} ms; RSS ${(rss / 2 ** 20).toFixed(0)} MiB ` +
          `(+${((rss - rssBefore) / 2 ** 20).toFixed(0)} MiB, ${((rss - rssBefore) / COUNT / 1024).toFixed(0)} KiB per target)`,
      );
      assert.ok(startMs < START_BOUND_MS, `start took ${startMs} ms`);
      assert.equal(new Set(sim.targets.map((t) => t.port)).size, COUNT);
      for (const i of [0, COUNT / 2, COUNT - 1]) {
        const c = await GnmiClient.connect({ address: sim.targets[i].address, tls: 'insecure', timeoutMs: 5000 });
        try {
          const [n] = await c.get({ paths: ['/system/state/hostname'], encoding: 'PROTO' });
          assert.deepEqual(n.update[0].value, { kind: 'string', value: `sim${i + 1}` });
        } finally {
          c.close();
        }
      }
    } finally {
      const t1 = performance.now();
      await sim.close();
      console.log(`closed in ${(performance.now() - t1).toFixed(0)} ms`);
    }
  });
});
