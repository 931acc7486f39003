/**
 * Service setup end to end (`npx tsx bench/services.bench.ts [cycles] [--in-process]`): a
 * controller on 127.0.0.1 with three simulated gNMI routers in a chain (plaintext gNMI; in a
 * child process `cnsdn-sim gnmi` by default, so the routers do not share the controller's
 * event loop; `--in-process` runs them in the bench's own process). Each
 * cycle POSTs an L3NM service from r1 to r3 on the TFS REST API and polls GET until it is
 * ACTIVE every millisecond (VRF, subinterfaces with addresses, /30s, static routes on all three routers, as one
 * network-wide transaction), then DELETEs it (DELETE returns once every router is deconfigured).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startController } from '../src/app/index.js';
import { serviceSpans } from '../src/service/spans.js';
import { startGnmiSim } from '../src/sim/gnmi/run.js';
import { summarize } from './stats.js';

const args = process.argv.slice(2);
const CYCLES = Number(args.find((a) => /^\d+$/.test(a)) ?? 200);
const IN_PROCESS = args.includes('--in-process');
const WARMUP = 10;
const ROUTERS = ['r1', 'r2', 'r3'];

const rule = (key: string, value: unknown) => ({ action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: value } });
const ep = (device: string, endpoint: string) => ({ device_id: { device_uuid: { uuid: device } }, endpoint_uuid: { uuid: endpoint } });

interface Routers {
  ports: number[];
  close(): Promise<void>;
}

async function inProcess(): Promise<Routers> {
  const sim = await startGnmiSim({ port: 0, count: 3, tls: 'insecure', interfaces: ['Ethernet1', 'Ethernet2', 'Ethernet3'], hostnamePrefix: 'r' });
  return { ports: sim.targets.map((t) => t.port), close: () => sim.close() };
}

function childProcess(): Promise<Routers> {
  const bin = new URL('../bin/cnsdn-sim.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [bin, 'gnmi', '--port', '0', '--count', '3', '--insecure', '--interfaces', 'Ethernet1,Ethernet2,Ethernet3', '--hostname-prefix', 'r'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const close = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void close();
      reject(new Error('cnsdn-sim gnmi did not start within 15 s'));
    }, 15_000);
    const ports: number[] = [];
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      for (const m of out.matchAll(/listening on 127\.0\.0\.1:(\d+)/g)) if (!ports.includes(Number(m[1]))) ports.push(Number(m[1]));
      if (ports.length === 3) {
        clearTimeout(timer);
        resolve({ ports, close });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cnsdn-sim gnmi exited with ${code}`));
    });
  });
}

async function main(): Promise<void> {
  // One client polls as fast as it can: the web tier's per-client rate limit and lag shedding are not what is measured.
  process.env.CNSDN_RATE_LIMIT ??= '0';
  process.env.CNSDN_SHED_LAG_MS ??= '0';
  const sim = IN_PROCESS ? await inProcess() : await childProcess();
  const c = await startController({ host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'cnsdn-svc-bench-')), logLevel: 'silent', southboundAllow: '127.0.0.0/8' });
  const call = async (method: string, path: string, body?: unknown) => {
    // Uncompressed responses: the status polls should cost the controller as little as possible.
    const headers: Record<string, string> = { 'accept-encoding': 'identity', ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    const res = await fetch(`${c.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
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

  const service = {
    service_id: { context_id: { context_uuid: { uuid: 'admin' } }, service_uuid: { uuid: 'bench-l3' } },
    service_type: 'SERVICETYPE_L3NM',
    service_status: { service_status: 'SERVICESTATUS_PLANNED' },
    service_endpoint_ids: [ep('r1', 'Ethernet1'), ep('r3', 'Ethernet1')],
    service_config: {
      config_rules: [
        rule('/device[r1]/endpoint[Ethernet1]/settings', { address_ip: '172.16.1.1', address_prefix: 24 }),
        rule('/device[r3]/endpoint[Ethernet1]/settings', { address_ip: '172.16.2.1', address_prefix: 24 }),
      ],
    },
  };
  const setup: number[] = [];
  const teardown: number[] = [];
  const post: number[] = [];
  const polls: number[] = [];
  for (let i = 0; i < CYCLES + WARMUP; i++) {
    const t0 = performance.now();
    if (i === WARMUP) serviceSpans.reset();
    await call('POST', '/tfs-api/context/admin/services', service);
    const tPost = performance.now();
    let n = 0;
    const until = Date.now() + 5000;
    for (;;) {
      n++;
      const s = await call('GET', '/tfs-api/context/admin/service/bench-l3');
      const status = (s.service_status as { service_status: string }).service_status;
      if (status === 'SERVICESTATUS_ACTIVE') break;
      if ((s.service_config as { config_rules: Array<{ custom?: { resource_key: string } }> }).config_rules.some((r) => r.custom?.resource_key === '/cnsdn/failure')) throw new Error(`activation failed: ${JSON.stringify(s)}`);
      if (Date.now() > until) throw new Error('not ACTIVE within 5 s');
      await new Promise((r) => setTimeout(r, 1));
    }
    const t1 = performance.now();
    await call('DELETE', '/tfs-api/context/admin/service/bench-l3');
    const t2 = performance.now();
    if (i >= WARMUP) {
      post.push(tPost - t0);
      polls.push(n);
      setup.push(t1 - t0);
      teardown.push(t2 - t1);
    }
  }
  const where = IN_PROCESS ? 'in-process' : 'child process';
  console.log(JSON.stringify({ bench: `service setup, NBI POST -> ACTIVE (L3NM over 3 gNMI routers, ${where})`, unit: 'ms', ...summarize(setup) }));
  console.log(JSON.stringify({ bench: 'service teardown, NBI DELETE -> every router deconfigured', unit: 'ms', ...summarize(teardown) }));
  console.log(JSON.stringify({ bench: 'of which: the POST answered', unit: 'ms', ...summarize(post) }));
  console.log(JSON.stringify({ bench: 'GET polls per setup', ...summarize(polls) }));
  if (serviceSpans.enabled) console.log(JSON.stringify({ bench: 'controller spans (CNSDN_SERVICE_SPANS=1)', unit: 'ms', spans: serviceSpans.summary() }));
  const cpu = process.cpuUsage();
  console.log(JSON.stringify({ bench: 'CPU of this process (controller + client)', user_ms: Math.round(cpu.user / 1000), system_ms: Math.round(cpu.system / 1000) }));
  await c.close();
  await sim.close();
}

await main();
