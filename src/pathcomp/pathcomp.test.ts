import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CnsdnError } from '../common/errors.js';
import type { Link } from '../model/types.js';
import { buildTopology, computePaths, disjointPaths, kShortestPaths, shortestPath } from './index.js';
import { at, constraint, device, hops, link, linksOf } from './testing.js';

/** A(svc) - B - D(svc) and A - C - D; optional links/latencies/capacities per test. */
function diamond(extra: Link[] = [], options: { [name: string]: { total?: number; used?: number } } = {}) {
  const devices = [device('A', ['svc', 'b', 'c']), device('B', ['a', 'd', 'c']), device('C', ['a', 'd', 'b']), device('D', ['b', 'c', 'svc'])];
  const links = [
    link('AB', ['A:b', 'B:a'], options.AB),
    link('AC', ['A:c', 'C:a'], options.AC),
    link('BD', ['B:d', 'D:b'], options.BD),
    link('CD', ['C:d', 'D:c'], options.CD),
    ...extra,
  ];
  return { devices, links };
}

const req = { source: at('A:svc'), target: at('D:svc') };

function rejects(fn: () => unknown, code: string, pattern: RegExp): CnsdnError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CnsdnError, `not a CnsdnError: ${e}`);
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    return e;
  }
  assert.fail('expected an error');
}

describe('shortest path', () => {
  test('diamond: endpoint-level hops with ingress and egress per device', () => {
    const { devices, links } = diamond();
    const path = shortestPath(buildTopology(devices, links), req);
    assert.equal(path.cost, 2);
    assert.equal(path.latency_ms, 2);
    const via = path.device_ids[1].device_uuid.uuid;
    assert.deepEqual(hops(path), ['A:svc', `A:${via.toLowerCase()}`, `${via}:a`, `${via}:d`, `D:${via.toLowerCase()}`, 'D:svc']);
    assert.deepEqual(
      path.device_ids.map((d) => d.device_uuid.uuid),
      ['A', via, 'D'],
    );
  });

  test('latency metric follows latencyOf; hops metric ignores it', () => {
    const { devices, links } = diamond();
    const ms: Record<string, number> = { AB: 10, BD: 10, AC: 1, CD: 30 };
    const topo = buildTopology(devices, links, { latencyOf: (l) => ms[l.name] });
    const path = shortestPath(topo, { ...req, metric: 'latency' });
    assert.deepEqual(linksOf(path), ['AB', 'BD']);
    assert.equal(path.cost, 20);
    ms.AB = 100;
    const topo2 = buildTopology(devices, links, { latencyOf: (l) => ms[l.name] });
    assert.deepEqual(linksOf(shortestPath(topo2, { ...req, metric: 'latency' })), ['AC', 'CD']);
    assert.equal(shortestPath(topo2, req).cost, 2);
  });

  test('a negative latency from latencyOf is refused', () => {
    const { devices, links } = diamond();
    rejects(() => buildTopology(devices, links, { latencyOf: () => -1 }), 'INVALID_ARGUMENT', /latency of link AB/);
  });

  test('source endpoint that is also the egress link endpoint appears once', () => {
    const devices = [device('dc1', ['eth1']), device('r1', ['1', '2']), device('dc2', ['eth1'])];
    const links = [link('l1', ['dc1:eth1', 'r1:1']), link('l2', ['r1:2', 'dc2:eth1'])];
    const path = shortestPath(buildTopology(devices, links), { source: at('dc1:eth1'), target: at('dc2:eth1') });
    assert.deepEqual(hops(path), ['dc1:eth1', 'r1:1', 'r1:2', 'dc2:eth1']);
  });

  test('source and target on one device: a path without links', () => {
    const { devices, links } = diamond();
    const path = shortestPath(buildTopology(devices, links), { source: at('A:svc'), target: at('A:b') });
    assert.deepEqual(hops(path), ['A:svc', 'A:b']);
    assert.deepEqual(path.link_ids, []);
    assert.equal(path.cost, 0);
  });

  test('unknown device or endpoint, same endpoint twice, management source', () => {
    const devices = [device('A', ['svc', ['mgmt0', 'mgmt']]), device('B', ['svc'])];
    const topo = buildTopology(devices, []);
    rejects(() => shortestPath(topo, { source: at('X:svc'), target: at('B:svc') }), 'NOT_FOUND', /device X/);
    rejects(() => shortestPath(topo, { source: at('A:nope'), target: at('B:svc') }), 'NOT_FOUND', /no endpoint nope/);
    rejects(() => shortestPath(topo, { source: at('A:svc'), target: at('A:svc') }), 'INVALID_ARGUMENT', /same endpoint/);
    rejects(() => shortestPath(topo, { source: at('A:mgmt0'), target: at('B:svc') }), 'INVALID_ARGUMENT', /management endpoint/);
  });

  test('unidirectional link is used one way only', () => {
    const devices = [device('A', ['svc', 'x']), device('B', ['x', 'svc'])];
    const topo = buildTopology(devices, [link('AB', ['A:x', 'B:x'], { bidirectional: false })]);
    assert.deepEqual(linksOf(shortestPath(topo, { source: at('A:svc'), target: at('B:svc') })), ['AB']);
    rejects(() => shortestPath(topo, { source: at('B:svc'), target: at('A:svc') }), 'INVALID_ARGUMENT', /not connected/);
  });
});

describe('management links', () => {
  const devices = [device('A', ['svc', 'x', ['m', 'mgmt']]), device('B', ['x', 'svc', ['m', 'management']]), device('C', ['a', 'b'])];

  test('LINKTYPE_MANAGEMENT links are ignored', () => {
    const topo = buildTopology(devices, [link('mg', ['A:x', 'B:x'], { type: 'LINKTYPE_MANAGEMENT' })]);
    assert.deepEqual(topo.ignoredLinks, ['mg']);
    rejects(() => shortestPath(topo, { source: at('A:svc'), target: at('B:svc') }), 'INVALID_ARGUMENT', /not connected.*management/);
  });

  test('links on mgmt/management endpoints are ignored', () => {
    const links = [link('mm', ['A:m', 'B:m']), link('AC', ['A:x', 'C:a']), link('CB', ['C:b', 'B:x'])];
    const path = shortestPath(buildTopology(devices, links), { source: at('A:svc'), target: at('B:svc') });
    assert.deepEqual(linksOf(path), ['AC', 'CB']);
  });
});

describe('constraints', () => {
  test('sla_capacity keeps links with enough free capacity; total 0 is unlimited', () => {
    const { devices, links } = diamond([], { AB: { total: 100, used: 95 }, AC: { total: 0, used: 0 }, CD: { total: 40, used: 10 } });
    const topo = buildTopology(devices, links);
    assert.deepEqual(linksOf(shortestPath(topo, { ...req, constraints: [constraint.capacity(30)] })), ['AC', 'CD']);
    const e = rejects(() => shortestPath(topo, { ...req, constraints: [constraint.latency(100), constraint.capacity(31)] }), 'INVALID_ARGUMENT', /sla_capacity: no path has 31 Gbps/);
    assert.deepEqual(
      e.details.map((d) => d.path),
      ['/service_constraints/1/sla_capacity'],
    );
  });

  test('sla_latency: shortest path uses latency and checks the bound', () => {
    const { devices, links } = diamond();
    const ms: Record<string, number> = { AB: 1, BD: 1, AC: 5, CD: 5 };
    const topo = buildTopology(devices, links, { latencyOf: (l) => ms[l.name] });
    const path = shortestPath(topo, { ...req, constraints: [constraint.latency(2)] });
    assert.deepEqual(linksOf(path), ['AB', 'BD']);
    assert.equal(path.latency_ms, 2);
    rejects(() => shortestPath(topo, { ...req, constraints: [constraint.latency(1.5)] }), 'INVALID_ARGUMENT', /sla_latency: the least latency of any path is 2 ms, over 1.5 ms/);
  });

  test('sla_latency with k shortest keeps only paths within the bound', () => {
    const { devices, links } = diamond([link('BC', ['B:c', 'C:b'])]);
    const ms: Record<string, number> = { AB: 1, BD: 9, AC: 2, CD: 2, BC: 1 };
    const topo = buildTopology(devices, links, { latencyOf: (l) => ms[l.name] });
    const all = kShortestPaths(topo, { ...req, k: 10 });
    assert.equal(all.length, 4);
    const within = kShortestPaths(topo, { ...req, k: 10, constraints: [constraint.latency(5)] });
    assert.deepEqual(
      within.map((p) => linksOf(p).join(' ')),
      ['AC CD', 'AB BC CD'],
    );
    assert.ok(within.every((p) => p.latency_ms <= 5));
  });

  test('exclusions of devices, links and endpoints', () => {
    const { devices, links } = diamond();
    const topo = buildTopology(devices, links);
    const via = (c: ReturnType<typeof constraint.exclude>) => linksOf(shortestPath(topo, { ...req, constraints: [c] })).join(' ');
    assert.equal(via(constraint.exclude({ devices: ['B'] })), 'AC CD');
    assert.equal(via(constraint.exclude({ links: ['AC'] })), 'AB BD');
    assert.equal(via(constraint.exclude({ endpoints: ['D:b'] })), 'AC CD');
    const e = rejects(
      () => shortestPath(topo, { ...req, constraints: [constraint.exclude({ devices: ['B'] }), constraint.exclude({ links: ['CD'] })] }),
      'INVALID_ARGUMENT',
      /meets exclusions \+ exclusions together/,
    );
    assert.deepEqual(
      e.details.map((d) => d.path),
      ['/service_constraints/0/exclusions', '/service_constraints/1/exclusions'],
    );
    const alone = rejects(
      () => shortestPath(topo, { ...req, constraints: [constraint.capacity(1), constraint.exclude({ devices: ['B', 'C'] })] }),
      'INVALID_ARGUMENT',
      /exclusions: every path uses an excluded/,
    );
    assert.deepEqual(
      alone.details.map((d) => d.path),
      ['/service_constraints/1/exclusions'],
    );
    rejects(() => shortestPath(topo, { ...req, constraints: [constraint.exclude({ devices: ['A'] })] }), 'INVALID_ARGUMENT', /exclusions name the source/);
  });

  test('constraints with action DELETE are ignored', () => {
    const { devices, links } = diamond();
    const topo = buildTopology(devices, links);
    const c = { ...constraint.exclude({ devices: ['A'] }), action: 'CONSTRAINTACTION_DELETE' };
    assert.equal(shortestPath(topo, { ...req, constraints: [c] }).cost, 2);
  });

  test('invalid constraint values are refused', () => {
    const { devices, links } = diamond();
    const topo = buildTopology(devices, links);
    rejects(() => shortestPath(topo, { ...req, constraints: [constraint.latency(0)] }), 'INVALID_ARGUMENT', /e2e_latency_ms/);
    rejects(() => shortestPath(topo, { ...req, constraints: [constraint.capacity(-1)] }), 'INVALID_ARGUMENT', /capacity_gbps/);
    rejects(() => shortestPath(topo, { ...req, constraints: [constraint.disjoint(1.5)] }), 'INVALID_ARGUMENT', /num_disjoint_paths/);
  });
});

describe('k shortest paths', () => {
  test('diamond with a cross link: all four loopless paths in cost order', () => {
    const { devices, links } = diamond([link('BC', ['B:c', 'C:b'])]);
    const paths = kShortestPaths(buildTopology(devices, links), { ...req, k: 5 });
    assert.deepEqual(
      paths.map((p) => p.cost),
      [2, 2, 3, 3],
    );
    assert.deepEqual(new Set(paths.map((p) => linksOf(p).join(' '))), new Set(['AB BD', 'AC CD', 'AB BC CD', 'AC BC BD']));
  });

  test('parallel links give distinct paths', () => {
    const devices = [device('A', ['svc', 'p', 'q']), device('B', ['p', 'q', 'svc'])];
    const links = [link('L1', ['A:p', 'B:p']), link('L2', ['A:q', 'B:q'])];
    const paths = kShortestPaths(buildTopology(devices, links), { source: at('A:svc'), target: at('B:svc'), k: 3 });
    assert.deepEqual(paths.map((p) => hops(p).join(' ')).sort(), ['A:svc A:p B:p B:svc', 'A:svc A:q B:q B:svc']);
  });

  test('k must be a positive integer', () => {
    const { devices, links } = diamond();
    rejects(() => kShortestPaths(buildTopology(devices, links), { ...req, k: 0 }), 'INVALID_ARGUMENT', /k must be/);
  });
});

describe('disjoint paths', () => {
  test('parallel links: two disjoint, a third is impossible', () => {
    const devices = [device('A', ['svc', 'p', 'q']), device('B', ['p', 'q', 'svc'])];
    const links = [link('L1', ['A:p', 'B:p']), link('L2', ['A:q', 'B:q'])];
    const topo = buildTopology(devices, links);
    const r = { source: at('A:svc'), target: at('B:svc') };
    assert.deepEqual(disjointPaths(topo, { ...r, k: 2 }).flatMap(linksOf).sort(), ['L1', 'L2']);
    const e = rejects(() => computePaths(topo, { ...r, constraints: [constraint.disjoint(3)] }), 'INVALID_ARGUMENT', /only 2 link-disjoint path\(s\) exist, 3 needed/);
    assert.equal(e.details[0].path, '/service_constraints/0/sla_availability');
  });

  test('trap topology: exact where removing the shortest path would find none', () => {
    const names = ['s', 'a', 'b', 't', 'c', 'd', 'e', 'f'];
    const pairs = ['s-a', 'a-b', 'b-t', 'a-d', 'd-e', 'e-t', 's-c', 'c-f', 'f-b'];
    const devices = names.map((n) => device(n, ['svc', ...pairs.filter((p) => p.includes(n)).map((p) => p.replace(n, '').replace('-', ''))]));
    const links = pairs.map((p) => {
      const [x, y] = p.split('-');
      return link(p, [`${x}:${y}`, `${y}:${x}`]);
    });
    const topo = buildTopology(devices, links);
    const r = { source: at('s:svc'), target: at('t:svc') };
    assert.deepEqual(linksOf(shortestPath(topo, r)), ['s-a', 'a-b', 'b-t']);
    const paths = computePaths(topo, { ...r, constraints: [constraint.disjoint(2)] });
    assert.equal(paths.mode, 'disjoint');
    assert.deepEqual(paths.paths.map((p) => linksOf(p).join(' ')).sort(), ['s-a a-d d-e e-t', 's-c c-f f-b b-t']);
    assert.equal(paths.paths[0].cost + paths.paths[1].cost, 8);
  });

  test('one link carries one path in either direction', () => {
    const devices = [device('A', ['svc', 'x', 'y']), device('B', ['x', 'y', 'z']), device('C', ['x', 'y', 'svc'])];
    const links = [link('AB', ['A:x', 'B:x']), link('AC', ['A:y', 'C:y']), link('BC', ['B:y', 'C:x'])];
    const topo = buildTopology(devices, links);
    const paths = disjointPaths(topo, { source: at('A:svc'), target: at('C:svc'), k: 2 });
    assert.deepEqual(paths.map((p) => linksOf(p).join(' ')), ['AC', 'AB BC']);
    rejects(() => disjointPaths(topo, { source: at('A:svc'), target: at('C:svc'), k: 3 }), 'INVALID_ARGUMENT', /only 2/);
  });
});

describe('multi-endpoint links', () => {
  const devices = [device('A', ['svc', 'm', 'x']), device('B', ['m', 'svc']), device('C', ['m', 'x', 'svc'])];

  test('a bidirectional link connects every pair of its endpoints', () => {
    const topo = buildTopology(devices, [link('M', ['A:m', 'B:m', 'C:m'])]);
    for (const [s, t] of [
      ['A', 'C'],
      ['C', 'B'],
      ['B', 'A'],
    ]) {
      const path = shortestPath(topo, { source: at(`${s}:svc`), target: at(`${t}:svc`) });
      assert.deepEqual(hops(path), [`${s}:svc`, `${s}:m`, `${t}:m`, `${t}:svc`]);
    }
  });

  test('a unidirectional one goes from its first endpoint to each other', () => {
    const topo = buildTopology(devices, [link('M', ['A:m', 'B:m', 'C:m'], { bidirectional: false })]);
    assert.deepEqual(linksOf(shortestPath(topo, { source: at('A:svc'), target: at('C:svc') })), ['M']);
    rejects(() => shortestPath(topo, { source: at('B:svc'), target: at('C:svc') }), 'INVALID_ARGUMENT', /not connected/);
  });

  test('disjoint paths count the whole link once', () => {
    const links = [link('M', ['A:m', 'B:m', 'C:m']), link('AC', ['A:x', 'C:x'])];
    const topo = buildTopology(devices, links);
    const paths = disjointPaths(topo, { source: at('A:svc'), target: at('C:svc'), k: 2 });
    assert.deepEqual(paths.map((p) => linksOf(p).join(' ')).sort(), ['AC', 'M']);
    rejects(() => disjointPaths(topo, { source: at('A:svc'), target: at('C:svc'), k: 3 }), 'INVALID_ARGUMENT', /only 2/);
  });
});
