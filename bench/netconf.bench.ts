/**
 * NETCONF benchmark (issue 4), bounded to a few minutes in one process:
 *  (a) against the real netconfd candidate device of scripts/netconf-devices.sh: session setup,
 *      get-config running, edit-config + commit through NetconfClient, and one driver
 *      setConfig transaction (lock → edit-config → commit → unlock);
 *  (b) against `cnsdn-sim netconf` in a child process: N concurrent sessions (setup time, RSS
 *      per session on both sides) and get-config RPCs/s over all of them.
 * Progress on stderr, a table on stdout.
 *
 * Usage: npx tsx bench/netconf.bench.ts [--json FILE] [--sessions 500] [--devices 10] [--seconds 5]
 *   netconfd credentials: $CNSDN_NETCONF_DIR/env (default /tmp/cnsdn-netconf/env); absent → (a) is skipped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { NetconfOpenconfigDriver } from '../src/drivers/netconf-openconfig/index.js';
import { CANDIDATE_PORT, deviceConfig, devicesMissing, independentClient, removeInterfaces } from '../src/drivers/netconf-openconfig/testing.js';
import { NetconfClient } from '../src/protocols/netconf/index.js';
import { procCpuSeconds, procRssMiB } from './gnmi-procs.js';
import { round, summarize } from './stats.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUN_DEADLINE_MS = 4.5 * 60_000;
const IF_NS = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';
const IANA_NS = 'urn:ietf:params:xml:ns:yang:iana-if-type';
const SIM_USER = 'bench';
const SIM_PASSWORD = 'bench-pass';
const CONNECT_BATCH = 50;

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    sessions: { type: 'string', default: '500' },
    devices: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '5' },
    'get-configs': { type: 'string', default: '200' },
    edits: { type: 'string', default: '100' },
  },
});

const started = Date.now();
const progress = (msg: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}\n`);

interface Row {
  metric: string;
  target: string;
  value: string;
  /** Undefined when the metric has no target. */
  met?: boolean;
  data?: unknown;
}

type Summary = ReturnType<typeof summarize>;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function samples(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await timed(() => fn(i)));
  return out;
}

const ms = (s: Summary) => `p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms (n=${s.n})`;

/** netconfd's pid for a device port of scripts/netconf-devices.sh, when it can be read. */
function netconfdPid(port: number): number | undefined {
  const file = join(process.env.CNSDN_NETCONF_DIR ?? '/tmp/cnsdn-netconf', String(port), 'netconfd.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && existsSync(`/proc/${pid}/stat`) ? pid : undefined;
}

/**
 * Latencies of `n` sequential calls plus the CPU they cost per call, in this process (client)
 * and in netconfd: CPU time is what a loaded machine inflates least.
 */
async function cpuSamples(n: number, devicePid: number | undefined, fn: (i: number) => Promise<unknown>): Promise<{ lat: number[]; cpu: string }> {
  const c0 = process.cpuUsage();
  const d0 = devicePid === undefined ? 0 : procCpuSeconds(devicePid);
  const lat = await samples(n, fn);
  const c = process.cpuUsage(c0);
  const clientMs = (c.user + c.system) / 1000 / n;
  // /proc counts CPU in 10 ms ticks: the total shows how precise the per-call figure is.
  const deviceS = devicePid === undefined ? 0 : procCpuSeconds(devicePid) - d0;
  const device = devicePid === undefined ? '' : `, netconfd ${((deviceS * 1000) / n).toFixed(2)} ms (${(deviceS * 1000).toFixed(0)} ms in all)`;
  return { lat, cpu: `CPU/op: client ${clientMs.toFixed(2)} ms${device}` };
}

function latencyRow(metric: string, s: Summary, p50TargetMs?: number): Row {
  return p50TargetMs === undefined
    ? { metric, target: '—', value: ms(s), data: s }
    : { metric, target: `p50 < ${p50TargetMs} ms`, value: ms(s), met: s.p50 < p50TargetMs, data: s };
}

async function netconfdRows(): Promise<Row[]> {
  let missing: string | undefined;
  try {
    missing = await devicesMissing();
  } catch (e) {
    missing = (e as Error).message;
  }
  if (missing) {
    progress(`netconfd: SKIPPED (${missing})`);
    return [{ metric: 'netconfd (candidate device)', target: '—', value: `skipped: ${missing}` }];
  }
  const port = CANDIDATE_PORT;
  const name = `cnsdn-bench${process.pid % 100000}`;
  const rows: Row[] = [];

  progress(`netconfd 127.0.0.1:${port}: session setup ×10`);
  const setup = await samples(10, async () => {
    const c = await independentClient(port);
    await c.close();
  });
  rows.push(latencyRow('netconfd session setup (SSH + hello)', summarize(setup)));

  const pid = netconfdPid(port);
  const withCpu = (row: Row, cpu: string): Row => ({ ...row, value: `${row.value}; ${cpu}` });
  const client = await independentClient(port);
  try {
    const n = Number(args['get-configs']);
    progress(`netconfd: get-config running ×${n} (library)`);
    const gets = await cpuSamples(n, pid, () => client.getConfig('running'));
    rows.push(withCpu(latencyRow('netconfd get-config running (library)', summarize(gets.lat), 30), gets.cpu));

    const edits = Number(args.edits);
    progress(`netconfd: edit-config + commit ×${edits} (library)`);
    const editCommit = await cpuSamples(edits, pid, async (i) => {
      await client.editConfig(
        'candidate',
        `<interfaces xmlns="${IF_NS}"><interface><name>${name}</name><type xmlns:ianaift="${IANA_NS}">ianaift:ethernetCsmacd</type><description>library ${i}</description></interface></interfaces>`,
      );
      await client.commit();
    });
    rows.push(withCpu(latencyRow('netconfd edit-config + commit (library)', summarize(editCommit.lat), 60), editCommit.cpu));

    // The driver as configured by default (YANG check of each edit before sending), then with
    // the check off (CNSDN_YANG_VALIDATE=0), in the same run: the difference is the check's cost.
    const yangSaved = process.env.CNSDN_YANG_VALIDATE;
    for (const [label, yang] of [
      ['netconfd setConfig transaction (driver)', yangSaved],
      ['netconfd setConfig transaction (driver, YANG check off)', '0'],
    ] as const) {
      progress(`netconfd: ${label} ×${edits} (lock, edit-config, commit, unlock)`);
      if (yang === undefined) delete process.env.CNSDN_YANG_VALIDATE;
      else process.env.CNSDN_YANG_VALIDATE = yang;
      const driver = new NetconfOpenconfigDriver(deviceConfig(port));
      await driver.connect();
      try {
        // One transaction first, outside the samples: the YANG models compile once per process.
        await driver.setConfig([[`/interface[${name}]`, { description: 'warm-up' }]]);
        const tx = await cpuSamples(edits, pid, async (i) => {
          const [r] = await driver.setConfig([[`/interface[${name}]`, { description: `driver ${i}` }]]);
          if (r !== true) throw r;
        });
        rows.push(withCpu(latencyRow(label, summarize(tx.lat), 60), tx.cpu));
      } finally {
        await driver.disconnect();
      }
    }
    if (yangSaved === undefined) delete process.env.CNSDN_YANG_VALIDATE;
    else process.env.CNSDN_YANG_VALIDATE = yangSaved;
    const { xml } = await client.getConfig('running', { filter: { subtree: `<interfaces xmlns="${IF_NS}"><interface><name>${name}</name></interface></interfaces>` } });
    if (!xml.includes(`<description>driver ${edits - 1}</description>`)) throw new Error(`netconfd: the last driver edit is not in running: ${xml}`);
  } finally {
    await client.close();
    await removeInterfaces(port, [name]);
  }
  return rows;
}

interface SimChild {
  child: ChildProcess;
  ports: number[];
  fingerprint: string;
  stop(): Promise<number | null>;
}

/** `cnsdn-sim netconf --port 0 --count K`: resolves once every device printed its listening line. */
async function startSimChild(count: number): Promise<SimChild> {
  const child = spawn(process.execPath, [join(REPO, 'bin/cnsdn-sim.js'), 'netconf', '--host', '127.0.0.1', '--port', '0', '--count', String(count), '--user', `${SIM_USER}:${SIM_PASSWORD}`], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  process.on('exit', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if ((await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)])) === false) child.kill('SIGKILL');
    }
    return exited;
  };
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr!.on('data', (b: Buffer) => {
    err += b.toString();
  });
  const lines = () => [...out.matchAll(/ listening on 127\.0\.0\.1:(\d+) \(fingerprint (SHA256:[^)]+)\)/g)];
  const deadline = Date.now() + 60_000;
  while (lines().length < count) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`simulator not ready after ${Date.now() - (deadline - 60_000)} ms: ${out}${err}`);
    }
    await sleep(50);
  }
  const found = lines();
  return { child, ports: found.map((m) => Number(m[1])), fingerprint: found[0][2], stop };
}

async function simRows(): Promise<Row[]> {
  const total = Number(args.sessions);
  const deviceCount = Number(args.devices);
  const seconds = Number(args.seconds);
  progress(`simulator: cnsdn-sim netconf --count ${deviceCount} in a child process`);
  const sim = await startSimChild(deviceCount);
  const clients: NetconfClient[] = [];
  try {
    const pid = sim.child.pid!;
    await sleep(500);
    const serverIdle = procRssMiB(pid);
    const clientIdle = process.memoryUsage().rss / 2 ** 20;

    progress(`simulator: ${total} sessions over ${deviceCount} devices, ${CONNECT_BATCH} connecting at a time`);
    const setupMs: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < total; i += CONNECT_BATCH) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(CONNECT_BATCH, total - i) }, async (_, j) => {
          const s = performance.now();
          const c = await NetconfClient.connect({
            host: '127.0.0.1',
            port: sim.ports[(i + j) % deviceCount],
            username: SIM_USER,
            password: SIM_PASSWORD,
            hostKey: { fingerprint: sim.fingerprint },
            timeoutMs: 30_000,
            rpcTimeoutMs: 30_000,
            keepaliveIntervalMs: 0,
          });
          setupMs.push(performance.now() - s);
          return c;
        }),
      );
      clients.push(...batch);
    }
    const setupTotalS = (performance.now() - t0) / 1000;
    await sleep(500);
    const serverBusy = procRssMiB(pid);
    const clientBusy = process.memoryUsage().rss / 2 ** 20;

    progress(`simulator: get-config running on every session for ${seconds} s`);
    let rpcs = 0;
    const rpcMs: number[] = [];
    const stopAt = performance.now() + seconds * 1000;
    const r0 = performance.now();
    const serverCpu0 = procCpuSeconds(pid);
    const clientCpu0 = process.cpuUsage();
    await Promise.all(
      clients.map(async (c) => {
        while (performance.now() < stopAt) {
          const s = performance.now();
          await c.getConfig('running');
          rpcMs.push(performance.now() - s);
          rpcs++;
        }
      }),
    );
    const elapsedS = (performance.now() - r0) / 1000;
    const rate = rpcs / elapsedS;
    const serverCpuPct = (100 * (procCpuSeconds(pid) - serverCpu0)) / elapsedS;
    const clientCpuUs = process.cpuUsage(clientCpu0);
    const clientCpuPct = (clientCpuUs.user + clientCpuUs.system) / 1e4 / elapsedS;
    const replyBytes = (await clients[0].getConfig('running')).xml.length;

    const kibPerSession = (mib: number) => `${round((mib * 1024) / total, 0)} KiB/session`;
    const setup = summarize(setupMs);
    return [
      {
        metric: `sim: ${total} concurrent sessions, setup (${deviceCount} devices)`,
        target: '—',
        value: `${setupTotalS.toFixed(2)} s for all; per session ${ms(setup)}`,
        data: { totalSeconds: round(setupTotalS, 2), perSession: setup },
      },
      {
        metric: 'sim: server RSS per session',
        target: '—',
        value: `${kibPerSession(serverBusy - serverIdle)} (${serverIdle.toFixed(0)} → ${serverBusy.toFixed(0)} MiB)`,
        data: { idleMiB: round(serverIdle), busyMiB: round(serverBusy), perSessionKiB: round(((serverBusy - serverIdle) * 1024) / total, 1) },
      },
      {
        metric: 'sim: client RSS per session',
        target: '—',
        value: `${kibPerSession(clientBusy - clientIdle)} (${clientIdle.toFixed(0)} → ${clientBusy.toFixed(0)} MiB)`,
        data: { idleMiB: round(clientIdle), busyMiB: round(clientBusy), perSessionKiB: round(((clientBusy - clientIdle) * 1024) / total, 1) },
      },
      {
        metric: `sim: get-config running RPCs/s (${total} sessions, ${replyBytes} B replies)`,
        target: '—',
        value: `${Math.round(rate)} RPCs/s; latency ${ms(summarize(rpcMs))}; CPU server ${Math.round(serverCpuPct)}%, client ${Math.round(clientCpuPct)}%`,
        data: { rpcsPerSecond: Math.round(rate), rpcs, replyBytes, latency: summarize(rpcMs), serverCpuPercent: round(serverCpuPct), clientCpuPercent: round(clientCpuPct) },
      },
    ];
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    const code = await sim.stop();
    progress(`simulator exited with code ${code}`);
  }
}

function table(rows: Row[]): string {
  const header: [string, string, string] = ['metric', 'target', 'value'];
  const cells = rows.map((r): [string, string, string] => [r.metric, r.target, r.met === false ? `${r.value}  MISSED` : r.value]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

async function main(): Promise<number> {
  setTimeout(() => {
    progress(`hard deadline of ${RUN_DEADLINE_MS / 1000} s reached: stopping (the simulator child is killed on exit)`);
    process.exit(2);
  }, RUN_DEADLINE_MS).unref();
  const rows: Row[] = [];
  for (const [part, run] of [
    ['netconfd', netconfdRows],
    ['simulator', simRows],
  ] as const) {
    try {
      rows.push(...(await run()));
    } catch (e) {
      progress(`${part} FAILED: ${(e as Error).stack ?? e}`);
      rows.push({ metric: part, target: 'runs', value: `FAILED: ${(e as Error).message}`, met: false });
    }
  }
  process.stdout.write(`\ncnsdn NETCONF benchmark, node ${process.version}\n\n${table(rows)}\n`);
  const missed = rows.filter((r) => r.met === false).map((r) => r.metric);
  process.stdout.write(missed.length > 0 ? `\ntargets MISSED: ${missed.join('; ')}\n` : '\nevery target met\n');
  if (args.json) {
    const doc = { date: new Date().toISOString(), node: process.version, durationMs: Date.now() - started, rows };
    writeFileSync(args.json, `${JSON.stringify(doc, null, 2)}\n`);
    progress(`results written to ${args.json}`);
  }
  return rows.some((r) => r.value.startsWith('FAILED')) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
