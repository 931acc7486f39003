import { CnsdnError } from '../common/errors.js';
import type { Constraint } from '../model/types.js';
import type { PathTopology } from './topology.js';

/** A constraint value with the index of the constraint it came from (for error details). */
export interface Indexed<T> {
  value: T;
  index: number;
}

export interface Exclusions {
  devices: Set<string>;
  /** Keys `device uuid + "/" + endpoint uuid`. */
  endpoints: Set<string>;
  links: Set<string>;
  indices: number[];
}

export interface PathConstraints {
  capacityGbps?: Indexed<number>;
  maxLatencyMs?: Indexed<number>;
  disjointPaths?: Indexed<number>;
  exclusions: Exclusions;
}

/**
 * Constraints that shape paths. Ones with action CONSTRAINTACTION_DELETE are skipped; of
 * several of one kind the strictest wins (largest capacity, smallest latency, most paths)
 * and exclusions add up.
 */
export function parseConstraints(constraints: readonly Constraint[] = []): PathConstraints {
  const out: PathConstraints = { exclusions: { devices: new Set(), endpoints: new Set(), links: new Set(), indices: [] } };
  constraints.forEach((c, index) => {
    if (c.action === 'CONSTRAINTACTION_DELETE') return;
    if (c.sla_capacity) {
      const value = need(c.sla_capacity.capacity_gbps, index, 'sla_capacity.capacity_gbps', (x) => x >= 0);
      if (!out.capacityGbps || value > out.capacityGbps.value) out.capacityGbps = { value, index };
    }
    if (c.sla_latency) {
      const value = need(c.sla_latency.e2e_latency_ms, index, 'sla_latency.e2e_latency_ms', (x) => x > 0);
      if (!out.maxLatencyMs || value < out.maxLatencyMs.value) out.maxLatencyMs = { value, index };
    }
    if (c.sla_availability) {
      const value = need(c.sla_availability.num_disjoint_paths, index, 'sla_availability.num_disjoint_paths', (x) => Number.isInteger(x) && x >= 0);
      if (!out.disjointPaths || value > out.disjointPaths.value) out.disjointPaths = { value, index };
    }
    if (c.exclusions) {
      const ex = out.exclusions;
      ex.indices.push(index);
      for (const d of c.exclusions.device_ids) ex.devices.add(d.device_uuid.uuid);
      for (const e of c.exclusions.endpoint_ids) ex.endpoints.add(`${e.device_id.device_uuid.uuid}/${e.endpoint_uuid.uuid}`);
      for (const l of c.exclusions.link_ids) ex.links.add(l.link_uuid.uuid);
    }
  });
  return out;
}

function need(x: number, index: number, field: string, ok: (x: number) => boolean): number {
  if (typeof x === 'number' && Number.isFinite(x) && ok(x)) return x;
  throw new CnsdnError('INVALID_ARGUMENT', `constraint ${index}: ${field} has an invalid value ${String(x)}`, [
    { path: `/service_constraints/${index}/${field.replace('.', '/')}`, message: 'invalid value' },
  ]);
}

/** Which constraints an edge mask applies; latency and disjointness are checked on paths. */
export interface MaskParts {
  capacityGbps?: number;
  exclusions?: Exclusions;
}

/** 1 for every edge usable under `parts`, 0 otherwise. */
export function edgeMask(topo: PathTopology, parts: MaskParts): Uint8Array {
  const m = topo.edgeCount;
  const mask = new Uint8Array(m).fill(1);
  const cap = parts.capacityGbps;
  if (cap !== undefined && cap > 0) {
    for (let e = 0; e < m; e++) if (topo.linkFree[topo.edgeLink[e]] < cap) mask[e] = 0;
  }
  const ex = parts.exclusions;
  if (ex && (ex.devices.size > 0 || ex.endpoints.size > 0 || ex.links.size > 0)) {
    const badLink = topo.links.map((l) => ex.links.has(l.link_id.link_uuid.uuid));
    const badEndpoint = topo.endpoints.map((ep) => {
      const dev = ep.id.device_id.device_uuid.uuid;
      return ex.devices.has(dev) || ex.endpoints.has(`${dev}/${ep.id.endpoint_uuid.uuid}`);
    });
    for (let e = 0; e < m; e++) {
      if (badLink[topo.edgeLink[e]] || badEndpoint[topo.edgeFromEndpoint[e]] || badEndpoint[topo.edgeToEndpoint[e]]) mask[e] = 0;
    }
  }
  return mask;
}
