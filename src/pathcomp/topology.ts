import { CnsdnError } from '../common/errors.js';
import type { Device, EndPointId, Link } from '../model/types.js';

/** Latency of a link when the caller gives no `latencyOf`: TFS links carry no latency attribute. */
export const DEFAULT_LINK_LATENCY_MS = 1;

const MANAGEMENT_LINK_TYPE = 'LINKTYPE_MANAGEMENT';
const MANAGEMENT_ENDPOINT_TYPES = new Set(['mgmt', 'management']);

export interface TopologyOptions {
  /** Latency of a link in ms (finite, >= 0); DEFAULT_LINK_LATENCY_MS for every link by default. */
  latencyOf?: (link: Link) => number;
}

export interface SnapshotEndpoint {
  id: EndPointId;
  /** The device's name for the endpoint; its uuid when the device did not list it. */
  name: string;
  device: number;
  management: boolean;
}

/**
 * Immutable snapshot for path computation. Nodes are devices; every edge is one direction of
 * a link between two endpoints. Edge data lives in parallel typed arrays indexed by edge;
 * outgoing and incoming edges of a node are CSR slices (`outStart[v]..outStart[v + 1]`).
 */
export class PathTopology {
  readonly deviceIndex = new Map<string, number>();
  readonly endpoints: SnapshotEndpoint[] = [];
  readonly links: Link[] = [];
  readonly linkLatency: Float64Array;
  /** total - used in Gbps; Infinity when the total capacity is 0 (unknown). */
  readonly linkFree: Float64Array;
  readonly edgeFrom: Int32Array;
  readonly edgeTo: Int32Array;
  readonly edgeLink: Int32Array;
  readonly edgeFromEndpoint: Int32Array;
  readonly edgeToEndpoint: Int32Array;
  readonly edgeLatency: Float64Array;
  readonly outStart: Int32Array;
  readonly outEdges: Int32Array;
  readonly inStart: Int32Array;
  readonly inEdges: Int32Array;
  /** Links left out because they are management links. */
  readonly ignoredLinks: string[] = [];
  /** Endpoint indexes per device: lookups scan them (devices have few ports; no key strings). */
  private readonly endpointsOf: number[][];

  constructor(
    readonly devices: readonly Device[],
    links: readonly Link[],
    options: TopologyOptions = {},
  ) {
    this.endpointsOf = devices.map(() => []);
    devices.forEach((d, i) => {
      this.deviceIndex.set(d.device_id.device_uuid.uuid, i);
      for (const ep of d.device_endpoints) this.addEndpoint(i, ep.endpoint_id, ep.name, MANAGEMENT_ENDPOINT_TYPES.has(ep.endpoint_type.toLowerCase()));
    });
    const latencyOf = options.latencyOf ?? (() => DEFAULT_LINK_LATENCY_MS);
    const from: number[] = [];
    const to: number[] = [];
    const linkOf: number[] = [];
    const fromEndpoint: number[] = [];
    const toEndpoint: number[] = [];
    const latency: number[] = [];
    const free: number[] = [];
    for (const link of links) {
      if (link.link_type === MANAGEMENT_LINK_TYPE) {
        this.ignoredLinks.push(link.link_id.link_uuid.uuid);
        continue;
      }
      const l = this.links.length;
      this.links.push(link);
      const ms = latencyOf(link);
      if (!Number.isFinite(ms) || ms < 0) {
        throw new CnsdnError('INVALID_ARGUMENT', `latency of link ${link.link_id.link_uuid.uuid} must be a finite number >= 0, got ${ms}`);
      }
      latency.push(ms);
      const { total_capacity_gbps: total, used_capacity_gbps: used } = link.attributes;
      free.push(total > 0 ? Math.max(0, total - used) : Number.POSITIVE_INFINITY);
      for (const [a, b] of endpointPairs(link)) {
        const epFrom = this.linkEndpoint(link.link_endpoint_ids[a]);
        const epTo = this.linkEndpoint(link.link_endpoint_ids[b]);
        if (epFrom < 0 || epTo < 0) continue;
        const ef = this.endpoints[epFrom];
        const et = this.endpoints[epTo];
        if (ef.device === et.device || ef.management || et.management) continue;
        from.push(ef.device);
        to.push(et.device);
        linkOf.push(l);
        fromEndpoint.push(epFrom);
        toEndpoint.push(epTo);
      }
    }
    const m = from.length;
    this.linkLatency = Float64Array.from(latency);
    this.linkFree = Float64Array.from(free);
    this.edgeFrom = Int32Array.from(from);
    this.edgeTo = Int32Array.from(to);
    this.edgeLink = Int32Array.from(linkOf);
    this.edgeFromEndpoint = Int32Array.from(fromEndpoint);
    this.edgeToEndpoint = Int32Array.from(toEndpoint);
    this.edgeLatency = Float64Array.from(linkOf, (l) => latency[l]);
    [this.outStart, this.outEdges] = csr(devices.length, m, this.edgeFrom);
    [this.inStart, this.inEdges] = csr(devices.length, m, this.edgeTo);
  }

  get nodeCount(): number {
    return this.devices.length;
  }

  get edgeCount(): number {
    return this.edgeFrom.length;
  }

  /** Index of the endpoint (device uuid, endpoint uuid), or -1. */
  findEndpoint(deviceUuid: string, endpointUuid: string): number {
    const device = this.deviceIndex.get(deviceUuid);
    return device === undefined ? -1 : this.endpointOn(device, endpointUuid);
  }

  private endpointOn(device: number, endpointUuid: string): number {
    for (const ep of this.endpointsOf[device]) if (this.endpoints[ep].id.endpoint_uuid.uuid === endpointUuid) return ep;
    return -1;
  }

  private addEndpoint(device: number, id: EndPointId, name: string, management: boolean): number {
    const known = this.endpointOn(device, id.endpoint_uuid.uuid);
    if (known >= 0) return known;
    this.endpoints.push({ id, name, device, management });
    this.endpointsOf[device].push(this.endpoints.length - 1);
    return this.endpoints.length - 1;
  }

  /** A link's endpoint on a device of the snapshot (added when the device did not list it), or -1. */
  private linkEndpoint(id: EndPointId): number {
    const device = this.deviceIndex.get(id.device_id.device_uuid.uuid);
    return device === undefined ? -1 : this.addEndpoint(device, id, id.endpoint_uuid.uuid, false);
  }
}

export function buildTopology(devices: readonly Device[], links: readonly Link[], options?: TopologyOptions): PathTopology {
  return new PathTopology(devices, links, options);
}

/**
 * Ordered endpoint index pairs a link connects. Bidirectional (the default): every ordered
 * pair. Unidirectional: from the first endpoint to each of the others.
 */
export function endpointPairs(link: Link): [number, number][] {
  const n = link.link_endpoint_ids.length;
  const pairs: [number, number][] = [];
  if (link.attributes.is_bidirectional === false) {
    for (let b = 1; b < n; b++) pairs.push([0, b]);
    return pairs;
  }
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if (a !== b) pairs.push([a, b]);
  return pairs;
}

function csr(n: number, m: number, node: Int32Array): [Int32Array, Int32Array] {
  const start = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) start[node[e] + 1]++;
  for (let v = 0; v < n; v++) start[v + 1] += start[v];
  const fill = start.slice(0, n);
  const list = new Int32Array(m);
  for (let e = 0; e < m; e++) list[fill[node[e]]++] = e;
  return [start, list];
}
