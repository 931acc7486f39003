/** Telemetry: an endpoint's counter KPIs as rates over time, recent samples then live (uPlot). */
import { enc, get } from '../api.js';
import { field, h, replace } from '../dom.js';
import { type Device, deviceName, kpiLabel } from '../model.js';
import type { Page } from '../page.js';
import { navigate } from '../router.js';
import { errorBox } from './common.js';

interface Sample {
  ts: number;
  device: string;
  endpoint: string;
  kpi: string;
  value: number;
  rate?: number;
}

/** Points kept per series in the chart (the newest). */
const WINDOW = 600;

/** One series per KPI: times and per-second rates (the counter value when no rate yet). */
export function seriesOf(samples: Sample[]): Map<string, { t: number[]; y: number[] }> {
  const out = new Map<string, { t: number[]; y: number[] }>();
  for (const s of samples) {
    let series = out.get(s.kpi);
    if (!series) {
      series = { t: [], y: [] };
      out.set(s.kpi, series);
    }
    series.t.push(s.ts / 1000);
    series.y.push(s.rate ?? Number.NaN);
  }
  return out;
}

/** Aligns series to one time axis, as uPlot wants (null where a series has no sample). */
export function align(series: Map<string, { t: number[]; y: number[] }>): (number | null)[][] {
  const times = [...new Set([...series.values()].flatMap((s) => s.t))].sort((a, b) => a - b).slice(-WINDOW);
  const index = new Map(times.map((t, i) => [t, i]));
  const columns: (number | null)[][] = [times];
  for (const s of series.values()) {
    const col: (number | null)[] = new Array(times.length).fill(null);
    s.t.forEach((t, i) => {
      const at = index.get(t);
      const y = s.y[i];
      if (at !== undefined && y !== undefined && !Number.isNaN(y)) col[at] = y;
    });
    columns.push(col);
  }
  return columns;
}

/** 12,300,000 → 12.3M: axis labels that fit. */
export function compact(v: number): string {
  const a = Math.abs(v);
  for (const [limit, suffix] of [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const) {
    if (a >= limit) return `${Number((v / limit).toFixed(a / limit >= 100 ? 0 : 1))}${suffix}`;
  }
  return String(Number(v.toFixed(a >= 10 ? 0 : 2)));
}

/** Tick labels in one unit with as many decimals as the step needs, so neighbours differ. */
export function compactTicks(ticks: number[]): string[] {
  const top = Math.max(...ticks.map(Math.abs));
  const [unit, suffix] = ([[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const).find(([limit]) => top >= limit) ?? [1, ''];
  const step = ticks.length > 1 ? Math.abs(ticks[1]! - ticks[0]!) / unit : 1;
  const decimals = step > 0 ? Math.min(6, Math.max(0, Math.ceil(-Math.log10(step)))) : 0;
  return ticks.map((t) => `${(t / unit).toFixed(decimals)}${suffix}`);
}

const COLORS = ['#4f7cc0', '#d0892e', '#1f9d55', '#d64545', '#7b61a8', '#4fa08b'];

export const telemetryPage: Page = async (main, route) => {
  const { devices } = await get<{ devices: Device[] }>('/tfs-api/devices');
  const withKpis = devices.filter((d) => (d.device_endpoints ?? []).some((e) => (e.kpi_sample_types ?? []).length > 0)).sort((a, b) => deviceName(a).localeCompare(deviceName(b)));
  const deviceParam = route.query.get('device') ?? (withKpis[0] ? deviceName(withKpis[0]) : '');
  const device = withKpis.find((d) => deviceName(d) === deviceParam || d.device_id.device_uuid.uuid === deviceParam);
  const endpoints = (device?.device_endpoints ?? []).filter((e) => (e.kpi_sample_types ?? []).length > 0).map((e) => e.name || e.endpoint_id.endpoint_uuid.uuid);
  const endpoint = endpoints.includes(route.query.get('endpoint') ?? '') ? route.query.get('endpoint')! : endpoints[0];

  const deviceSelect = h('select', { name: 'device', id: 'telemetry-device' }, withKpis.map((d) => h('option', { value: deviceName(d), selected: d === device }, deviceName(d))));
  const endpointSelect = h('select', { name: 'endpoint', id: 'telemetry-endpoint' }, endpoints.map((e) => h('option', { value: e, selected: e === endpoint }, e)));
  const go = (dev: string, ep?: string) => navigate(`/telemetry?device=${enc(dev)}${ep ? `&endpoint=${enc(ep)}` : ''}`, true);
  deviceSelect.addEventListener('change', () => go(deviceSelect.value));
  endpointSelect.addEventListener('change', () => go(deviceSelect.value, endpointSelect.value));

  const chartBox = h('div', { class: 'chart', id: 'telemetry-chart' });
  const note = h('p', { class: 'muted', id: 'telemetry-note' });
  replace(
    main,
    h('h1', null, 'Telemetry'),
    h('div', { class: 'inline-form card' }, field('Device', deviceSelect), field('Endpoint', endpointSelect)),
    note,
    chartBox,
  );
  if (!device || !endpoint) {
    note.textContent = 'No device endpoint reports counters.';
    return;
  }

  const query = `device=${enc(deviceName(device))}&endpoint=${enc(endpoint)}`;
  let samples: Sample[];
  try {
    samples = (await get<{ samples: Sample[] }>(`/api/telemetry/samples?${query}&limit=3000`)).samples;
  } catch (err) {
    replace(chartBox, errorBox(err));
    return;
  }
  const { default: uPlot } = await import('uplot');
  await import('uplot/dist/uPlot.min.css');
  const series = seriesOf(samples);
  const kpis = (device.device_endpoints ?? []).find((e) => (e.name || e.endpoint_id.endpoint_uuid.uuid) === endpoint)?.kpi_sample_types ?? [];
  for (const k of kpis) if (!series.has(String(k))) series.set(String(k), { t: [], y: [] });
  const describe = (n: number) =>
    `Per-second rates of ${deviceName(device)} / ${endpoint}: ${n === 0 ? 'no samples yet, waiting for live ones' : `${n} samples`}.`;
  note.textContent = describe(samples.length);
  let received = samples.length;

  // Packets and bytes differ by orders of magnitude: one chart each.
  const groups = [
    { title: 'packets/s', keys: [...series.keys()].filter((k) => !k.includes('BYTES')) },
    { title: 'bytes/s', keys: [...series.keys()].filter((k) => k.includes('BYTES')) },
  ].filter((g) => g.keys.length > 0);
  const width = () => Math.max(280, chartBox.clientWidth - 16 || main.clientWidth - 48);
  const plots = groups.map((g) => {
    const box = h('div', { class: 'chart-one' }, h('h2', null, g.title));
    chartBox.append(box);
    const plot = new uPlot(
      {
        width: width(),
        height: 240,
        series: [{}, ...g.keys.map((k, i) => ({ label: kpiLabel(k), stroke: COLORS[i % COLORS.length], width: 2, spanGaps: true, value: (_u: uPlot, v: number | null) => (v === null ? '—' : compact(v)) }))],
        axes: [{}, { size: 64, values: (_u: uPlot, ticks: number[]) => compactTicks(ticks) }],
        scales: { x: { time: true } },
      },
      align(new Map(g.keys.map((k) => [k, series.get(k)!]))) as uPlot.AlignedData,
      box,
    );
    return { plot, keys: g.keys };
  });
  const redraw = () => {
    for (const p of plots) p.plot.setData(align(new Map(p.keys.map((k) => [k, series.get(k)!]))) as uPlot.AlignedData);
  };
  const onResize = () => {
    for (const p of plots) p.plot.setSize({ width: width(), height: 240 });
  };
  window.addEventListener('resize', onResize);

  // Live samples: appended, redrawn at most every 500 ms.
  const stream = new EventSource(`/api/telemetry/stream?${query}`, { withCredentials: true });
  let dirty = false;
  stream.addEventListener('sample', (msg) => {
    try {
      for (const s of [JSON.parse((msg as MessageEvent<string>).data) as Sample].flat()) {
        const target = series.get(s.kpi);
        if (!target) continue;
        target.t.push(s.ts / 1000);
        target.y.push(s.rate ?? Number.NaN);
        if (target.t.length > WINDOW * 2) {
          target.t.splice(0, WINDOW);
          target.y.splice(0, WINDOW);
        }
        dirty = true;
        received++;
      }
    } catch {
      // a malformed line: skip it
    }
  });
  const timer = window.setInterval(() => {
    if (!dirty) return;
    dirty = false;
    note.textContent = describe(received);
    redraw();
  }, 500);
  return () => {
    stream.close();
    clearInterval(timer);
    window.removeEventListener('resize', onResize);
    for (const p of plots) p.plot.destroy();
  };
};
