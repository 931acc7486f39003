import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningController, startController } from '../app/index.js';
import { INTERVAL_ENV } from './plan.js';
import { until } from './testing.js';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON read by shape in assertions
type Json = any;

describe('telemetry in the real controller (demo topology)', () => {
  let c: RunningController;
  let dataDir: string;

  before(async () => {
    process.env[INTERVAL_ENV] = '0.2';
    dataDir = mkdtempSync(join(tmpdir(), 'cnsdn-telemetry-'));
    c = await startController({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent', demo: true, southboundAllow: '127.0.0.0/8' });
  });

  after(async () => {
    await c?.close();
    rmSync(dataDir, { recursive: true, force: true });
    delete process.env[INTERVAL_ENV];
  });

  const getJson = async (path: string): Promise<{ status: number; body: Json }> => {
    const res = await fetch(c.url + path, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: await res.json() };
  };

  it('answers /api/telemetry/latest with the demo routers counters within 10 s', async () => {
    const r = await until(
      () => getJson('/api/telemetry/latest?device=R1'),
      (x) => x.status === 200 && x.body.samples.length === 12,
      10_000,
      100,
    );
    assert.equal(r.status, 200);
    // R1 has 3 endpoints with 4 counters each in the demo topology.
    assert.equal(r.body.samples.length, 12);
    assert.ok(r.body.samples.every((s: Json) => s.device === 'R1' && s.value > 0));
    const all = await until(
      () => getJson('/api/telemetry/latest'),
      (x) => new Set(x.body.samples.map((s: Json) => s.device)).size >= 6,
      10_000,
      100,
    );
    const devices = new Set(all.body.samples.map((s: Json) => s.device));
    for (const d of ['R1', 'R2', 'R3', 'R4', 'DC1', 'DC2']) assert.ok(devices.has(d), `${d} streams`);
    const metrics = await (await fetch(`${c.url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    assert.match(metrics, /cnsdn_kpi_value\{device="DC1",endpoint="eth1",kpi="KPISAMPLETYPE_PACKETS_TRANSMITTED"\} [1-9]/);
  });
});
