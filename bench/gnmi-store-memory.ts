/**
 * Memory of the telemetry series store alone: 40,000 series (1,000 devices × 7 endpoints ×
 * 6 counter KPIs, 8 points each, as 1,000 streaming gNMI routers leave it), heap and array
 * buffers added after a full GC, bytes per series.
 *
 * Usage: npx tsx --expose-gc bench/gnmi-store-memory.ts [--devices 1000] [--points 8]
 */
import { parseArgs } from 'node:util';
import { COUNTER_KPIS } from '../src/telemetry/kpi.js';
import { SeriesStore } from '../src/telemetry/series-store.js';

const { values: args } = parseArgs({ options: { devices: { type: 'string', default: '1000' }, points: { type: 'string', default: '8' } } });
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc (npx tsx --expose-gc bench/gnmi-store-memory.ts)');
const MiB = 1024 * 1024;
const kpis = [...COUNTER_KPIS.keys()];
const devices = Number(args.devices);
const points = Number(args.points);

gc();
gc();
const m0 = process.memoryUsage();
const store = new SeriesStore();
const now = Date.now();
for (let d = 0; d < devices; d++) {
  const uuid = `00000000-0000-4000-8000-${String(d).padStart(12, '0')}`;
  for (let e = 1; e <= 7; e++) {
    for (const kpi of kpis) {
      const s = store.ensure({ deviceUuid: uuid, deviceName: `router-${d}`, endpoint: `Ethernet${e}`, kpi })!;
      for (let i = 0; i < points; i++) store.append(s, now + i * 10_000, i * 100);
    }
  }
}
gc();
gc();
const m1 = process.memoryUsage();
const heap = m1.heapUsed - m0.heapUsed;
const buffers = m1.arrayBuffers - m0.arrayBuffers;
console.log(
  `${store.seriesCount} series × ${points} points: heap +${(heap / MiB).toFixed(1)} MiB, array buffers +${(buffers / MiB).toFixed(1)} MiB, ` +
    `${((heap + buffers) / store.seriesCount).toFixed(0)} B per series (${(heap / store.seriesCount).toFixed(0)} B heap); RSS +${((m1.rss - m0.rss) / MiB).toFixed(1)} MiB`,
);
