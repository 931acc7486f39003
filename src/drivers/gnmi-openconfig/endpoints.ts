/** Device endpoints from the OpenConfig interfaces state tree. */
import type { EndpointInfo } from '../../device/index.js';
import { stripPrefix } from './compose.js';

/**
 * TFS KpiSampleType for each OpenConfig interface counter the driver reports:
 * out-pkts 101 PACKETS_TRANSMITTED, in-pkts 102 PACKETS_RECEIVED, in-discards 103
 * PACKETS_DROPPED, out-octets 201 BYTES_TRANSMITTED, in-octets 202 BYTES_RECEIVED.
 */
export const COUNTER_SAMPLE_TYPES: ReadonlyMap<string, number> = new Map([
  ['out-pkts', 101],
  ['in-pkts', 102],
  ['in-discards', 103],
  ['out-octets', 201],
  ['in-octets', 202],
]);

export const ENDPOINT_SAMPLE_TYPES: readonly number[] = [...COUNTER_SAMPLE_TYPES.values()].sort((a, b) => a - b);

const MANAGEMENT_NAME = /^(mgmt|management|ma\d|me\d|fxp\d|em\d)/i;
/** Interface types that are subinterfaces or VLAN interfaces of another interface, not ports. */
const SUBINTERFACE_TYPES = new Set(['l2vlan', 'l3ipvlan']);

type Node = Record<string, unknown>;
const obj = (v: unknown): Node => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Node) : {});

function endpointType(name: string, state: Node): string {
  if (state.management === true || state.management === 'true' || MANAGEMENT_NAME.test(name)) return 'mgmt';
  const type = state.type === undefined ? undefined : stripPrefix(String(state.type));
  if (type === 'softwareLoopback') return 'loopback';
  return 'copper';
}

/** One endpoint per interface; subinterfaces (by type, or named "<interface>.<n>") are skipped. */
export function endpointsFromInterfaces(tree: unknown): EndpointInfo[] {
  const entries = (() => {
    const l = obj(obj(tree).interfaces).interface;
    return Array.isArray(l) ? l.map(obj) : [];
  })();
  const names = new Set(entries.map((e) => String(e.name)));
  const out: EndpointInfo[] = [];
  const seen = new Set<string>();
  for (const e of entries) {
    if (e.name === undefined || e.name === null) continue;
    const name = String(e.name);
    const state = { ...obj(e.config), ...obj(e.state) };
    const type = state.type === undefined ? '' : stripPrefix(String(state.type));
    const parent = /^(.+)\.\d+$/.exec(name)?.[1];
    if (SUBINTERFACE_TYPES.has(type) || (parent !== undefined && names.has(parent)) || seen.has(name)) continue;
    seen.add(name);
    out.push({ name, type: endpointType(name, state), sampleTypes: [...ENDPOINT_SAMPLE_TYPES] });
  }
  return out;
}
