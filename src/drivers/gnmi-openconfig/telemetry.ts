/** Counter subscriptions: TFS state keys → one gNMI STREAM subscription list → StateSamples. */
import { CnsdnError } from '../../common/errors.js';
import type { StateSample } from '../../device/index.js';
import type { GnmiNotification, GnmiPath, PathElem, SubscriptionSpec } from '../../protocols/gnmi/index.js';
import { notificationLeaves, pathToString } from '../../protocols/gnmi/index.js';
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

/** What a counter leaf's samples carry besides the value, resolved once per leaf path. */
export interface CounterLeaf {
  key: string;
  endpoint: string;
  sampleType?: number;
}

/** The counter a leaf path names: `.../interface[name=X]/state/counters/<leaf>`; undefined for any other leaf. */
export function counterLeaf(path: GnmiPath): CounterLeaf | undefined {
  const elems = path.elem;
  const i = elems.findIndex((e) => e.name === 'interface' && e.key?.name !== undefined);
  if (i < 0 || elems.length !== i + 4 || elems[i + 1].name !== 'state' || elems[i + 2].name !== 'counters') return undefined;
  const endpoint = elems[i].key!.name;
  const leaf = elems[i + 3].name;
  const ref: CounterLeaf = { key: `/interface[${endpoint}]/state/counters/${leaf}`, endpoint };
  const sampleType = COUNTER_SAMPLE_TYPES.get(leaf);
  if (sampleType !== undefined) ref.sampleType = sampleType;
  return ref;
}

/** A counter leaf's sample; undefined when the value is not a number, text or boolean. */
export function counterSample(ref: CounterLeaf, raw: unknown, timestampMs: number): StateSample | undefined {
  const value = scalar(raw);
  if (value === undefined) return undefined;
  const sample: StateSample = { ts: timestampMs || Date.now(), key: ref.key, value, endpoint: ref.endpoint };
  if (ref.sampleType !== undefined) sample.sampleType = ref.sampleType;
  return sample;
}

/** The interface counter samples a notification carries (other leaves are ignored); the driver streams the same through a LeafSink. */
export function samplesOf(n: GnmiNotification): StateSample[] {
  const out: StateSample[] = [];
  notificationLeaves(n, true, (path, raw, ts) => {
    const ref = counterLeaf(path);
    const sample = ref && counterSample(ref, raw, ts);
    if (sample) out.push(sample);
  });
  return out;
}
