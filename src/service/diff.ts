/** Per-device differences between what a service applied and what it now wants (pure). */
import type { DeviceConfigDiff } from './api.js';
import type { Rule } from './handlers.js';
import { childrenFirst, parentsFirst, stableJson, takeOff } from './keys.js';
import type { AppliedDevice } from './record.js';

export interface DesiredDevice {
  uuid: string;
  name: string;
  rules: Rule[];
}

/** Whether another service still holds a shared key on a device (it is then left as it is). */
export type HeldElsewhere = (deviceUuid: string, key: string) => boolean;

const nobody: HeldElsewhere = () => false;

/**
 * What taking `rules` off a device means, given what they replaced: deletes (children first)
 * and the prior values set back (parents first). Shared keys another service still holds are
 * left alone.
 */
export function takeOffAll(deviceUuid: string, rules: readonly Rule[], prior: readonly Rule[], heldElsewhere: HeldElsewhere = nobody): { set: Rule[]; delete: Rule[] } {
  const priors = new Map(prior.map((p) => [p.key, p]));
  const set: Rule[] = [];
  const del: Rule[] = [];
  for (const r of rules) {
    if (heldElsewhere(deviceUuid, r.key)) continue;
    const step = takeOff(r, priors.get(r.key));
    if (step.delete) del.push(step.delete);
    if (step.set) set.push(step.set);
  }
  return { set: parentsFirst(set), delete: childrenFirst(del) };
}

/** Sets (parents first) for new or changed keys; keys no longer wanted are taken off and their prior values come back. */
export function deviceDiff(desired: DesiredDevice, applied: AppliedDevice | undefined, heldElsewhere: HeldElsewhere = nobody): DeviceConfigDiff {
  const had = new Map((applied?.rules ?? []).map((r) => [r.key, stableJson(r.value)]));
  const wanted = new Set(desired.rules.map((r) => r.key));
  const set = desired.rules.filter((r) => had.get(r.key) !== stableJson(r.value));
  const off = takeOffAll(desired.uuid, (applied?.rules ?? []).filter((r) => !wanted.has(r.key)), applied?.prior ?? [], heldElsewhere);
  return { deviceUuid: desired.uuid, deviceName: desired.name, set: parentsFirst([...set, ...off.set]), delete: off.delete };
}

/** Diffs for every device the service touches now or touched before; devices with nothing to do are left out. */
export function serviceDiffs(desired: readonly DesiredDevice[], applied: readonly AppliedDevice[], heldElsewhere: HeldElsewhere = nobody): DeviceConfigDiff[] {
  const old = new Map(applied.map((d) => [d.uuid, d]));
  const out = desired.map((d) => deviceDiff(d, old.get(d.uuid), heldElsewhere));
  const still = new Set(desired.map((d) => d.uuid));
  for (const d of applied) if (!still.has(d.uuid)) out.push(deviceDiff({ uuid: d.uuid, name: d.name, rules: [] }, d, heldElsewhere));
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
