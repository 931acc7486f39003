import type * as T from '../model/types.js';
import type { Store } from '../store/api.js';

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

/** The whole context as a TFS descriptor that re-imports to the identical state. */
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
      topologies: topologies.map((t) => t.body),
      devices: devices.map(({ body: { cnsdn: _report, ...tfs } }) => tfs),
      links: links.map((l) => l.body),
      services: services.map((s) => s.body),
      slices: slices.map((s) => s.body),
      connections: connections.map((c) => c.body),
    };
    if (devices.length > 0 && devices.every((d) => d.body.cnsdn?.managed === false)) out.dummy_mode = true;
    return out;
  });
  return result;
}
