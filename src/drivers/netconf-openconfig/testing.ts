/** Test helpers: the real netconfd devices of scripts/netconf-devices.sh and independent reads of them. */
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { DriverConnectConfig } from '../../device/index.js';
import { NetconfClient } from '../../protocols/netconf/index.js';
import { ietfResources } from './ietf.js';

const DIR = process.env.CNSDN_NETCONF_DIR ?? '/tmp/cnsdn-netconf';

function readEnv(): Record<string, string> | undefined {
  const file = `${DIR}/env`;
  if (!existsSync(file)) return undefined;
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

export const env = readEnv();
export const [CANDIDATE_PORT, RUNNING_PORT] = (env?.CNSDN_TEST_NETCONF_PORTS ?? '8830,8831').split(',').map(Number);

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port, timeout: 1000 });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
    sock.once('timeout', () => done(false));
  });
}

/**
 * Why the real devices cannot be used (a skip reason), or undefined when they are up.
 * With CI=true a missing device is a failure, not a skip.
 */
export async function devicesMissing(): Promise<string | undefined> {
  const missing =
    env === undefined
      ? `no ${DIR}/env: run \`bash scripts/netconf-devices.sh up\``
      : !(await listening(CANDIDATE_PORT)) || !(await listening(RUNNING_PORT))
        ? `nothing listening on 127.0.0.1:${CANDIDATE_PORT},${RUNNING_PORT}: run \`bash scripts/netconf-devices.sh up\``
        : undefined;
  if (missing && process.env.CI === 'true') throw new Error(`netconfd devices are not up (${missing})`);
  return missing;
}

/** `_connect/settings` as a TFS descriptor would carry them for the test devices. */
export function deviceSettings(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    username: env?.CNSDN_TEST_NETCONF_USER ?? '',
    password: env?.CNSDN_TEST_NETCONF_PASSWORD ?? '',
    known_hosts_file: env?.CNSDN_TEST_NETCONF_KNOWN_HOSTS ?? '',
    timeout: 10,
    ...extra,
  };
}

export function deviceConfig(port: number, extra: Record<string, unknown> = {}): DriverConnectConfig {
  return { deviceUuid: `uuid-nc-${port}`, deviceName: `netconfd-${port}`, address: '127.0.0.1', port, settings: deviceSettings(extra) };
}

/** A second, independent NETCONF session to a test device (not the driver's). */
export function independentClient(port: number): Promise<NetconfClient> {
  return NetconfClient.connect({
    host: '127.0.0.1',
    port,
    username: env?.CNSDN_TEST_NETCONF_USER ?? '',
    password: env?.CNSDN_TEST_NETCONF_PASSWORD ?? '',
    hostKey: { knownHostsFile: env?.CNSDN_TEST_NETCONF_KNOWN_HOSTS ?? '' },
    timeoutMs: 10_000,
    // netconfd serves its sessions one request at a time: on a loaded machine another test's
    // session can hold it for seconds (one CI dry run saw a 10 s wait); a hang still fails here.
    rpcTimeoutMs: 30_000,
  });
}

/** The running ietf-interfaces config as read by an independent session: key → value. */
export async function runningInterfaces(client: NetconfClient): Promise<Map<string, Record<string, unknown>>> {
  const { element } = await client.getConfig('running', { filter: { subtree: '<interfaces xmlns="urn:ietf:params:xml:ns:yang:ietf-interfaces"/>' } });
  return new Map(ietfResources(element).map(([k, v]) => [k, v as Record<string, unknown>]));
}

/** Removes test interfaces from a device through an independent session (cleanup; absent ones are fine). */
export async function removeInterfaces(port: number, names: readonly string[]): Promise<void> {
  const c = await independentClient(port);
  try {
    // Only those present: on a device with no interfaces configured, netconfd refuses a
    // remove (it checks the empty container it would create for a mandatory `type`).
    const present = await runningInterfaces(c);
    const existing = names.filter((n) => present.has(`/interface[${n}]`));
    if (existing.length === 0) return;
    const target = c.capabilities.candidate ? 'candidate' : 'running';
    const entries = existing.map((n) => `<interface nc:operation="remove"><name>${n}</name></interface>`).join('');
    await c.editConfig(target, `<interfaces xmlns="urn:ietf:params:xml:ns:yang:ietf-interfaces" xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0">${entries}</interfaces>`);
    if (target === 'candidate') await c.commit();
  } finally {
    await c.close();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the first truthy value of `fn`; rejects after `timeoutMs`. */
export async function until<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
