/** Counter subscriptions: TFS state keys → one gNMI STREAM subscription list → StateSamples. */
import { CnsdnError } from '../../common/errors.js';
import type { StateSample } from '../../device/index.js';
import type { GnmiNotification, GnmiPath, PathElem, SubscriptionSpec, TypedValue } from '../../protocols/gnmi/index.js';
import { pathToString, typedValueToJs } from '../../protocols/gnmi/index.js';
import { COUNTER_SAMPLE_TYPES } from './endpoints.js';

export interface CounterSubscription {
  key: string;
  endpoint: string;
  /** One counter leaf, or all counters of the interface when absent. */
  leaf?: string;
  intervalS: number;
  durationS: number;
}

const STATE_KEY = /^\/interface\[(.+)\](?:\/state(?:\/counters(?:\/([a-z0-9-]+))?)?)?$/s;

/** `/interface[X]`, `/interface[X]/state`, `/interface[X]/state/counters` or `/interface[X]/state/counters/<leaf>`. */
export function parseStateKey(key: string, durationS: number, intervalS: number): CounterSubscription {
  const m = typeof key === 'string' ? STATE_KEY.exec(key) : null;
  if (!m) {
    throw new CnsdnError(
      'INVALID_ARGUMENT',
      `state key ${JSON.stringify(key)} is not /interface[X], /interface[X]/state/counters or /interface[X]/state/counters/<counter>`,
    );
  }
  for (const [what, v] of [
    ['duration', durationS],
    ['interval', intervalS],
  ] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new CnsdnError('INVALID_ARGUMENT', `state subscription ${key}: ${what} must be a number ≥ 0 (seconds), got ${String(v)}`);
  }
  const sub: CounterSubscription = { key, endpoint: m[1], intervalS, durationS };
  if (m[2] !== undefined) sub.leaf = m[2];
  return sub;
}

export function countersPath(endpoint: string, leaf?: string): GnmiPath {
  const elem: PathElem[] = [{ name: 'interfaces' }, { name: 'interface', key: { name: endpoint } }, { name: 'state' }, { name: 'counters' }];
  if (leaf !== undefined) elem.push({ name: leaf });
  return { elem };
}

/**
 * One gNMI subscription per distinct path, sampled at the shortest interval asked for it; a
 * single counter is dropped when the interface's whole counters container is subscribed anyway.
 */
export function streamSpecs(subs: Iterable<CounterSubscription>): SubscriptionSpec[] {
  const byPath = new Map<string, { path: GnmiPath; intervalS: number; endpoint: string; leaf?: string }>();
  for (const s of subs) {
    const path = countersPath(s.endpoint, s.leaf);
    const k = pathToString(path);
    const prev = byPath.get(k);
    byPath.set(k, { path, endpoint: s.endpoint, leaf: s.leaf, intervalS: prev ? Math.min(prev.intervalS, s.intervalS) : s.intervalS });
  }
  const wholes = new Map([...byPath.values()].filter((p) => p.leaf === undefined).map((p) => [p.endpoint, p]));
  for (const [k, p] of byPath) {
    const whole = wholes.get(p.endpoint);
    if (p.leaf !== undefined && whole) {
      whole.intervalS = Math.min(whole.intervalS, p.intervalS);
      byPath.delete(k);
    }
  }
  return [...byPath.values()].map((p) => ({ path: p.path, mode: 'SAMPLE', sampleIntervalNs: BigInt(Math.round(p.intervalS * 1e9)) }));
}

function scalar(v: unknown): number | string | boolean | undefined {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  return undefined;
}

/** Leaves of a value at `elems`: a scalar itself, or the members of a JSON container. */
function* leavesAt(elems: PathElem[], value: TypedValue): Generator<[PathElem[], unknown]> {
  if (value.kind !== 'json' && value.kind !== 'json_ietf') {
    yield [elems, typedValueToJs(value)];
    return;
  }
  const walk = function* (at: PathElem[], v: unknown): Generator<[PathElem[], unknown]> {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      for (const [name, child] of Object.entries(v)) yield* walk([...at, { name: name.slice(name.indexOf(':') + 1) }], child);
    } else {
      yield [at, v];
    }
  };
  yield* walk(elems, value.value);
}

/** The interface counter samples a notification carries (other leaves are ignored). */
export function samplesOf(n: GnmiNotification): StateSample[] {
  const ts = Number(n.timestamp / 1_000_000n) || Date.now();
  const base = n.prefix?.elem ?? [];
  const out: StateSample[] = [];
  for (const u of n.update) {
    for (const [elems, raw] of leavesAt([...base, ...u.path.elem], u.value)) {
      const i = elems.findIndex((e) => e.name === 'interface' && e.key?.name !== undefined);
      if (i < 0 || elems.length !== i + 4 || elems[i + 1].name !== 'state' || elems[i + 2].name !== 'counters') continue;
      const value = scalar(raw);
      if (value === undefined) continue;
      const endpoint = elems[i].key!.name;
      const leaf = elems[i + 3].name;
      const sample: StateSample = { ts, key: `/interface[${endpoint}]/state/counters/${leaf}`, value, endpoint };
      const sampleType = COUNTER_SAMPLE_TYPES.get(leaf);
      if (sampleType !== undefined) sample.sampleType = sampleType;
      out.push(sample);
    }
  }
  return out;
}
