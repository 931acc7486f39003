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
    if (!series) out.set(s.kpi, (series = { t: [], y: [] }));
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
  note.textContent = `Per-second rates of ${deviceName(device)} / ${endpoint}; ${samples.length} recent samples, then live.`;

  const width = () => Math.max(280, chartBox.clientWidth || main.clientWidth - 32);
  const plot = new uPlot(
    {
      width: width(),
      height: 320,
      series: [{}, ...[...series.keys()].map((k, i) => ({ label: kpiLabel(k), stroke: COLORS[i % COLORS.length], width: 2, spanGaps: true }))],
      axes: [{}, { size: 70 }],
      scales: { x: { time: true } },
    },
    align(series) as uPlot.AlignedData,
    chartBox,
  );
  const onResize = () => plot.setSize({ width: width(), height: 320 });
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
      }
    } catch {
      // a malformed line: skip it
    }
  });
  const timer = window.setInterval(() => {
    if (!dirty) return;
    dirty = false;
    plot.setData(align(series) as uPlot.AlignedData);
  }, 500);
  return () => {
    stream.close();
    clearInterval(timer);
    window.removeEventListener('resize', onResize);
    plot.destroy();
  };
};
