/**
 * RFC 8299 L3VPN service model ↔ TFS L3NM service, as TFS's ietf_l3vpn NBI maps it: a
 * site-network-access is the endpoint (device-reference, site-network-access-id); its static
 * IPv4 addressing goes to that endpoint's settings, its service parameters to SLA constraints.
 */
import type * as T from '../model/types.js';
import {
  type Attachment,
  at,
  endpointSettingsKey,
  type Faults,
  groupSites,
  type NameOf,
  namedEndpoints,
  num,
  ruleValue,
  type VpnRequest,
  vpnRequests,
} from './ietf-vpn-common.js';
import { L3_ROOT, type L3AccessIn, type L3vpnBodyIn } from './ietf-vpn-schemas.js';

export const L3_MODULE = 'ietf-l3vpn-svc';
export const L3_SERVICE_SETTINGS = { address_families: ['IPV4'] };

const ipv4Number = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);

function sameSubnet(a: string, b: string, prefix: number): boolean {
  const block = 2 ** (32 - prefix);
  return Math.floor(ipv4Number(a) / block) === Math.floor(ipv4Number(b) / block);
}

function attachment(siteId: string, access: L3AccessIn, path: string, faults: Faults): Attachment {
  const settings: Record<string, unknown> = {};
  const addresses = access['ip-connection']?.ipv4?.addresses;
  if (addresses) {
    const aPath = at(path, 'ip-connection', 'ipv4', 'addresses');
    const customer = addresses['customer-address'];
    const provider = addresses['provider-address'];
    const prefix = addresses['prefix-length'];
    if ((customer !== undefined || provider !== undefined) && prefix === undefined) faults.add(at(aPath, 'prefix-length'), 'is required with static addresses', 'INVALID_ARGUMENT');
    if (customer !== undefined && provider !== undefined && prefix !== undefined && !sameSubnet(customer, provider, prefix))
      faults.add(aPath, `customer-address ${customer} and provider-address ${provider} are not in one /${prefix} subnet`, 'INVALID_ARGUMENT');
    if (customer !== undefined) settings.address_ip = customer;
    if (prefix !== undefined) settings.address_prefix = prefix;
    if (provider !== undefined) settings.neighbor_address = provider;
    settings.index = 0;
  }
  const svc = access.service;
  const mtu = svc?.['svc-mtu'];
  if (mtu !== undefined) settings.mtu = mtu;
  const bps = Math.max(num(svc?.['svc-input-bandwidth']) ?? 0, num(svc?.['svc-output-bandwidth']) ?? 0);
  const latencies = (svc?.qos?.['qos-profile']?.classes?.class ?? []).map((c) => c.latency?.['latency-boundary']).filter((l): l is number => l !== undefined);
  return {
    siteId,
    device: access['device-reference'],
    endpoint: access['site-network-access-id'],
    devicePath: at(path, 'device-reference'),
    endpointPath: at(path, 'site-network-access-id'),
    settings,
    ...(mtu !== undefined ? { mtu } : {}),
    ...(bps > 0 ? { capacityGbps: bps / 1e9 } : {}),
    ...(latencies.length ? { latencyMs: Math.min(...latencies) } : {}),
  };
}

/** The VPNs a request creates, each with its accesses; every fault of the body at once. */
export const l3vpnRequests = (body: L3vpnBodyIn): VpnRequest[] => vpnRequests(body[L3_ROOT], L3_ROOT, 'site-network-access-id', attachment);

export const l3VpnService = (service: T.Service) => ({ 'vpn-id': service.name });

/** RFC 8299 sites rebuilt from stored L3NM services. */
export async function l3Sites(services: T.Service[], nameOf: NameOf): Promise<Array<Record<string, unknown>>> {
  const accesses: Array<{ siteId: string; device: string; access: Record<string, unknown> }> = [];
  for (const s of services) {
    for (const ep of await namedEndpoints(s, nameOf)) {
      const st = ruleValue(s, endpointSettingsKey(ep.device, ep.endpoint)) ?? {};
      const access: Record<string, unknown> = {
        'site-network-access-id': ep.endpoint,
        'device-reference': ep.device,
        'vpn-attachment': { 'vpn-id': s.name },
      };
      if (typeof st.address_ip === 'string') {
        const addresses: Record<string, unknown> = {};
        if (typeof st.neighbor_address === 'string') addresses['provider-address'] = st.neighbor_address;
        addresses['customer-address'] = st.address_ip;
        if (typeof st.address_prefix === 'number') addresses['prefix-length'] = st.address_prefix;
        access['ip-connection'] = { ipv4: { 'address-allocation-type': `${L3_MODULE}:static-address`, addresses } };
      }
      if (typeof st.mtu === 'number') access.service = { 'svc-mtu': st.mtu };
      accesses.push({ siteId: ep.siteId ?? ep.device, device: ep.device, access });
    }
  }
  return groupSites(accesses, 'site-network-access');
}
