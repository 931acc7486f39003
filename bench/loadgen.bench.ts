/**
 * The load generator at an offered load (`npx tsx bench/loadgen.bench.ts [--erlang 10,100,500]
 * [--holding 10s] [--duration 60s] [--devices 100] [--kinds l2nm,l3nm,slice-l2,slice-l3]`):
 * N simulated gNMI routers (`cnsdn-sim gnmi`, one child process, plaintext) in a ring with a
 * chord from router i to i+10 (average degree 4), two free ports each; the controller in a second
 * child process; `runLoad` (what `cnsdn loadgen` runs) in this one. For each offered load it
 * reports accepted/blocked, setup and teardown latency percentiles as JSON lines.
 *
 * The controller runs with the web tier's per-client rate limit and lag shedding off
 * (CNSDN_RATE_LIMIT=0, CNSDN_SHED_LAG_MS=0): one client sends every request here, and the figures
 * are about service setup, not about the NBI's defences.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CnsdnClient } from '../src/cli/client.js';
import { durationMs } from '../src/cli/commands/gnmi-options.js';
import { type RequestKind, runLoad } from '../src/cli/loadgen.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};

function waitLine(child: ChildProcess, pattern: RegExp, count: number, what: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const found: string[] = [];
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start within 60 s`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      for (const m of out.matchAll(new RegExp(pattern, 'g'))) if (!found.includes(m[1]!)) found.push(m[1]!);
      if (found.length >= count) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}`));
    });
  });
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

async function main(): Promise<void> {
  const loads = arg('erlang', '10,100,500').split(',').map(Number);
  const holdingMs = durationMs(arg('holding', '10s'))!;
  const runMs = durationMs(arg('duration', '60s'))!;
  const n = Number(arg('devices', '100'));
  const kinds = arg('kinds', 'l2nm,l3nm,slice-l2,slice-l3').split(',') as RequestKind[];
  const chord = Math.max(2, Math.round(n / 10));

  const simBin = new URL('../bin/cnsdn-sim.js', import.meta.url).pathname;
  const sims = spawn(process.execPath, [simBin, 'gnmi', '--port', '0', '--count', String(n), '--insecure', '--interfaces', 'Ethernet1-6', '--hostname-prefix', 'r'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ports = (await waitLine(sims, /listening on 127\.0\.0\.1:(\d+)/, n, 'cnsdn-sim gnmi')).map(Number);
  // CNSDN_BENCH_CPU_PROF=DIR: the controller writes a V8 CPU profile there when it stops.
  const prof = process.env.CNSDN_BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.CNSDN_BENCH_CPU_PROF] : [];
  const controller = spawn(process.execPath, [...prof, '--import', 'tsx', new URL(import.meta.url).pathname, '--controller'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, CNSDN_RATE_LIMIT: '0', CNSDN_SHED_LAG_MS: '0', CNSDN_TELEMETRY_INTERVAL_S: '0' },
  });
  const [url] = await waitLine(controller, /controller (http:\/\/\S+)/, 1, 'controller');
  console.error(`routers: pids ${sims.pid}; controller: pid ${controller.pid} at ${url}; load generator: pid ${process.pid}`);
  const client = new CnsdnClient({ url: url!, timeoutMs: 120_000 });
  try {
    const rule = (key: string, value: unknown) => ({ action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: value } });
    const ep = (d: number, e: number) => ({ device_id: { device_uuid: { uuid: `r${d}` } }, endpoint_uuid: { uuid: `Ethernet${e}` } });
    const links = [];
    for (let i = 0; i < n; i++) {
      links.push({ link_id: { link_uuid: { uuid: `ring-${i}` } }, link_endpoint_ids: [ep(i, 1), ep((i + 1) % n, 2)] });
      links.push({ link_id: { link_uuid: { uuid: `chord-${i}` } }, link_endpoint_ids: [ep(i, 3), ep((i + chord) % n, 4)] });
    }
    await client.loadDescriptors({
      contexts: [{ context_id: { context_uuid: { uuid: 'admin' } } }],
      topologies: [{ topology_id: { context_id: { context_uuid: { uuid: 'admin' } }, topology_uuid: { uuid: 'admin' } } }],
      devices: ports.map((port, i) => ({
        device_id: { device_uuid: { uuid: `r${i}` } },
        device_type: 'packet-router',
        device_drivers: ['DEVICEDRIVER_GNMI_OPENCONFIG'],
        device_config: { config_rules: [rule('_connect/address', '127.0.0.1'), rule('_connect/port', String(port)), rule('_connect/settings', { use_tls: false })] },
      })),
      links,
    });
    const t0 = Date.now();
    for (;;) {
      const devices = await client.listDevices();
      const up = devices.filter((d) => d.device_operational_status === 'DEVICEOPERATIONALSTATUS_ENABLED').length;
      if (up === n) break;
      if (Date.now() - t0 > 120_000) throw new Error(`${up}/${n} routers ENABLED after 120 s`);
      await new Promise((r) => setTimeout(r, 500));
    }
    console.error(`${n} routers ENABLED in ${Date.now() - t0} ms`);
    for (const erlang of loads) {
      const report = await runLoad(client, { erlang, holdingMs, durationMs: runMs, kinds, seed: 1, context: 'admin', prefix: `e${erlang}-` });
      console.log(
        JSON.stringify({
          bench: `loadgen ${erlang} Erlang on ${n} gNMI routers`,
          kinds,
          arrivals: report.arrivals,
          accepted: report.accepted,
          blocked: report.blocked,
          blocked_by: report.blocked_by,
          carried_erlang: report.carried_erlang,
          max_held: report.max_held,
          setup_ms: report.setup_ms,
          teardown_ms: report.teardown_ms,
          teardown_failures: report.teardown_failures,
        }),
      );
    }
  } finally {
    await stop(controller);
    await stop(sims);
  }
}

// Child mode: the controller alone in its process, printing its URL.
if (process.argv.includes('--controller')) {
  const { startController } = await import('../src/app/index.js');
  const { serviceSpans } = await import('../src/service/spans.js');
  const c = await startController({ host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'cnsdn-loadgen-bench-')), logLevel: 'silent', southboundAllow: '127.0.0.0/8' });
  process.stdout.write(`controller ${c.url}\n`);
  process.on('SIGTERM', () => {
    const cpu = process.cpuUsage();
    process.stderr.write(`${JSON.stringify({ bench: 'controller process CPU', user_ms: Math.round(cpu.user / 1000), system_ms: Math.round(cpu.system / 1000) })}\n`);
    if (serviceSpans.enabled) process.stderr.write(`${JSON.stringify({ bench: 'controller spans (CNSDN_SERVICE_SPANS=1)', unit: 'ms', spans: serviceSpans.summary() })}\n`);
    void c.close().then(() => process.exit(0));
  });
} else {
  await main();
}
