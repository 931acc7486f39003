/** Builders for path computation tests and benchmarks: uuids are the names given. */
import type { Constraint, Device, EndPointId, Link } from '../model/types.js';
import type { ComputedPath } from './path.js';

const TOPOLOGY_ID = { context_id: { context_uuid: { uuid: 'admin' } }, topology_uuid: { uuid: 'admin' } };

export function ep(device: string, endpoint: string): EndPointId {
  return { topology_id: TOPOLOGY_ID, device_id: { device_uuid: { uuid: device } }, endpoint_uuid: { uuid: endpoint } };
}

/** A device; an endpoint given as [name, type] gets that type, else 'copper'. */
export function device(name: string, endpoints: (string | [string, string])[]): Device {
  return {
    device_id: { device_uuid: { uuid: name } },
    name,
    device_type: 'packet-router',
    device_config: { config_rules: [] },
    device_operational_status: 'DEVICEOPERATIONALSTATUS_ENABLED',
    device_drivers: ['DEVICEDRIVER_UNDEFINED'],
    device_endpoints: endpoints.map((e) => {
      const [epName, type] = typeof e === 'string' ? [e, 'copper'] : e;
      return { endpoint_id: ep(name, epName), name: epName, endpoint_type: type, kpi_sample_types: [], endpoint_location: {}, capabilities: {} };
    }),
    components: [],
  };
}

export interface LinkOptions {
  total?: number;
  used?: number;
  bidirectional?: boolean;
  type?: string;
}

/** A link between "device:endpoint" ends. */
export function link(name: string, ends: string[], options: LinkOptions = {}): Link {
  const attributes: Link['attributes'] = { total_capacity_gbps: options.total ?? 0, used_capacity_gbps: options.used ?? 0 };
  if (options.bidirectional !== undefined) attributes.is_bidirectional = options.bidirectional;
  return {
    link_id: { link_uuid: { uuid: name } },
    name,
    link_type: options.type ?? 'LINKTYPE_COPPER',
    link_endpoint_ids: ends.map((e) => ep(...(e.split(':') as [string, string]))),
    attributes,
  };
}

export function at(text: string): EndPointId {
  return ep(...(text.split(':') as [string, string]));
}

/** Hops as "device:endpoint". */
export function hops(path: ComputedPath): string[] {
  return path.path_hops_endpoint_ids.map((e) => `${e.device_id.device_uuid.uuid}:${e.endpoint_uuid.uuid}`);
}

export function linksOf(path: ComputedPath): string[] {
  return path.link_ids.map((l) => l.link_uuid.uuid);
}

const set = { action: 'CONSTRAINTACTION_SET' };

export const constraint = {
  capacity: (capacity_gbps: number): Constraint => ({ ...set, sla_capacity: { capacity_gbps } }),
  latency: (e2e_latency_ms: number): Constraint => ({ ...set, sla_latency: { e2e_latency_ms } }),
  disjoint: (num_disjoint_paths: number): Constraint => ({ ...set, sla_availability: { num_disjoint_paths, all_active: true, availability: 99.9 } }),
  exclude: (x: { devices?: string[]; endpoints?: string[]; links?: string[] }): Constraint => ({
    ...set,
    exclusions: {
      is_permanent: false,
      device_ids: (x.devices ?? []).map((d) => ({ device_uuid: { uuid: d } })),
      endpoint_ids: (x.endpoints ?? []).map(at),
      link_ids: (x.links ?? []).map((l) => ({ link_uuid: { uuid: l } })),
    },
  }),
};

export { seededRandom as random } from '../common/random.js';
