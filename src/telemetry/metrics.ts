/**
 * Prometheus exposure. `cnsdn_kpi_value{device, endpoint, kpi}` carries the newest value of
 * each live series, labelled by names: one label set per (device, endpoint, counter), so
 * 1,000 devices × 8 endpoints × 4 counters is 32,000 series per scrape. maxSeries caps what
 * one scrape exports (the rest is counted in cnsdn_telemetry_metrics_omitted); the REST API
 * has everything.
 */
import { Counter, Gauge, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';
import type { Ingest } from './ingest.js';
import type { TelemetryManager } from './manager.js';

export const METRICS_MAX_SERIES_ENV = 'CNSDN_TELEMETRY_METRICS_MAX_SERIES';

export interface TelemetryMetricsOptions {
  ingest: Ingest;
  manager?: TelemetryManager;
  /** Label sets of cnsdn_kpi_value per scrape (default env CNSDN_TELEMETRY_METRICS_MAX_SERIES, else 50,000; 0 exports none). */
  maxSeries?: number;
}

type KpiLabel = 'device' | 'endpoint' | 'kpi';

/**
 * cnsdn_kpi_value read from the store at scrape time. A plain Gauge filled by collect() rebuilt
 * a label-set map (a hash string, an entry and a labels object per series) at every scrape and
 * kept it until the next: ~5 MiB kept and ~20 MiB of promoted garbage per scrape at 40,000
 * series. Here each series keeps its one labels object and a scrape lists the values only.
 */
class KpiValueGauge extends Gauge<KpiLabel> {
  readonly #read: () => { value: number; labels: Record<KpiLabel, string> }[];

  constructor(registry: Registry, read: () => { value: number; labels: Record<KpiLabel, string> }[]) {
    super({
      name: 'cnsdn_kpi_value',
      help: 'Newest value of a device endpoint counter (KPI sample type), by device and endpoint name',
      labelNames: ['device', 'endpoint', 'kpi'] as const,
      registers: [registry],
    });
    this.#read = read;
  }

  override async get(): Promise<MetricObjectWithValues<MetricValue<KpiLabel>>> {
    // Read before the first await: cnsdn_telemetry_metrics_omitted, collected next, counts this scrape.
    const values = this.#read();
    return { ...(await super.get()), values };
  }
}

function maxSeriesFromEnv(): number {
  const n = Number(process.env[METRICS_MAX_SERIES_ENV]);
  return process.env[METRICS_MAX_SERIES_ENV] !== undefined && Number.isInteger(n) && n >= 0 ? n : 50_000;
}

/** A counter whose value is read from a running total at scrape time. */
function totalCounter(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

export function registerTelemetryMetrics(registry: Registry, options: TelemetryMetricsOptions): void {
  const { ingest, manager } = options;
  const store = ingest.store;
  const maxSeries = options.maxSeries ?? maxSeriesFromEnv();
  let omitted = 0;

  new KpiValueGauge(registry, () => {
    const values: { value: number; labels: Record<KpiLabel, string> }[] = [];
    omitted = 0;
    for (const s of store.select()) {
      if (!s.active || s.size === 0) continue;
      if (values.length >= maxSeries) {
        omitted++;
        continue;
      }
      values.push({ value: s.value(s.size - 1), labels: s.labels });
    }
    return values;
  });
  new Gauge({
    name: 'cnsdn_telemetry_metrics_omitted',
    help: 'Live series left out of cnsdn_kpi_value at the last scrape (over the per-scrape limit)',
    registers: [registry],
    collect() {
      this.set(omitted);
    },
  });
  new Counter({
    name: 'cnsdn_telemetry_dropped_total',
    help: 'Telemetry samples dropped: queue_full (ingest queue at its bound), out_of_order (older than the series newest point)',
    labelNames: ['reason'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ reason: 'queue_full' }, ingest.dropped);
      this.inc({ reason: 'out_of_order' }, store.outOfOrder);
    },
  });
  totalCounter(registry, 'cnsdn_telemetry_samples_total', 'Telemetry samples written into the retention store', () => ingest.written);
  totalCounter(registry, 'cnsdn_telemetry_series_rejected_total', 'Series not created because the series or point budget was reached', () => store.rejectedSeries);
  if (manager) {
    totalCounter(registry, 'cnsdn_telemetry_ignored_total', 'Samples from drivers with no subscribed endpoint and KPI, or not numeric', () => manager.ignored);
  }
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('cnsdn_telemetry_queue_length', 'Samples waiting to be written', () => ingest.queue.length);
  gauge('cnsdn_telemetry_series', 'Series kept in the retention store', () => store.seriesCount);
  gauge('cnsdn_telemetry_points_allocated', 'Points allocated across all series (16 bytes each)', () => store.allocatedPoints);
  gauge('cnsdn_telemetry_streams', 'Live sample streams (SSE clients)', () => ingest.listenerCount);
  if (manager) gauge('cnsdn_telemetry_devices', 'Connected devices telemetry follows', () => manager.devices);
}
