/**
 * Keeps device sessions in step with the context: every device event (from this replica or,
 * through the bus, any other) adds, updates or removes the device's session.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import type { Bus, BusSubscription } from '../bus/api.js';
import type { SessionTarget } from '../cluster/index.js';
import type { ManagedDevice } from '../device/index.js';
import type * as T from '../model/types.js';
import type { Store } from '../store/api.js';

function parse(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The session a stored device asks for, or undefined when it is not to be connected (dummy mode). */
export function managedDevice(uuid: string, d: T.Device): ManagedDevice | undefined {
  if (d.cnsdn?.managed === false) return undefined;
  const rule = (key: string) => d.device_config.config_rules.find((r) => r.custom?.resource_key === key && r.action !== 'CONFIGACTION_DELETE')?.custom?.resource_value;
  const settings = parse(rule('_connect/settings'));
  const port = Number(parse(rule('_connect/port')) ?? 0);
  return {
    uuid,
    name: d.name,
    drivers: d.device_drivers.length ? d.device_drivers : ['DEVICEDRIVER_UNDEFINED'],
    address: String(parse(rule('_connect/address')) ?? ''),
    port: Number.isFinite(port) ? port : 0,
    settings: settings && typeof settings === 'object' ? (settings as Record<string, unknown>) : {},
  };
}

/** Devices read per store query when events come by the thousand (an import, a reconnect storm). */
const SYNC_BATCH = 500;
const RETRY_MS = 1000;

export interface DeviceSyncLogger {
  warn(obj: object, msg: string): void;
}

/**
 * Device events are coalesced: a device named by any number of events before its turn is read
 * once, and devices are read in batches — after a 10,000-device import the events' single reads,
 * one after the other, kept devices waiting for their session for a minute on PostgreSQL. A batch
 * the store cannot read is tried again; the subscription is made before the existing devices are
 * loaded, so nothing written in between is missed (and a restart loads everything again).
 */
export async function startDeviceSync(store: Store, bus: Bus, sessions: SessionTarget, log?: DeviceSyncLogger): Promise<BusSubscription> {
  const pending = new Set<string>();
  let running: Promise<void> | undefined;
  let stopped = false;

  const apply = async (uuids: string[]) => {
    const bodies = new Map((await store.getMany<T.Device>('device', uuids)).map((e) => [e.uuid, e.body]));
    for (const uuid of uuids) {
      const body = bodies.get(uuid);
      const wanted = body ? managedDevice(uuid, body) : undefined;
      try {
        if (wanted) await sessions.add(wanted);
        else await sessions.remove(uuid);
      } catch (err) {
        log?.warn({ err, device: uuid }, 'device session update failed');
      }
    }
  };
  const drain = async () => {
    while (pending.size > 0 && !stopped) {
      const batch: string[] = [];
      for (const uuid of pending) {
        batch.push(uuid);
        if (batch.length === SYNC_BATCH) break;
      }
      for (const uuid of batch) pending.delete(uuid);
      try {
        await apply(batch);
      } catch (err) {
        for (const uuid of batch) pending.add(uuid);
        log?.warn({ err, devices: batch.length }, 'reading devices for their sessions failed; retrying');
        await sleep(RETRY_MS);
      }
    }
  };
  const kick = () => {
    running ??= drain().finally(() => {
      running = undefined;
      if (pending.size > 0 && !stopped) kick();
    });
  };

  const sub = await bus.subscribe(
    (ev) => {
      pending.add(ev.uuid);
      kick();
    },
    { kinds: ['device'] },
  );
  for (const d of await store.list<T.Device>('device')) {
    const wanted = managedDevice(d.uuid, d.body);
    if (wanted) await sessions.add(wanted);
  }
  return {
    async unsubscribe() {
      await sub.unsubscribe();
      stopped = true;
      await running;
    },
  };
}

