/**
 * The load generator at an offered load (`npx tsx bench/loadgen.bench.ts [--erlang 10,100,500]
 * [--holding 10s] [--duration 30s] [--devices 100] [--kinds l2nm,l3nm,slice-l2,slice-l3]
 * [--validation on|off]`):
 * N simulated gNMI routers (`cnsdn-sim gnmi`, one child process, plaintext) in a ring with a
 * chord from router i to i+10 (average degree 4), two free ports each; the controller in a second
 * child process (bench/children.ts); `runLoad` (what `cnsdn loadgen` runs) in this one. For each
 * offered load it reports accepted/blocked, setup and teardown latency percentiles, the load
 * average and the controller's CPU time (and, with CNSDN_SERVICE_SPANS=1, its spans) as JSON lines.
 *
 * The controller runs with the web tier's per-client rate limit and lag shedding off
 * (CNSDN_RATE_LIMIT=0, CNSDN_SHED_LAG_MS=0): one client sends every request here, and the figures
 * are about service setup, not about the NBI's defences. YANG validation of Sets is as shipped,
 * on in the controller and the routers, unless `--validation off` (CNSDN_YANG_VALIDATE=0 in both).
 */
import { loadavg } from 'node:os';
import { CnsdnClient } from '../src/cli/client.js';
import { durationMs } from '../src/cli/commands/gnmi-options.js';
import { type RequestKind, runLoad } from '../src/cli/loadgen.js';
import { routerRefusesBadSet, runControllerChild, startControllerChild, startRouters } from './children.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};

async function main(): Promise<void> {
  const loads = arg('erlang', '10,100,500').split(',').map(Number);
  const holdingMs = durationMs(arg('holding', '10s'))!;
  const runMs = durationMs(arg('duration', '30s'))!;
  const n = Number(arg('devices', '100'));
  const kinds = arg('kinds', 'l2nm,l3nm,slice-l2,slice-l3').split(',') as RequestKind[];
  const chord = Math.max(2, Math.round(n / 10));
  const validation = arg('validation', 'on');
  if (validation !== 'on' && validation !== 'off') throw new Error('--validation on|off');
  const validate = validation === 'on';

  const sims = await startRouters(n, 'Ethernet1-6', 'r', { validate });
  const ports = sims.ports;
  const controller = await startControllerChild(new URL(import.meta.url).pathname, { validate });
  const url = controller.url;
  console.error(`routers: pid ${sims.pid}; controller: pid ${controller.pid} at ${url}; load generator: pid ${process.pid}`);
  const client = new CnsdnClient({ url, timeoutMs: 120_000 });
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
    if (validate) {
      // The routers' models compiled (their check on) before the load starts, as in the services bench.
      const t1 = Date.now();
      await routerRefusesBadSet(ports[0]!);
      console.error(`router r0 refuses a bad Set after ${Date.now() - t1} ms`);
    }
    for (const erlang of loads) {
      const loadBefore = load();
      await controller.mark();
      const report = await runLoad(client, { erlang, holdingMs, durationMs: runMs, kinds, seed: 1, context: 'admin', prefix: `e${erlang}-` });
      const used = (await controller.mark()) as { cpu_user_ms: number; cpu_system_ms: number; spans?: unknown };
      console.log(
        JSON.stringify({
          bench: `loadgen ${erlang} Erlang on ${n} gNMI routers (YANG validation ${validate ? 'ON, default' : 'OFF'})`,
          load: `${loadBefore} -> ${load()}`,
          kinds,
          arrivals: report.arrivals,
          accepted: report.accepted,
          blocked: report.blocked,
          blocking_ratio: report.blocking_ratio,
          blocked_by: report.blocked_by,
          carried_erlang: report.carried_erlang,
          max_held: report.max_held,
          setup_ms: report.setup_ms,
          teardown_ms: report.teardown_ms,
          teardown_failures: report.teardown_failures,
          controller_cpu_ms: used.cpu_user_ms + used.cpu_system_ms,
          controller_cpu_ms_per_request: Math.round(((used.cpu_user_ms + used.cpu_system_ms) / Math.max(1, report.arrivals)) * 10) / 10,
          ...(used.spans ? { spans: used.spans } : {}),
        }),
      );
    }
  } finally {
    await controller.stop();
    await sims.stop();
  }
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

// Child mode: the controller alone in its process, printing its URL.
if (process.argv.includes('--controller')) await runControllerChild('loadgen-bench');
else await main();
