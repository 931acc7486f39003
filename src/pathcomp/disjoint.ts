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
 * Returns the paths as edge lists, or fewer than k when no k disjoint paths exist.
 */
export function minCostDisjoint(topo: PathTopology, weight: Float64Array, mask: Uint8Array, source: number, target: number, k: number): number[][] {
  const net = new FlowNetwork(topo, weight, mask);
  let found = 0;
  while (found < k && net.augment(source, target)) found++;
  const paths: number[][] = [];
  for (let i = 0; i < found; i++) paths.push(net.takePath(topo, source, target));
  return paths;
}

class FlowNetwork {
  private readonly head: Int32Array;
  private next: number[] = [];
  private to: number[] = [];
  private cap: number[] = [];
  private cost: number[] = [];
  /** Entry arcs: the edge they stand for; exit arcs: -(endpoint + 2); link arcs: -1. */
  private tag: number[] = [];
  private readonly potential: Float64Array;
  private readonly dist: Float64Array;
  private readonly prevArc: Int32Array;
  private readonly nodes: number;

  constructor(topo: PathTopology, weight: Float64Array, mask: Uint8Array) {
    const linkIn = new Int32Array(topo.links.length).fill(-1);
    let nodes = topo.nodeCount;
    const entries = new Set<number>();
    const exits = new Set<number>();
    const pending: [number, number, number, number, number][] = [];
    for (let e = 0; e < topo.edgeCount; e++) {
      if (mask[e] === 0) continue;
      const link = topo.edgeLink[e];
      if (linkIn[link] < 0) {
        linkIn[link] = nodes;
        nodes += 2;
      }
      const from = topo.edgeFromEndpoint[e];
      const to = topo.edgeToEndpoint[e];
      if (!entries.has(from * topo.links.length + link)) {
        entries.add(from * topo.links.length + link);
        pending.push([topo.edgeFrom[e], linkIn[link], weight[e], e, 1]);
      }
      if (!exits.has(to * topo.links.length + link)) {
        exits.add(to * topo.links.length + link);
        pending.push([linkIn[link] + 1, topo.edgeTo[e], 0, -(to + 2), 1]);
      }
    }
    this.nodes = nodes;
    this.head = new Int32Array(nodes).fill(-1);
    for (let l = 0; l < linkIn.length; l++) if (linkIn[l] >= 0) this.addArc(linkIn[l], linkIn[l] + 1, 0, -1);
    for (const [u, v, c, tag] of pending) this.addArc(u, v, c, tag);
    this.potential = new Float64Array(nodes);
    this.dist = new Float64Array(nodes);
    this.prevArc = new Int32Array(nodes);
  }

  private addArc(u: number, v: number, cost: number, tag: number): void {
    for (const [a, b, c, cap] of [
      [u, v, cost, 1],
      [v, u, -cost, 0],
    ]) {
      this.to.push(b);
      this.cap.push(cap);
      this.cost.push(c);
      this.tag.push(tag);
      this.next.push(this.head[a]);
      this.head[a] = this.to.length - 1;
    }
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
