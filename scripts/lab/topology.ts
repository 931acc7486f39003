/**
 * The lab's network: one namespace per host on 10.213.0.0/24, joined by a bridge in a hub
 * namespace. No namespace has a default route and nothing is attached to the machine's own
 * namespace, so no packet of the lab can leave it.
 */
import { spawnSync } from 'node:child_process';

export const PREFIX = 'cnl';
export const SUBNET = '10.213.0';

export const HOSTS = {
  n1: 1,
  n2: 2,
  n3: 3,
  db: 10,
  db1: 11,
  db2: 12,
  dev: 20,
  lb: 30,
  ctl: 40,
} as const;
export type Host = keyof typeof HOSTS;
export const NODES = ['n1', 'n2', 'n3'] as const;
export type Node = (typeof NODES)[number];

export const ns = (h: Host | 'hub'): string => `${PREFIX}-${h}`;
export const addr = (h: Host): string => `${SUBNET}.${HOSTS[h]}`;
/** The hub-side end of a host's link: setting it down cuts the host off. */
export const hubPort = (h: Host): string => `${PREFIX}-${h}-h`;
const hostPort = (h: Host): string => `${PREFIX}-${h}-v`;

function ip(args: string[], allowFail = false): string {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0 && !allowFail) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim() || r.error?.message}`);
  return r.stdout;
}

export function namespaces(): string[] {
  return ['hub' as const, ...(Object.keys(HOSTS) as Host[])].map(ns);
}

export function setUp(): void {
  tearDown();
  ip(['netns', 'add', ns('hub')]);
  ip(['-n', ns('hub'), 'link', 'set', 'lo', 'up']);
  ip(['-n', ns('hub'), 'link', 'add', 'br0', 'type', 'bridge']);
  ip(['-n', ns('hub'), 'link', 'set', 'br0', 'up']);
  for (const h of Object.keys(HOSTS) as Host[]) {
    ip(['netns', 'add', ns(h)]);
    ip(['-n', ns(h), 'link', 'set', 'lo', 'up']);
    // Both ends are created inside the hub namespace, then one end moves to the host: never in the root namespace.
    ip(['-n', ns('hub'), 'link', 'add', hubPort(h), 'type', 'veth', 'peer', 'name', hostPort(h)]);
    ip(['-n', ns('hub'), 'link', 'set', hostPort(h), 'netns', ns(h)]);
    ip(['-n', ns('hub'), 'link', 'set', hubPort(h), 'master', 'br0']);
    ip(['-n', ns('hub'), 'link', 'set', hubPort(h), 'up']);
    ip(['-n', ns(h), 'addr', 'add', `${addr(h)}/24`, 'dev', hostPort(h)]);
    ip(['-n', ns(h), 'link', 'set', hostPort(h), 'up']);
  }
}

/** Kills every process left in the lab's namespaces (all started by the lab) and deletes them. */
export function tearDown(): void {
  const existing = new Set(ip(['netns', 'list'], true).split('\n').map((l) => l.split(' ')[0]));
  for (const name of namespaces()) {
    if (!existing.has(name)) continue;
    for (const pid of ip(['netns', 'pids', name], true).split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  for (const name of namespaces()) if (existing.has(name)) ip(['netns', 'del', name], true);
}

export function linkDown(h: Host): void {
  ip(['-n', ns('hub'), 'link', 'set', hubPort(h), 'down']);
}

export function linkUp(h: Host): void {
  ip(['-n', ns('hub'), 'link', 'set', hubPort(h), 'up']);
}

/** Cuts `h` off from `others` (both directions) while it still reaches every other host. */
export function partition(h: Host, others: Host[]): void {
  for (const o of others) {
    ip(['-n', ns(h), 'route', 'add', 'blackhole', `${addr(o)}/32`]);
    ip(['-n', ns(o), 'route', 'add', 'blackhole', `${addr(h)}/32`]);
  }
}

export function heal(h: Host, others: Host[]): void {
  for (const o of others) {
    ip(['-n', ns(h), 'route', 'del', 'blackhole', `${addr(o)}/32`], true);
    ip(['-n', ns(o), 'route', 'del', 'blackhole', `${addr(h)}/32`], true);
  }
}
