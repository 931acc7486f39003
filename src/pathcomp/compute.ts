import { CnsdnError, type ErrorDetail } from '../common/errors.js';
import type { Constraint, EndPointId } from '../model/types.js';
import { edgeMask, type PathConstraints, parseConstraints } from './constraints.js';
import { minCostDisjoint } from './disjoint.js';
import { type ComputedPath, toComputedPath } from './path.js';
import { Searcher } from './search.js';
import type { PathTopology } from './topology.js';
import { yen } from './yen.js';

/** What paths are chosen by: the number of links, or the sum of link latencies. */
export type Metric = 'hops' | 'latency';

export interface PathRequest {
  source: EndPointId;
  target: EndPointId;
  constraints?: readonly Constraint[];
  /** 'hops' by default; a latency constraint makes shortest and disjoint paths use 'latency'. */
  metric?: Metric;
}

export interface KPathRequest extends PathRequest {
  k: number;
  /** k-shortest under a latency bound: paths examined before stopping short of k (default 1000). */
  maxGenerated?: number;
}

export type PathMode = 'shortest' | 'k-shortest' | 'disjoint';

interface Prepared {
  topo: PathTopology;
  searcher: Searcher;
  source: number;
  target: number;
  s: number;
  t: number;
  constraints: PathConstraints;
  raw: readonly Constraint[];
  mask: Uint8Array;
  metric: Metric;
}

const searchers = new WeakMap<PathTopology, Searcher>();
const hopWeights = new WeakMap<PathTopology, Float64Array>();

/** The cheapest path; with sla_latency the lowest-latency one, which must meet the bound. */
export function shortestPath(topo: PathTopology, request: PathRequest): ComputedPath {
  const p = prepare(topo, request);
  if (p.s === p.t) return trivial(p);
  const bound = p.constraints.maxLatencyMs?.value;
  const weight = weights(topo, bound === undefined ? p.metric : 'latency');
  const found = p.searcher.path(weight, p.mask, p.s, p.t);
  if (!found) throw noPath(p);
  const path = toComputedPath(topo, p.source, p.target, found.edges, weight);
  if (bound !== undefined && path.latency_ms > bound) throw noPath(p);
  return path;
}

/** Up to k loopless paths in cost order (Yen); with sla_latency only those within the bound. */
export function kShortestPaths(topo: PathTopology, request: KPathRequest): ComputedPath[] {
  const k = checkK(request.k);
  const p = prepare(topo, request);
  if (p.s === p.t) return [trivial(p)];
  const weight = weights(topo, p.metric);
  const toTarget = p.searcher.distancesTo(weight, p.mask, p.t);
  const bound = p.constraints.maxLatencyMs?.value;
  const byLatency = p.metric === 'latency';
  const latency =
    bound === undefined
      ? undefined
      : { maxMs: bound, ordered: byLatency, toTarget: byLatency ? toTarget : p.searcher.distancesTo(topo.edgeLatency, p.mask, p.t) };
  const found = yen(topo, p.searcher, weight, p.mask, p.s, p.t, { k, toTarget, latency, maxGenerated: request.maxGenerated ?? 1000 });
  if (found.length === 0) throw noPath(p);
  return found.map((f) => toComputedPath(topo, p.source, p.target, f.edges, weight));
}

/**
 * k link-disjoint paths of least total cost (exact), cheapest first. With sla_latency they
 * minimise total latency and each must meet the bound. Fewer than k is an error.
 */
export function disjointPaths(topo: PathTopology, request: KPathRequest): ComputedPath[] {
  const k = checkK(request.k);
  const p = prepare(topo, request);
  if (p.s === p.t) {
    if (k === 1) return [trivial(p)];
    throw noPath(p, k);
  }
  const bound = p.constraints.maxLatencyMs?.value;
  const weight = weights(topo, bound === undefined ? p.metric : 'latency');
  const found = minCostDisjoint(topo, weight, p.mask, p.s, p.t, k, p.searcher.distancesTo(weight, p.mask, p.t));
  if (found.length < k) throw noPath(p, k);
  const paths = found.map((edges) => toComputedPath(topo, p.source, p.target, edges, weight)).sort((a, b) => a.cost - b.cost);
  if (bound !== undefined && paths.some((path) => path.latency_ms > bound)) throw noPath(p, k);
  return paths;
}

/**
 * Paths for a service: sla_availability.num_disjoint_paths >= 2 asks for that many disjoint
 * paths; otherwise k > 1 (default 1) asks for k shortest and k = 1 for the shortest.
 */
export function computePaths(topo: PathTopology, request: PathRequest & { k?: number }): { mode: PathMode; paths: ComputedPath[] } {
  const disjoint = parseConstraints(request.constraints).disjointPaths?.value ?? 0;
  if (disjoint >= 2) return { mode: 'disjoint', paths: disjointPaths(topo, { ...request, k: disjoint }) };
  const k = request.k ?? 1;
  if (k > 1) return { mode: 'k-shortest', paths: kShortestPaths(topo, { ...request, k }) };
  return { mode: 'shortest', paths: [shortestPath(topo, request)] };
}

function checkK(k: number): number {
  if (Number.isInteger(k) && k >= 1) return k;
  throw new CnsdnError('INVALID_ARGUMENT', `k must be an integer >= 1, got ${k}`, [{ path: '/k', message: 'must be an integer >= 1' }]);
}

function prepare(topo: PathTopology, request: PathRequest): Prepared {
  const constraints = parseConstraints(request.constraints);
  const source = resolve(topo, request.source, '/source');
  const target = resolve(topo, request.target, '/target');
  if (source === target) throw new CnsdnError('INVALID_ARGUMENT', `source and target are the same endpoint ${label(topo, source)}`, [{ path: '/target', message: 'same as the source' }]);
  const ex = constraints.exclusions;
  for (const [ep, where] of [
    [source, 'source'],
    [target, 'target'],
  ] as const) {
    const id = topo.endpoints[ep].id;
    const dev = id.device_id.device_uuid.uuid;
    if (ex.devices.has(dev) || ex.endpoints.has(`${dev}/${id.endpoint_uuid.uuid}`)) {
      throw new CnsdnError('INVALID_ARGUMENT', `no path: exclusions name the ${where} ${label(topo, ep)}`, ex.indices.map((i) => ({ path: `/service_constraints/${i}/exclusions`, message: `excludes the ${where}` })));
    }
  }
  let searcher = searchers.get(topo);
  if (!searcher) {
    searcher = new Searcher(topo);
    searchers.set(topo, searcher);
  }
  return {
    topo,
    searcher,
    source,
    target,
    s: topo.endpoints[source].device,
    t: topo.endpoints[target].device,
    constraints,
    raw: request.constraints ?? [],
    mask: edgeMask(topo, { capacityGbps: constraints.capacityGbps?.value, exclusions: ex }),
    metric: request.metric ?? 'hops',
  };
}

function resolve(topo: PathTopology, id: EndPointId, path: string): number {
  const device = id?.device_id?.device_uuid?.uuid;
  const endpoint = id?.endpoint_uuid?.uuid;
  if (device === undefined || !topo.deviceIndex.has(device)) {
    throw new CnsdnError('NOT_FOUND', `device ${device} of the ${path.slice(1)} endpoint is not in the topology`, [{ path: `${path}/device_id`, message: 'no such device in the topology' }]);
  }
  const ep = topo.findEndpoint(device, endpoint);
  if (ep < 0) throw new CnsdnError('NOT_FOUND', `device ${device} has no endpoint ${endpoint}`, [{ path: `${path}/endpoint_uuid`, message: 'no such endpoint' }]);
  if (topo.endpoints[ep].management) {
    throw new CnsdnError('INVALID_ARGUMENT', `${label(topo, ep)} is a management endpoint: paths do not use management ports`, [{ path, message: 'management endpoint' }]);
  }
  return ep;
}

function weights(topo: PathTopology, metric: Metric): Float64Array {
  if (metric === 'latency') return topo.edgeLatency;
  let w = hopWeights.get(topo);
  if (!w) {
    w = new Float64Array(topo.edgeCount).fill(1);
    hopWeights.set(topo, w);
  }
  return w;
}

function trivial(p: Prepared): ComputedPath {
  return toComputedPath(p.topo, p.source, p.target, [], weights(p.topo, p.metric));
}

function label(topo: PathTopology, ep: number): string {
  const e = topo.endpoints[ep];
  return `${topo.devices[e.device].name}:${e.name}`;
}

/**
 * The error for "no path", naming each constraint that alone leaves none; when none does
 * alone, the combination is named.
 */
function noPath(p: Prepared, disjoint?: number): CnsdnError {
  const { topo, searcher, constraints: c, s, t } = p;
  const where = `from ${label(topo, p.source)} to ${label(topo, p.target)}`;
  const hops = weights(topo, 'hops');
  const base = edgeMask(topo, {});
  const connected = (mask: Uint8Array) => s === t || searcher.path(hops, mask, s, t) !== undefined;
  if (!connected(base)) {
    return new CnsdnError('INVALID_ARGUMENT', `no path ${where}: the devices are not connected (management links are not used for paths)`, [
      { path: '/target', message: 'not connected to the source' },
    ]);
  }
  const details: ErrorDetail[] = [];
  const at = (index: number, field: string) => `/service_constraints/${index}/${field}`;
  if (c.capacityGbps && !connected(edgeMask(topo, { capacityGbps: c.capacityGbps.value }))) {
    details.push({ path: at(c.capacityGbps.index, 'sla_capacity'), message: `sla_capacity: no path has ${c.capacityGbps.value} Gbps free on every link` });
  }
  for (const i of c.exclusions.indices) {
    if (!connected(edgeMask(topo, { exclusions: parseConstraints([p.raw[i]]).exclusions }))) {
      details.push({ path: at(i, 'exclusions'), message: 'exclusions: every path uses an excluded device, endpoint or link' });
    }
  }
  if (c.maxLatencyMs) {
    const least = s === t ? 0 : (searcher.path(topo.edgeLatency, base, s, t)?.cost ?? 0);
    if (least > c.maxLatencyMs.value) {
      details.push({ path: at(c.maxLatencyMs.index, 'sla_latency'), message: `sla_latency: the least latency of any path is ${least} ms, over ${c.maxLatencyMs.value} ms` });
    }
  }
  if (disjoint !== undefined) {
    const n = s === t ? 1 : minCostDisjoint(topo, hops, base, s, t, disjoint, searcher.distancesTo(hops, base, t)).length;
    if (n < disjoint) {
      details.push({
        path: c.disjointPaths ? at(c.disjointPaths.index, 'sla_availability') : '/k',
        message: `sla_availability: only ${n} link-disjoint path(s) exist, ${disjoint} needed`,
      });
    }
  }
  if (details.length > 0) return new CnsdnError('INVALID_ARGUMENT', `no path ${where}: ${details.map((d) => d.message).join('; ')}`, details);
  const named: ErrorDetail[] = [];
  if (c.capacityGbps) named.push({ path: at(c.capacityGbps.index, 'sla_capacity'), message: 'sla_capacity' });
  for (const i of c.exclusions.indices) named.push({ path: at(i, 'exclusions'), message: 'exclusions' });
  if (c.maxLatencyMs) named.push({ path: at(c.maxLatencyMs.index, 'sla_latency'), message: 'sla_latency' });
  if (disjoint !== undefined) named.push({ path: c.disjointPaths ? at(c.disjointPaths.index, 'sla_availability') : '/k', message: 'sla_availability' });
  return new CnsdnError('INVALID_ARGUMENT', `no path ${where} meets ${named.map((d) => d.message).join(' + ')} together`, named);
}
