import type { DeviceId, EndPointId, LinkId } from '../model/types.js';
import type { PathTopology } from './topology.js';

/** One computed path, in the shape a TFS Connection holds it. */
export interface ComputedPath {
  /** [source, first device egress, next device ingress, its egress, ..., target]. */
  path_hops_endpoint_ids: EndPointId[];
  link_ids: LinkId[];
  /** Devices in path order, source device first. */
  device_ids: DeviceId[];
  /** Sum of the metric the path was chosen by (hops or ms). */
  cost: number;
  latency_ms: number;
}

/**
 * Endpoint-level hops of an edge path. The source (target) endpoint is left out as a separate
 * hop when it is also the endpoint the path leaves (enters) its device by.
 */
export function toComputedPath(topo: PathTopology, source: number, target: number, edges: readonly number[], weight: Float64Array): ComputedPath {
  const hops = [source];
  const push = (ep: number) => {
    if (hops[hops.length - 1] !== ep) hops.push(ep);
  };
  let cost = 0;
  let latency = 0;
  for (const e of edges) {
    push(topo.edgeFromEndpoint[e]);
    push(topo.edgeToEndpoint[e]);
    cost += weight[e];
    latency += topo.edgeLatency[e];
  }
  push(target);
  const first = topo.endpoints[source].device;
  return {
    path_hops_endpoint_ids: hops.map((ep) => topo.endpoints[ep].id),
    link_ids: edges.map((e) => topo.links[topo.edgeLink[e]].link_id),
    device_ids: [first, ...edges.map((e) => topo.edgeTo[e])].map((d) => topo.devices[d].device_id),
    cost,
    latency_ms: latency,
  };
}
