/**
 * What a service applied to devices, kept in its Connections' `settings.cnsdn` (never in the
 * devices' config rules, which config-sync owns):
 *   { "devices": [{ "uuid", "name", "rules": [{key, value}], "prior": [{key, value}] }],
 *     "fingerprint": "...", "links": { "<link uuid>": "10.255.0.0/30" } }
 * Each device sits on the first connection whose path holds it; fingerprint and links sit on
 * the first connection. `prior` holds what a key held before the service first set it.
 */
import type * as T from '../model/types.js';
import { uuidFromText } from '../model/ids.js';
import type { Rule } from './handlers.js';
import { isSharedKey, stableJson } from './keys.js';

export interface AppliedDevice {
  uuid: string;
  name: string;
  rules: Rule[];
  prior: Rule[];
}

export interface AppliedRecord {
  fingerprint: string;
  links: Record<string, string>;
  devices: AppliedDevice[];
}

interface SettingsPart {
  devices?: AppliedDevice[];
  fingerprint?: string;
  links?: Record<string, string>;
}

export function connectionUuid(serviceUuid: string, index: number): string {
  return uuidFromText(`connection-${index}`, serviceUuid);
}

/** What decides the configuration: type, endpoints, constraints and config rules (cnsdn's own left out). */
export function fingerprint(s: T.Service): string {
  return stableJson([
    s.service_type,
    s.service_endpoint_ids.map((e) => [e.device_id.device_uuid.uuid, e.endpoint_uuid.uuid]),
    s.service_constraints,
    s.service_config.config_rules.filter((r) => !r.custom?.resource_key.startsWith('/cnsdn/')),
  ]);
}

/** Splits a record over the connections of its paths (device uuids per path, in path order). */
export function toConnectionSettings(record: AppliedRecord, pathDevices: string[][]): SettingsPart[] {
  const placed = new Set<string>();
  const parts: SettingsPart[] = pathDevices.map((uuids) => {
    const devices = record.devices.filter((d) => uuids.includes(d.uuid) && !placed.has(d.uuid));
    for (const d of devices) placed.add(d.uuid);
    return { devices };
  });
  parts[0] = { ...parts[0], fingerprint: record.fingerprint, links: record.links };
  return parts;
}

export function fromConnections(connections: readonly T.Connection[]): AppliedRecord | undefined {
  let found = false;
  const record: AppliedRecord = { fingerprint: '', links: {}, devices: [] };
  for (const c of connections) {
    const part = (c.settings as { cnsdn?: SettingsPart } | undefined)?.cnsdn;
    if (!part) continue;
    found = true;
    if (part.fingerprint !== undefined) record.fingerprint = part.fingerprint;
    if (part.links) Object.assign(record.links, part.links);
    for (const d of part.devices ?? []) record.devices.push(d);
  }
  return found ? record : undefined;
}

/**
 * Who holds which (device, key) and which pool /30, across services, including activations in
 * flight: two services never configure one key, nor take one subnet. A shared key (an
 * interface's MTU) may be held by several services that set the same value.
 */
export class Claims {
  readonly #records = new Map<string, AppliedRecord>();
  readonly #keys = new Map<string, string>();
  /** Shared (device, key) → holder → value (stable JSON). */
  readonly #shared = new Map<string, Map<string, string>>();
  readonly #subnets = new Map<string, string>();

  record(serviceUuid: string): AppliedRecord | undefined {
    return this.#records.get(serviceUuid);
  }

  /** The service claiming one of these (device, key) pairs first, other than `serviceUuid`. */
  conflict(serviceUuid: string, devices: ReadonlyArray<{ uuid: string; name: string; rules: readonly Rule[] }>): { device: string; key: string; holder: string } | undefined {
    for (const d of devices) {
      for (const r of d.rules) {
        if (isSharedKey(r.key)) {
          const value = stableJson(r.value);
          for (const [holder, held] of this.#shared.get(`${d.uuid} ${r.key}`) ?? []) if (holder !== serviceUuid && held !== value) return { device: d.name, key: r.key, holder };
          continue;
        }
        const holder = this.#keys.get(`${d.uuid} ${r.key}`);
        if (holder !== undefined && holder !== serviceUuid) return { device: d.name, key: r.key, holder };
      }
    }
    return undefined;
  }

  /** Another service holding a shared key on a device, if any. */
  otherHolder(serviceUuid: string, deviceUuid: string, key: string): string | undefined {
    for (const holder of this.#shared.get(`${deviceUuid} ${key}`)?.keys() ?? []) if (holder !== serviceUuid) return holder;
    return undefined;
  }

  /** What a key held on a device before `serviceUuid` first set it (undefined: nothing, or unknown). */
  priorOf(serviceUuid: string, deviceUuid: string, key: string): Rule | undefined {
    return this.#records.get(serviceUuid)?.devices.find((d) => d.uuid === deviceUuid)?.prior.find((p) => p.key === key);
  }

  subnetsOfOthers(serviceUuid: string): Set<string> {
    return new Set([...this.#subnets].filter(([, holder]) => holder !== serviceUuid).map(([s]) => s));
  }

  /** Replaces what a service holds (undefined: nothing). */
  set(serviceUuid: string, record: AppliedRecord | undefined): void {
    const old = this.#records.get(serviceUuid);
    if (old) {
      for (const d of old.devices) {
        for (const r of d.rules) {
          const k = `${d.uuid} ${r.key}`;
          const shared = this.#shared.get(k);
          if (shared?.delete(serviceUuid) && shared.size === 0) this.#shared.delete(k);
          if (this.#keys.get(k) === serviceUuid) this.#keys.delete(k);
        }
      }
      for (const s of Object.values(old.links)) if (this.#subnets.get(s) === serviceUuid) this.#subnets.delete(s);
    }
    if (!record) {
      this.#records.delete(serviceUuid);
      return;
    }
    this.#records.set(serviceUuid, record);
    for (const d of record.devices) {
      for (const r of d.rules) {
        const k = `${d.uuid} ${r.key}`;
        if (!isSharedKey(r.key)) {
          this.#keys.set(k, serviceUuid);
          continue;
        }
        const holders = this.#shared.get(k) ?? new Map<string, string>();
        this.#shared.set(k, holders.set(serviceUuid, stableJson(r.value)));
      }
    }
    for (const s of Object.values(record.links)) this.#subnets.set(s, serviceUuid);
  }
}
