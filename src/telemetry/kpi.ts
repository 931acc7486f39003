/** The KPI sample types telemetry collects: the interface counters drivers can stream. */
import { enums } from '../model/index.js';

const T = enums.KpiSampleType;

export const COUNTER_KPIS: ReadonlyMap<number, string> = new Map(
  (
    [
      'KPISAMPLETYPE_PACKETS_TRANSMITTED',
      'KPISAMPLETYPE_PACKETS_RECEIVED',
      'KPISAMPLETYPE_PACKETS_DROPPED',
      'KPISAMPLETYPE_BYTES_TRANSMITTED',
      'KPISAMPLETYPE_BYTES_RECEIVED',
      'KPISAMPLETYPE_BYTES_DROPPED',
    ] as const
  ).map((name) => [T[name], name]),
);

const BY_NAME: ReadonlyMap<string, number> = new Map([...COUNTER_KPIS].map(([n, name]) => [name, n]));

/** The number of a counter KPI given by name (as stored on endpoints) or number; undefined otherwise. */
export function counterKpi(kpi: string | number): number | undefined {
  if (typeof kpi === 'number') return COUNTER_KPIS.has(kpi) ? kpi : undefined;
  return BY_NAME.get(kpi);
}

export function kpiName(kpi: number): string {
  return COUNTER_KPIS.get(kpi) ?? String(kpi);
}
