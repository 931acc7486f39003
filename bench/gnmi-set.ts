/**
 * Set round trips against one simulated target: the gnmi-openconfig driver's setConfig (one
 * SetRequest per call, a subinterface resource whose description changes every time), and the
 * same update through GnmiClient.set directly.
 */
import { readFileSync } from 'node:fs';
import { composeUpdate, gnmiOpenconfigDriverFactory, parseResourceKey } from '../src/drivers/gnmi-openconfig/index.js';
import { GnmiClient, type GnmiClientTls } from '../src/protocols/gnmi/index.js';
import { procCpuSeconds } from './gnmi-procs.js';
import { summarize } from './stats.js';

export interface SetTarget {
  port: number;
  username: string;
  password: string;
  /** CA certificate file when the target serves TLS. */
  caFile?: string;
  /** The simulator's pid, for its CPU per Set. */
  simPid?: number;
}

export interface SetResult {
  n: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
  perSec: number;
  errors: number;
  /** CPU per Set over the measured calls: this process (client), and the simulator when its pid is known. */
  clientUsPerSet: number;
  simUsPerSet?: number;
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

async function time(n: number, warmup: number, simPid: number | undefined, once: (i: number) => Promise<boolean>): Promise<SetResult> {
  for (let i = 0; i < warmup; i++) await once(i);
  const samples: number[] = [];
  let errors = 0;
  const cpu0 = process.cpuUsage();
  const sim0 = simPid === undefined ? 0 : procCpuSeconds(simPid);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    const ok = await once(warmup + i);
    samples.push(performance.now() - s);
    if (!ok) errors++;
  }
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const result: SetResult = { ...summarize(samples), perSec: Math.round((n / elapsed) * 1000), errors, clientUsPerSet: Math.round((cpu.user + cpu.system) / n) };
  if (simPid !== undefined) result.simUsPerSet = Math.round(((procCpuSeconds(simPid) - sim0) * 1e6) / n);
  return result;
}

/** One setConfig([[KEY, value]]) after another through a connected driver instance. */
export async function driverSets(target: SetTarget, n: number, warmup: number): Promise<SetResult & { firstError?: string }> {
  const settings: Record<string, unknown> = { username: target.username, password: target.password, use_tls: target.caFile !== undefined };
  if (target.caFile) settings.ca_file = target.caFile;
  const driver = gnmiOpenconfigDriverFactory.create({ deviceUuid: 'bench-set', deviceName: 'bench-set', address: '127.0.0.1', port: target.port, settings });
  await driver.connect();
  let firstError: string | undefined;
  try {
    const result = await time(n, warmup, target.simPid, async (i) => {
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
    return await time(n, warmup, target.simPid, async (i) => {
      const u = composeUpdate(KEY, ref, value(i));
      await client.set({ update: [{ path: u.path, value: { kind: 'json_ietf', value: u.value } }] });
      return true;
    });
  } finally {
    client.close();
  }
}
