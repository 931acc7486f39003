/** Prometheus metrics: a registry other modules add their gauges to, and HTTP request metrics. */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface MetricsRegistryOptions {
  /** Process/runtime metrics (CPU, memory, event loop, GC). Default true. */
  defaultMetrics?: boolean;
  /** Labels added to every metric of the registry (e.g. replica name). */
  defaultLabels?: Record<string, string>;
}

export function createMetricsRegistry(options: MetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return registry;
}

/** Label for requests that matched no route, so scanners cannot blow up label cardinality. */
export const UNMATCHED_ROUTE = '<unmatched>';

function counterOf(registry: Registry): Counter<'method' | 'route' | 'status'> {
  const name = 'cnsdn_http_requests_total';
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<'method' | 'route' | 'status'>;
  return new Counter({
    name,
    help: 'HTTP requests served, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
}

function histogramOf(registry: Registry): Histogram<'method' | 'route'> {
  const name = 'cnsdn_http_request_duration_seconds';
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Histogram<'method' | 'route'>;
  return new Histogram({
    name,
    help: 'HTTP request duration in seconds, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
}

/** Records one HTTP response in the request counter and duration histogram. */
export type HttpRecorder = (method: string, route: string, status: number, seconds: number) => void;

/**
 * The recorder of a registry's HTTP metrics. Label sets are few (method × route pattern ×
 * status), so each one's bound child is made once and kept: a response builds no label objects
 * (prom-client still hashes the labels on each update).
 */
export function httpRecorder(registry: Registry): HttpRecorder {
  const requests = counterOf(registry);
  const duration = histogramOf(registry);
  const counted = new Map<string, { inc(): void }>();
  const timed = new Map<string, { observe(v: number): void }>();
  return (method, route, status, seconds) => {
    const key = `${method} ${route}`;
    const statusKey = `${key} ${status}`;
    let c = counted.get(statusKey);
    if (c === undefined) {
      c = requests.labels({ method, route, status: String(status) });
      counted.set(statusKey, c);
    }
    c.inc();
    let h = timed.get(key);
    if (h === undefined) {
      h = duration.labels({ method, route });
      timed.set(key, h);
    }
    h.observe(seconds);
  };
}

/** Counts every response on the root instance (hooks must be installed there to see all routes). */
export function installHttpMetrics(app: FastifyInstance, registry: Registry): HttpRecorder {
  const record = httpRecorder(registry);
  app.addHook('onResponse', async (request, reply) => {
    record(request.method, request.routeOptions.url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime / 1000);
  });
  return record;
}

export const metricsRoute: FastifyPluginAsync<{ registry: Registry }> = async (app, opts) => {
  app.get(
    '/metrics',
    {
      schema: { tags: ['operations'], summary: 'Prometheus metrics (text exposition format)' },
      // Scrapes must keep working exactly when the process is overloaded.
      config: { pressureHandler: () => undefined },
    },
    async (_request, reply) => {
      const body = await opts.registry.metrics();
      return reply.type(opts.registry.contentType).send(body);
    },
  );
};
