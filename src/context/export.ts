import type * as T from '../model/types.js';
import type { Store } from '../store/api.js';

/** cnsdn's timestamped report of a failed activation on a service or slice: status, not intent. */
const FAILURE_RULE_KEY = '/cnsdn/failure';

const byUuid = <I>(uuidOf: (i: I) => string) => (a: I, b: I) => (uuidOf(a) < uuidOf(b) ? -1 : uuidOf(a) > uuidOf(b) ? 1 : 0);

/**
 * Topology members in a canonical order: an import adds devices and links to topologies in the
 * order it meets them, so the stored order depends on how a descriptor was written.
 */
function canonicalTopology(t: T.Topology): T.Topology {
  return {
    ...t,
    device_ids: [...t.device_ids].sort(byUuid((d) => d.device_uuid.uuid)),
    link_ids: [...t.link_ids].sort(byUuid((l) => l.link_uuid.uuid)),
  };
}

function withoutFailure(config: { config_rules: T.ConfigRule[] }): { config_rules: T.ConfigRule[] } {
  if (!config.config_rules.some((r) => r.custom?.resource_key === FAILURE_RULE_KEY)) return config;
  return { ...config, config_rules: config.config_rules.filter((r) => r.custom?.resource_key !== FAILURE_RULE_KEY) };
}

export interface ExportedDescriptor {
  dummy_mode?: boolean;
  contexts: T.Context[];
  topologies: T.Topology[];
  devices: T.Device[];
  links: T.Link[];
  services: T.Service[];
  slices: T.Slice[];
  connections: T.Connection[];
}

/**
 * The whole context as a TFS descriptor that re-imports to the identical state. cnsdn's reports
 * (`device.cnsdn`, a service's or slice's `/cnsdn/failure` rule) are left out: they are status.
 */
export async function exportDescriptor(store: Store): Promise<ExportedDescriptor> {
  const { result } = await store.transaction(async (tx) => {
    const [contexts, topologies, devices, links, services, slices, connections] = await Promise.all([
      tx.list<T.Context>('context'),
      tx.list<T.Topology>('topology'),
      tx.list<T.Device>('device'),
      tx.list<T.Link>('link'),
      tx.list<T.Service>('service'),
      tx.list<T.Slice>('slice'),
      tx.list<T.Connection>('connection'),
    ]);
    const out: ExportedDescriptor = {
      contexts: contexts.map((c) => ({ ...c.body, topology_ids: [], service_ids: [], slice_ids: [] })),
      topologies: topologies.map((t) => canonicalTopology(t.body)),
      devices: devices.map(({ body: { cnsdn: _report, ...tfs } }) => tfs),
      links: links.map((l) => l.body),
      services: services.map(({ body }) => ({ ...body, service_config: withoutFailure(body.service_config) })),
      slices: slices.map(({ body }) => ({ ...body, slice_config: withoutFailure(body.slice_config) })),
      connections: connections.map((c) => c.body),
    };
    if (devices.length > 0 && devices.every((d) => d.body.cnsdn?.managed === false)) out.dummy_mode = true;
    return out;
  });
  return result;
}
