/** Test helpers: simulated gNMI targets on 127.0.0.1 and driver configs pointing at them. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DriverConnectConfig } from '../../device/index.js';
import { type GnmiSim, startGnmiSim } from '../../sim/gnmi/run.js';
import type { SimUser } from '../../sim/gnmi/users.js';

export interface TestTargets {
  sim: GnmiSim;
  /** PEM of the CA that signed the targets' certificates (TLS targets only). */
  caPem?: string;
  /** PEM client certificate and key signed by that CA (TLS targets only). */
  clientCertPem?: string;
  clientKeyPem?: string;
  /** Settings that reach target i as the sim is configured (credentials and TLS). */
  settings(extra?: Record<string, unknown>): Record<string, unknown>;
  config(i?: number, settings?: Record<string, unknown>): DriverConnectConfig;
  close(): Promise<void>;
}

export interface TestTargetOptions {
  tls: boolean;
  count?: number;
  interfaces?: string[];
  users?: SimUser[];
  requireClientCert?: boolean;
  hostnamePrefix?: string;
}

export async function startTestTargets(opts: TestTargetOptions): Promise<TestTargets> {
  const dir = opts.tls ? await mkdtemp(join(tmpdir(), 'cnsdn-gnmi-oc-')) : undefined;
  const sim = await startGnmiSim({
    host: '127.0.0.1',
    port: 0,
    count: opts.count ?? 1,
    tls: dir ? { dir, requireClientCert: opts.requireClientCert ?? false } : 'insecure',
    users: opts.users,
    interfaces: opts.interfaces,
    hostnamePrefix: opts.hostnamePrefix,
    defaultSampleIntervalMs: 100,
  });
  const pem = async (p: string | undefined) => (p ? await readFile(p, 'utf8') : undefined);
  const caPem = await pem(sim.pki?.caCert);
  const clientCertPem = await pem(sim.pki?.clientCert);
  const clientKeyPem = await pem(sim.pki?.clientKey);
  const user = opts.users?.find((u) => u.role === 'rw');
  const settings = (extra: Record<string, unknown> = {}) => ({
    ...(user ? { username: user.username, password: user.password } : {}),
    ...(dir ? { use_tls: true, ca_pem: caPem } : { use_tls: false }),
    timeout: 5,
    ...extra,
  });
  return {
    sim,
    caPem,
    clientCertPem,
    clientKeyPem,
    settings,
    config: (i = 0, s = settings()) => ({
      deviceUuid: `uuid-${sim.targets[i].name}`,
      deviceName: sim.targets[i].name,
      address: '127.0.0.1',
      port: sim.targets[i].port,
      settings: s,
    }),
    close: async () => {
      await sim.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

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
