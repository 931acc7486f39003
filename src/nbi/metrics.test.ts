import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import { Gauge } from 'prom-client';
import { createMetricsRegistry } from './metrics.js';
import { buildServer } from './server.js';

const routes: FastifyPluginAsync = async (app) => {
  app.get('/tfs-api/device/:uuid', async (request) => ({ uuid: (request.params as { uuid: string }).uuid }));
};

describe('metrics', () => {
  it('serves Prometheus text with default metrics, HTTP metrics by route pattern, and module gauges', async () => {
    const registry = createMetricsRegistry();
    const gauge = new Gauge({ name: 'cnsdn_devices_managed', help: 'devices', registers: [registry] });
    gauge.set(3);
    const app = await buildServer({ logger: false, readiness: [], routes: [routes], metricsRegistry: registry, version: 't' });
    try {
      await app.inject({ method: 'GET', url: '/tfs-api/device/R1' });
      await app.inject({ method: 'GET', url: '/tfs-api/device/R2' });
      await app.inject({ method: 'GET', url: '/no/such/path/123' });
      const res = await app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
      const text = res.body;
      assert.match(text, /^cnsdn_http_requests_total\{method="GET",route="\/tfs-api\/device\/:uuid",status="200"\} 2$/m);
      assert.match(text, /^cnsdn_http_requests_total\{method="GET",route="<unmatched>",status="404"\} 1$/m);
      assert.match(text, /^cnsdn_http_request_duration_seconds_count\{method="GET",route="\/tfs-api\/device\/:uuid"\} 2$/m);
      assert.doesNotMatch(text, /R1|R2|no\/such/);
      assert.match(text, /^process_cpu_user_seconds_total /m);
      assert.match(text, /^cnsdn_devices_managed 3$/m);
    } finally {
      await app.close();
    }
  });

  it('two servers can share one registry', async () => {
    const registry = createMetricsRegistry({ defaultMetrics: false });
    const a = await buildServer({ logger: false, readiness: [], routes: [], metricsRegistry: registry, version: 't' });
    const b = await buildServer({ logger: false, readiness: [], routes: [], metricsRegistry: registry, version: 't' });
    try {
      await a.inject({ method: 'GET', url: '/healthz' });
      await b.inject({ method: 'GET', url: '/healthz' });
      const text = await registry.metrics();
      assert.match(text, /^cnsdn_http_requests_total\{method="GET",route="\/healthz",status="200"\} 2$/m);
      assert.doesNotMatch(text, /process_cpu/);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
