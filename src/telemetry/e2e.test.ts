import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { startDeviceSync } from '../app/device-sync.js';
import type { Bus, BusSubscription } from '../bus/index.js';
import { openBus } from '../bus/index.js';
import { ContextManager } from '../context/index.js';
import { Allowlist, createDefaultRegistry, SessionManager } from '../device/index.js';
import type { Device } from '../model/index.js';
import { uuidFromText } from '../model/index.js';
import { buildServer, createMetricsRegistry } from '../nbi/index.js';
import { openStore, type Store } from '../store/index.js';
import { createTelemetry, type Telemetry } from './index.js';
import { droppableFactory, sseConnect, until } from './testing.js';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON read by shape in assertions
type Json = any;

const RETENTION_MS = 1500;

function device(name: string, sampleTypes: number[], driver = 'DEVICEDRIVER_UNDEFINED', extra: Record<string, unknown> = {}): Record<string, unknown> {
  const rule = (key: string, value: unknown) => ({ action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: value } });
  return {
    device_id: { device_uuid: { uuid: name } },
    device_type: 'emu-packet-router',
    device_drivers: [driver],
    device_config: {
      config_rules: [
        rule('_connect/address', '127.0.0.1'),
        rule('_connect/port', '0'),
        rule('_connect/settings', { endpoints: ['eth1', 'eth2'].map((e) => ({ uuid: e, type: 'copper', sample_types: sampleTypes })), ...extra }),
      ],
    },
  };
}

describe('telemetry in a real composition (emulated devices, interval 0.1 s)', () => {
  let store: Store;
  let bus: Bus;
  let ctx: ContextManager;
  let sessions: SessionManager;
  let telemetry: Telemetry;
  let metrics: Registry;
  let server: FastifyInstance;
  let sync: BusSubscription;
  let base: string;
  let port: number;
  const droppable = droppableFactory();

  const get = async (path: string): Promise<{ status: number; type: string; body: Json }> => {
    const res = await fetch(base + path, { signal: AbortSignal.timeout(5000) });
    const type = res.headers.get('content-type') ?? '';
    const text = await res.text();
    return { status: res.status, type, body: type.includes('json') ? JSON.parse(text) : text };
  };
  const latest = async (device: string): Promise<Json[]> => (await get(`/api/telemetry/latest?device=${device}`)).body.samples ?? [];

  before(async () => {
    store = await openStore({ url: 'sqlite::memory:' });
    bus = await openBus({ url: 'inprocess' });
    ctx = new ContextManager(store, bus);
    sessions = new SessionManager({
      registry: createDefaultRegistry().register(droppable),
      allowlist: new Allowlist(['127.0.0.0/8']),
      sink: ctx,
      backoff: { initialMs: 50, maxMs: 100 },
    });
    metrics = createMetricsRegistry({ defaultMetrics: false });
    telemetry = createTelemetry({
      sessions,
      loadDevice: async (uuid) => (await store.get<Device>('device', uuid))?.body,
      events: bus,
      intervalS: 0.1,
      registry: metrics,
      retention: { maxAgeMs: RETENTION_MS },
      ingest: { flushMs: 50 },
      routes: {
        resolveDevice: async (ref) => (await ctx.getDevice(ref)).device_id.device_uuid.uuid,
        maxBufferedSamples: 50,
      },
    });
    await telemetry.start();
    server = await buildServer({ logger: false, readiness: [], metricsRegistry: metrics, routes: [telemetry.routes], version: 'test', rateLimit: false });
    await server.listen({ host: '127.0.0.1', port: 0 });
    port = (server.server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
    sync = await startDeviceSync(store, bus, sessions);
    ctx.relay.start();
    await ctx.apply({
      devices: [device('R1', [101, 202]), device('QUIET', []), device('FLAKY', [102], 'DEVICEDRIVER_OPENCONFIG'), device('GONE', [101]), device('SLOW', [103], 'DEVICEDRIVER_UNDEFINED', { telemetry_interval_s: 0.3 })],
    });
  });

  after(async () => {
    await server.close();
    await telemetry.stop();
    await sync.unsubscribe();
    await ctx.relay.stop();
    await sessions.close();
    await bus.close();
    await store.close();
  });

  it('collects increasing counters of a device with sample types within a bound', async () => {
    const samples = await until(
      async () => (await get('/api/telemetry/samples?device=R1&endpoint=eth1&kpi=KPISAMPLETYPE_PACKETS_TRANSMITTED')).body.samples as Json[],
      (s) => s.length >= 3,
      5000,
    );
    assert.ok(samples.length >= 3, `only ${samples.length} samples within 5 s`);
    for (let i = 1; i < samples.length; i++) {
      assert.ok(samples[i].ts >= samples[i - 1].ts);
      assert.ok(samples[i].value > samples[i - 1].value, 'cumulative counters increase');
      assert.ok(samples[i].rate > 0, 'a rate once two points exist');
    }
    assert.deepEqual(
      { device: samples[0].device, device_uuid: samples[0].device_uuid, endpoint: samples[0].endpoint, kpi: samples[0].kpi },
      { device: 'R1', device_uuid: uuidFromText('R1'), endpoint: 'eth1', kpi: 'KPISAMPLETYPE_PACKETS_TRANSMITTED' },
    );
    assert.deepEqual([...telemetry.manager.subscriptions(uuidFromText('R1'))], [
      ['/interface[eth1]', 0.1],
      ['/interface[eth2]', 0.1],
    ]);
  });

  it('answers latest values per series, by name or uuid, and limits and filters samples', async () => {
    const byName = await latest('R1');
    assert.deepEqual(byName.map((s: Json) => `${s.endpoint} ${s.kpi}`).sort(), [
      'eth1 KPISAMPLETYPE_BYTES_RECEIVED',
      'eth1 KPISAMPLETYPE_PACKETS_TRANSMITTED',
      'eth2 KPISAMPLETYPE_BYTES_RECEIVED',
      'eth2 KPISAMPLETYPE_PACKETS_TRANSMITTED',
    ]);
    const byUuid = await latest(uuidFromText('R1'));
    assert.equal(byUuid.length, 4);
    const two = (await get('/api/telemetry/samples?device=R1&limit=2')).body.samples;
    assert.equal(two.length, 2);
    const since = Date.now() - 300;
    const recent = (await get(`/api/telemetry/samples?device=R1&since=${new Date(since).toISOString()}`)).body.samples;
    assert.ok(recent.length > 0 && recent.every((s: Json) => s.ts >= since));
  });

  it('shows cnsdn_kpi_value on /metrics with device, endpoint and kpi names', async () => {
    const text = (await get('/metrics')).body as string;
    const line = text.split('\n').find((l) => l.startsWith('cnsdn_kpi_value{device="R1",endpoint="eth2",kpi="KPISAMPLETYPE_BYTES_RECEIVED"}'));
    assert.ok(line, 'cnsdn_kpi_value for R1/eth2');
    assert.ok(Number(line.split(' ')[1]) > 0);
    assert.match(text, /cnsdn_telemetry_dropped_total\{reason="queue_full"\} 0/);
    assert.match(text, /cnsdn_telemetry_samples_total [1-9]/);
  });

  it('streams samples as they are ingested over SSE, filtered', async () => {
    const client = await sseConnect(port, '/api/telemetry/stream?device=R1&kpi=KPISAMPLETYPE_BYTES_RECEIVED');
    try {
      assert.equal(client.res.statusCode, 200);
      assert.match(String(client.res.headers['content-type']), /text\/event-stream/);
      const frames = await until(
        () => client.frames,
        (f) => f.length >= 4,
        5000,
      );
      assert.ok(frames.length >= 4, `${frames.length} frames within 5 s`);
      const samples = frames.map((f) => JSON.parse(f.data!));
      assert.ok(frames.every((f) => f.event === 'sample'));
      assert.ok(samples.every((s) => s.device === 'R1' && s.kpi === 'KPISAMPLETYPE_BYTES_RECEIVED'));
      assert.deepEqual([...new Set(samples.map((s) => s.endpoint))].sort(), ['eth1', 'eth2']);
    } finally {
      client.close();
    }
  });

  it('drops a client too slow for the stream with event: overflow', async () => {
    const series = telemetry.store.ensure({ deviceUuid: 'synthetic', deviceName: 'SYNTH', endpoint: 'x', kpi: 101 })!;
    const client = await sseConnect(port, '/api/telemetry/stream?device=SYNTH');
    client.res.pause();
    await until(
      () => telemetry.ingest.listenerCount,
      (n) => n === 1,
    );
    let t = Date.now();
    const listeners = await until(
      () => {
        for (let i = 0; i < 20_000; i++) telemetry.ingest.offer(series, t++, i);
        telemetry.ingest.flush();
        return telemetry.ingest.listenerCount;
      },
      (n) => n === 0,
      10_000,
      10,
    );
    assert.equal(listeners, 0, 'the slow stream was closed');
    client.res.resume();
    await Promise.race([client.ended, new Promise((r) => setTimeout(r, 4000))]);
    assert.equal(client.frames.at(-1)?.event, 'overflow', 'last frame is the overflow notice');
    assert.ok(JSON.parse(client.frames.at(-1)!.data!).dropped > 0);
    assert.ok(client.frames.length > 1000, 'what was sent before the overflow arrives');
    series.active = false;
  });

  it('subscribes nothing on a device without sample types', async () => {
    const uuid = uuidFromText('QUIET');
    await until(
      () => sessions.status(uuid)?.state,
      (s) => s === 'connected',
    );
    assert.equal(sessions.status(uuid)?.state, 'connected');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(telemetry.manager.subscriptions(uuid).size, 0);
    assert.deepEqual(await latest('QUIET'), []);
  });

  it('resubscribes when a dropped session comes back (samples resume)', async () => {
    const uuid = uuidFromText('FLAKY');
    const first = await until(
      () => latest('FLAKY'),
      (s) => s.length === 2,
    );
    assert.equal(first.length, 2, 'eth1 and eth2 received packets');
    assert.equal(droppable.made.length, 1);
    await droppable.made[0]!.drop();
    const droppedAt = Date.now();
    const back = await until(
      () => latest('FLAKY'),
      (s) => s.length === 2 && s.every((x: Json) => x.ts > droppedAt + 50),
      5000,
    );
    assert.ok(
      back.every((x: Json) => x.ts > droppedAt + 50),
      'samples resumed after the drop',
    );
    assert.equal(droppable.made.length, 2, 'a new driver instance');
    assert.ok(droppable.made[1]!.inner !== droppable.made[0]!.inner);
    assert.equal(telemetry.manager.subscriptions(uuid).size, 2);
  });

  it('stops the series of a removed device and drops them after retention', async () => {
    const uuid = uuidFromText('GONE');
    await until(
      () => latest('GONE'),
      (s) => s.length === 2,
    );
    await ctx.removeDevice('GONE');
    await until(
      () => telemetry.manager.subscriptions(uuid).size,
      (n) => n === 0,
    );
    assert.equal(telemetry.manager.subscriptions(uuid).size, 0);
    const metricsText = (await get('/metrics')).body as string;
    assert.doesNotMatch(metricsText, /cnsdn_kpi_value\{device="GONE"/);
    telemetry.ingest.flush(); // samples taken before the removal may still wait in the queue
    const stoppedAt = Math.max(...telemetry.store.select({ deviceUuid: uuid }).map((s) => s.ring.ts(s.ring.size - 1)));
    await new Promise((r) => setTimeout(r, 400));
    const newest = Math.max(...telemetry.store.select({ deviceUuid: uuid }).map((s) => s.ring.ts(s.ring.size - 1)));
    assert.equal(newest, stoppedAt, 'no new points after removal');
    const left = await until(
      () => telemetry.store.select({ deviceUuid: uuid }).length,
      (n) => n === 0,
      RETENTION_MS * 3,
    );
    assert.equal(left, 0, 'series dropped after retention');
    assert.equal(telemetry.store.resolveDevice('GONE'), undefined);
    assert.equal((await get('/api/telemetry/latest?device=GONE')).status, 404);
    assert.ok((await latest('R1')).length === 4, 'other devices go on');
  });

  it('takes the interval from the device settings, and follows a change of it', async () => {
    const uuid = uuidFromText('SLOW');
    const at = (want: number) =>
      until(
        () => [...telemetry.manager.subscriptions(uuid).values()],
        (v) => v.length === 2 && v.every((i) => i === want),
      );
    assert.deepEqual(await at(0.3), [0.3, 0.3]);
    await ctx.apply({ devices: [device('SLOW', [103], 'DEVICEDRIVER_UNDEFINED', { telemetry_interval_s: 0.05 })] });
    assert.deepEqual(await at(0.05), [0.05, 0.05]);
    const points = await until(
      async () => (await get('/api/telemetry/samples?device=SLOW&endpoint=eth1')).body.samples as Json[],
      (s) => s.length >= 6 && s.at(-1).ts - s.at(-6).ts < 1000,
    );
    assert.ok(points.at(-1).ts - points.at(-6).ts < 1000, 'sampled at the new interval');
  });

  it('rejects bad queries with problem documents', async () => {
    const cases: Array<[string, number, string]> = [
      ['/api/telemetry/samples?kpi=KPISAMPLETYPE_NOPE', 400, '/kpi'],
      ['/api/telemetry/samples?limit=0', 400, '/limit'],
      ['/api/telemetry/samples?limit=abc', 400, '/limit'],
      ['/api/telemetry/samples?since=yesterday', 400, '/since'],
      ['/api/telemetry/samples?since=2024-13-45T99:00:00Z', 400, '/since'],
      ['/api/telemetry/latest?devices=R1', 400, ''],
      ['/api/telemetry/latest?device=NOPE', 404, ''],
      ['/api/telemetry/stream?device=NOPE', 404, ''],
    ];
    for (const [path, status, pointer] of cases) {
      const r = await get(path);
      assert.equal(r.status, status, path);
      assert.match(r.type, /application\/problem\+json/, path);
      if (pointer) assert.ok(r.body.errors?.some((e: Json) => e.path === pointer) ?? JSON.stringify(r.body).includes(pointer), `${path}: ${JSON.stringify(r.body)}`);
    }
  });
});
