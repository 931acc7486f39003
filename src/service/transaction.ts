/**
 * A network-wide transaction: each device's previous values for the keys touched are read
 * first, then the per-device diffs are applied to all devices at once (one driver transaction
 * per device). When a device fails, every device that changed — a failing one included when its
 * deletes went through — is put back: the touched keys are deleted (children first) and what
 * was read before is set again (parents first).
 */
import { CnsdnError, isCnsdnError } from '../common/errors.js';
import type { Driver, Resource } from '../device/index.js';
import type { DeviceConfigDiff } from './api.js';
import type { Rule } from './handlers.js';
import { childrenFirst, isSharedKey, parentsFirst, takeOff } from './keys.js';
import { serviceSpans as spans } from './spans.js';

export interface DriverRunner {
  withDriver<T>(uuid: string, fn: (driver: Driver) => Promise<T>): Promise<T>;
}

export interface TransactionFailure {
  device: string;
  device_uuid: string;
  code: string;
  reason: string;
  /** Devices put back to what they had. */
  restored: string[];
  /** Devices that could not be put back, with why. */
  restore_errors: string[];
}

export type TransactionOutcome = { ok: true; before: Map<string, Map<string, unknown>> } | { ok: false; failure: TransactionFailure };

interface Snapshot {
  diff: DeviceConfigDiff;
  /** Everything under the touched keys, as read before the change. */
  resources: Rule[];
}

const toResources = (rules: readonly Rule[]): Resource[] => rules.map((r) => [r.key, r.value]);

function firstError(results: ReadonlyArray<true | Error>, what: string): Error | undefined {
  const bad = results.find((r) => r !== true);
  return bad === undefined ? undefined : Object.assign(new Error(`${what}: ${(bad as Error).message}`), { code: isCnsdnError(bad) ? bad.code : 'DRIVER_ERROR' });
}

async function readBefore(driver: Driver, diff: DeviceConfigDiff): Promise<Rule[]> {
  const keys = [...new Set([...diff.set, ...diff.delete].map((r) => r.key))];
  const got = await driver.getConfig(keys);
  const out = new Map<string, unknown>();
  for (const [key, value] of got) {
    if (value instanceof Error) throw Object.assign(new Error(`reading ${key}: ${value.message}`), { code: isCnsdnError(value) ? value.code : 'DRIVER_ERROR' });
    out.set(key, value);
  }
  return [...out].map(([key, value]) => ({ key, value }));
}

/**
 * Keys set over something the device already holds with nothing below it (a subinterface, a
 * route): set alone would merge — a second address next to the old one — so they are deleted
 * first and the value set whole. Keys with children (a network instance) are merged.
 */
export function replacedKeys(diff: DeviceConfigDiff, before: readonly Rule[]): Rule[] {
  const held = new Set(before.map((r) => r.key));
  const deleting = new Set(diff.delete.map((r) => r.key));
  return diff.set.filter((r) => !isSharedKey(r.key) && held.has(r.key) && !deleting.has(r.key) && !before.some((b) => b.key !== r.key && b.key.startsWith(`${r.key}/`)));
}

/** Calls `deleted` once the deletes went through, so a failing set still gets the device put back. */
async function change(driver: Driver, s: Snapshot, deleted: () => void): Promise<void> {
  const deletes = childrenFirst([...s.diff.delete, ...replacedKeys(s.diff, s.resources)]);
  if (deletes.length > 0) {
    const e = firstError(await driver.deleteConfig(toResources(deletes)), 'delete');
    if (e) throw e;
    deleted();
  }
  if (s.diff.set.length > 0) {
    const e = firstError(await driver.setConfig(toResources(s.diff.set)), 'set');
    if (e) throw e;
  }
}

/** Touched keys deleted (a shared key: only the leaves it did not have), then what was read set again. */
async function restore(driver: Driver, s: Snapshot): Promise<void> {
  const read = new Map(s.resources.map((r) => [r.key, r]));
  const touched = [...new Map([...s.diff.delete, ...s.diff.set].map((r) => [r.key, r])).values()].flatMap((r) => {
    const del = isSharedKey(r.key) ? takeOff(r, read.get(r.key)).delete : r;
    return del ? [del] : [];
  });
  const e = touched.length > 0 ? firstError(await driver.deleteConfig(toResources(childrenFirst(touched))), 'restore (delete)') : undefined;
  if (e) throw e;
  if (s.resources.length > 0) {
    const e2 = firstError(await driver.setConfig(toResources(parentsFirst(s.resources))), 'restore (set)');
    if (e2) throw e2;
  }
}

function failureOf(diff: DeviceConfigDiff, e: unknown): TransactionFailure {
  return {
    device: diff.deviceName,
    device_uuid: diff.deviceUuid,
    code: `CNSDN_${(e as { code?: string }).code ?? 'DRIVER_ERROR'}`,
    reason: e instanceof Error ? e.message : String(e),
    restored: [],
    restore_errors: [],
  };
}

/** How long a transaction waits for a device's turn (other services' work on it queued first) by default. */
export const DEFAULT_DEVICE_WAIT_MS = 30_000;

/**
 * withDriver, with a bound on the wait for the device's turn: the device's queue is first come,
 * first served (fair between services), and a step still waiting after `maxWaitMs` fails with
 * CNSDN_UNAVAILABLE — when its turn comes later it does nothing. The wait and the work are timed
 * apart (spans).
 */
function onDevice<T>(sessions: DriverRunner, what: string, uuid: string, maxWaitMs: number, fn: (driver: Driver) => Promise<T>): Promise<T> {
  const queued = performance.now();
  let late = false;
  let timer: NodeJS.Timeout | undefined;
  const turn = sessions.withDriver(uuid, (driver) => {
    clearTimeout(timer);
    if (late) return Promise.resolve(undefined as T);
    const start = performance.now();
    spans.add(`device ${what}: wait for the device's turn`, start - queued);
    return spans.enabled ? fn(driver).finally(() => spans.add(`device ${what}: driver calls`, performance.now() - start)) : fn(driver);
  });
  if (!(maxWaitMs > 0 && Number.isFinite(maxWaitMs))) return turn;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      late = true;
      reject(new CnsdnError('UNAVAILABLE', `device ${uuid} busy: its turn did not come within ${maxWaitMs} ms (other work queued on it)`));
    }, maxWaitMs);
  });
  turn.catch(() => clearTimeout(timer));
  return Promise.race([turn, expired]);
}

export interface TransactionOptions {
  /** `known`: a device's current values when the caller has them (what a service applied, when it is being taken off): not read again. */
  known?: ReadonlyMap<string, Rule[]>;
  /** Bound on the wait for each device's turn, reads and changes (default DEFAULT_DEVICE_WAIT_MS; 0: none). Restores always wait. */
  maxWaitMs?: number;
  /**
   * Called with every device's diff and previous values once all are read, before any device
   * changes: the caller records them durably, so that a controller which dies in the middle can
   * put the devices back when it starts again (recoverDevices). A journal that fails stops the
   * transaction with nothing changed.
   */
  journal?: (devices: JournalDevice[]) => Promise<void>;
}

/** One device of a transaction as journaled: its diff and what it held under the touched keys before. */
export interface JournalDevice {
  uuid: string;
  name: string;
  set: Rule[];
  delete: Rule[];
  before: Rule[];
}

/**
 * Test-only crash point: with CNSDN_TEST_CRASH_AFTER_DEVICE_CHANGES=n the process kills itself
 * (SIGKILL, as a crash would) once n devices of a transaction have changed, before the outcome
 * is written anywhere.
 */
const crashAfter = Number(process.env.CNSDN_TEST_CRASH_AFTER_DEVICE_CHANGES ?? 0);

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Puts journaled devices back to what they held before an interrupted transaction (last first),
 * whether or not each one had changed (putting back an unchanged device changes nothing). A
 * device not connected yet (the controller is starting) is tried again until `waitMs` has passed.
 */
export async function recoverDevices(sessions: DriverRunner, devices: readonly JournalDevice[], waitMs: number): Promise<{ restored: string[]; restore_errors: string[] }> {
  const deadline = Date.now() + waitMs;
  const out = { restored: [] as string[], restore_errors: [] as string[] };
  for (const d of [...devices].reverse()) {
    const snapshot: Snapshot = { diff: { deviceUuid: d.uuid, deviceName: d.name, set: d.set, delete: d.delete }, resources: d.before };
    for (;;) {
      try {
        await sessions.withDriver(d.uuid, (driver) => restore(driver, snapshot));
        out.restored.push(d.name);
        break;
      } catch (e) {
        const unreachable = isCnsdnError(e) && (e.code === 'DEVICE_UNREACHABLE' || e.code === 'UNAVAILABLE');
        if (!unreachable || Date.now() >= deadline) {
          out.restore_errors.push(`${d.name}: ${e instanceof Error ? e.message : String(e)}`);
          break;
        }
        await pause(Math.min(500, Math.max(0, deadline - Date.now())));
      }
    }
  }
  return out;
}

/**
 * Reads every device's current values first (in parallel: reads change nothing), then changes
 * all the devices at once (each its own driver transaction). When one fails, every device that
 * changed — and the failing ones whose deletes went through — is put back, last in the given
 * order first.
 */
export async function runTransaction(sessions: DriverRunner, diffs: readonly DeviceConfigDiff[], options: TransactionOptions = {}): Promise<TransactionOutcome> {
  const { known } = options;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_DEVICE_WAIT_MS;
  const t0 = performance.now();
  const reads = await Promise.allSettled(
    diffs.map((diff) => {
      const values = known?.get(diff.deviceUuid);
      return values ? Promise.resolve(values) : onDevice(sessions, 'read', diff.deviceUuid, maxWaitMs, (driver) => readBefore(driver, diff));
    }),
  );
  const unread = reads.findIndex((r) => r.status === 'rejected');
  if (unread >= 0) return { ok: false, failure: failureOf(diffs[unread]!, (reads[unread] as PromiseRejectedResult).reason) };
  const snapshots = diffs.map((diff, i): Snapshot => ({ diff, resources: (reads[i] as PromiseFulfilledResult<Rule[]>).value }));
  const touched = snapshots.map(() => false);
  const t1 = performance.now();
  spans.add('device reads (before values)', t1 - t0);
  if (options.journal && snapshots.length > 0) {
    try {
      await spans.time('journal written', () =>
        options.journal!(snapshots.map((s) => ({ uuid: s.diff.deviceUuid, name: s.diff.deviceName, set: s.diff.set, delete: s.diff.delete, before: s.resources }))),
      );
    } catch (e) {
      const failure = { ...failureOf(snapshots[0]!.diff, e), device: '', device_uuid: '' };
      failure.reason = `the transaction could not be journaled (no device changed): ${failure.reason}`;
      return { ok: false, failure };
    }
  }
  let changedCount = 0;
  const results = await Promise.allSettled(
    snapshots.map((snapshot, i) =>
      onDevice(sessions, 'change', snapshot.diff.deviceUuid, maxWaitMs, (driver) =>
        change(driver, snapshot, () => {
          touched[i] = true;
        }).then(() => {
          if (crashAfter > 0 && ++changedCount >= crashAfter) process.kill(process.pid, 'SIGKILL');
        }),
      ),
    ),
  );
  spans.add('device changes', performance.now() - t1);
  const failed = results.findIndex((r) => r.status === 'rejected');
  if (failed < 0) return { ok: true, before: new Map(snapshots.map((s) => [s.diff.deviceUuid, new Map(s.resources.map((r) => [r.key, r.value]))])) };
  const failure = failureOf(snapshots[failed]!.diff, (results[failed] as PromiseRejectedResult).reason);
  const changed = snapshots.filter((_, i) => results[i]!.status === 'fulfilled' || touched[i]).reverse();
  const restores = await Promise.allSettled(changed.map((s) => sessions.withDriver(s.diff.deviceUuid, (driver) => restore(driver, s))));
  restores.forEach((r, i) => {
    const name = changed[i]!.diff.deviceName;
    if (r.status === 'fulfilled') failure.restored.push(name);
    else failure.restore_errors.push(`${name}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`);
  });
  return { ok: false, failure };
}
