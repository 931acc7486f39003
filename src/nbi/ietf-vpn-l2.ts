/**
 * RFC 8466 L2VPN service model ↔ TFS L2NM service, as TFS's ietf_l2vpn NBI maps it: the bearer
 * "<device>:<endpoint>" is the service endpoint (the provider edge's port; without a bearer,
 * device-reference and network-access-id), the dot1q C-VLAN goes to vlan_id settings.
 */
import type * as T from '../model/types.js';
import {
  type Attachment,
  at,
  endpointSettingsKey,
  type Faults,
  groupSites,
  identity,
  type NameOf,
  namedEndpoints,
  num,
  ruleValue,
  type VpnRequest,
  vpnRequests,
} from './ietf-vpn-common.js';
import { L2_ROOT, type L2AccessIn, type L2vpnBodyIn } from './ietf-vpn-schemas.js';

export const L2_MODULE = 'ietf-l2vpn-svc';

/** "vlan" is what TFS's requests send; RFC 8466 names the identities vlan-type and ethernet-type. */
const VLAN_ENCAPSULATIONS = new Set(['vlan', 'vlan-type']);
const PORT_ENCAPSULATIONS = new Set(['ethernet', 'ethernet-type']);

interface L2Attachment extends Attachment {
  vlan?: number;
}

/** The C-VLAN of an access; undefined for a port-based (untagged or priority-tagged) access. */
function accessVlan(access: L2AccessIn, path: string, faults: Faults): number | undefined {
  const conn = access.connection;
  if (!conn) return undefined;
  const cPath = at(path, 'connection');
  const encapsulation = identity(conn['encapsulation-type'] ?? 'ethernet-type');
  if (PORT_ENCAPSULATIONS.has(encapsulation)) return undefined;
  if (!VLAN_ENCAPSULATIONS.has(encapsulation)) {
    faults.add(at(cPath, 'encapsulation-type'), `encapsulation ${conn['encapsulation-type']} is not supported (vlan-type or ethernet-type)`, 'INVALID_ARGUMENT');
    return undefined;
  }
  const tagged = conn['tagged-interface'];
  const tPath = at(cPath, 'tagged-interface');
  const type = identity(tagged?.type ?? 'priority-tagged');
  if (type === 'priority-tagged') return undefined;
  if (type !== 'dot1q') {
    faults.add(at(tPath, 'type'), `tagged interface type ${tagged?.type} is not supported (dot1q or priority-tagged)`, 'INVALID_ARGUMENT');
    return undefined;
  }
  const dot1q = tagged?.['dot1q-vlan-tagged'];
  if (!dot1q) {
    faults.add(at(tPath, 'dot1q-vlan-tagged'), 'is required with type dot1q', 'INVALID_ARGUMENT');
    return undefined;
  }
  if (identity(dot1q['tg-type'] ?? 'c-vlan') !== 'c-vlan') {
    faults.add(at(tPath, 'dot1q-vlan-tagged', 'tg-type'), `tag type ${dot1q['tg-type']} is not supported (c-vlan)`, 'INVALID_ARGUMENT');
    return undefined;
  }
  return dot1q['cvlan-id'];
}

function endpointOf(access: L2AccessIn, path: string, faults: Faults): Pick<Attachment, 'device' | 'endpoint' | 'devicePath' | 'endpointPath'> | undefined {
  const bearer = access.bearer?.['bearer-reference'];
  if (bearer !== undefined) {
    const bPath = at(path, 'bearer', 'bearer-reference');
    const colon = bearer.indexOf(':');
    if (colon <= 0 || colon === bearer.length - 1) {
      faults.add(bPath, `bearer ${bearer} does not name a <device>:<endpoint>`, 'DANGLING_REFERENCE');
      return undefined;
    }
    return { device: bearer.slice(0, colon), endpoint: bearer.slice(colon + 1), devicePath: bPath, endpointPath: bPath };
  }
  const device = access['device-reference'];
  if (device === undefined) {
    faults.add(at(path, 'bearer'), 'a bearer-reference (or a device-reference) is required to place the access', 'INVALID_ARGUMENT');
    return undefined;
  }
  return { device, endpoint: access['network-access-id'], devicePath: at(path, 'device-reference'), endpointPath: at(path, 'network-access-id') };
}

function attachment(siteId: string, access: L2AccessIn, path: string, faults: Faults): L2Attachment | undefined {
  const where = endpointOf(access, path, faults);
  const vlan = accessVlan(access, path, faults);
  if (!where) return undefined;
  const svc = access.service;
  const mtu = svc?.['svc-mtu'];
  const cirs = [...(svc?.['svc-input-bandwidth']?.['input-bandwidth'] ?? []), ...(svc?.['svc-output-bandwidth']?.['output-bandwidth'] ?? [])].map((b) => num(b.cir) ?? 0);
  const bps = Math.max(0, ...cirs);
  const settings: Record<string, unknown> = {};
  if (vlan !== undefined) settings.vlan_id = vlan;
  if (mtu !== undefined) settings.mtu = mtu;
  return {
    siteId,
    ...where,
    settings,
    ...(vlan !== undefined ? { vlan } : {}),
    ...(mtu !== undefined ? { mtu } : {}),
    ...(bps > 0 ? { capacityGbps: bps / 1e9 } : {}),
  };
}

/** The VPNs a request creates, each with its accesses; every fault of the body at once. */
export const l2vpnRequests = (body: L2vpnBodyIn): VpnRequest[] => vpnRequests(body[L2_ROOT], L2_ROOT, 'network-access-id', attachment);

/**
 * `/settings` of the L2NM service: the VLAN and its tagging when every access agrees on them
 * (each endpoint's own vlan_id is in its endpoint settings either way).
 */
export function l2ServiceSettings(vpn: VpnRequest): Record<string, unknown> {
  const vlans = new Set((vpn.attachments as L2Attachment[]).map((a) => a.vlan));
  if (vlans.size !== 1) return {};
  const [vlan] = vlans;
  return vlan === undefined ? {} : { vlan_id: vlan, access_vlan_tagged: true };
}

export const l2VpnService = (service: T.Service) => ({ 'vpn-id': service.name });

/** RFC 8466 sites rebuilt from stored L2NM services; accesses are named by their bearer. */
export async function l2Sites(services: T.Service[], nameOf: NameOf): Promise<Array<Record<string, unknown>>> {
  const accesses: Array<{ siteId: string; access: Record<string, unknown> }> = [];
  for (const s of services) {
    for (const ep of await namedEndpoints(s, nameOf)) {
      const st = ruleValue(s, endpointSettingsKey(ep.device, ep.endpoint)) ?? {};
      const access: Record<string, unknown> = {
        'network-access-id': ep.endpoint,
        bearer: { 'bearer-reference': `${ep.device}:${ep.endpoint}` },
        'vpn-attachment': { 'vpn-id': s.name },
        connection:
          typeof st.vlan_id === 'number'
            ? { 'encapsulation-type': `${L2_MODULE}:vlan-type`, 'tagged-interface': { type: `${L2_MODULE}:dot1q`, 'dot1q-vlan-tagged': { 'cvlan-id': st.vlan_id } } }
            : { 'encapsulation-type': `${L2_MODULE}:ethernet-type` },
      };
      if (typeof st.mtu === 'number') access.service = { 'svc-mtu': st.mtu };
      accesses.push({ siteId: ep.siteId ?? ep.device, access });
    }
  }
  return groupSites(accesses, 'site-network-access');
}
