/**
 * Telemetry: device counters subscribed on every session, ingested through a bounded queue
 * into in-memory retention (never the SQL store: telemetry is not context), exposed on
 * /metrics, REST and SSE.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import { Ingest, type IngestOptions } from './ingest.js';
import { TelemetryManager, type TelemetryManagerOptions } from './manager.js';
import { registerTelemetryMetrics } from './metrics.js';
import { type TelemetryRoutesOptions, telemetryRoutes } from './routes.js';
import { type SeriesOptions, SeriesStore } from './series-store.js';

export { Ingest, type IngestOptions, type WrittenSample } from './ingest.js';
export { COUNTER_KPIS, counterKpi, kpiName } from './kpi.js';
export { type SessionSource, TelemetryManager, type TelemetryManagerOptions } from './manager.js';
export { registerTelemetryMetrics, type TelemetryMetricsOptions } from './metrics.js';
export { DEFAULT_INTERVAL_S, defaultInterval, INTERVAL_ENV, planDevice, subscriptionsOf } from './plan.js';
export { latestSamples, recentSamples, type SampleView } from './query.js';
export { SampleQueue } from './queue.js';
export { Ring } from './ring.js';
export { telemetryRoutes, type TelemetryRoutesOptions } from './routes.js';
export { Series, type SeriesFilter, type SeriesMeta, type SeriesOptions, SeriesStore } from './series-store.js';

export const MAX_POINTS_ENV = 'CNSDN_TELEMETRY_MAX_POINTS';

export interface TelemetryOptions extends Omit<TelemetryManagerOptions, 'ingest'> {
  /** Registry of /metrics; telemetry adds cnsdn_kpi_value and its own counters. */
  registry?: Registry;
  retention?: SeriesOptions;
  ingest?: IngestOptions;
  routes?: Omit<TelemetryRoutesOptions, 'ingest'>;
  /** Label sets of cnsdn_kpi_value per scrape. */
  metricsMaxSeries?: number;
}

export interface Telemetry {
  manager: TelemetryManager;
  ingest: Ingest;
  store: SeriesStore;
  /** For buildServer's `routes`. */
  routes: FastifyPluginAsync;
  /** Call before device sessions are added. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The point budget from CNSDN_TELEMETRY_MAX_POINTS when valid. */
function maxPointsFromEnv(): number | undefined {
  const n = Number(process.env[MAX_POINTS_ENV]);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

export function createTelemetry(options: TelemetryOptions): Telemetry {
  const envPoints = maxPointsFromEnv();
  const store = new SeriesStore({ ...(envPoints ? { maxTotalPoints: envPoints } : {}), ...options.retention });
  const ingest = new Ingest(store, options.ingest);
  const manager = new TelemetryManager({ ...options, ingest });
  if (options.registry) {
    registerTelemetryMetrics(options.registry, {
      ingest,
      manager,
      ...(options.metricsMaxSeries !== undefined ? { maxSeries: options.metricsMaxSeries } : {}),
    });
  }
  return {
    manager,
    ingest,
    store,
    routes: telemetryRoutes({ ...options.routes, ingest }),
    start: () => manager.start(),
    stop: () => manager.stop(),
  };
}
