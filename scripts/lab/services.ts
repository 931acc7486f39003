/** PostgreSQL (single, or pg_auto_failover monitor + 2 nodes), NATS servers and haproxy for the lab. */
import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { type Procs, waitFor } from './procs.js';
import { addr, type Host, NODES, type Node } from './topology.js';

export const PG_BIN = '/usr/lib/postgresql/15/bin';
const PG_PATH = `${PG_BIN}:/usr/bin:/bin:/usr/sbin:/sbin`;

function pgUid(): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

function pgDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { uid, gid } = pgUid();
  chownSync(dir, uid, gid);
  return dir;
}

/** Runs a command to completion inside a namespace (as postgres when asked). */
export function runIn(h: Host, cmd: string[], opts: { asUser?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): string {
  const drop = opts.asUser ? ['setpriv', `--reuid=${opts.asUser}`, `--regid=${opts.asUser}`, '--init-groups', '--'] : [];
  const r = spawnSync('ip', ['netns', 'exec', `cnl-${h}`, ...drop, ...cmd], {
    encoding: 'utf8',
    env: { ...process.env, ...opts.env },
    timeout: opts.timeoutMs ?? 60_000,
  });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} in ${h}: exit ${r.status} ${r.stderr || r.error?.message || ''}`);
  return r.stdout;
}

/** A PostgreSQL server of our own in `h` (trust auth on the lab subnet only), with database cnsdn. */
export async function startSinglePostgres(procs: Procs, root: string, h: Host = 'db'): Promise<string> {
  const data = pgDir(join(root, 'pg-single'));
  runIn(h, [`${PG_BIN}/initdb`, '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync'], { asUser: 'postgres' });
  writeFileSync(join(data, 'pg_hba.conf'), `local all all trust\nhost all all ${addr(h).replace(/\.\d+$/, '.0')}/24 trust\n`);
  procs.start('postgres', h, [`${PG_BIN}/postgres`, '-D', data, '-c', `listen_addresses=${addr(h)}`, '-c', `unix_socket_directories=${data}`, '-c', 'max_connections=200'], { asUser: 'postgres' });
  await waitFor('PostgreSQL', async () => spawnSync('ip', ['netns', 'exec', `cnl-${h}`, `${PG_BIN}/pg_isready`, '-h', addr(h), '-q']).status === 0, 30_000);
  runIn(h, [`${PG_BIN}/createdb`, '-h', addr(h), '-U', 'postgres', 'cnsdn']);
  return `postgres://postgres@${addr(h)}:5432/cnsdn`;
}

export function stopSinglePostgres(procs: Procs): Promise<void> {
  return procs.kill('postgres', 'SIGINT', 20_000);
}

/**
 * Not 5432, and one port each: their Unix sockets share /var/run/postgresql (filesystems are not
 * per namespace), where the machine's own server holds 5432's lock.
 */
const PGAF_PORT = '6432';
const PGAF_NODE_PORT: Record<string, string> = { db1: '6433', db2: '6434' };

/**
 * pg_auto_failover: monitor in `db`, data nodes in `db1` and `db2`, tuned for fast failover.
 * Returns the multi-host URL the replicas use (target_session_attrs=read-write).
 */
export async function startAutoFailover(procs: Procs, root: string): Promise<{ url: string; primary: () => Host | undefined }> {
  pgDir(join(root, 'pgaf'));
  const env = (name: string) => {
    const home = pgDir(join(root, 'pgaf', `${name}-home`));
    return { PATH: PG_PATH, PG_CONFIG: `${PG_BIN}/pg_config`, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data'), XDG_RUNTIME_DIR: join(home, 'run') };
  };
  const monitorData = pgDir(join(root, 'pgaf', 'monitor'));
  procs.start(
    'pgaf-monitor',
    'db',
    ['pg_autoctl', 'create', 'monitor', '--pgdata', monitorData, '--pgport', PGAF_PORT, '--hostname', addr('db'), '--auth', 'trust', '--no-ssl', '--run'],
    { asUser: 'postgres', env: env('monitor') },
  );
  const monitorSql = (sql: string) => runIn('db', [`${PG_BIN}/psql`, '-h', addr('db'), '-p', PGAF_PORT, '-U', 'autoctl_node', '-d', 'pg_auto_failover', '-At', '-c', sql], { asUser: 'postgres' });
  await waitFor('pg_auto_failover monitor', async () => monitorSql('SELECT count(*) FROM pgautofailover.node') !== undefined, 90_000, 1000);
  // Health checks every second, a node unhealthy after 5 s without an answer.
  for (const [k, v] of [
    ['health_check_period', '1000'],
    ['health_check_timeout', '1000'],
    ['health_check_max_retries', '1'],
    ['health_check_retry_delay', '500'],
    ['node_considered_unhealthy_timeout', '5000'],
    // How long the monitor waits for a lost primary to demote itself before the standby may take writes.
    ['primary_demote_timeout', '5000'],
  ])
    runIn('db', [`${PG_BIN}/psql`, '-h', '/var/run/postgresql', '-p', PGAF_PORT, '-U', 'postgres', '-d', 'pg_auto_failover', '-c', `ALTER SYSTEM SET pgautofailover.${k} = ${v}`], { asUser: 'postgres' });
  runIn('db', [`${PG_BIN}/psql`, '-h', '/var/run/postgresql', '-p', PGAF_PORT, '-U', 'postgres', '-d', 'pg_auto_failover', '-c', 'SELECT pg_reload_conf()'], { asUser: 'postgres' });
  const monitorUrl = `postgres://autoctl_node@${addr('db')}:${PGAF_PORT}/pg_auto_failover?sslmode=disable`;
  const nodes: Host[] = ['db1', 'db2'];
  for (const [i, h] of nodes.entries()) {
    const data = join(root, 'pgaf', h);
    procs.start(
      `pgaf-${h}`,
      h,
      ['pg_autoctl', 'create', 'postgres', '--pgdata', data, '--pgport', PGAF_NODE_PORT[h], '--hostname', addr(h), '--name', h, '--monitor', monitorUrl, '--auth', 'trust', '--no-ssl', '--pg-hba-lan', '--dbname', 'cnsdn', '--run'],
      { asUser: 'postgres', env: env(h) },
    );
    // The second node joins once the first is primary.
    if (i === 0) await waitFor('first pg_auto_failover node primary', async () => monitorSql("SELECT count(*) FROM pgautofailover.node WHERE reportedstate = 'single'").trim() === '1', 120_000, 1000);
  }
  await waitFor('primary and secondary', async () => monitorSql("SELECT string_agg(reportedstate::text, ',' ORDER BY reportedstate::text) FROM pgautofailover.node").trim() === 'primary,secondary', 180_000, 1000);
  for (const h of nodes) {
    // The keeper notices a lost monitor or peer sooner than its defaults.
    for (const [k, v] of [
      ['timeout.network_partition_timeout', '10'],
      ['timeout.prepare_promotion_catchup', '10'],
      ['timeout.prepare_promotion_walreceiver', '2'],
    ]) {
      // The running keeper rewrites its configuration file when told of a change; a `config set`
      // that reads it meanwhile finds it half written ("Failed to find section pg_autoctl"): again.
      for (let attempt = 1; ; attempt++) {
        try {
          runIn(h, ['pg_autoctl', 'config', 'set', '--pgdata', join(root, 'pgaf', h), k, v], { asUser: 'postgres', env: env(h) });
          break;
        } catch (e) {
          if (attempt >= 5) throw e;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }
  }
  return {
    url: `postgres://postgres@${addr('db1')}:${PGAF_NODE_PORT.db1},${addr('db2')}:${PGAF_NODE_PORT.db2}/cnsdn?target_session_attrs=read-write`,
    primary: () => {
      const name = monitorSql("SELECT nodename FROM pgautofailover.node WHERE reportedstate IN ('primary','single','wait_primary') ORDER BY nodeid LIMIT 1").trim();
      return nodes.find((h) => h === name);
    },
  };
}

export const natsUrl = (): string => NODES.map((n) => `nats://${addr(n)}:4222`).join(',');

export function startNats(procs: Procs, root: string, n: Node): void {
  const dir = join(root, `nats-${n}`);
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'nats.conf');
  writeFileSync(
    conf,
    [
      `server_name: ${n}`,
      `listen: ${addr(n)}:4222`,
      `http: ${addr(n)}:8222`,
      `jetstream { store_dir: "${dir}/js", max_memory_store: 64MB, max_file_store: 1GB }`,
      'cluster {',
      '  name: lab',
      `  listen: ${addr(n)}:6222`,
      `  routes: [${NODES.filter((o) => o !== n).map((o) => `nats-route://${addr(o)}:6222`).join(', ')}]`,
      '}',
      '',
    ].join('\n'),
  );
  procs.start(`nats-${n}`, n, ['nats-server', '-c', conf]);
}

/** Waits until the JetStream cluster has a meta leader and answers account info. */
export async function waitJetStream(timeoutMs = 60_000): Promise<void> {
  await waitFor(
    'JetStream cluster',
    async () => {
      const nc = await connect({ servers: natsUrl().split(','), timeout: 2000 });
      try {
        const jsm = await jetstreamManager(nc, { timeout: 2000 });
        await jsm.getAccountInfo();
        return true;
      } finally {
        await nc.close();
      }
    },
    timeoutMs,
    1000,
  );
}

/** The server name (n1..n3) leading the event stream. */
export async function streamLeader(stream: string): Promise<Node | undefined> {
  const nc = await connect({ servers: natsUrl().split(','), timeout: 2000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 3000 });
    const info = await jsm.streams.info(stream);
    return NODES.find((n) => n === info.cluster?.leader);
  } finally {
    await nc.close();
  }
}

export async function streamReplicas(stream: string): Promise<number> {
  const nc = await connect({ servers: natsUrl().split(','), timeout: 2000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 3000 });
    return (await jsm.streams.info(stream)).config.num_replicas;
  } finally {
    await nc.close();
  }
}

export function startHaproxy(procs: Procs, root: string, port: number): string {
  const conf = join(root, 'haproxy.cfg');
  writeFileSync(
    conf,
    [
      'global',
      '  maxconn 4096',
      'defaults',
      '  mode http',
      '  timeout connect 1s',
      '  timeout client 60s',
      '  timeout http-request 10s',
      // /readyz asks the database and NATS (each bounded at 2 s by the replica): a loaded machine needs more than inter.
      '  timeout check 3s',
      '  retries 3',
      // Every retry goes to another server (the default redispatches only on the last one).
      '  option redispatch 1',
      'frontend api',
      `  bind ${addr('lb')}:${port}`,
      '  use_backend events if { path_beg /api/events }',
      '  default_backend replicas',
      // API requests: a replica that dies mid-request, refuses the connection, answers 503 (database
      // failing over, shedding) or hangs (its node cut off) gets the request sent to another one.
      // Requests are small and buffered; the API's writes carry their own ids (a repeated create
      // is an update of the same entity), so a retried write is not duplicated.
      'backend replicas',
      '  balance roundrobin',
      '  timeout server 5s',
      '  retry-on conn-failure empty-response junk-response response-timeout 502 503 504',
      '  option http-buffer-request',
      '  option httpchk GET /readyz',
      '  http-check expect status 200',
      // No shutdown-sessions here: a request hanging on a replica that is marked down is sent to
      // another one after its 5 s; cutting it would fail it instead.
      '  default-server inter 1s fall 2 rise 2',
      ...NODES.map((n) => `  server ${n} ${addr(n)}:8080 check`),
      // The event stream (SSE, a heartbeat every 15 s): long-lived, never retried mid-stream.
      'backend events',
      '  balance roundrobin',
      '  timeout server 60s',
      '  retry-on conn-failure empty-response 503',
      '  option httpchk GET /readyz',
      '  http-check expect status 200',
      '  default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions',
      ...NODES.map((n) => `  server ${n} ${addr(n)}:8080 check`),
      '',
    ].join('\n'),
  );
  const check = spawnSync('haproxy', ['-c', '-f', conf], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy configuration: ${check.stdout}${check.stderr}`);
  procs.start('haproxy', 'lb', ['haproxy', '-W', '-db', '-f', conf]);
  return `http://${addr('lb')}:${port}`;
}
