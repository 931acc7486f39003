/**
 * check-sync and re-sync: each device's configuration, read back through its driver, against
 * what the service applied. Fields are compared as devices report them: identities without
 * their module prefix, numbers and their text alike; fields a device adds are not drift.
 */
import type { Rule } from './handlers.js';
import { parentsFirst, stableJson } from './keys.js';
import type { AppliedRecord } from './record.js';
import type { DriverRunner } from './transaction.js';

export interface Drift {
  key: string;
  state: 'missing' | 'differs';
  expected: unknown;
  actual?: unknown;
}

export interface DeviceSync {
  device: string;
  device_uuid: string;
  drift: Drift[];
  /** Why the device could not be read (or repaired). */
  error?: string;
  repaired?: boolean;
}

export interface SyncReport {
  in_sync: boolean;
  devices: DeviceSync[];
}

function norm(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return stableJson(v);
  return String(v).replace(/^[A-Za-z0-9_-]+:(?=[A-Z0-9_]+$)/, '');
}

export function matches(expected: unknown, actual: unknown): boolean {
  if (expected && typeof expected === 'object' && actual && typeof actual === 'object') {
    const a = actual as Record<string, unknown>;
    return Object.entries(expected as Record<string, unknown>).every(([k, v]) => norm(v) === norm(a[k]));
  }
  return norm(expected) === norm(actual);
}

export function driftOf(rules: readonly Rule[], actual: ReadonlyMap<string, unknown>): Drift[] {
  const out: Drift[] = [];
  for (const r of rules) {
    if (!actual.has(r.key)) out.push({ key: r.key, state: 'missing', expected: r.value });
    else if (!matches(r.value, actual.get(r.key))) out.push({ key: r.key, state: 'differs', expected: r.value, actual: actual.get(r.key) });
  }
  return out;
}

async function read(sessions: DriverRunner, uuid: string, rules: readonly Rule[]): Promise<Map<string, unknown>> {
  const got = await sessions.withDriver(uuid, (d) => d.getConfig(rules.map((r) => r.key)));
  const out = new Map<string, unknown>();
  for (const [k, v] of got) {
    if (v instanceof Error) throw new Error(`reading ${k}: ${v.message}`);
    out.set(k, v);
  }
  return out;
}

export async function checkDevices(sessions: DriverRunner, record: AppliedRecord, repair: boolean): Promise<SyncReport> {
  const devices: DeviceSync[] = [];
  for (const d of record.devices) {
    const entry: DeviceSync = { device: d.name, device_uuid: d.uuid, drift: [] };
    devices.push(entry);
    try {
      entry.drift = driftOf(d.rules, await read(sessions, d.uuid, d.rules));
      if (repair && entry.drift.length > 0) {
        const drifted = new Set(entry.drift.map((x) => x.key));
        const results = await sessions.withDriver(d.uuid, (drv) => drv.setConfig(parentsFirst(d.rules.filter((r) => drifted.has(r.key))).map((r) => [r.key, r.value])));
        const bad = results.find((r) => r !== true);
        if (bad) throw bad;
        entry.drift = driftOf(d.rules, await read(sessions, d.uuid, d.rules));
        entry.repaired = entry.drift.length === 0;
      }
    } catch (e) {
      entry.error = e instanceof Error ? e.message : String(e);
    }
  }
  return { in_sync: devices.every((d) => d.drift.length === 0 && d.error === undefined), devices };
}
