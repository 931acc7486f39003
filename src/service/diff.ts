/** Per-device differences between what a service applied and what it now wants (pure). */
import type { DeviceConfigDiff } from './api.js';
import type { Rule } from './handlers.js';
import { childrenFirst, parentsFirst, stableJson } from './keys.js';
import type { AppliedDevice } from './record.js';

export interface DesiredDevice {
  uuid: string;
  name: string;
  rules: Rule[];
}

/** Sets (parents first) for new or changed keys; deletes (children first) for keys no longer wanted, whose prior values come back. */
export function deviceDiff(desired: DesiredDevice, applied: AppliedDevice | undefined): DeviceConfigDiff {
  const had = new Map((applied?.rules ?? []).map((r) => [r.key, stableJson(r.value)]));
  const wanted = new Set(desired.rules.map((r) => r.key));
  const set = desired.rules.filter((r) => had.get(r.key) !== stableJson(r.value));
  const deleted = (applied?.rules ?? []).filter((r) => !wanted.has(r.key));
  const deletedKeys = new Set(deleted.map((r) => r.key));
  const priors = (applied?.prior ?? []).filter((p) => deletedKeys.has(p.key));
  return { deviceUuid: desired.uuid, deviceName: desired.name, set: parentsFirst([...set, ...priors]), delete: childrenFirst(deleted) };
}

/** Diffs for every device the service touches now or touched before; devices with nothing to do are left out. */
export function serviceDiffs(desired: readonly DesiredDevice[], applied: readonly AppliedDevice[]): DeviceConfigDiff[] {
  const old = new Map(applied.map((d) => [d.uuid, d]));
  const out = desired.map((d) => deviceDiff(d, old.get(d.uuid)));
  const still = new Set(desired.map((d) => d.uuid));
  for (const d of applied) if (!still.has(d.uuid)) out.push(deviceDiff({ uuid: d.uuid, name: d.name, rules: [] }, d));
  return out.filter((d) => d.set.length > 0 || d.delete.length > 0);
}

/** The next record of a device: the desired rules, with priors kept for keys still held and read from the snapshot for new ones. */
export function nextApplied(desired: DesiredDevice, applied: AppliedDevice | undefined, before: ReadonlyMap<string, unknown>): AppliedDevice {
  const oldPrior = new Map((applied?.prior ?? []).map((p) => [p.key, p.value]));
  const held = new Set((applied?.rules ?? []).map((r) => r.key));
  const prior: Rule[] = [];
  for (const r of desired.rules) {
    if (held.has(r.key)) {
      if (oldPrior.has(r.key)) prior.push({ key: r.key, value: oldPrior.get(r.key) });
    } else if (before.has(r.key)) prior.push({ key: r.key, value: before.get(r.key) });
  }
  return { uuid: desired.uuid, name: desired.name, rules: desired.rules, prior };
}
