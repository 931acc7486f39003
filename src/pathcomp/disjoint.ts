import { MinHeap } from './heap.js';
import type { PathTopology } from './topology.js';

/**
 * Minimum-total-cost k link-disjoint paths as a min-cost flow of k units, solved by
 * successive shortest paths with Johnson potentials (Suurballe's idea generalised to k).
 *
 * A link may carry one path in any direction and between any of its endpoints, so each link
 * becomes a gadget: device --(entry, link cost)--> linkIn --(capacity 1)--> linkOut --(exit, 0)--> device.
 * This is exact because the allowed edges of a link are always every allowed entry endpoint
 * times every allowed exit endpoint (see endpointPairs; masks remove endpoints, never pairs).
 *
 * `toTarget` (least cost from each device to the target under weight and mask) seeds the
 * potentials, so the first search runs as A* and nodes that cannot reach the target are left out.
 *
 * Returns the paths as edge lists, or fewer than k when no k disjoint paths exist.
 */
export function minCostDisjoint(topo: PathTopology, weight: Float64Array, mask: Uint8Array, source: number, target: number, k: number, toTarget: Float64Array): number[][] {
  if (toTarget[source] === Number.POSITIVE_INFINITY) return [];
  const net = new FlowNetwork(topo, weight, mask, toTarget);
  let found = 0;
  while (found < k && net.augment(source, target)) found++;
  const paths: number[][] = [];
  for (let i = 0; i < found; i++) paths.push(net.takePath(topo, source, target));
  return paths;
}

class FlowNetwork {
  private readonly head: Int32Array;
  private readonly next: Int32Array;
  private readonly to: Int32Array;
  private readonly cap: Int32Array;
  private readonly cost: Float64Array;
  /** Entry arcs: the edge they stand for; exit arcs: -(endpoint + 2); link arcs: -1. */
  private readonly tag: Int32Array;
  private arcs = 0;
  private readonly potential: Float64Array;
  private readonly dist: Float64Array;
  private readonly prevArc: Int32Array;
  private readonly nodes: number;

  constructor(topo: PathTopology, weight: Float64Array, mask: Uint8Array, toTarget: Float64Array) {
    const m = topo.edgeCount;
    const maxArcs = 2 * (topo.links.length + 2 * m);
    this.next = new Int32Array(maxArcs);
    this.to = new Int32Array(maxArcs);
    this.cap = new Int32Array(maxArcs);
    this.cost = new Float64Array(maxArcs);
    this.tag = new Int32Array(maxArcs);
    const linkIn = new Int32Array(topo.links.length).fill(-1);
    const linkH = new Float64Array(topo.links.length).fill(Number.POSITIVE_INFINITY);
    const usable = (e: number) => mask[e] === 1 && toTarget[topo.edgeTo[e]] !== Number.POSITIVE_INFINITY;
    let nodes = topo.nodeCount;
    for (let e = 0; e < m; e++) {
      if (!usable(e)) continue;
      const link = topo.edgeLink[e];
      if (linkIn[link] < 0) {
        linkIn[link] = nodes;
        nodes += 2;
      }
      linkH[link] = Math.min(linkH[link], toTarget[topo.edgeTo[e]]);
    }
    this.nodes = nodes;
    this.head = new Int32Array(nodes).fill(-1);
    this.potential = new Float64Array(nodes);
    for (let v = 0; v < topo.nodeCount; v++) if (toTarget[v] !== Number.POSITIVE_INFINITY) this.potential[v] = -toTarget[v];
    for (let l = 0; l < linkIn.length; l++) {
      if (linkIn[l] >= 0) this.potential[linkIn[l]] = this.potential[linkIn[l] + 1] = -linkH[l];
    }
    for (let l = 0; l < linkIn.length; l++) if (linkIn[l] >= 0) this.addArc(linkIn[l], linkIn[l] + 1, 0, -1);
    // The edges of a link are contiguous, so "endpoint already has an arc" is a mark per endpoint holding the link.
    const entered = new Int32Array(topo.endpoints.length).fill(-1);
    const exited = new Int32Array(topo.endpoints.length).fill(-1);
    for (let e = 0; e < m; e++) {
      if (!usable(e)) continue;
      const link = topo.edgeLink[e];
      const from = topo.edgeFromEndpoint[e];
      const to = topo.edgeToEndpoint[e];
      if (entered[from] !== link) {
        entered[from] = link;
        this.addArc(topo.edgeFrom[e], linkIn[link], weight[e], e);
      }
      if (exited[to] !== link) {
        exited[to] = link;
        this.addArc(linkIn[link] + 1, topo.edgeTo[e], 0, -(to + 2));
      }
    }
    this.dist = new Float64Array(nodes);
    this.prevArc = new Int32Array(nodes);
  }

  /** Adds the arc u→v (capacity 1) and its residual twin v→u (capacity 0) at the next even index. */
  private addArc(u: number, v: number, cost: number, tag: number): void {
    const a = this.arcs;
    this.arcs += 2;
    this.to[a] = v;
    this.cap[a] = 1;
    this.cost[a] = cost;
    this.tag[a] = tag;
    this.next[a] = this.head[u];
    this.head[u] = a;
    this.to[a + 1] = u;
    this.cap[a + 1] = 0;
    this.cost[a + 1] = -cost;
    this.tag[a + 1] = tag;
    this.next[a + 1] = this.head[v];
    this.head[v] = a + 1;
  }

  /** Sends one more unit along the cheapest residual path; false when there is none. */
  augment(source: number, target: number): boolean {
    const { dist, prevArc, potential, head, next, to, cap, cost } = this;
    dist.fill(Number.POSITIVE_INFINITY);
    const done = new Uint8Array(this.nodes);
    const heap = new MinHeap(256);
    dist[source] = 0;
    prevArc[source] = -1;
    heap.push(0, source);
    while (heap.size > 0) {
      const u = heap.pop();
      if (done[u] === 1) continue;
      done[u] = 1;
      if (u === target) break;
      for (let a = head[u]; a >= 0; a = next[a]) {
        if (cap[a] === 0) continue;
        const v = to[a];
        // Reduced costs are >= 0; rounding can push one a hair below.
        const dv = dist[u] + Math.max(0, cost[a] + potential[u] - potential[v]);
        if (dv < dist[v]) {
          dist[v] = dv;
          prevArc[v] = a;
          heap.push(dv, v);
        }
      }
    }
    const dt = dist[target];
    if (dt === Number.POSITIVE_INFINITY) return false;
    for (let v = 0; v < this.nodes; v++) potential[v] += Math.min(done[v] === 1 ? dist[v] : dt, dt);
    for (let v = target; v !== source; v = to[prevArc[v] ^ 1]) {
      cap[prevArc[v]]--;
      cap[prevArc[v] ^ 1]++;
    }
    return true;
  }

  /**
   * Removes one source→target path from the flow and returns its edges. A walk that comes
   * back to a device drops the loop: that never costs more.
   */
  takePath(topo: PathTopology, source: number, target: number): number[] {
    const { head, next, to, cap, tag } = this;
    const edges: number[] = [];
    const at = new Map<number, number>([[source, 0]]);
    let u = source;
    while (u !== target) {
      let entry = head[u];
      while (entry >= 0 && !((entry & 1) === 0 && cap[entry] === 0 && tag[entry] >= 0)) entry = next[entry];
      const linkIn = to[entry];
      let inner = head[linkIn];
      while ((inner & 1) !== 0) inner = next[inner];
      let exit = head[to[inner]];
      while (!((exit & 1) === 0 && cap[exit] === 0 && tag[exit] < -1)) exit = next[exit];
      for (const a of [entry, inner, exit]) {
        cap[a] = 1;
        cap[a ^ 1] = 0;
      }
      const v = to[exit];
      const seen = at.get(v);
      if (seen !== undefined) {
        for (const e of edges.splice(seen)) at.delete(topo.edgeTo[e]);
      } else {
        edges.push(edgeBetween(topo, tag[entry], -tag[exit] - 2));
        at.set(v, edges.length);
      }
      u = v;
    }
    return edges;
  }
}

/** The edge of the same link as `entryEdge` from its entry endpoint to `exitEndpoint`. */
function edgeBetween(topo: PathTopology, entryEdge: number, exitEndpoint: number): number {
  const link = topo.edgeLink[entryEdge];
  const from = topo.edgeFromEndpoint[entryEdge];
  const u = topo.edgeFrom[entryEdge];
  for (let i = topo.outStart[u]; i < topo.outStart[u + 1]; i++) {
    const e = topo.outEdges[i];
    if (topo.edgeLink[e] === link && topo.edgeFromEndpoint[e] === from && topo.edgeToEndpoint[e] === exitEndpoint) return e;
  }
  throw new Error(`no edge of link ${link} from endpoint ${from} to ${exitEndpoint}`);
}
