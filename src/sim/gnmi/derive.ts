/**
 * The readable tree: a copy of the configuration with every `state` container filled in —
 * applied config mirrored, plus operational leaves (status, ifindex, counters, platform data).
 */
import type { EntryMap, Obj } from './data.js';
import type { Scalar } from './leaf-types.js';
import type { ContainerSchema, InnerSchema, SchemaNode } from './schema.js';

export interface StateSource {
  /** The live counters object of an interface (kept across commits). */
  counters(ifName: string, running: boolean): Obj;
  ifindex(ifName: string): number;
  /** Platform data for a component, if the simulator created it. */
  component(name: string): Obj | undefined;
  hardwarePort(ifName: string): string | undefined;
  system(): Obj;
}

type Hook = (entry: Obj, state: Obj, ancestors: Obj[], src: StateSource) => void;

const enabled = (o: Obj) => (o.config as Obj | undefined)?.enabled !== false;
const status = (up: boolean): Scalar => (up ? 'UP' : 'DOWN');

const HOOKS: Record<string, Hook> = {
  'interfaces/interface': (entry, state, _a, src) => {
    const name = entry.name as string;
    const up = enabled(entry);
    state.enabled = up;
    state['admin-status'] = status(up);
    state['oper-status'] = status(up);
    state.ifindex = src.ifindex(name);
    const port = src.hardwarePort(name);
    if (port) state['hardware-port'] = port;
    state.management = /^(mgmt|management|ma\d)/i.test(name);
    state.counters = src.counters(name, up);
    if ((entry.config as Obj | undefined)?.type === 'ethernetCsmacd') ethernetState(entry, src.ifindex(name));
  },
  'interfaces/interface/subinterfaces/subinterface': (entry, state, ancestors) => {
    const up = enabled(entry);
    state.name = `${ancestors[ancestors.length - 2].name}.${entry.index}`;
    state.enabled = up;
    state['admin-status'] = status(up);
    state['oper-status'] = status(up && enabled(ancestors[ancestors.length - 2])); // [..., interface, subinterfaces]
  },
  'interfaces/interface/subinterfaces/subinterface/ipv4/addresses/address': (_e, state) => {
    state.origin = 'STATIC';
  },
  'interfaces/interface/subinterfaces/subinterface/ipv6/addresses/address': (_e, state) => {
    state.origin = 'STATIC';
  },
  'network-instances/network-instance': (entry, state) => {
    state.enabled = enabled(entry);
  },
  'network-instances/network-instance/vlans/vlan': (entry, state) => {
    state.status = ((entry.config as Obj).status as Scalar | undefined) ?? 'ACTIVE';
  },
  system: (_e, state, _a, src) => {
    Object.assign(state, src.system());
  },
  'components/component': (entry, state, _a, src) => {
    Object.assign(state, src.component(entry.name as string) ?? {});
  },
};

/** Hardware facts of an Ethernet port, derived from its ifindex (stable per name within a target). */
function ethernetState(entry: Obj, ifindex: number): void {
  if (!entry.ethernet) entry.ethernet = {};
  const eth = entry.ethernet as Obj;
  if (!eth.state) eth.state = {};
  const state = eth.state as Obj;
  const mac = `02:00:00:00:${((ifindex >> 8) & 0xff).toString(16).padStart(2, '0')}:${(ifindex & 0xff).toString(16).padStart(2, '0')}`;
  state['hw-mac-address'] = mac;
  if (state['mac-address'] === undefined) state['mac-address'] = mac;
  if (state['port-speed'] === undefined) state['port-speed'] = 'SPEED_10GB';
  state['negotiated-port-speed'] = state['port-speed'];
}

/** Hooks that read an ancestor's configuration: [the hook's schema path, the ancestor's]. */
const READS_ANCESTOR: [string, string][] = [['interfaces/interface/subinterfaces/subinterface', 'interfaces/interface']];

const dependsOnAncestor = new Map<string, boolean>();

/** True when the readable form of a node at this schema path depends on data above it. */
function readsAbove(schemaPath: string): boolean {
  let v = dependsOnAncestor.get(schemaPath);
  if (v === undefined) {
    const inside = (p: string) => p === schemaPath || p.startsWith(`${schemaPath}/`);
    v = schemaPath === '' ? false : READS_ANCESTOR.some(([hook, ancestor]) => inside(hook) && schemaPath.startsWith(`${ancestor}/`));
    dependsOnAncestor.set(schemaPath, v);
  }
  return v;
}

/**
 * Readable subtrees by the configuration node they came from. A committed configuration node
 * is never changed (Sets copy what they change: edit.ts Cow), so a node met again is derived
 * already — unless its state reads data above it (a subinterface's oper-status its interface's
 * enabled): such nodes are derived again every time.
 */
export type DerivedCache = WeakMap<Obj, Obj>;

export function deriveView(root: ContainerSchema, config: Obj, src: StateSource, cache?: DerivedCache): Obj {
  return deriveObj(root, config, '', [], src, cache);
}

function deriveObj(schema: InnerSchema, obj: Obj, schemaPath: string, ancestors: Obj[], src: StateSource, cache: DerivedCache | undefined): Obj {
  const cached = cache !== undefined && !readsAbove(schemaPath);
  if (cached) {
    const known = cache.get(obj);
    if (known) return known;
  }
  const out: Obj = {};
  for (const [name, value] of Object.entries(obj)) {
    const child = schema.children.get(name) as SchemaNode;
    const childPath = schemaPath ? `${schemaPath}/${name}` : name;
    if (child.kind === 'container') out[name] = deriveObj(child, value as Obj, childPath, [...ancestors, obj], src, cache);
    else if (child.kind === 'list') {
      const m: EntryMap = new Map();
      for (const [k, e] of value as EntryMap) m.set(k, deriveObj(child, e, childPath, [...ancestors, obj], src, cache));
      out[name] = m;
    } else out[name] = Array.isArray(value) ? value.slice() : value;
  }
  const stateSchema = schema.children.get('state');
  const hook = HOOKS[schemaPath];
  if (stateSchema?.kind === 'container' && (obj.config !== undefined || hook)) {
    const state: Obj = {};
    for (const [n, v] of Object.entries((obj.config as Obj | undefined) ?? {})) {
      if (stateSchema.children.has(n)) state[n] = Array.isArray(v) ? v.slice() : v;
    }
    hook?.(out, state, ancestors, src);
    if (Object.keys(state).length > 0) out.state = state;
  }
  if (cached) cache.set(obj, out);
  return out;
}
