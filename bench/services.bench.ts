/**
 * Service setup end to end (`npx tsx bench/services.bench.ts [cycles] [--in-process] [--poll]
 * [--validation on|off|both]`):
 * three simulated gNMI routers in a chain (plaintext gNMI, `cnsdn-sim gnmi` in a child process)
 * and a controller on 127.0.0.1 in a second child process (bench/children.ts); this process is
 * only the client. Each cycle POSTs an L3NM service from r1 to r3 on the TFS REST API and waits
 * until it is ACTIVE (VRF, subinterfaces with addresses, /30s, static routes on all three
 * routers, as one network-wide transaction), then DELETEs it (DELETE returns once every router
 * is deconfigured). ACTIVE is seen the way a client following the controller's event stream sees
 * it (GET /api/events, then one GET of the service per event); `--poll` polls GET every
 * millisecond instead. `--in-process`: controller and routers in this process (for --cpu-prof).
 * Reports latency percentiles, the controller's CPU per cycle and, with CNSDN_SERVICE_SPANS=1,
 * where the activation's time goes.
 *
 * YANG validation of Sets: the default configuration is measured, controller and routers each
 * checking every Set against the models (as the product ships); by default (`--validation both`)
 * the same run then measures again with it off (CNSDN_YANG_VALIDATE=0 in both), fresh processes,
 * for comparison. Before the measured cycles a Set with a bad value is sent straight to a router
 * until the router refuses it: the routers' models are compiled and their check is on.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CnsdnClient } from '../src/cli/client.js';
import { StatusWatcher } from '../src/cli/loadgen-watch.js';
import { routerRefusesBadSet, runControllerChild, startControllerChild, startRouters } from './children.js';
import { summarize } from './stats.js';

const args = process.argv.slice(2);
const CYCLES = Number(args.find((a) => /^\d+$/.test(a)) ?? 200);
const IN_PROCESS = args.includes('--in-process');
const POLL = args.includes('--poll');
const WARMUP = 10;
const VALIDATION = args[args.indexOf('--validation') + 1] ?? 'both';
if (args.includes('--validation') && !['on', 'off', 'both'].includes(VALIDATION)) throw new Error('--validation on|off|both');
const MODES: boolean[] = !args.includes('--validation') || VALIDATION === 'both' ? [true, false] : [VALIDATION === 'on'];
const ROUTERS = ['r1', 'r2', 'r3'];

const rule = (key: string, value: unknown) => ({ action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: value } });
const ep = (device: string, endpoint: string) => ({ device_id: { device_uuid: { uuid: device } }, endpoint_uuid: { uuid: endpoint } });
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

interface Setup {
  url: string;
  ports: number[];
  /** Controller CPU (ms) and spans since the last mark; the routers' process CPU when it can be read (Linux /proc). */
  mark(): Promise<{ cpuMs: number; spans?: unknown; routersCpuMs?: number }>;
  close(): Promise<void>;
}

async function inProcess(validate: boolean): Promise<Setup> {
  const { startGnmiSim } = await import('../src/sim/gnmi/run.js');
  process.env.CNSDN_YANG_VALIDATE = validate ? '1' : '0';
  const { startController } = await import('../src/app/index.js');
  const { serviceSpans } = await import('../src/service/spans.js');
  process.env.CNSDN_RATE_LIMIT ??= '0';
  process.env.CNSDN_SHED_LAG_MS ??= '0';
  const sim = await startGnmiSim({ port: 0, count: 3, tls: 'insecure', interfaces: ['Ethernet1', 'Ethernet2', 'Ethernet3'], hostnamePrefix: 'r' });
  const c = await startController({ host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'cnsdn-svc-bench-')), logLevel: 'silent', southboundAllow: '127.0.0.0/8' });
  let cpu = process.cpuUsage();
  return {
    url: c.url,
    ports: sim.targets.map((t) => t.port),
    mark: async () => {
      const used = process.cpuUsage(cpu);
      cpu = process.cpuUsage();
      const spans = serviceSpans.enabled ? serviceSpans.summary() : undefined;
      serviceSpans.reset();
      return { cpuMs: (used.user + used.system) / 1000, spans };
    },
    close: async () => {
      await c.close();
      await sim.close();
    },
  };
}

/** CPU time (user + system, ms) of a process so far, from /proc (undefined elsewhere). */
function procCpuMs(pid: number | undefined): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), in clock ticks (100 per second on Linux).
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

async function children(validate: boolean): Promise<Setup> {
  const routers = await startRouters(3, 'Ethernet1,Ethernet2,Ethernet3', 'r', { validate });
  let routersCpu: number | undefined;
  const controller = await startControllerChild(new URL(import.meta.url).pathname, { validate });
  console.error(`routers: pid ${routers.pid}; controller: pid ${controller.pid} at ${controller.url}; client: pid ${process.pid}`);
  return {
    url: controller.url,
    ports: routers.ports,
    mark: async () => {
      const m = (await controller.mark()) as { cpu_user_ms: number; cpu_system_ms: number; spans?: unknown; from: string };
      const now = procCpuMs(routers.pid);
      const routersCpuMs = now !== undefined && routersCpu !== undefined ? now - routersCpu : undefined;
      routersCpu = now;
      return { cpuMs: m.cpu_user_ms + m.cpu_system_ms, spans: m.spans, from: m.from, routersCpuMs };
    },
    close: async () => {
      await controller.stop();
      await routers.stop();
    },
  };
}

async function main(): Promise<void> {
  for (const validate of MODES) await measure(validate);
}

async function measure(validate: boolean): Promise<void> {
  const loadBefore = load();
  const sim = IN_PROCESS ? await inProcess(validate) : await children(validate);
  const call = async (method: string, path: string, body?: unknown) => {
    // Uncompressed responses: reading the status should cost the controller as little as possible.
    const headers: Record<string, string> = { 'accept-encoding': 'identity', ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    const res = await fetch(`${sim.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  await call('POST', '/tfs-api/descriptors', {
    contexts: [{ context_id: { context_uuid: { uuid: 'admin' } } }],
    topologies: [{ topology_id: { context_id: { context_uuid: { uuid: 'admin' } }, topology_uuid: { uuid: 'admin' } } }],
    devices: ROUTERS.map((name, i) => ({
      device_id: { device_uuid: { uuid: name } },
      device_type: 'packet-router',
      device_drivers: ['DEVICEDRIVER_GNMI_OPENCONFIG'],
      device_config: { config_rules: [rule('_connect/address', '127.0.0.1'), rule('_connect/port', String(sim.ports[i])), rule('_connect/settings', { use_tls: false })] },
    })),
    links: [
      { link_id: { link_uuid: { uuid: 'r1-r2' } }, link_endpoint_ids: [ep('r1', 'Ethernet2'), ep('r2', 'Ethernet1')] },
      { link_id: { link_uuid: { uuid: 'r2-r3' } }, link_endpoint_ids: [ep('r2', 'Ethernet3'), ep('r3', 'Ethernet2')] },
    ],
  });
  const deadline = Date.now() + 15_000;
  for (;;) {
    const devices = (await call('GET', '/tfs-api/devices')).devices as Array<{ device_operational_status: string }>;
    if (devices.every((d) => d.device_operational_status === 'DEVICEOPERATIONALSTATUS_ENABLED')) break;
    if (Date.now() > deadline) throw new Error('routers not ENABLED within 15 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  const watcher = POLL ? undefined : await StatusWatcher.open(new CnsdnClient({ url: sim.url, timeoutMs: 10_000 }), 'admin');
  const pollUntilActive = async () => {
    const until = Date.now() + 5000;
    for (;;) {
      const s = await call('GET', '/tfs-api/context/admin/service/bench-l3');
      if ((s.service_status as { service_status: string }).service_status === 'SERVICESTATUS_ACTIVE') return;
      if ((s.service_config as { config_rules: Array<{ custom?: { resource_key: string } }> }).config_rules.some((r) => r.custom?.resource_key === '/cnsdn/failure')) throw new Error(`activation failed: ${JSON.stringify(s)}`);
      if (Date.now() > until) throw new Error('not ACTIVE within 5 s');
      await new Promise((r) => setTimeout(r, 1));
    }
  };

  const service = {
    service_id: { context_id: { context_uuid: { uuid: 'admin' } }, service_uuid: { uuid: 'bench-l3' } },
    service_type: 'SERVICETYPE_L3NM',
    service_status: { service_status: 'SERVICESTATUS_PLANNED' },
    service_endpoint_ids: [ep('r1', 'Ethernet1'), ep('r3', 'Ethernet1')],
    service_config: {
      // Interface addresses written into the simulated routers' datastores (data, never dialled):
      // the controller child runs with CNSDN_SOUTHBOUND_ALLOW=127.0.0.0/8 and the routers listen on 127.0.0.1.
      config_rules: [
        rule('/device[r1]/endpoint[Ethernet1]/settings', { address_ip: '172.16.1.1', address_prefix: 24 }),
        rule('/device[r3]/endpoint[Ethernet1]/settings', { address_ip: '172.16.2.1', address_prefix: 24 }),
      ],
    },
  };
  if (validate) {
    const t = performance.now();
    const refusal = await routerRefusesBadSet(sim.ports[0]!);
    console.error(`router r1 refuses a bad Set after ${Math.round(performance.now() - t)} ms (its models compiled): ${refusal.slice(0, 160)}`);
  }
  const setup: number[] = [];
  const teardown: number[] = [];
  const post: number[] = [];
  for (let i = 0; i < CYCLES + WARMUP; i++) {
    if (i === WARMUP) await sim.mark();
    const t0 = performance.now();
    await call('POST', '/tfs-api/context/admin/services', service);
    const tPost = performance.now();
    if (watcher) await watcher.untilActive('bench-l3', 5000);
    else await pollUntilActive();
    const t1 = performance.now();
    await call('DELETE', '/tfs-api/context/admin/service/bench-l3');
    const t2 = performance.now();
    if (i >= WARMUP) {
      post.push(tPost - t0);
      setup.push(t1 - t0);
      teardown.push(t2 - t1);
    }
  }
  const measured = await sim.mark();
  await watcher?.close();
  const where = `${IN_PROCESS ? 'controller and routers in-process' : 'controller and routers in child processes'}, ACTIVE seen by ${POLL ? 'GET every ms' : 'the event stream'}; YANG validation ${validate ? 'ON (default)' : 'OFF'}`;
  const loadAfter = load();
  console.log(JSON.stringify({ bench: `service setup, NBI POST -> ACTIVE (L3NM over 3 gNMI routers; ${where})`, unit: 'ms', ...summarize(setup), load: `${loadBefore} -> ${loadAfter}` }));
  const v = validate ? 'validation ON' : 'validation OFF';
  console.log(JSON.stringify({ bench: `service teardown, NBI DELETE -> every router deconfigured (${v})`, unit: 'ms', ...summarize(teardown) }));
  console.log(JSON.stringify({ bench: `of which: the POST answered (${v})`, unit: 'ms', ...summarize(post) }));
  console.log(JSON.stringify({ bench: `controller CPU per cycle (setup + teardown${IN_PROCESS ? ', client and routers included' : ''}; ${v})`, unit: 'ms', value: Math.round((measured.cpuMs / CYCLES) * 100) / 100 }));
  if (measured.routersCpuMs !== undefined) console.log(JSON.stringify({ bench: `routers' CPU per cycle (one process, 3 routers; ${v})`, unit: 'ms', value: Math.round((measured.routersCpuMs / CYCLES) * 100) / 100 }));
  if (measured.spans) console.log(JSON.stringify({ bench: `controller spans (CNSDN_SERVICE_SPANS=1; ${v})`, unit: 'ms', spans: measured.spans }));
  await sim.close();
}

if (process.argv.includes('--controller')) await runControllerChild('svc-bench');
else await main();
