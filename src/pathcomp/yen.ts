import { Heap } from './heap.js';
import type { Searcher } from './search.js';
import type { PathTopology } from './topology.js';

export interface YenPath {
  edges: number[];
  cost: number;
}

export interface LatencyBound {
  maxMs: number;
  /** Least latency from every node to the target under the same mask. */
  toTarget: Float64Array;
  /** True when paths come out in latency order: the first one over the bound ends the search. */
  ordered: boolean;
}

export interface YenOptions {
  k: number;
  /** Least cost from every node to the target under `weight` and `mask` (the A* heuristic). */
  toTarget: Float64Array;
  latency?: LatencyBound;
  /** Paths generated (accepted or not) before giving up on finding k within the latency bound. */
  maxGenerated: number;
}

interface Candidate extends YenPath {
  nodes: number[];
  /** Index of the spur node this path deviates from its parent at (Lawler's refinement). */
  deviation: number;
}

/**
 * Yen's k shortest loopless paths. Paths come out in cost order; with a latency bound the
 * ones over it are generated (their deviations may lead to paths within it) but not returned.
 */
export function yen(topo: PathTopology, searcher: Searcher, weight: Float64Array, mask: Uint8Array, source: number, target: number, options: YenOptions): YenPath[] {
  const { k, toTarget, latency } = options;
  const first = searcher.path(weight, mask, source, target, { toTarget });
  if (!first) return [];
  const accepted: YenPath[] = [];
  const generated: Candidate[] = [];
  const seen = new Set<string>([first.edges.join(',')]);
  const candidates = new Heap<Candidate>((a, b) => a.cost < b.cost || (a.cost === b.cost && a.edges.length < b.edges.length));
  candidates.push({ ...first, nodes: nodesOf(topo, source, first.edges), deviation: 0 });
  const blockedNodes = new Uint8Array(topo.nodeCount);
  const blockedEdges = new Uint8Array(topo.edgeCount);
  const { edgeLatency } = topo;

  while (accepted.length < k && generated.length < options.maxGenerated) {
    const path = candidates.pop();
    if (!path) break;
    generated.push(path);
    const ms = sum(edgeLatency, path.edges, path.edges.length);
    if (latency && ms > latency.maxMs) {
      if (latency.ordered) break;
    } else {
      accepted.push({ edges: path.edges, cost: path.cost });
      if (accepted.length === k) break;
    }
    let rootCost = sum(weight, path.edges, path.deviation);
    let rootMs = sum(edgeLatency, path.edges, path.deviation);
    for (let i = path.deviation; i < path.edges.length; i++) {
      const spur = path.nodes[i];
      if (!latency || rootMs + latency.toTarget[spur] <= latency.maxMs) {
        const blocked = blockDeviations(generated, path.edges, i, blockedEdges);
        for (let j = 0; j < i; j++) blockedNodes[path.nodes[j]] = 1;
        const tail = searcher.path(weight, mask, spur, target, { blockedNodes, blockedEdges, toTarget });
        for (let j = 0; j < i; j++) blockedNodes[path.nodes[j]] = 0;
        for (const e of blocked) blockedEdges[e] = 0;
        if (tail) {
          const edges = path.edges.slice(0, i).concat(tail.edges);
          const key = edges.join(',');
          if (!seen.has(key)) {
            seen.add(key);
            candidates.push({ edges, cost: rootCost + tail.cost, nodes: nodesOf(topo, source, edges), deviation: i });
          }
        }
      }
      rootCost += weight[path.edges[i]];
      rootMs += edgeLatency[path.edges[i]];
    }
  }
  return accepted;
}

/** Blocks the edge at position `i` of every generated path that shares the first `i` edges of `root`. */
function blockDeviations(generated: Candidate[], root: number[], i: number, blockedEdges: Uint8Array): number[] {
  const blocked: number[] = [];
  for (const p of generated) {
    if (p.edges.length <= i) continue;
    let same = true;
    for (let j = 0; j < i && same; j++) same = p.edges[j] === root[j];
    if (same && blockedEdges[p.edges[i]] === 0) {
      blockedEdges[p.edges[i]] = 1;
      blocked.push(p.edges[i]);
    }
  }
  return blocked;
}

export function nodesOf(topo: PathTopology, source: number, edges: number[]): number[] {
  const nodes = [source];
  for (const e of edges) nodes.push(topo.edgeTo[e]);
  return nodes;
}

function sum(values: Float64Array, edges: number[], count: number): number {
  let s = 0;
  for (let i = 0; i < count; i++) s += values[edges[i]];
  return s;
}
