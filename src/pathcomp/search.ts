import { MinHeap } from './heap.js';
import type { PathTopology } from './topology.js';

export interface FoundPath {
  edges: number[];
  cost: number;
}

export interface SearchLimits {
  /** Nodes the search must not enter (1 = blocked). */
  blockedNodes?: Uint8Array;
  /** Edges the search must not use (1 = blocked). */
  blockedEdges?: Uint8Array;
  /** Lower bound of the remaining cost to the target per node (A*); must be consistent. */
  toTarget?: Float64Array;
}

/**
 * Dijkstra / A* over one topology with reusable per-node arrays. Entries of `dist` are valid
 * only where `reached` holds the current search's stamp, so no search clears the arrays.
 */
export class Searcher {
  private readonly dist: Float64Array;
  private readonly prevEdge: Int32Array;
  private readonly reached: Uint32Array;
  private readonly closed: Uint32Array;
  private readonly heap = new MinHeap(1024);
  private stamp = 0;

  constructor(private readonly topo: PathTopology) {
    const n = topo.nodeCount;
    this.dist = new Float64Array(n);
    this.prevEdge = new Int32Array(n);
    this.reached = new Uint32Array(n);
    this.closed = new Uint32Array(n);
  }

  /** Cheapest path from `source` to `target` over edges with mask 1, or undefined. */
  path(weight: Float64Array, mask: Uint8Array, source: number, target: number, limits: SearchLimits = {}): FoundPath | undefined {
    const { outStart, outEdges, edgeTo } = this.topo;
    const { dist, prevEdge, reached, closed, heap } = this;
    const { blockedNodes, blockedEdges, toTarget } = limits;
    const stamp = this.nextStamp();
    if (toTarget && toTarget[source] === Number.POSITIVE_INFINITY) return undefined;
    heap.clear();
    dist[source] = 0;
    prevEdge[source] = -1;
    reached[source] = stamp;
    heap.push(toTarget ? toTarget[source] : 0, source);
    while (heap.size > 0) {
      const u = heap.pop();
      if (closed[u] === stamp) continue;
      closed[u] = stamp;
      if (u === target) return this.trace(source, target);
      const du = dist[u];
      for (let i = outStart[u], end = outStart[u + 1]; i < end; i++) {
        const e = outEdges[i];
        if (mask[e] === 0 || (blockedEdges && blockedEdges[e] === 1)) continue;
        const v = edgeTo[e];
        if (closed[v] === stamp || (blockedNodes && blockedNodes[v] === 1)) continue;
        const h = toTarget ? toTarget[v] : 0;
        if (h === Number.POSITIVE_INFINITY) continue;
        const dv = du + weight[e];
        if (reached[v] !== stamp || dv < dist[v]) {
          reached[v] = stamp;
          dist[v] = dv;
          prevEdge[v] = e;
          heap.push(dv + h, v);
        }
      }
    }
    return undefined;
  }

  /** Cost of the cheapest path from every node to `target` (Infinity when none), over the reverse graph. */
  distancesTo(weight: Float64Array, mask: Uint8Array, target: number): Float64Array {
    const { inStart, inEdges, edgeFrom } = this.topo;
    const heap = this.heap;
    const out = new Float64Array(this.topo.nodeCount).fill(Number.POSITIVE_INFINITY);
    const done = new Uint8Array(this.topo.nodeCount);
    heap.clear();
    out[target] = 0;
    heap.push(0, target);
    while (heap.size > 0) {
      const v = heap.pop();
      if (done[v] === 1) continue;
      done[v] = 1;
      const dv = out[v];
      for (let i = inStart[v], end = inStart[v + 1]; i < end; i++) {
        const e = inEdges[i];
        if (mask[e] === 0) continue;
        const u = edgeFrom[e];
        const du = dv + weight[e];
        if (du < out[u]) {
          out[u] = du;
          heap.push(du, u);
        }
      }
    }
    return out;
  }

  private trace(source: number, target: number): FoundPath {
    const edges: number[] = [];
    for (let v = target; v !== source; v = this.topo.edgeFrom[this.prevEdge[v]]) edges.push(this.prevEdge[v]);
    edges.reverse();
    return { edges, cost: this.dist[target] };
  }

  private nextStamp(): number {
    if (this.stamp === 0xffffffff) {
      this.stamp = 0;
      this.reached.fill(0);
      this.closed.fill(0);
    }
    return ++this.stamp;
  }
}
