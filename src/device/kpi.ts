import { KpiSampleType } from '../model/enums.js';

/** TFS KpiSampleType numbers for the counters the emulated driver synthesises. */
export const KPI_SAMPLE_TYPES = {
  KPISAMPLETYPE_PACKETS_TRANSMITTED: KpiSampleType.KPISAMPLETYPE_PACKETS_TRANSMITTED,
  KPISAMPLETYPE_PACKETS_RECEIVED: KpiSampleType.KPISAMPLETYPE_PACKETS_RECEIVED,
  KPISAMPLETYPE_PACKETS_DROPPED: KpiSampleType.KPISAMPLETYPE_PACKETS_DROPPED,
  KPISAMPLETYPE_BYTES_TRANSMITTED: KpiSampleType.KPISAMPLETYPE_BYTES_TRANSMITTED,
  KPISAMPLETYPE_BYTES_RECEIVED: KpiSampleType.KPISAMPLETYPE_BYTES_RECEIVED,
  KPISAMPLETYPE_BYTES_DROPPED: KpiSampleType.KPISAMPLETYPE_BYTES_DROPPED,
} as const;

/** OpenConfig-style counter leaf for each sample type, used in sample keys. */
const COUNTER_LEAVES = new Map<number, string>([
  [101, 'out-pkts'],
  [102, 'in-pkts'],
  [103, 'in-discards'],
  [201, 'out-octets'],
  [202, 'in-octets'],
  [203, 'in-discarded-octets'],
]);

/** "/interface[eth1]/state/counters/in-pkts" for 102; other types get "/state/kpi[<n>]". */
export function counterKey(endpoint: string, sampleType: number): string {
  const leaf = COUNTER_LEAVES.get(sampleType);
  return leaf === undefined ? `/interface[${endpoint}]/state/kpi[${sampleType}]` : `/interface[${endpoint}]/state/counters/${leaf}`;
}

/** Byte counters grow by packet-sized steps, packet counters by packet counts. */
export function isByteCounter(sampleType: number): boolean {
  return sampleType >= 200 && sampleType < 300;
}
