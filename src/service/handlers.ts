/**
 * Service handlers: keyed by (service type, device driver), each turns a device's intent into
 * the TFS resources that driver takes. The emulated, gNMI and NETCONF OpenConfig drivers take
 * the same keys, so one OpenConfig renderer serves all three for L2NM and L3NM.
 */
import { CnsdnError } from '../common/errors.js';
import type { DeviceIntent, IntentInput, IntentOutput } from './intent.js';
import { l2nmIntent, l3nmIntent } from './intent.js';

export interface Rule {
  key: string;
  value: unknown;
}

export type Renderer = (intent: DeviceIntent) => Rule[];

export const SERVICE_TYPES: Record<string, (input: IntentInput) => IntentOutput> = {
  SERVICETYPE_L2NM: l2nmIntent,
  SERVICETYPE_L3NM: l3nmIntent,
};

export const OPENCONFIG_DRIVERS = ['DEVICEDRIVER_UNDEFINED', 'DEVICEDRIVER_GNMI_OPENCONFIG', 'DEVICEDRIVER_OPENCONFIG'] as const;

export class HandlerRegistry {
  readonly #renderers = new Map<string, Renderer>();

  register(serviceType: string, driver: string, render: Renderer): this {
    this.#renderers.set(`${serviceType} ${driver}`, render);
    return this;
  }

  /** The renderer for the first of a device's drivers (in preference order) that has one. */
  find(serviceType: string, drivers: readonly string[]): Renderer | undefined {
    for (const d of drivers) {
      const r = this.#renderers.get(`${serviceType} ${d}`);
      if (r) return r;
    }
    return undefined;
  }

  require(serviceType: string, device: { name: string; device_drivers: readonly string[] }): Renderer {
    const r = this.find(serviceType, device.device_drivers);
    if (r) return r;
    throw new CnsdnError('DRIVER_NOT_FOUND', `no ${serviceType} handler for device ${device.name} (drivers ${device.device_drivers.join(', ') || 'none'})`, [
      { path: '/service_type', message: `no handler for the drivers of ${device.name}` },
    ]);
  }
}

/**
 * OpenConfig resources in TFS keys, parents first. The MTU belongs to the interface: for
 * devices with a real interface model it is rendered as `/interface[X]` {name, mtu} (a shared
 * key, taken off leaf by leaf), not inside the subinterface, whose removal would leave it set.
 * The emulated device stores resources as given, so there it stays in the subinterface.
 */
export function renderOpenConfig(intent: DeviceIntent, options: { interfaceMtu?: boolean } = {}): Rule[] {
  const ni = intent.networkInstance;
  const rules: Rule[] = [{ key: `/network_instance[${ni.name}]`, value: { name: ni.name, type: ni.type, ...(ni.route_distinguisher ? { route_distinguisher: ni.route_distinguisher } : {}) } }];
  const mtus = new Map<string, number>();
  for (const s of intent.subinterfaces) {
    const { interface: name, ...fields } = s;
    if (options.interfaceMtu && fields.mtu !== undefined) {
      mtus.set(name, Math.min(fields.mtu, mtus.get(name) ?? fields.mtu));
      delete fields.mtu;
    }
    rules.push({ key: `/interface[${name}]/subinterface[${s.index}]`, value: { name, ...fields } });
  }
  rules.splice(1, 0, ...[...mtus].map(([name, mtu]) => ({ key: `/interface[${name}]`, value: { name, mtu } })));
  for (const s of intent.subinterfaces) {
    const id = `${s.interface}.${s.index}`;
    rules.push({ key: `/network_instance[${ni.name}]/interface[${id}]`, value: { name: ni.name, id, interface: s.interface, subinterface: s.index } });
  }
  for (const v of intent.vlans) rules.push({ key: `/network_instance[${ni.name}]/vlan[${v}]`, value: { vlan_id: v, name: ni.name } });
  if (intent.staticRoutes.length > 0) {
    rules.push({ key: `/network_instance[${ni.name}]/protocols[STATIC]`, value: { name: ni.name, identifier: 'STATIC', protocol_name: 'STATIC' } });
    for (const r of intent.staticRoutes) {
      rules.push({ key: `/network_instance[${ni.name}]/protocols[STATIC]/static_route[${r.prefix}]`, value: { name: ni.name, prefix: r.prefix, next_hop: r.next_hop, next_hop_index: 0 } });
    }
  }
  return rules;
}

export function defaultHandlers(): HandlerRegistry {
  const registry = new HandlerRegistry();
  const withInterfaceMtu: Renderer = (intent) => renderOpenConfig(intent, { interfaceMtu: true });
  for (const type of Object.keys(SERVICE_TYPES)) {
    for (const driver of OPENCONFIG_DRIVERS) registry.register(type, driver, driver === 'DEVICEDRIVER_UNDEFINED' ? renderOpenConfig : withInterfaceMtu);
  }
  return registry;
}
