/**
 * Keeps device sessions in step with the context: every device event (from this replica or,
 * through the bus, any other) adds, updates or removes the device's session.
 */
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

export async function startDeviceSync(store: Store, bus: Bus, sessions: SessionTarget): Promise<BusSubscription> {
  const sync = async (uuid: string) => {
    const e = await store.get<T.Device>('device', uuid);
    const wanted = e ? managedDevice(uuid, e.body) : undefined;
    if (wanted) await sessions.add(wanted);
    else await sessions.remove(uuid);
  };
  // Subscribe first, then load what exists, so nothing written in between is missed.
  const sub = await bus.subscribe((ev) => sync(ev.uuid), { kinds: ['device'] });
  for (const d of await store.list<T.Device>('device')) {
    const wanted = managedDevice(d.uuid, d.body);
    if (wanted) await sessions.add(wanted);
  }
  return sub;
}
