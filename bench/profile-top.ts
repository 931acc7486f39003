/**
 * Top functions of a V8 CPU profile (node --cpu-prof), optionally within the phases that
 * `npm run bench -- --json FILE --cpu-prof DIR` recorded.
 * Usage: tsx bench/profile-top.ts PROFILE.cpuprofile [--results FILE --backend sqlite --phase import] [--top 25]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { results: { type: 'string' }, backend: { type: 'string' }, phase: { type: 'string' }, top: { type: 'string', default: '25' } },
});
const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as Profile;

let window: { startUs: number; endUs: number } | undefined;
if (args.results && args.phase) {
  const doc = JSON.parse(readFileSync(args.results, 'utf8')) as { results: { backend: string; phases: { name: string; startUs: number; endUs: number }[] }[] };
  const r = doc.results.find((x) => x.backend === (args.backend ?? 'sqlite'));
  window = r?.phases.find((p) => p.name === args.phase);
  if (!window) throw new Error(`no phase ${args.phase} for ${args.backend}`);
}

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n: Node) => {
  const url = n.callFrame.url.replace(/^file:\/\/.*?\/(src|node_modules)\//, '$1/');
  return `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
};

const self = new Map<string, number>();
const total = new Map<string, number>();
let t = profile.startTime;
let inWindowUs = 0;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i]!;
  const dt = profile.timeDeltas[i + 1] ?? 0;
  if (window && (t < window.startUs || t > window.endUs)) continue;
  inWindowUs += dt;
  let node = byId.get(profile.samples[i]!)!;
  self.set(label(node), (self.get(label(node)) ?? 0) + dt);
  const seen = new Set<string>();
  for (;;) {
    const l = label(node);
    if (!seen.has(l)) {
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + dt);
    }
    const p = parent.get(node.id);
    if (p === undefined) break;
    node = byId.get(p)!;
  }
}

const top = Number(args.top);
const print = (title: string, m: Map<string, number>) => {
  console.log(`\n${title} (window ${(inWindowUs / 1000).toFixed(0)} ms of samples)`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(v / 1000).toFixed(0).padStart(8)} ms ${((100 * v) / Math.max(1, inWindowUs)).toFixed(1).padStart(5)} %  ${k}`);
};
print('self time', self);
print('total time (inclusive)', total);
