/**
 * What one connected gNMI device costs the controller's process, without the rest of the
 * controller: N gnmi-openconfig driver sessions (Capabilities, liveness stream, counter
 * subscriptions of every interface) against `cnsdn-sim gnmi` targets in a child process.
 * Reports heap, external and RSS added per session after a full GC, and with --snapshot the
 * objects per session by constructor (two heap snapshots, before and after).
 *
 * Usage: npx tsx --expose-gc bench/gnmi-memory.ts [--devices 500] [--interval 10] [--snapshot DIR] [--top 40]
 *        [--client-only]   (GnmiClient.connect without the driver: the transport alone)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import type { Driver } from '../src/device/index.js';
import { gnmiOpenconfigDriverFactory } from '../src/drivers/gnmi-openconfig/index.js';
import { GnmiClient } from '../src/protocols/gnmi/index.js';
import { startSim } from './gnmi-procs.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '500' },
    interval: { type: 'string', default: '10' },
    snapshot: { type: 'string' },
    top: { type: 'string', default: '40' },
    'client-only': { type: 'boolean', default: false },
  },
});

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npx tsx --expose-gc bench/gnmi-memory.ts)');

const log = (msg: string) => process.stderr.write(`[gnmi-memory] ${msg}\n`);
const MiB = 1024 * 1024;

function settle(): Promise<void> {
  return new Promise((r) => setTimeout(r, 500)).then(() => {
    gc!();
    gc!();
  });
}

function rssKiB(): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(m?.[1] ?? 0);
}

/** Resident bytes of the brk heap (malloc), of other anonymous mappings (V8 spaces, large mallocs) and of files. */
function smaps(): { brk: number; anon: number; file: number } {
  const out = { brk: 0, anon: 0, file: 0 };
  let kind: keyof typeof out = 'anon';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const name = head[1]!;
      kind = name === '[heap]' ? 'brk' : name === '' || name.startsWith('[') ? 'anon' : 'file';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out[kind] += Number(rss[1]) * 1024;
  }
  return out;
}

function reading() {
  const m = process.memoryUsage();
  const s = smaps();
  return { heap: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, rss: rssKiB() * 1024, brk: s.brk, anon: s.anon };
}

/** Self size and count per constructor name of a heap snapshot. */
function census(file: string): Map<string, { count: number; size: number }> {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const stride = fields.length;
  const fType = fields.indexOf('type');
  const fName = fields.indexOf('name');
  const fSize = fields.indexOf('self_size');
  const out = new Map<string, { count: number; size: number }>();
  for (let i = 0; i < snap.nodes.length; i += stride) {
    const type = types[snap.nodes[i + fType]];
    const raw = type === 'object' || type === 'closure' || type === 'native' ? snap.strings[snap.nodes[i + fName]] : `(${type})`;
    const name = type === 'closure' ? `closure ${raw}` : raw;
    const e = out.get(name) ?? { count: 0, size: 0 };
    e.count++;
    e.size += snap.nodes[i + fSize];
    out.set(name, e);
  }
  return out;
}

async function main(): Promise<void> {
  const n = Number(args.devices);
  const work = mkdtempSync(join(tmpdir(), 'cnsdn-gnmi-mem-'));
  const sim = await startSim({ repoDir: REPO, count: n, interfaces: 'Ethernet1-8', user: 'bench:bench-pass:rw', logFile: join(work, 'sim.log') });
  log(`simulator pid ${sim.pid}: ${n} targets`);
  const drivers: Driver[] = [];
  const clients: GnmiClient[] = [];
  try {
    // One session first: module loading and one-time caches do not count per device.
    const warm = gnmiOpenconfigDriverFactory.create({ deviceUuid: 'warm', deviceName: 'warm', address: '127.0.0.1', port: sim.ports[0]!, settings: { username: 'bench', password: 'bench-pass', use_tls: false } });
    await warm.connect();
    await warm.disconnect();
    await settle();
    const snapDir = args.snapshot;
    const before = reading();
    const snapBefore = snapDir ? writeHeapSnapshot(join(snapDir, 'before.heapsnapshot')) : undefined;
    const t0 = performance.now();
    const keys = Array.from({ length: 8 }, (_, i) => `/interface[Ethernet${i + 1}]` as const);
    for (let i = 0; i < n; i += 50) {
      await Promise.all(
        sim.ports.slice(i, i + 50).map(async (port, j) => {
          if (args['client-only']) {
            clients.push(await GnmiClient.connect({ address: `127.0.0.1:${port}`, tls: 'insecure', username: 'bench', password: 'bench-pass' }));
            return;
          }
          const d = gnmiOpenconfigDriverFactory.create({ deviceUuid: `d${i + j}`, deviceName: `d${i + j}`, address: '127.0.0.1', port, settings: { username: 'bench', password: 'bench-pass', use_tls: false } });
          await d.connect();
          await d.discoverEndpoints();
          const r = await d.subscribeState(keys.map((k) => [k, 0, Number(args.interval)]));
          if (r.some((x) => x !== true)) throw new Error(`subscribe failed: ${r.find((x) => x !== true)}`);
          d.onSample(() => undefined);
          drivers.push(d);
        }),
      );
    }
    log(`${n} ${args['client-only'] ? 'clients' : 'driver sessions'} up in ${Math.round(performance.now() - t0)} ms`);
    await settle();
    const after = reading();
    const per = (k: keyof typeof before) => (after[k] - before[k]) / n / 1024;
    process.stdout.write(
      `${n} ${args['client-only'] ? 'GnmiClient channels' : 'driver sessions'}: per session heap ${per('heap').toFixed(1)} KiB, external ${per('external').toFixed(1)} KiB ` +
        `(array buffers ${per('arrayBuffers').toFixed(1)}), V8 heap committed ${per('heapTotal').toFixed(1)} KiB, RSS ${per('rss').toFixed(1)} KiB ` +
        `(malloc brk heap ${per('brk').toFixed(1)}, other anonymous ${per('anon').toFixed(1)}); in all +${((after.rss - before.rss) / MiB).toFixed(1)} MiB RSS, ` +
        `+${((after.heap - before.heap) / MiB).toFixed(1)} MiB heap\n`,
    );
    if (snapDir && snapBefore) {
      const snapAfter = writeHeapSnapshot(join(snapDir, 'after.heapsnapshot'));
      const a = census(snapBefore);
      const b = census(snapAfter);
      const rows = [...b]
        .map(([name, v]) => ({ name, count: v.count - (a.get(name)?.count ?? 0), size: v.size - (a.get(name)?.size ?? 0) }))
        .filter((r) => r.size > 0)
        .sort((x, y) => y.size - x.size)
        .slice(0, Number(args.top));
      for (const r of rows) process.stdout.write(`${(r.count / n).toFixed(1).padStart(8)} × ${(r.size / n).toFixed(0).padStart(7)} B  ${r.name.slice(0, 100)}\n`);
    }
  } finally {
    await Promise.all(drivers.map((d) => d.disconnect()));
    for (const c of clients) c.close();
    await sim.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
