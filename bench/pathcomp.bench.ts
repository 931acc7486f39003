/**
 * Path computation benchmarks (`npx tsx bench/pathcomp.bench.ts`): seeded topologies of 1k and
 * 10k devices with average degree 4, each query between 100 random endpoint pairs:
 *   random — a random spanning tree plus random links (short paths, like meshed cores);
 *   grid   — a torus (every device degree 4; paths of tens of hops, many of equal cost).
 * Per query kind: shortest path, k=5 shortest (Yen), k=2 link-disjoint; p50/p99/max wall ms,
 * p50/p99 CPU ms and
 * how many of the pairs had no answer (a tree-attached device has a single link: no 2 disjoint paths).
 */
import { CnsdnError } from '../src/common/errors.js';
import type { Device, Link } from '../src/model/index.js';
import { buildTopology, disjointPaths, kShortestPaths, type PathRequest, type PathTopology, shortestPath } from '../src/pathcomp/index.js';
import { device, ep, link, random } from '../src/pathcomp/testing.js';
import { summarize } from './stats.js';

const PAIRS = 100;

function randomGraph(n: number, rnd: () => number): [number, number][] {
  const pairs: [number, number][] = [];
  const seen = new Set<string>();
  const add = (a: number, b: number) => {
    const key = a < b ? `${a}-${b}` : `${b}-${a}`;
    if (a === b || seen.has(key)) return;
    seen.add(key);
    pairs.push([a, b]);
  };
  for (let v = 1; v < n; v++) add(v, Math.floor(rnd() * v));
  while (pairs.length < 2 * n) add(Math.floor(rnd() * n), Math.floor(rnd() * n));
  return pairs;
}

function torus(rows: number, cols: number): [number, number][] {
  const pairs: [number, number][] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      pairs.push([r * cols + c, r * cols + ((c + 1) % cols)]);
      pairs.push([r * cols + c, ((r + 1) % rows) * cols + c]);
    }
  }
  return pairs;
}

function entities(n: number, pairs: [number, number][], rnd: () => number): { devices: Device[]; links: Link[] } {
  const ports: string[][] = Array.from({ length: n }, () => ['svc']);
  const links = pairs.map(([a, b], i) => {
    const pa = `p${ports[a].push(`p${ports[a].length}`) - 1}`;
    const pb = `p${ports[b].push(`p${ports[b].length}`) - 1}`;
    const total = 100;
    return link(`L${i}`, [`r${a}:${pa}`, `r${b}:${pb}`], { total, used: Math.floor(rnd() * total) });
  });
  return { devices: ports.map((list, d) => device(`r${d}`, list)), links };
}

let refused = 0;

/**
 * Wall and CPU milliseconds of one query (CPU time shows the cost when other processes share
 * the cores); a "no path" answer (CnsdnError) counts, timed like any other.
 */
function time(fn: () => unknown): [number, number] {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    fn();
  } catch (e) {
    if (!(e instanceof CnsdnError)) throw e;
    refused++;
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  return [wall, (cpu.user + cpu.system) / 1000];
}

function run(family: string, n: number, pairs: [number, number][], rnd: () => number): void {
  const { devices, links } = entities(n, pairs, rnd);
  let topo: PathTopology | undefined;
  const [build] = time(() => {
    topo = buildTopology(devices, links);
  });
  const requests: PathRequest[] = Array.from({ length: PAIRS }, () => {
    const s = Math.floor(rnd() * n);
    const t = (s + 1 + Math.floor(rnd() * (n - 1))) % n;
    return { source: ep(`r${s}`, 'svc'), target: ep(`r${t}`, 'svc') };
  });
  const kinds: [string, (r: PathRequest) => unknown][] = [
    ['shortest', (r) => shortestPath(topo!, r)],
    ['k=5 shortest', (r) => kShortestPaths(topo!, { ...r, k: 5 })],
    ['k=2 disjoint', (r) => disjointPaths(topo!, { ...r, k: 2 })],
  ];
  console.log(`| ${family} | ${n} | snapshot (${links.length} links) | ${build.toFixed(2).padStart(7)} | | | | | |`);
  for (const [name, fn] of kinds) {
    for (const r of requests.slice(0, 10)) time(() => fn(r));
    refused = 0;
    const samples = requests.map((r) => time(() => fn(r)));
    const wall = summarize(samples.map((x) => x[0]));
    const cpu = summarize(samples.map((x) => x[1]));
    const cells = [wall.p50, wall.p99, wall.max, cpu.p50, cpu.p99].map((x) => x.toFixed(2).padStart(7));
    console.log(`| ${family} | ${n} | ${name.padEnd(12)} | ${cells.join(' | ')} | ${String(refused).padStart(2)} |`);
  }
}

console.log('| topology | devices | query | p50 ms | p99 ms | max ms | cpu p50 ms | cpu p99 ms | no path |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [n, rows, cols] of [
  [1_000, 25, 40],
  [10_000, 100, 100],
]) {
  run('random', n, randomGraph(n, random(n)), random(n + 1));
  run(`grid ${rows}x${cols}`, n, torus(rows, cols), random(n + 2));
}
