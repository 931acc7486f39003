/** Go-style durations (`10s`, `500ms`, `1m30s`) for command options; no protocol library needed. */

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** A Go-style duration (`10s`, `500ms`, `1m30s`, `1.5s`) in nanoseconds; undefined when it is not one. */
export function durationNs(text: string): bigint | undefined {
  const re = /(\d+)(?:\.(\d+))?(ns|us|µs|ms|s|m|h)/y;
  let total = 0n;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) return undefined;
    const unit = UNIT_NS[m[3]];
    const frac = m[2] ?? '';
    total += BigInt(m[1]) * unit + (BigInt(frac || '0') * unit) / 10n ** BigInt(frac.length);
    pos = re.lastIndex;
  }
  return pos === 0 ? undefined : total;
}

/** A duration in whole milliseconds (rounded up, so `1us` is not 0). */
export function durationMs(text: string): number | undefined {
  const ns = durationNs(text);
  return ns === undefined ? undefined : Number((ns + 999_999n) / 1_000_000n);
}
