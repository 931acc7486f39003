/**
 * gNMI benchmark (issue 3): Set round trips against one simulated target (driver and bare
 * GnmiClient, plaintext and TLS); the simulator's counter streams received in this process by
 * a bare grpc-js client and by GnmiClient; telemetry ingest into a controller child process
 * with 1, 100 and 1,000 targets onboarded through the TFS descriptor API (rate, CPU, RSS,
 * onboarding time). Progress on stderr, a table on stdout.
 *
 * Usage: npm run bench:gnmi -- [--only set|ingest|scale] [--json FILE] [--counts 1@0.01,100,1000@10,1000@1] [--compare 100]
 *          [--window 20] [--sets 1000] [--offered 250000] [--sim-procs 2] [--cpu-prof DIR] [--trace-keepalive] [--keep-logs]
 *
 * --only: one target per command (each a few minutes), the other options at the preset's values
 * unless given: `set` (Set round trips only), `ingest` (100 targets: the bare grpc-js, GnmiClient
 * and LeafSink clients in this process, then the controller, same simulators, same run), `scale`
 * (1 and 1,000 devices at 10 s: onboarding and RSS per device). Without --only, all of them.
 *
 * --sim-procs: the streaming targets are spread over this many `cnsdn-sim gnmi` processes (one
 * simulator process cannot offer 200k updates/s on one core).
 *
 * --counts: controller runs, each K targets at telemetry interval S seconds
 * (`_connect/settings.telemetry_interval_s`); without @S, the interval that asks for about
 * --offered updates/s in all (K × 8 interfaces × 10 counters / S), at least 10 ms. The
 * in-process clients of --compare K sample at the interval of the first run with that K.
 * 1,000 devices run twice: at 10 s (onboarding time and RSS per device with little telemetry)
 * and at 1 s (80,000 updates/s asked while onboarding).
 * --trace-keepalive: controllers run with GRPC_TRACE=keepalive; the report counts ping timeouts.
 * Profile: --cpu-prof DIR, then
 *   npx tsx bench/profile-top.ts DIR/k100/CPU.*.0.001.cpuprofile --results FILE.json --backend k100 --phase ingest
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type IngestResult, measureIngest } from './gnmi-controller.js';
import { type SimGroup, type SimHandle, startSim, startSims } from './gnmi-procs.js';
import { clientSets, driverSets, type SetResult } from './gnmi-set.js';
import { measureStream, type StreamResult } from './gnmi-stream.js';
import { closeAgents } from './http.js';
import { round } from './stats.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUN_DEADLINE_MS = 10 * 60_000;
const INTERFACES = Array.from({ length: 8 }, (_, i) => `Ethernet${i + 1}`);
const USER = 'bench';
const PASSWORD = 'bench-pass';
const SET_WARMUP = 200;
const STREAM_WARMUP_MS = 3000;
const SETTLE_MS = 5000;
const MIN_INTERVAL_S = 0.01;

const { values: given } = parseArgs({
  options: {
    only: { type: 'string' },
    json: { type: 'string' },
    counts: { type: 'string' },
    compare: { type: 'string' },
    window: { type: 'string' },
    sets: { type: 'string' },
    'trace-keepalive': { type: 'boolean', default: false },
    offered: { type: 'string' },
    'sim-procs': { type: 'string', default: '2' },
    'cpu-prof': { type: 'string' },
    'keep-logs': { type: 'boolean', default: false },
  },
});

/** What each --only runs; options given on the command line win. */
const PRESETS: Record<string, { counts: string; compare: string; sets: string; window: string; offered: string }> = {
  all: { counts: '1@0.01,100,1000@10,1000@1', compare: '100', sets: '1000', window: '20', offered: '250000' },
  set: { counts: '', compare: '', sets: '1000', window: '20', offered: '250000' },
  ingest: { counts: '100', compare: '100', sets: '0', window: '15', offered: '250000' },
  scale: { counts: '1@10,1000@10', compare: '', sets: '0', window: '20', offered: '250000' },
};
const preset = PRESETS[given.only ?? 'all'];
if (!preset) throw new Error(`--only wants one of ${Object.keys(PRESETS).filter((k) => k !== 'all').join(', ')}, got ${given.only}`);
const args = {
  ...given,
  counts: given.counts ?? preset.counts,
  compare: given.compare ?? preset.compare,
  sets: given.sets ?? preset.sets,
  window: given.window ?? preset.window,
  offered: given.offered ?? preset.offered,
};

const started = Date.now();
const progress = (msg: string) => process.stderr.write(`[gnmi-bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${msg}\n`);

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => {
      const n = Number(x);
      if (!Number.isInteger(n) || n < 1) throw new Error(`not a positive integer: ${x}`);
      return n;
    });

interface Run {
  k: number;
  intervalS: number;
}

const autoInterval = (k: number) => Math.max(MIN_INTERVAL_S, round((k * INTERFACES.length * 10) / Number(args.offered), 3));

const runs: Run[] = args.counts
  .split(',')
  .filter((x) => x.trim())
  .map((x) => {
    const [kText, sText] = x.trim().split('@');
    const k = Number(kText);
    const intervalS = sText === undefined ? autoInterval(k) : Number(sText);
    if (!Number.isInteger(k) || k < 1 || !(intervalS >= MIN_INTERVAL_S)) throw new Error(`--counts wants K or K@SECONDS (≥ ${MIN_INTERVAL_S}), got ${x}`);
    return { k, intervalS };
  });

function intervalFor(k: number): number {
  return runs.find((r) => r.k === k)?.intervalS ?? autoInterval(k);
}

/** How bin/ runs the code: dist/ when its build stamp is newer than every source (bin/launch.js), else tsx. */
function runMode(): string {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((m, e) => Math.max(m, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs), 0);
  const stamp = join(REPO, 'dist', '.build-stamp');
  if (process.env.CNSDN_USE_TSX !== '1' && existsSync(stamp) && (process.env.CNSDN_USE_DIST === '1' || statSync(stamp).mtimeMs >= newest(join(REPO, 'src')))) {
    return 'dist/ (tsc build)';
  }
  return 'tsx (dist/ missing or older than src/)';
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

interface Results {
  sets: { label: string; result?: SetResult & { firstError?: string }; error?: string }[];
  streams: (StreamResult & { round: number })[];
  ingest: (IngestResult & { loadBefore: string; loadAfter: string })[];
  errors: string[];
  /** Per controller run (one per K): monotonic windows, for bench/profile-top.ts --results FILE --backend kK --phase ingest. */
  results: { backend: string; phases: { name: string; startUs: number; endUs: number }[] }[];
}

async function runSets(out: Results, workDir: string, n: number): Promise<void> {
  for (const tls of [false, true]) {
    const mode = tls ? 'TLS' : 'insecure';
    let sim: SimHandle | undefined;
    try {
      const tlsDir = tls ? join(workDir, 'pki') : undefined;
      sim = await startSim({ repoDir: REPO, count: 1, interfaces: 'Ethernet1-8', tlsDir, user: `${USER}:${PASSWORD}:rw`, logFile: join(workDir, `sim-set-${mode}.log`) });
      const target = { port: sim.ports[0]!, username: USER, password: PASSWORD, caFile: tlsDir ? join(tlsDir, 'ca.crt') : undefined, simPid: sim.pid };
      for (const [label, fn] of [
        [`driver setConfig (${mode})`, driverSets],
        [`GnmiClient.set (${mode})`, clientSets],
      ] as const) {
        progress(`set: ${label} ×${n}`);
        try {
          const result = await fn(target, n, SET_WARMUP);
          out.sets.push({ label, result });
          progress(`set: ${label}: p50 ${result.p50} ms, p99 ${result.p99} ms, ${result.perSec}/s, CPU/Set client ${result.clientUsPerSet} µs sim ${result.simUsPerSet} µs, ${result.errors} errors`);
        } catch (e) {
          out.sets.push({ label, error: (e as Error).message });
          progress(`set: ${label}: ERROR ${(e as Error).message}`);
        }
      }
    } catch (e) {
      out.errors.push(`set (${mode}): ${(e as Error).message}`);
      progress(`set (${mode}): ERROR ${(e as Error).message}`);
    } finally {
      await sim?.stop();
    }
  }
}

/** Mean rate and CPU per update over the rounds of one consumer at k targets. */
function meanStream(r: Results, consumer: string, k: number): { updatesPerSec: number; clientUsPerUpdate: number } | undefined {
  const runs = r.streams.filter((s) => s.consumer === consumer && s.targets === k);
  if (runs.length === 0) return undefined;
  const mean = (f: (s: StreamResult) => number) => runs.reduce((a, s) => a + f(s), 0) / runs.length;
  return { updatesPerSec: mean((s) => s.updatesPerSec), clientUsPerUpdate: mean((s) => s.clientUsPerUpdate) };
}

const int = (x: number) => Math.round(x).toLocaleString('en');
const pct = (x: number) => `${Math.round(x * 100)}%`;

function table(r: Results, compare: number[]): string {
  const rows: [string, string, string][] = [];
  for (const s of r.sets) {
    rows.push([
      `Set round trip p50 / p99: ${s.label}`,
      s.label.startsWith('driver') ? 'p99 < 10 ms' : '—',
      s.result
        ? `${s.result.p50} / ${s.result.p99} ms (max ${s.result.max}, ${s.result.perSec}/s; CPU per Set: client ${s.result.clientUsPerSet} µs, simulator ${s.result.simUsPerSet ?? '?'} µs${s.result.errors ? `; ${s.result.errors} errors` : ''})`
        : `error: ${s.error}`,
    ]);
  }
  for (const s of r.streams) {
    rows.push([
      `in-process ${s.consumer} #${s.round}, ${s.targets} targets: updates/s`,
      '—',
      `${int(s.updatesPerSec)} of ${int(s.offeredPerSec)} asked; client CPU ${pct(s.clientCpu)} (${round(s.clientUsPerUpdate, 2)} µs/update), sim CPU ${pct(s.simCpu)}; ` +
        `GC per M updates ${round(s.minorGcPerMUpdates, 1)} scavenges, ${round(s.majorGcPerMUpdates, 2)} mark-compacts${s.errors ? `, ${s.errors} stream errors` : ''}`,
    ]);
  }
  for (const k of compare) {
    const bare = meanStream(r, 'bare', k);
    for (const consumer of ['GnmiClient', 'leaves'] as const) {
      const ours = meanStream(r, consumer, k);
      if (bare && ours) {
        rows.push([`${consumer} / bare, ${k} targets (mean of rounds)`, '≥ 0.5', `rate ${round(ours.updatesPerSec / bare.updatesPerSec, 2)}, CPU per update ${round(ours.clientUsPerUpdate / bare.clientUsPerUpdate, 2)}×`]);
      }
    }
  }
  const one = r.ingest.find((i) => i.devices === 1);
  const tag = (i: IngestResult) => `${i.devices} targets @ ${i.intervalS} s`;
  for (const i of r.ingest) {
    const k = i.devices;
    rows.push([
      `onboard ${tag(i)} (POST → all ENABLED)`,
      k === 1000 ? 'report' : '—',
      `${i.onboardMs === null ? `not reached (${i.enabled}/${k} at the end, at most ${i.maxEnabled})` : `${int(i.onboardMs)} ms`} (POST ${int(i.postMs)} ms; event-loop delay max ${round(i.onboardLagMaxS, 2)} s)`,
    ]);
    rows.push([
      `controller ingest, ${tag(i)}: leaves/s`,
      '≥ 200,000/s',
      `${int(i.leavesPerSec)} of ${int(i.offeredPerSec)} asked of ${i.connectedAtEnd} devices (${int(i.samplesPerSec)} KPI samples/s stored${i.droppedPerSec ? `, ${int(i.droppedPerSec)}/s dropped at a full queue` : ''})`,
    ]);
    rows.push([
      `  controller CPU / sim CPU, ${tag(i)}`,
      '2 cores',
      `${pct(i.controllerCpu)} (${round(i.controllerUsPerLeaf, 2)} µs/leaf; idle ${pct(i.idleCpu)}) / ${pct(i.simCpu)}; event-loop delay p99 ${round(i.windowLagP99S * 1000, 0)} ms, max ${round(i.windowLagMaxS * 1000, 0)} ms; load avg ${i.loadAfter}`,
    ]);
    const marginal = one && k > 1 ? ` marginal vs 1 device ${round(((i.rssMiB - one.rssMiB) * 1024) / (i.connectedAtEnd - 1))} KiB/device;` : '';
    rows.push([
      `  controller RSS, ${tag(i)} streaming`,
      k === 1000 ? '< 300 MB added' : '—',
      `${round(i.rssMiB)} MiB, +${round(i.rssAddedMiB)} over empty (${round(i.rssPerDeviceKiB)} KiB/device;${marginal} heap used ${round(i.heapUsedMiB)} of ${round(i.heapTotalMiB)} MiB; telemetry arrays ${round(i.telemetryArraysMiB)} MiB)`,
    ]);
    if (i.connectFailures > 0 || i.overloaded503 > 0 || i.keepaliveTimeouts > 0) {
      rows.push([`  session losses / 503s, ${tag(i)}`, '0', `${i.sessionsLost} sessions lost, ${i.connectFailures - i.sessionsLost} connects timed out${args['trace-keepalive'] ? `, ${i.keepaliveTimeouts} keepalive ping timeouts` : ''}; ${i.overloaded503} × 503 overloaded to the bench's GETs`]);
    }
    const bare = meanStream(r, 'bare', k);
    if (bare) {
      rows.push([
        `  controller / bare grpc-js (mean of rounds), ${tag(i)}`,
        '≥ 0.5',
        `rate ${round(i.leavesPerSec / bare.updatesPerSec, 2)}, CPU per update ${round(i.controllerUsPerLeaf / bare.clientUsPerUpdate, 2)}×`,
      ]);
    }
  }
  const header: [string, string, string] = ['metric', 'target', 'value'];
  const widths = header.map((_, c) => Math.max(...[header, ...rows].map((row) => row[c]!.length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const outLines = [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
  for (const e of r.errors) outLines.push(`error: ${e}`);
  return outLines.join('\n');
}

let report: (partial: boolean) => void = () => undefined;

async function main(): Promise<number> {
  setTimeout(() => {
    progress('hard deadline reached: reporting what was measured, stopping (children are killed on exit)');
    report(true);
    process.exit(2);
  }, RUN_DEADLINE_MS).unref();
  const compare = list(args.compare);
  const windowMs = Number(args.window) * 1000;
  const sets = Number(args.sets);
  const workDir = mkdtempSync(join(tmpdir(), 'cnsdn-gnmi-bench-'));
  const mode = runMode();
  progress(`work dir ${workDir}; node ${process.version}; controller and simulator run from ${mode}; load average ${load()}`);
  const out: Results = { sets: [], streams: [], ingest: [], errors: [], results: [] };
  report = (partial) => {
    process.stdout.write(
      `\ncnsdn gNMI benchmark${partial ? ' (PARTIAL: stopped at the deadline)' : ''}, node ${process.version}, ${cpus().length} CPUs, controller/simulator from ${mode}, load average at end ${load()}\n\n${table(out, compare)}\n`,
    );
    if (args.json) {
      const doc = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, runMode: mode, durationMs: Date.now() - started, partial, args, ...out };
      writeFileSync(args.json, `${JSON.stringify(doc, null, 2)}\n`);
      progress(`results written to ${args.json}`);
    }
  };
  let sim: SimGroup | undefined;
  try {
    if (sets > 0) await runSets(out, workDir, sets);

    const simCount = Math.max(0, ...runs.map((r) => r.k), ...compare);
    if (simCount === 0) {
      report(false);
      return out.errors.length > 0 || out.sets.some((s) => s.error) ? 1 : 0;
    }
    const procs = Number(args['sim-procs']);
    progress(`starting ${simCount} simulated targets in ${procs} processes (insecure, ${INTERFACES.length} interfaces each)`);
    sim = await startSims({ repoDir: REPO, count: simCount, interfaces: 'Ethernet1-8', user: `${USER}:${PASSWORD}:rw`, logFile: join(workDir, 'sim.log') }, procs);
    progress(`simulator pids ${sim.pids.join(', ')}: ${sim.ports.length} targets`);

    // Alternating rounds, so warm-up and drift do not favour one consumer.
    for (const k of compare) {
      for (const [pass, kind] of [[1, 'bare'], [1, 'GnmiClient'], [1, 'leaves'], [2, 'bare'], [2, 'GnmiClient'], [2, 'leaves']] as const) {
        const intervalS = intervalFor(k);
        progress(`stream: ${kind} #${pass}, ${k} targets, SAMPLE every ${intervalS} s, ${windowMs / 1000} s window`);
        try {
          const r = await measureStream(REPO, kind, {
            ports: sim.ports.slice(0, k),
            interfaces: INTERFACES,
            intervalS,
            warmupMs: STREAM_WARMUP_MS,
            windowMs,
            simPids: sim.pids,
            username: USER,
            password: PASSWORD,
          });
          out.streams.push({ ...r, round: pass });
          progress(
            `stream: ${kind} #${pass}, ${k} targets: ${int(r.updatesPerSec)} updates/s (asked ${int(r.offeredPerSec)}), client CPU ${pct(r.clientCpu)} ` +
              `(${round(r.clientUsPerUpdate, 2)} µs/update), sim CPU ${pct(r.simCpu)}, connect ${int(r.connectMs)} ms`,
          );
        } catch (e) {
          out.errors.push(`stream ${kind} ${k}: ${(e as Error).message}`);
          progress(`stream: ${kind}, ${k}: ERROR ${(e as Error).message}`);
        }
      }
    }

    if (args['trace-keepalive']) {
      process.env.GRPC_TRACE = 'keepalive';
      process.env.GRPC_VERBOSITY = 'DEBUG';
    }
    for (const { k, intervalS } of runs) {
      const tag = `k${k}-${intervalS}s`;
      const run = { backend: tag, phases: [] as { name: string; startUs: number; endUs: number }[] };
      out.results.push(run);
      const cpuProfDir = args['cpu-prof'] ? resolve(args['cpu-prof'], tag) : undefined;
      if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
      try {
        const loadBefore = load();
        const r = await measureIngest({
            repoDir: REPO,
            workDir,
            ports: sim.ports.slice(0, k),
            username: USER,
            password: PASSWORD,
            intervalS,
            windowMs,
            settleMs: SETTLE_MS,
            // Leaves time for the window, slow scrapes under load and a profile written at stop.
            onboardBoundMs: Math.max(30_000, Math.min(180_000, RUN_DEADLINE_MS - (Date.now() - started) - 150_000)),
            simPids: sim.pids,
            cpuProfDir,
            progress,
            phase: (name, startUs, endUs) => run.phases.push({ name, startUs, endUs }),
          });
        out.ingest.push({ ...r, loadBefore, loadAfter: load() });
      } catch (e) {
        out.errors.push(`ingest ${tag}: ${(e as Error).message}`);
        progress(`ingest ${tag}: ERROR ${(e as Error).message}`);
      }
    }
  } finally {
    await sim?.stop();
    closeAgents();
    if (args['keep-logs']) progress(`logs kept in ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }

  report(false);
  progress(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return out.errors.length > 0 || out.sets.some((s) => s.error) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
