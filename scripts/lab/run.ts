/**
 * The lab driver. Runs inside the cnl-ctl namespace (scripts/lab/cluster.ts sets the network up
 * and calls it): starts PostgreSQL, NATS ×3, controller replicas ×3, haproxy and simulated gNMI
 * devices in their namespaces, then runs each failure scenario while a client writes through
 * haproxy, and prints the figures (one JSON object per scenario with --json).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Load, logIn, writeOutageMs } from './load.js';
import { Procs, sleep, waitFor } from './procs.js';
import {
  natsUrl,
  PG_BIN,
  startAutoFailover,
  startHaproxy,
  startNats,
  startSinglePostgres,
  stopSinglePostgres,
  streamLeader,
  streamReplicas,
  waitJetStream,
} from './services.js';
import { addr, heal, linkDown, linkUp, NODES, type Node, ns, partition } from './topology.js';

export const SCENARIOS = ['kill-replica', 'link-down', 'nats-leader', 'partition-heal', 'pg-failover'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface ScenarioFigures {
  scenario: Scenario;
  requests_total: number;
  requests_failed: number;
  failed_pct: number;
  acked_writes: number;
  acked_writes_lost: number;
  events_expected: number;
  events_lost: number;
  events_duplicated: number;
  /** Seconds from the failure (or the heal) until every device is owned by a live replica and streams again; null: not within the bound. */
  devices_recovered_s: number | null;
  /** Longest time without an acknowledged write. */
  write_outage_s: number;
  session: 'session' | 'token';
  session_survived: boolean;
  ownership: 'leases' | 'n/a';
  /** Replicas that exited by themselves during the scenario (restarted before the next one). */
  replicas_crashed: Node[];
  /** Failed requests by HTTP status (0: no answer within the client's timeout) and when they started, in s from the failure (at most 20). */
  failed_by_status: Record<string, number>;
  failed_at_s: number[];
  /** One-minute load average of the machine at the failure and at the end of the scenario. */
  load_avg: [number, number];
  note?: string;
  targets_missed: string[];
}

const ROOT = '/tmp/cnsdn-lab';
const REPO = new URL('../..', import.meta.url).pathname;
const DEVICES = 9;
const STREAM = 'CNSDN_EVENTS';
const RECOVERY_BOUND_MS = 60_000;

const json = process.argv.includes('--json');
/** --strict: exit 4 when a scenario misses a target or a replica crashed (the CI gate). */
const strict = process.argv.includes('--strict');
const only = process.argv.find((a) => a.startsWith('--scenarios='))?.slice('--scenarios='.length).split(',');
const chosen = SCENARIOS.filter((s) => !only || only.includes(s));
const say = (msg: string) => process.stderr.write(`[lab ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

const secrets = {
  token: randomBytes(24).toString('hex'),
  password: randomBytes(18).toString('base64url'),
  sessionKeys: randomBytes(32).toString('base64'),
};

rmSync(ROOT, { recursive: true, force: true });
mkdirSync(join(ROOT, 'logs'), { recursive: true });
const procs = new Procs(join(ROOT, 'logs'));
let currentDatabaseUrl = '';
const replicaUrl = (n: Node) => `http://${addr(n)}:8080`;
const auth = { authorization: `Bearer ${secrets.token}` };

async function getJson<T>(url: string, timeoutMs = 2000): Promise<T | undefined> {
  try {
    const res = await fetch(url, { headers: auth, signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    return (await res.json()) as T;
  } catch {
    return undefined;
  }
}

function startReplica(n: Node, databaseUrl: string): void {
  currentDatabaseUrl = databaseUrl;
  procs.start(`cnsdn-${n}`, n, [process.execPath, 'bin/cnsdn.js', 'serve', '--host', addr(n), '--port', '8080', '--data', join(ROOT, `data-${n}`), '--log-level', 'warn'], {
    cwd: REPO,
    env: {
      DATABASE_URL: databaseUrl,
      NATS_URL: natsUrl(),
      CNSDN_NATS_REPLICAS: '3',
      CNSDN_MEMBER_ID: n,
      CNSDN_ADVERTISE_URL: replicaUrl(n),
      CNSDN_SOUTHBOUND_ALLOW: `${addr('dev')}/32`,
      CNSDN_TELEMETRY_INTERVAL_S: '1',
      CNSDN_ADMIN_TOKEN: secrets.token,
      CNSDN_ADMIN_USER: 'admin',
      CNSDN_ADMIN_PASSWORD: secrets.password,
      CNSDN_SESSION_KEYS: secrets.sessionKeys,
      // Every client arrives from haproxy's one address: per-address budgets off; shed only on a stuck loop.
      CNSDN_RATE_LIMIT: '0',
      CNSDN_RATE_LIMIT_TRUSTED: '0',
      CNSDN_SHED_LAG_MS: '2000',
      CNSDN_SHED_LAG_TRUSTED_MS: '4000',
    },
  });
}

async function replicaReady(n: Node): Promise<boolean> {
  try {
    return (await fetch(`${replicaUrl(n)}/readyz`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

async function startReplicas(databaseUrl: string): Promise<void> {
  // The first one alone: replicas starting together on an empty database race to create the first admin.
  startReplica(NODES[0], databaseUrl);
  await waitFor(`replica ${NODES[0]} ready`, () => replicaReady(NODES[0]), 240_000, 500);
  for (const n of NODES.slice(1)) startReplica(n, databaseUrl);
  for (const n of NODES) await waitFor(`replica ${n} ready`, () => replicaReady(n), 240_000, 500);
}

async function stopReplicas(): Promise<void> {
  await Promise.all(NODES.map((n) => procs.kill(`cnsdn-${n}`, 'SIGTERM', 15_000)));
}

function deviceDescriptor() {
  const rule = (key: string, value: unknown) => ({ action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: value } });
  return {
    devices: Array.from({ length: DEVICES }, (_, i) => ({
      device_id: { device_uuid: { uuid: `lab-r${i + 1}` } },
      device_type: 'packet-router',
      device_drivers: ['DEVICEDRIVER_GNMI_OPENCONFIG'],
      device_config: {
        config_rules: [rule('_connect/address', addr('dev')), rule('_connect/port', String(57400 + i)), rule('_connect/settings', { use_tls: false })],
      },
    })),
  };
}

async function loadDevices(base: string): Promise<void> {
  await waitFor('haproxy', async () => (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2000) })).ok, 30_000, 500);
  const res = await fetch(`${base}/tfs-api/devices`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(deviceDescriptor()) });
  if (!res.ok) throw new Error(`loading devices: ${res.status} ${await res.text()}`);
}

interface ClusterView {
  unowned: number;
  devices: number;
  members: { id: string; alive: boolean }[];
  leases: { device: string; owner: string | null; valid: boolean }[];
}

/** Whether every device is owned by one of `alive` (when the controller has leases) and has sent a sample after `since`. */
async function devicesHealthy(since: number, alive: Node[]): Promise<{ ok: boolean; ownership: 'leases' | 'n/a' }> {
  let ownership: 'leases' | 'n/a' = 'n/a';
  const views = await Promise.all(alive.map((n) => getJson<ClusterView>(`${replicaUrl(n)}/cluster`)));
  const view = views.find((v) => v !== undefined);
  if (view) {
    ownership = 'leases';
    const owners = new Set<string>(alive);
    if (view.unowned !== 0 || view.leases.length < DEVICES || !view.leases.every((l) => l.valid && l.owner !== null && owners.has(l.owner))) return { ok: false, ownership };
  }
  const latest = await Promise.all(alive.map((n) => getJson<{ samples: { device_uuid: string; device: string; ts: number }[] }>(`${replicaUrl(n)}/api/telemetry/latest`)));
  const newest = new Map<string, number>();
  for (const r of latest) for (const s of r?.samples ?? []) newest.set(s.device, Math.max(newest.get(s.device) ?? 0, s.ts));
  let streaming = 0;
  for (let i = 1; i <= DEVICES; i++) if ((newest.get(`lab-r${i}`) ?? 0) > since) streaming++;
  return { ok: streaming === DEVICES, ownership };
}

async function recoverySeconds(since: number, alive: Node[]): Promise<{ seconds: number | null; ownership: 'leases' | 'n/a' }> {
  let ownership: 'leases' | 'n/a' = 'n/a';
  const deadline = since + RECOVERY_BOUND_MS;
  while (Date.now() < deadline) {
    const h = await devicesHealthy(since, alive);
    ownership = h.ownership;
    if (h.ok) return { seconds: (Date.now() - since) / 1000, ownership };
    await sleep(250);
  }
  return { seconds: null, ownership };
}

async function waitAllHealthy(what: string): Promise<void> {
  for (const n of NODES) await waitFor(`${what}: replica ${n} ready`, () => replicaReady(n), 240_000, 500);
  const since = Date.now();
  await waitFor(`${what}: every device owned and streaming`, async () => (await devicesHealthy(since, [...NODES])).ok, 90_000, 500);
}

/** Context uuids stored in the database (psql with the replicas' URL: libpq takes the same multi-host form). */
function contextUuidsInDatabase(url: string): Set<string> {
  const r = spawnSync(`${PG_BIN}/psql`, [url, '-At', '-c', "SELECT uuid FROM entity WHERE kind = 'context'"], { encoding: 'utf8', timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`psql: ${r.stderr || r.error?.message}`);
  return new Set(r.stdout.split('\n').filter(Boolean));
}

async function measure(
  scenario: Scenario,
  load: Load,
  base: string,
  creds: { via: 'session' | 'token' },
  run: () => Promise<{ recoveredFrom: number; alive: Node[]; restore: () => Promise<void>; note?: string }>,
): Promise<ScenarioFigures> {
  const from = Date.now();
  const w0 = load.writes.length;
  const c0 = load.checks.length;
  await sleep(3000);
  const { recoveredFrom, alive, restore, note } = await run();
  const loadAtFailure = loadavg()[0];
  const { seconds, ownership } = await recoverySeconds(recoveredFrom, alive);
  say(`${scenario}: devices ${seconds === null ? `not recovered within ${RECOVERY_BOUND_MS / 1000} s` : `recovered in ${seconds.toFixed(1)} s`}`);
  await sleep(2000);
  // Replicas that died by themselves (not the one a scenario killed): a finding; restart them.
  const crashed = alive.filter((n) => !procs.running(`cnsdn-${n}`));
  for (const n of crashed) {
    say(`${scenario}: replica ${n} exited by itself (${procs.get(`cnsdn-${n}`)?.child.exitCode}); see ${ROOT}/logs/cnsdn-${n}.log`);
    startReplica(n, currentDatabaseUrl);
  }
  await restore();
  await waitAllHealthy(`${scenario} restored`);
  await sleep(2000);
  const to = Date.now();
  const writes = load.writes.slice(w0).filter((w) => w.end <= to);
  const checks = load.checks.slice(c0).filter((c) => c.at <= to);
  const acked = writes.filter((w) => w.ok);
  // Read back through haproxy; retried while readiness flaps after a NATS re-election.
  // Read back from the database itself (the ground truth), retried while it fails over.
  const stored = await waitFor('reading the contexts back', async () => contextUuidsInDatabase(currentDatabaseUrl), 60_000, 1000);
  const lost = acked.filter((w) => !stored.has(w.uuid));
  // Events of the acknowledged writes: wait (bounded) for stragglers before counting losses.
  await waitFor('events of acknowledged writes', async () => acked.every((w) => load.eventsByUuid.has(w.uuid)), 20_000, 500).catch(() => undefined);
  const eventsLost = acked.filter((w) => !load.eventsByUuid.has(w.uuid)).length;
  const eventsDuplicated = acked.filter((w) => (load.eventsByUuid.get(w.uuid) ?? 0) > 1).length;
  const failures = [...writes.filter((w) => !w.ok).map((w) => ({ at: w.start, status: w.status })), ...checks.filter((c) => !c.ok)];
  const failed = failures.length;
  const failedByStatus: Record<string, number> = {};
  for (const f of failures) failedByStatus[String(f.status)] = (failedByStatus[String(f.status)] ?? 0) + 1;
  const failedAt = failures
    .map((f) => Math.round((f.at - recoveredFrom) / 100) / 10)
    .sort((a, b) => a - b)
    .slice(0, 20);
  const total = writes.length + checks.length;
  const figures = {
    scenario,
    requests_total: total,
    requests_failed: failed,
    failed_pct: total === 0 ? 0 : Math.round((failed / total) * 10_000) / 100,
    acked_writes: acked.length,
    acked_writes_lost: lost.length,
    events_expected: acked.length,
    events_lost: eventsLost,
    events_duplicated: eventsDuplicated,
    devices_recovered_s: seconds === null ? null : Math.round(seconds * 10) / 10,
    write_outage_s: Math.round(writeOutageMs(load.writes, from, to) / 100) / 10,
    session: creds.via,
    session_survived: checks.length > 0 && checks.every((c) => c.ok || c.status !== 401),
    ownership,
    replicas_crashed: crashed,
    failed_by_status: failedByStatus,
    failed_at_s: failedAt,
    load_avg: [Math.round(loadAtFailure * 10) / 10, Math.round(loadavg()[0] * 10) / 10] as [number, number],
    ...(note ? { note } : {}),
  };
  return { ...figures, targets_missed: missedTargets(figures) };
}

/** The issue's targets this scenario's figures miss. */
export function missedTargets(f: Omit<ScenarioFigures, 'targets_missed'>): string[] {
  const out: string[] = [];
  if (f.acked_writes_lost !== 0) out.push('0 acknowledged writes lost');
  if (f.events_lost !== 0) out.push('0 events lost');
  if (!f.session_survived) out.push('UI session survives');
  if (f.scenario === 'kill-replica') {
    if (f.failed_pct > 0.1) out.push('≤ 0.1 % failed requests');
    if (f.devices_recovered_s === null || f.devices_recovered_s >= 10) out.push('devices streaming again < 10 s');
  }
  if (f.scenario === 'nats-leader' && f.write_outage_s > 8) out.push('NATS leader loss outage ≤ 8 s');
  if (f.scenario === 'pg-failover' && f.write_outage_s > 20) out.push('PostgreSQL failover ≤ 20 s');
  return out;
}

async function scenarioRun(s: Scenario, databaseUrl: () => string): Promise<{ recoveredFrom: number; alive: Node[]; restore: () => Promise<void>; note?: string }> {
  const others = (n: Node) => NODES.filter((o) => o !== n);
  switch (s) {
    case 'kill-replica': {
      await procs.kill('cnsdn-n1', 'SIGKILL');
      return { recoveredFrom: Date.now(), alive: others('n1'), restore: async () => startReplica('n1', databaseUrl()) };
    }
    case 'link-down': {
      linkDown('n1');
      return { recoveredFrom: Date.now(), alive: others('n1'), restore: async () => linkUp('n1') };
    }
    case 'nats-leader': {
      const leader = (await streamLeader(STREAM)) ?? 'n1';
      const replicas = await streamReplicas(STREAM);
      await procs.kill(`nats-${leader}`, 'SIGKILL');
      return {
        recoveredFrom: Date.now(),
        alive: [...NODES],
        restore: async () => {
          startNats(procs, ROOT, leader);
          await waitJetStream();
        },
        note: `killed ${leader}, the leader of ${STREAM} (R${replicas})`,
      };
    }
    case 'partition-heal': {
      partition('n1', others('n1'));
      await sleep(15_000);
      heal('n1', others('n1'));
      return { recoveredFrom: Date.now(), alive: [...NODES], restore: async () => {}, note: 'n1 cut off from n2 and n3 (still reaching PostgreSQL, devices, haproxy) for 15 s; recovery counted from the heal' };
    }
    case 'pg-failover':
      throw new Error('pg-failover runs in its own phase');
  }
}

async function main(): Promise<void> {
  const results: ScenarioFigures[] = [];
  const report = (r: ScenarioFigures) => {
    results.push(r);
    if (json) process.stdout.write(`${JSON.stringify(r)}\n`);
    else say(`${r.scenario}: ${JSON.stringify(r)}`);
  };
  say(`network namespaces ${NODES.map(ns).join(', ')} … on 10.213.0.0/24; logs in ${ROOT}/logs`);
  for (const n of NODES) startNats(procs, ROOT, n);
  procs.start('sim', 'dev', [process.execPath, 'bin/cnsdn-sim.js', 'gnmi', '--host', addr('dev'), '--port', '57400', '--count', String(DEVICES), '--insecure', '--hostname-prefix', 'lab-r'], { cwd: REPO });
  let databaseUrl = await startSinglePostgres(procs, ROOT);
  say('PostgreSQL (single) up');
  await waitJetStream();
  say('NATS cluster up');
  await startReplicas(databaseUrl);
  const base = startHaproxy(procs, ROOT, 8080);
  await loadDevices(base);
  await waitAllHealthy('start');
  say(`replicas, haproxy and ${DEVICES} gNMI devices up; event stream R${await streamReplicas(STREAM)}`);

  const startLoad = async () => {
    // The replicas were just (re)started: on a loaded machine a first login can outlast its 10 s timeout.
    let creds: Awaited<ReturnType<typeof logIn>> | undefined;
    for (let attempt = 1; !creds; attempt++) {
      try {
        creds = await logIn(base, 'admin', secrets.password, secrets.token);
      } catch (e) {
        if (attempt >= 4) throw e;
        say(`login attempt ${attempt} failed (${(e as Error).message}); retrying`);
        await sleep(5000);
      }
    }
    const load = new Load(base, creds, { writers: 4, pauseMs: 100, checkEveryMs: 500 });
    load.start();
    await sleep(2000);
    return { load, creds };
  };

  let { load, creds } = await startLoad();
  for (const s of chosen.filter((x) => x !== 'pg-failover')) {
    say(`scenario ${s}`);
    report(await measure(s, load, base, creds, () => scenarioRun(s, () => databaseUrl)));
  }
  await load.stop();

  if (chosen.includes('pg-failover')) {
    say('scenario pg-failover: moving the replicas to pg_auto_failover (monitor + 2 nodes)');
    await stopReplicas();
    await stopSinglePostgres(procs);
    const pgaf = await startAutoFailover(procs, ROOT);
    databaseUrl = pgaf.url;
    await startReplicas(databaseUrl);
    await loadDevices(base);
    await waitAllHealthy('on pg_auto_failover');
    ({ load, creds } = await startLoad());
    report(
      await measure('pg-failover', load, base, creds, async () => {
        const primary = pgaf.primary();
        if (!primary) throw new Error('no primary');
        // The primary's host dies: its keeper and PostgreSQL, at once.
        await procs.kill(`pgaf-${primary}`, 'SIGKILL');
        for (const pid of spawnSync('ip', ['netns', 'pids', ns(primary)], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean)) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // gone
          }
        }
        return { recoveredFrom: Date.now(), alive: [...NODES], restore: async () => {}, note: `killed the primary ${primary} (keeper and PostgreSQL)` };
      }),
    );
    await load.stop();
  }
  const missed = results.filter((r) => r.targets_missed.length > 0 || r.replicas_crashed.length > 0);
  if (strict && missed.length > 0) {
    say(`--strict: ${missed.map((r) => `${r.scenario} (${[...r.targets_missed, ...r.replicas_crashed.map((n) => `${n} crashed`)].join(', ')})`).join('; ')}`);
    exitCode = 4;
  }
  if (!json) {
    for (const r of results)
      process.stdout.write(
        `${r.scenario.padEnd(15)} failed ${r.requests_failed}/${r.requests_total} (${r.failed_pct} %), acked writes lost ${r.acked_writes_lost}/${r.acked_writes}, events lost ${r.events_lost} dup ${r.events_duplicated}, devices back ${r.devices_recovered_s ?? '>60'} s, write outage ${r.write_outage_s} s, session ${r.session_survived ? 'kept' : 'LOST'}${r.targets_missed.length ? `; MISSED: ${r.targets_missed.join(', ')}` : ''}\n`,
      );
  }
}

let exitCode = 0;
const deadline = setTimeout(() => {
  say('the lab ran past its 20-minute bound: stopping');
  process.exitCode = 3;
  void procs.stopAll().then(() => process.exit(3));
}, 20 * 60_000);
try {
  await main();
} catch (e) {
  say(`failed: ${(e as Error).stack ?? e}`);
  exitCode = 1;
} finally {
  clearTimeout(deadline);
  await procs.stopAll();
}
process.exit(exitCode);
