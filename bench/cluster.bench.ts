/**
 * Replica failover on one machine (`npm run bench:cluster -- [devices] [rounds]`): three
 * `cnsdn serve` processes on PostgreSQL + NATS (127.0.0.1), simulated gNMI routers streaming
 * counters every second. Each round SIGKILLs the replica owning the most devices and measures
 * how long until its devices are owned by the others and streaming again (a sample newer than
 * the kill on the new owner), then starts it again with the same member id and measures until
 * it owns its share again. Prints one JSON object. Lease TTL: CNSDN_CLUSTER_LEASE_TTL_MS (default 5000).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { ClusterView } from '../src/cluster/index.js';
import { startGnmiSim } from '../src/sim/gnmi/run.js';
import { createScratchDb } from './pg.js';

const args = process.argv.slice(2).filter((a) => /^\d+$/.test(a));
const DEVICES = Number(args[0] ?? 30);
const ROUNDS = Number(args[1] ?? 3);
const NATS = process.env.NATS_URL || 'nats://127.0.0.1:4222';
const MEMBERS = ['n1', 'n2', 'n3'];
const BIN = new URL('../bin/cnsdn.js', import.meta.url).pathname;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** GET with retries: a replica under load sheds requests with 503 (the web tier guard). */
async function get<T>(url: string): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (r.ok) return (await r.json()) as T;
    if (r.status !== 503 || attempt >= 40) throw new Error(`${url}: ${r.status}`);
    await sleep(250);
  }
}
async function until<T>(what: string, ms: number, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const db = await createScratchDb();
const stream = `CNSDN_BENCH_${randomBytes(4).toString('hex')}`;
const sim = await startGnmiSim({ port: 0, count: DEVICES, tls: 'insecure', interfaces: ['Ethernet1', 'Ethernet2'], hostnamePrefix: 'g' });
const env = {
  ...process.env,
  DATABASE_URL: db.url,
  NATS_URL: NATS,
  CNSDN_NATS_STREAM: stream,
  CNSDN_NATS_PREFIX: `bench${randomBytes(3).toString('hex')}`,
  CNSDN_AUTH: 'off',
  CNSDN_SOUTHBOUND_ALLOW: '127.0.0.0/8',
  CNSDN_TELEMETRY_INTERVAL_S: '1',
};
const procs = new Map<string, { child: ChildProcess; url: string }>();

function startReplica(id: string): Promise<string> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--log-level', 'warn', '--data', mkdtempSync(join(tmpdir(), `cnsdn-${id}-`))], {
    env: { ...env, CNSDN_MEMBER_ID: id },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        procs.set(id, { child, url: m[1]! });
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`replica ${id} exited (${code}) before it listened`)));
  });
}

const url = (id: string) => procs.get(id)!.url;
const view = (id: string) => get<ClusterView>(`${url(id)}/cluster`);
async function streamingSince(members: string[], devices: Set<string>, since: number): Promise<boolean> {
  const seen = new Set<string>();
  for (const m of members) {
    const { samples } = await get<{ samples: Array<{ ts: number; device_uuid: string }> }>(`${url(m)}/api/telemetry/latest?limit=100000`);
    for (const s of samples) if (s.ts > since && devices.has(s.device_uuid)) seen.add(s.device_uuid);
  }
  return [...devices].every((d) => seen.has(d));
}

const results: Array<Record<string, unknown>> = [];
try {
  await Promise.all(MEMBERS.map(startReplica));
  const rule = (key: string, value: unknown) => ({ action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: value } });
  const devices = sim.targets.map((t) => ({
    device_id: { device_uuid: { uuid: t.name } },
    name: t.name,
    device_type: 'packet-router',
    device_drivers: ['DEVICEDRIVER_GNMI_OPENCONFIG'],
    device_operational_status: 'DEVICEOPERATIONALSTATUS_UNDEFINED',
    device_config: { config_rules: [rule('_connect/address', '127.0.0.1'), rule('_connect/port', String(t.port)), rule('_connect/settings', { use_tls: false })] },
    device_endpoints: [],
  }));
  const r = await fetch(`${url('n1')}/tfs-api/descriptors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ devices }) });
  if (!r.ok) throw new Error(`load: ${r.status} ${await r.text()}`);
  const all = await until('every device owned and streaming', 120_000, async () => {
    const v = await view('n1');
    const leased = new Set(v.leases.map((l) => l.device));
    return v.unowned === 0 && v.devices === DEVICES && (await streamingSince(MEMBERS, leased, Date.now() - 3000)) ? leased : undefined;
  });
  for (let round_ = 1; round_ <= ROUNDS; round_++) {
    const before = await view('n1');
    const victim = Object.entries(before.ownership).sort((a, b) => b[1] - a[1])[0]![0];
    const survivors = MEMBERS.filter((m) => m !== victim);
    const lost = new Set(before.leases.filter((l) => l.valid && l.owner === victim).map((l) => l.device));
    const t0 = Date.now();
    procs.get(victim)!.child.kill('SIGKILL');
    let ownedMs = 0;
    await until('the killed replica\'s devices owned and streaming', 60_000, async () => {
      const v = await view(survivors[0]!);
      const owners = new Map(v.leases.filter((l) => l.valid).map((l) => [l.device, l.owner]));
      if (![...lost].every((d) => survivors.includes(owners.get(d) ?? ''))) return undefined;
      ownedMs ||= Date.now() - t0;
      return (await streamingSince(survivors, lost, t0)) ? true : undefined;
    });
    const streamingMs = Date.now() - t0;
    const t1 = Date.now();
    await startReplica(victim);
    const listening = Date.now() - t1;
    await until('the restarted replica owning its share', 120_000, async () => {
      const v = await view(victim);
      return (v.ownership[victim] ?? 0) > 0 && v.unowned === 0 ? true : undefined;
    });
    results.push({ round: round_, victim, devices_lost: lost.size, owned_again_ms: ownedMs, streaming_again_ms: streamingMs, restart_listening_ms: listening, rejoin_owning_ms: Date.now() - t1 - listening });
  }
  const final = await view('n1');
  console.log(JSON.stringify({ devices: all.size, lease_ttl_ms: final.lease_ttl_ms, rounds: results, ownership: final.ownership }, null, 1));
} finally {
  for (const { child } of procs.values()) child.kill('SIGTERM');
  await sleep(3000);
  for (const { child } of procs.values()) child.kill('SIGKILL');
  await sim.close();
  await db.drop().catch(() => {});
  const nc = await connect({ servers: NATS.replace('nats://', '') });
  await (await jetstreamManager(nc)).streams.delete(stream).catch(() => {});
  await nc.close();
}
