/**
 * What one Prometheus scrape of the telemetry metrics costs the controller at scale:
 * cnsdn_kpi_value over 40,000 live series (1,000 devices × 8 endpoints × 5 counter KPIs, as
 * 1,000 streaming gNMI routers leave the store) rendered by the prom-client registry as
 * GET /metrics does. Reports time per scrape, body size, and what each scrape leaves in the
 * old generation and large-object space (promoted garbage that waits for a mark-compact: the
 * RSS a scrape adds between two of them). A full GC runs before each scrape.
 *
 * Usage: npx tsx --expose-gc bench/gnmi-scrape.ts [--devices 1000] [--scrapes 5]
 */
import { parseArgs } from 'node:util';
import { getHeapSpaceStatistics } from 'node:v8';
import { Registry } from 'prom-client';
import { Ingest } from '../src/telemetry/ingest.js';
import { COUNTER_KPIS } from '../src/telemetry/kpi.js';
import { registerTelemetryMetrics } from '../src/telemetry/metrics.js';
import { SeriesStore } from '../src/telemetry/series-store.js';

const { values: args } = parseArgs({ options: { devices: { type: 'string', default: '1000' }, scrapes: { type: 'string', default: '5' } } });
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc (npx tsx --expose-gc bench/gnmi-scrape.ts)');
const MiB = 1024 * 1024;
const kpis = [...COUNTER_KPIS.keys()].slice(0, 5);

const store = new SeriesStore();
const now = Date.now();
for (let d = 0; d < Number(args.devices); d++) {
  const uuid = `00000000-0000-4000-8000-${String(d).padStart(12, '0')}`;
  for (let e = 1; e <= 8; e++) {
    for (const kpi of kpis) {
      const s = store.ensure({ deviceUuid: uuid, deviceName: `gnmi-${String(d + 1).padStart(4, '0')}`, endpoint: `Ethernet${e}`, kpi })!;
      for (let i = 0; i < 8; i++) store.append(s, now + i * 10_000, 1_000_000 + d * 1000 + i * 137);
    }
  }
}
const registry = new Registry();
registerTelemetryMetrics(registry, { ingest: new Ingest(store) });

/** Old generation and large objects in use (bytes). */
function oldUsed(): number {
  return getHeapSpaceStatistics()
    .filter((s) => s.space_name === 'old_space' || s.space_name === 'large_object_space')
    .reduce((a, s) => a + s.space_used_size, 0);
}

const rows: string[] = [];
for (let i = 0; i < Number(args.scrapes); i++) {
  gc();
  gc();
  const before = oldUsed();
  const t0 = performance.now();
  const body = await registry.metrics();
  const ms = performance.now() - t0;
  const left = oldUsed() - before;
  rows.push(`scrape ${i + 1}: ${ms.toFixed(1)} ms, ${(body.length / MiB).toFixed(2)} MiB text; old generation +${(left / MiB).toFixed(1)} MiB`);
}
gc();
console.log(`${store.seriesCount} series\n${rows.join('\n')}`);
