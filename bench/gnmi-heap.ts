/**
 * Where the controller's memory goes at scale: `cnsdn serve` (as bin/cnsdn.js runs it, plus
 * --trace-gc and a heap snapshot on SIGUSR2) with K simulated gNMI targets onboarded through one
 * POST /tfs-api/descriptors. Prints RSS, the heap after the newest GC and the last mark-compact's
 * live size once a second, so the onboarding burst and what follows can be told apart; at the end (or with
 * --snapshot) writes a heap snapshot (after a full GC) and lists the retained objects by constructor.
 *
 * Usage: npx tsx bench/gnmi-heap.ts [--devices 1000] [--interval 10] [--seconds 40] [--snapshot] [--top 40]
 *        [--node-args "--max-semi-space-size=8 ..."]   (instead of bin/cnsdn.js's shebang flags)
 *        [--analyze FILE.heapsnapshot]   (only list a snapshot written earlier)
 *        [--scrape-every S] [--list-every S]   (GET /metrics, GET /tfs-api/devices every S seconds while it runs)
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gnmiDescriptor } from './gnmi-controller.js';
import { startSims } from './gnmi-procs.js';
import { shebangNodeArgs, startServer } from './server.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '1000' },
    interval: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '40' },
    snapshot: { type: 'boolean', default: false },
    top: { type: 'string', default: '40' },
    'node-args': { type: 'string' },
    'sim-procs': { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
    /** Only list the objects of a snapshot file written earlier (with --devices as it was). */
    analyze: { type: 'string' },
    /** Scrape /metrics every N seconds (as Prometheus would); 0: never (heap figures then come from --trace-gc only). */
    'scrape-every': { type: 'string', default: '0' },
    /** GET /tfs-api/devices every N seconds (as the scale bench polls while onboarding); 0: never. */
    'list-every': { type: 'string', default: '0' },
  },
});

const k = Number(args.devices);
const log = (msg: string) => process.stderr.write(`[gnmi-heap] ${msg}\n`);
const TOKEN = randomBytes(24).toString('base64url');
const AUTH = { authorization: `Bearer ${TOKEN}` };

async function heapMetrics(url: string): Promise<{ used: number; total: number; external: number }> {
  const text = await (await fetch(`${url}/metrics`, { headers: AUTH })).text();
  const get = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN) / 1048576;
  return { used: get('nodejs_heap_size_used_bytes'), total: get('nodejs_heap_size_total_bytes'), external: get('nodejs_external_memory_bytes') };
}

/** Heap after the newest GC of any kind in the --trace-gc log ("Scavenge 120.1 (150.2) -> 80.3 (140.0) MB"). */
function lastGc(logFile: string): string {
  const lines = readFileSync(logFile, 'utf8').split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /(Scavenge|Mark-Compact)[^\d]*([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB/.exec(lines[i]!);
    if (m) return `${m[4]} MB (committed ${m[5]})`;
  }
  return '-';
}

/** The live size after the last mark-compact in the --trace-gc log: "Mark-Compact 120.1 (150.2) -> 80.3 (140.0) MB". */
function lastMarkCompact(logFile: string): { count: number; after: string } {
  const lines = readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.includes('Mark-Compact'));
  const last = lines.at(-1) ?? '';
  const m = /Mark-Compact[^\d]*([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB/.exec(last);
  return { count: lines.length, after: m ? `${m[1]}→${m[3]} MB (committed ${m[4]})` : '-' };
}

/** Self size by constructor (object) or type (strings, code, arrays…) from a .heapsnapshot file. */
function summarize(file: string, top: number): string {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const nf = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const types = snap.snapshot.meta.node_types[0];
  const by = new Map<string, { count: number; bytes: number }>();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += nf) {
    const type = types[snap.nodes[i + iType]!]!;
    const size = snap.nodes[i + iSize]!;
    total += size;
    const key = type === 'object' || type === 'closure' || type === 'native' ? `${type}:${snap.strings[snap.nodes[i + iName]!]}` : type;
    const e = by.get(key) ?? { count: 0, bytes: 0 };
    e.count++;
    e.bytes += size;
    by.set(key, e);
  }
  const rows = [...by.entries()].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top);
  return [
    `total self size ${(total / 1048576).toFixed(1)} MiB (${(total / 1024 / k).toFixed(1)} KiB per device)`,
    ...rows.map(([name, e]) => `${(e.bytes / 1048576).toFixed(2).padStart(8)} MiB ${String(e.count).padStart(9)}  ${(e.bytes / k).toFixed(0).padStart(7)} B/dev  ${name.slice(0, 100)}`),
  ].join('\n');
}

async function main(): Promise<void> {
  if (args.analyze) {
    process.stdout.write(`${summarize(args.analyze, Number(args.top))}\n`);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'cnsdn-gnmi-heap-'));
  const diag = join(work, 'diag');
  mkdirSync(diag);
  const sims = await startSims({ repoDir: REPO, count: k, interfaces: 'Ethernet1-8', user: 'bench:bench-pass:rw', logFile: join(work, 'sim.log') }, Number(args['sim-procs']));
  const logFile = join(work, 'controller.log');
  const base = args['node-args'] !== undefined ? args['node-args'].split(/\s+/).filter(Boolean) : shebangNodeArgs(join(REPO, 'bin/cnsdn.js'));
  const nodeArgs = [...base, '--trace-gc', '--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${diag}`];
  log(`controller node args: ${nodeArgs.join(' ')}`);
  const server = await startServer({ repoDir: REPO, dataDir: join(work, 'data'), logFile, nodeArgs, env: { CNSDN_ADMIN_TOKEN: TOKEN } });
  try {
    await sleep(3000);
    const empty = server.memory().rssMiB;
    const h0 = await heapMetrics(server.url);
    log(`empty: RSS ${empty.toFixed(1)} MiB, heap ${h0.used.toFixed(1)} of ${h0.total.toFixed(1)} MiB`);
    const t0 = performance.now();
    const res = await fetch(`${server.url}/tfs-api/descriptors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH },
      body: JSON.stringify(gnmiDescriptor({ ports: sims.ports.slice(0, k), username: 'bench', password: 'bench-pass', intervalS: Number(args.interval) })),
    });
    if (!res.ok) throw new Error(`POST: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    const end = t0 + Number(args.seconds) * 1000;
    const scrapeEvery = Number(args['scrape-every']) * 1000;
    const listEvery = Number(args['list-every']) * 1000;
    let nextScrape = scrapeEvery > 0 ? t0 + scrapeEvery : Number.POSITIVE_INFINITY;
    let nextList = listEvery > 0 ? t0 + listEvery : Number.POSITIVE_INFINITY;
    let scrapes = 0;
    let lists = 0;
    while (performance.now() < end) {
      await sleep(1000);
      const now = performance.now();
      if (now >= nextScrape) {
        await (await fetch(`${server.url}/metrics`, { headers: AUTH })).arrayBuffer();
        scrapes++;
        nextScrape += scrapeEvery;
      }
      if (now >= nextList) {
        await (await fetch(`${server.url}/tfs-api/devices`, { headers: AUTH })).arrayBuffer();
        lists++;
        nextList += listEvery;
      }
      const m = server.memory();
      const mc = lastMarkCompact(logFile);
      log(
        `t=${((performance.now() - t0) / 1000).toFixed(0).padStart(3)} s RSS +${(m.rssMiB - empty).toFixed(1)} MiB (hwm +${(m.hwmMiB - empty).toFixed(1)}); heap after last GC ${lastGc(logFile)}; ` +
          `mark-compacts ${mc.count}, last ${mc.after}; scrapes ${scrapes}, device lists ${lists}`,
      );
    }
    const h = await heapMetrics(server.url);
    log(`end: RSS +${(server.memory().rssMiB - empty).toFixed(1)} MiB, heap ${h.used.toFixed(1)} of ${h.total.toFixed(1)} MiB, external ${h.external.toFixed(1)} MiB`);
    if (args.snapshot) {
      log('heap snapshot (SIGUSR2)…');
      process.kill(server.pid, 'SIGUSR2');
      let file: string | undefined;
      for (let i = 0; i < 240 && !file; i++) {
        await sleep(1000);
        const f = readdirSync(diag).find((n) => n.endsWith('.heapsnapshot'));
        // Complete once the JSON is closed and the size no longer changes.
        if (f) {
          const s1 = readFileSync(join(diag, f));
          await sleep(2000);
          const s2 = readFileSync(join(diag, f));
          if (s2.length === s1.length && s2.subarray(-2).toString().trim().endsWith('}')) file = join(diag, f);
        }
      }
      const m = server.memory();
      log(`after snapshot GC: RSS +${(m.rssMiB - empty).toFixed(1)} MiB`);
      if (file) process.stdout.write(`${summarize(file, Number(args.top))}\n`);
    }
  } finally {
    await server.stop();
    await sims.stop();
    if (args.keep) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
