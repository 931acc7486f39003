/**
 * Randomised checks against a brute-force reference: on small seeded graphs every simple
 * path is enumerated from the raw devices and links, and the algorithms' answers are
 * compared with the best ones among them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CnsdnError } from '../common/errors.js';
import type { Constraint, Device, Link } from '../model/types.js';
import { type ComputedPath, buildTopology, disjointPaths, kShortestPaths, type Metric, shortestPath } from './index.js';
import { constraint, device, hops, link, random } from './testing.js';

const GRAPHS = 300;

interface Case {
  devices: Device[];
  links: Link[];
  latency: Map<string, number>;
  source: string;
  target: string;
  capacity?: number;
  maxLatency?: number;
  exclude: { devices: string[]; endpoints: string[]; links: string[] };
  metric: Metric;
  rnd: () => number;
}

function generate(seed: number, withLatencyBound: boolean, density = 1.2): Case {
  const rnd = random(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const n = 5 + int(4);
  const eps: [string, string][][] = Array.from({ length: n }, () => [['svc', 'copper']]);
  const links: Link[] = [];
  const latency = new Map<string, number>();
  for (let i = 0, count = n + int(Math.ceil(n * density)); i < count; i++) {
    const ends = new Set<number>();
    const size = rnd() < 0.1 ? 3 : 2;
    while (ends.size < size) ends.add(int(n));
    const names = [...ends].map((d) => {
      const name = `p${eps[d].length}`;
      eps[d].push([name, rnd() < 0.04 ? 'mgmt' : 'copper']);
      return `d${d}:${name}`;
    });
    const total = [0, 10, 40, 100][int(4)];
    const r = rnd();
    links.push(
      link(`L${i}`, names, {
        total,
        used: total > 0 ? int(total) : 0,
        bidirectional: r < 0.15 ? false : r < 0.5 ? true : undefined,
        type: rnd() < 0.05 ? 'LINKTYPE_MANAGEMENT' : 'LINKTYPE_FIBER',
      }),
    );
    latency.set(`L${i}`, 1 + int(9));
  }
  const devices = eps.map((list, d) => device(`d${d}`, list));
  const s = int(n);
  let t = int(n - 1);
  if (t >= s) t++;
  const endpointOf = (d: number) => {
    const usable = eps[d].filter(([, type]) => type === 'copper');
    return `d${d}:${rnd() < 0.7 ? 'svc' : usable[int(usable.length)][0]}`;
  };
  const source = endpointOf(s);
  const target = endpointOf(t);
  const others = [...Array(n).keys()].filter((d) => d !== s && d !== t);
  const exclude = { devices: [] as string[], endpoints: [] as string[], links: [] as string[] };
  if (rnd() < 0.3) exclude.devices.push(`d${others[int(others.length)]}`);
  if (rnd() < 0.3) exclude.links.push(`L${int(links.length)}`);
  if (rnd() < 0.3) {
    const d = others[int(others.length)];
    exclude.endpoints.push(`d${d}:${eps[d][int(eps[d].length)][0]}`);
  }
  return {
    devices,
    links,
    latency,
    source,
    target,
    capacity: rnd() < 0.4 ? [5, 20, 50][int(3)] : undefined,
    maxLatency: withLatencyBound && rnd() < 0.5 ? 4 + int(16) : undefined,
    exclude,
    metric: rnd() < 0.5 ? 'hops' : 'latency',
    rnd,
  };
}

interface RefEdge {
  link: string;
  from: string;
  fromEp: string;
  to: string;
  toEp: string;
  latency: number;
}

/** Usable directed edges, straight from the raw entities and the case's constraints. */
function referenceEdges(c: Case): RefEdge[] {
  const management = new Set(c.devices.flatMap((d) => d.device_endpoints.filter((e) => ['mgmt', 'management'].includes(e.endpoint_type)).map((e) => `${d.name}:${e.name}`)));
  const edges: RefEdge[] = [];
  for (const l of c.links) {
    if (l.link_type === 'LINKTYPE_MANAGEMENT' || c.exclude.links.includes(l.name)) continue;
    const { total_capacity_gbps: total, used_capacity_gbps: used } = l.attributes;
    if (c.capacity !== undefined && total > 0 && total - used < c.capacity) continue;
    const ends = l.link_endpoint_ids.map((e) => [e.device_id.device_uuid.uuid, e.endpoint_uuid.uuid]);
    for (let a = 0; a < ends.length; a++) {
      for (let b = 0; b < ends.length; b++) {
        if (a === b || (l.attributes.is_bidirectional === false && a !== 0)) continue;
        const [from, fromEp] = ends[a];
        const [to, toEp] = ends[b];
        const bad = (d: string, e: string) => management.has(`${d}:${e}`) || c.exclude.devices.includes(d) || c.exclude.endpoints.includes(`${d}:${e}`);
        if (from === to || bad(from, fromEp) || bad(to, toEp)) continue;
        edges.push({ link: l.name, from, fromEp, to, toEp, latency: c.latency.get(l.name)! });
      }
    }
  }
  return edges;
}

/** Every simple path (no device twice) from the source device to the target device. */
function allPaths(c: Case, edges: RefEdge[]): RefEdge[][] {
  const s = c.source.split(':')[0];
  const t = c.target.split(':')[0];
  const out: RefEdge[][] = [];
  const stack: RefEdge[] = [];
  const visited = new Set([s]);
  const walk = (u: string) => {
    if (u === t) {
      out.push([...stack]);
      return;
    }
    for (const e of edges) {
      if (e.from !== u || visited.has(e.to)) continue;
      visited.add(e.to);
      stack.push(e);
      walk(e.to);
      stack.pop();
      visited.delete(e.to);
    }
  };
  walk(s);
  return out;
}

const costOf = (path: RefEdge[], metric: Metric) => (metric === 'hops' ? path.length : path.reduce((x, e) => x + e.latency, 0));

function constraintsOf(c: Case): Constraint[] {
  const out: Constraint[] = [];
  if (c.capacity !== undefined) out.push(constraint.capacity(c.capacity));
  if (c.maxLatency !== undefined) out.push(constraint.latency(c.maxLatency));
  if (c.exclude.devices.length + c.exclude.endpoints.length + c.exclude.links.length > 0) out.push(constraint.exclude(c.exclude));
  return out;
}

function run<T>(c: Case, fn: (topo: ReturnType<typeof buildTopology>, request: Parameters<typeof shortestPath>[1]) => T): T | CnsdnError {
  const topo = buildTopology(c.devices, c.links, { latencyOf: (l) => c.latency.get(l.name)! });
  const [sd, se] = c.source.split(':');
  const [td, te] = c.target.split(':');
  const ep = (d: string, e: string) => c.devices.find((x) => x.name === d)!.device_endpoints.find((x) => x.name === e)!.endpoint_id;
  try {
    return fn(topo, { source: ep(sd, se), target: ep(td, te), constraints: constraintsOf(c), metric: c.metric });
  } catch (e) {
    if (e instanceof CnsdnError && e.code === 'INVALID_ARGUMENT') return e;
    throw e;
  }
}

/** The path is a simple path over usable edges with the hops, cost and latency it claims. */
function checkPath(c: Case, edges: RefEdge[], path: ComputedPath, metric: Metric, where: string): RefEdge[] {
  const devices = path.device_ids.map((d) => d.device_uuid.uuid);
  assert.equal(new Set(devices).size, devices.length, `${where}: a device twice`);
  assert.equal(devices[0], c.source.split(':')[0], where);
  assert.equal(devices.at(-1), c.target.split(':')[0], where);
  const used = path.link_ids.map((l, i) => {
    const e = edges.find((x) => x.link === l.link_uuid.uuid && x.from === devices[i] && x.to === devices[i + 1]);
    assert.ok(e, `${where}: link ${l.link_uuid.uuid} from ${devices[i]} to ${devices[i + 1]} is not usable`);
    return e;
  });
  const expected = [c.source, ...used.flatMap((e) => [`${e.from}:${e.fromEp}`, `${e.to}:${e.toEp}`]), c.target].filter((h, i, all) => i === 0 || all[i - 1] !== h);
  assert.deepEqual(hops(path), expected, where);
  assert.equal(path.cost, costOf(used, metric), where);
  assert.equal(path.latency_ms, costOf(used, 'latency'), where);
  if (c.maxLatency !== undefined) assert.ok(path.latency_ms <= c.maxLatency, `${where}: over the latency bound`);
  return used;
}

/** Least total cost of k paths with no link in common, by exhaustive search over `paths`. */
function bestDisjoint(paths: RefEdge[][], k: number, metric: Metric): number {
  const sorted = paths.map((p) => ({ links: new Set(p.map((e) => e.link)), cost: costOf(p, metric) })).sort((a, b) => a.cost - b.cost);
  let best = Number.POSITIVE_INFINITY;
  const chosen: Set<string>[] = [];
  const pick = (from: number, cost: number) => {
    if (chosen.length === k) {
      best = Math.min(best, cost);
      return;
    }
    for (let i = from; i < sorted.length; i++) {
      if (cost + sorted[i].cost * (k - chosen.length) >= best) return;
      if (chosen.some((l) => [...sorted[i].links].some((x) => l.has(x)))) continue;
      chosen.push(sorted[i].links);
      pick(i + 1, cost + sorted[i].cost);
      chosen.pop();
    }
  };
  pick(0, 0);
  return best;
}

describe('against brute force on random graphs', () => {
  test('shortest path: cost is the least over all usable paths', () => {
    let found = 0;
    for (let seed = 1; seed <= GRAPHS; seed++) {
      const c = generate(seed, true);
      const edges = referenceEdges(c);
      const paths = allPaths(c, edges);
      const metric = c.maxLatency === undefined ? c.metric : 'latency';
      const least = Math.min(...paths.map((p) => costOf(p, metric)));
      const feasible = paths.length > 0 && (c.maxLatency === undefined || least <= c.maxLatency);
      const result = run(c, shortestPath);
      const where = `seed ${seed}`;
      if (!feasible) {
        assert.ok(result instanceof CnsdnError, `${where}: expected no path`);
        continue;
      }
      assert.ok(!(result instanceof CnsdnError), `${where}: ${result instanceof CnsdnError ? result.message : ''}`);
      checkPath(c, edges, result, metric, where);
      assert.equal(result.cost, least, where);
      found++;
    }
    assert.ok(found > GRAPHS / 2, `only ${found} graphs had a path`);
  });

  test('k shortest: the k best costs in order, distinct, loopless, within the bound', () => {
    let full = 0;
    for (let seed = 1; seed <= GRAPHS; seed++) {
      const c = generate(seed + 10_000, true);
      const k = 1 + Math.floor(c.rnd() * 8);
      const edges = referenceEdges(c);
      const paths = allPaths(c, edges).filter((p) => c.maxLatency === undefined || costOf(p, 'latency') <= c.maxLatency);
      const expected = paths
        .map((p) => costOf(p, c.metric))
        .sort((a, b) => a - b)
        .slice(0, k);
      const result = run(c, (topo, r) => kShortestPaths(topo, { ...r, k }));
      const where = `seed ${seed + 10_000}, k ${k}`;
      if (expected.length === 0) {
        assert.ok(result instanceof CnsdnError, `${where}: expected no path`);
        continue;
      }
      assert.ok(!(result instanceof CnsdnError), `${where}: ${result instanceof CnsdnError ? result.message : ''}`);
      assert.deepEqual(
        result.map((p) => p.cost),
        expected,
        where,
      );
      const keys = result.map((p) => `${hops(p).join(' ')}|${p.link_ids.map((l) => l.link_uuid.uuid).join(' ')}`);
      assert.equal(new Set(keys).size, keys.length, `${where}: duplicate paths`);
      for (const p of result) checkPath(c, edges, p, c.metric, where);
      if (expected.length === k && k > 2) full++;
    }
    assert.ok(full > GRAPHS / 10, `only ${full} graphs had k > 2 paths`);
  });

  test('disjoint: least total cost over all sets of link-disjoint paths', () => {
    let found = 0;
    for (let seed = 1; seed <= GRAPHS; seed++) {
      const c = generate(seed + 20_000, false, 2.5);
      const k = c.rnd() < 0.7 ? 2 : 3;
      const edges = referenceEdges(c);
      const best = bestDisjoint(allPaths(c, edges), k, c.metric);
      const result = run(c, (topo, r) => disjointPaths(topo, { ...r, k }));
      const where = `seed ${seed + 20_000}, k ${k}`;
      if (best === Number.POSITIVE_INFINITY) {
        assert.ok(result instanceof CnsdnError, `${where}: expected no ${k} disjoint paths`);
        assert.match(result.message, /sla_availability|sla_capacity|exclusions|not connected|together/, where);
        continue;
      }
      assert.ok(!(result instanceof CnsdnError), `${where}: ${result instanceof CnsdnError ? result.message : ''}`);
      assert.equal(result.length, k, where);
      const links = result.flatMap((p) => checkPath(c, edges, p, c.metric, where).map((e) => e.link));
      assert.equal(new Set(links).size, links.length, `${where}: a link on two paths`);
      assert.equal(
        result.reduce((x, p) => x + p.cost, 0),
        best,
        where,
      );
      found++;
    }
    assert.ok(found > GRAPHS / 5, `only ${found} graphs had disjoint paths`);
  });
});
