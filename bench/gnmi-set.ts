/**
 * Set round trips against one simulated target: the gnmi-openconfig driver's setConfig (one
 * SetRequest per call, a subinterface resource whose description changes every time), and the
 * same update through GnmiClient.set directly.
 */
import { readFileSync } from 'node:fs';
import { composeUpdate, gnmiOpenconfigDriverFactory, parseResourceKey } from '../src/drivers/gnmi-openconfig/index.js';
import { GnmiClient, type GnmiClientTls } from '../src/protocols/gnmi/index.js';
import { summarize } from './stats.js';

export interface SetTarget {
  port: number;
  username: string;
  password: string;
  /** CA certificate file when the target serves TLS. */
  caFile?: string;
}

export interface SetResult {
  n: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
  perSec: number;
  errors: number;
}

const KEY = '/interface[Ethernet1]/subinterface[0]';
const value = (i: number) => ({
  name: 'Ethernet1',
  index: 0,
  description: `bench set ${i}`,
  vlan_id: 100 + (i % 100),
  address_ip: `10.${(i >> 8) & 255}.${i & 255}.1`,
  address_prefix: 24,
});

async function time(n: number, warmup: number, once: (i: number) => Promise<boolean>): Promise<SetResult> {
  for (let i = 0; i < warmup; i++) await once(i);
  const samples: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    const ok = await once(warmup + i);
    samples.push(performance.now() - s);
    if (!ok) errors++;
  }
  const elapsed = performance.now() - t0;
  return { ...summarize(samples), perSec: Math.round((n / elapsed) * 1000), errors };
}

/** One setConfig([[KEY, value]]) after another through a connected driver instance. */
export async function driverSets(target: SetTarget, n: number, warmup: number): Promise<SetResult & { firstError?: string }> {
  const settings: Record<string, unknown> = { username: target.username, password: target.password, use_tls: target.caFile !== undefined };
  if (target.caFile) settings.ca_file = target.caFile;
  const driver = gnmiOpenconfigDriverFactory.create({ deviceUuid: 'bench-set', deviceName: 'bench-set', address: '127.0.0.1', port: target.port, settings });
  await driver.connect();
  let firstError: string | undefined;
  try {
    const result = await time(n, warmup, async (i) => {
      const [r] = await driver.setConfig([[KEY, value(i)]]);
      if (r !== true) firstError ??= (r as Error).message;
      return r === true;
    });
    return firstError ? { ...result, firstError } : result;
  } finally {
    await driver.disconnect();
  }
}

/** The same update the driver composes, through GnmiClient.set (no driver). */
export async function clientSets(target: SetTarget, n: number, warmup: number): Promise<SetResult> {
  const tls: GnmiClientTls | 'insecure' = target.caFile ? { ca: readFileSync(target.caFile, 'utf8') } : 'insecure';
  const client = await GnmiClient.connect({ address: `127.0.0.1:${target.port}`, tls, username: target.username, password: target.password });
  const ref = parseResourceKey(KEY);
  try {
    return await time(n, warmup, async (i) => {
      const u = composeUpdate(KEY, ref, value(i));
      await client.set({ update: [{ path: u.path, value: { kind: 'json_ietf', value: u.value } }] });
      return true;
    });
  } finally {
    client.close();
  }
}
