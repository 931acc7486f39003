/**
 * Path computation: pure functions over a topology snapshot built from TFS devices and links.
 * Shortest path (Dijkstra), k shortest loopless paths (Yen) and k link-disjoint paths
 * (min-cost flow), under sla_capacity, sla_latency, exclusions and
 * sla_availability.num_disjoint_paths. Management links and endpoints are never used.
 */
export { computePaths, disjointPaths, type KPathRequest, kShortestPaths, type Metric, type PathMode, type PathRequest, shortestPath } from './compute.js';
export { type Exclusions, type PathConstraints, parseConstraints } from './constraints.js';
export type { ComputedPath } from './path.js';
export { buildTopology, DEFAULT_LINK_LATENCY_MS, PathTopology, type TopologyOptions } from './topology.js';
