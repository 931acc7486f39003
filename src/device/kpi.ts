/** TFS KpiSampleType numbers for the counters the emulated driver synthesises. */
export const KPI_SAMPLE_TYPES = {
  KPISAMPLETYPE_PACKETS_TRANSMITTED: 101,
  KPISAMPLETYPE_PACKETS_RECEIVED: 102,
  KPISAMPLETYPE_PACKETS_DROPPED: 103,
  KPISAMPLETYPE_BYTES_TRANSMITTED: 201,
  KPISAMPLETYPE_BYTES_RECEIVED: 202,
  KPISAMPLETYPE_BYTES_DROPPED: 203,
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
