/**
 * From a service to its paths: one computed path from the first endpoint to each other one
 * (a point-to-point service has one), on a snapshot of the service's topology, under the
 * service's constraints. Each path is then seen device by device, with the endpoints it uses.
 */
import { CnsdnError } from '../common/errors.js';
import type * as T from '../model/types.js';
import { buildTopology, type ComputedPath, computePaths, type PathTopology } from '../pathcomp/index.js';

export interface HopEndpoint {
  endpoint: T.EndPoint;
  /** A service endpoint (the access side), as opposed to a link end inside the path. */
  service: boolean;
  /** The endpoint at the other end of the link this endpoint leaves or enters the device by. */
  peer?: { device: T.Device; endpoint: T.EndPoint; linkUuid: string };
}

export interface DeviceHop {
  device: T.Device;
  endpoints: HopEndpoint[];
}

export interface ServicePath {
  computed: ComputedPath;
  hops: DeviceHop[];
}

export interface TopologySnapshot {
  devices: T.Device[];
  links: T.Link[];
  /** Built once per snapshot when it is kept for several activations (else per activation). */
  topology?: PathTopology;
  byUuid?: ReadonlyMap<string, T.Device>;
}

/** A snapshot with its path topology and device index built, to be shared (never changed) by activations. */
export function sharedSnapshot(devices: T.Device[], links: T.Link[]): Required<TopologySnapshot> {
  return { devices, links, topology: buildTopology(devices, links), byUuid: new Map(devices.map((d) => [d.device_id.device_uuid.uuid, d])) };
}

export function servicePaths(service: T.Service, snapshot: TopologySnapshot): ServicePath[] {
  const eps = service.service_endpoint_ids;
  if (eps.length < 2) throw new CnsdnError('INVALID_ARGUMENT', `service ${service.name} has ${eps.length} endpoint(s): at least 2 are needed`, [{ path: '/service_endpoint_ids', message: 'fewer than 2 endpoints' }]);
  const topo = snapshot.topology ?? buildTopology(snapshot.devices, snapshot.links);
  const devices = snapshot.byUuid ?? new Map(snapshot.devices.map((d) => [d.device_id.device_uuid.uuid, d]));
  const serviceEnds = new Set(eps.map(endpointKey));
  const out: ServicePath[] = [];
  for (let j = 1; j < eps.length; j++) {
    const computed = computePaths(topo, { source: eps[0]!, target: eps[j]!, constraints: service.service_constraints }).paths[0]!;
    out.push({ computed, hops: deviceHops(computed, devices, serviceEnds) });
  }
  return out;
}

function endpointKey(id: T.EndPointId): string {
  return `${id.device_id.device_uuid.uuid}/${id.endpoint_uuid.uuid}`;
}

function findEndpoint(device: T.Device, id: T.EndPointId): T.EndPoint {
  const ep = device.device_endpoints.find((e) => e.endpoint_id.endpoint_uuid.uuid === id.endpoint_uuid.uuid);
  if (!ep) throw new CnsdnError('NOT_FOUND', `device ${device.name} has no endpoint ${id.endpoint_uuid.uuid}`);
  return ep;
}

function deviceHops(path: ComputedPath, devices: ReadonlyMap<string, T.Device>, serviceEnds: Set<string>): DeviceHop[] {
  const hops: DeviceHop[] = [];
  for (const id of path.path_hops_endpoint_ids) {
    const uuid = id.device_id.device_uuid.uuid;
    const device = devices.get(uuid);
    if (!device) throw new CnsdnError('NOT_FOUND', `device ${uuid} on the path is not in the topology`);
    let last = hops[hops.length - 1];
    if (last?.device !== device) {
      last = { device, endpoints: [] };
      hops.push(last);
    }
    last.endpoints.push({ endpoint: findEndpoint(device, id), service: serviceEnds.has(endpointKey(id)) });
  }
  // Consecutive devices are joined by the path's links, in order.
  for (let i = 0; i + 1 < hops.length; i++) {
    const a = hops[i]!;
    const b = hops[i + 1]!;
    const out = a.endpoints[a.endpoints.length - 1]!;
    const into = b.endpoints[0]!;
    const linkUuid = path.link_ids[i]?.link_uuid.uuid ?? `${endpointKey(out.endpoint.endpoint_id)}==${endpointKey(into.endpoint.endpoint_id)}`;
    out.peer = { device: b.device, endpoint: into.endpoint, linkUuid };
    into.peer = { device: a.device, endpoint: out.endpoint, linkUuid };
  }
  return hops;
}
