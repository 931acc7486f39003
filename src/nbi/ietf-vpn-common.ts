/** What the L2SM and L3SM translations share: faults with pointers, the TFS service they build, reading it back. */
import { CnsdnError, type ErrorCode, type ErrorDetail, pointer } from '../common/errors.js';
import type { schemas } from '../model/index.js';
import type * as T from '../model/types.js';
import { DEFAULT_CONTEXT } from '../model/types.js';

/** Collects every fault of a request body; thrown at once with the first fault's code. */
export class Faults {
  readonly list: ErrorDetail[] = [];
  add(path: string, message: string, code: ErrorCode): void {
    this.list.push({ path, message: `${path}: ${message}`, code });
  }
  throwIfAny(what: string): void {
    const first = this.list[0];
    if (first) throw new CnsdnError(first.code ?? 'INVALID_ARGUMENT', `${what}: ${first.message}`, this.list);
  }
}

export const at = (base: string, ...segments: Array<string | number>) => segments.reduce<string>((p, s) => pointer(p, s), base);

/** An identityref value without its module prefix ("ietf-l3vpn-svc:multipoint" → "multipoint"). */
export const identity = (v: string) => v.slice(v.indexOf(':') + 1);

/** uint64 / decimal64 leaves come as numbers or (RFC 7951) strings. */
export const num = (v: number | string | undefined) => (v === undefined ? undefined : Number(v));

/** One site-network-access turned into a TFS service endpoint. */
export interface Attachment {
  siteId: string;
  device: string;
  endpoint: string;
  /** Where the device and the endpoint were named in the request body. */
  devicePath: string;
  endpointPath: string;
  settings: Record<string, unknown>;
  mtu?: number;
  capacityGbps?: number;
  latencyMs?: number;
}

export interface VpnRequest {
  vpnId: string;
  vpnPath: string;
  attachments: Attachment[];
}

export const endpointSettingsKey = (device: string, endpoint: string) => `/device[${device}]/endpoint[${endpoint}]/settings`;
const setRule = (key: string, value: unknown): schemas.ConfigRuleIn => ({ action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: value } });
const endpointIdIn = (a: Attachment) => ({ device_id: { device_uuid: { uuid: a.device } }, endpoint_uuid: { uuid: a.endpoint } });

const minOf = (xs: Array<number | undefined>) => {
  const v = xs.filter((x): x is number => x !== undefined);
  return v.length ? Math.min(...v) : undefined;
};
const maxOf = (xs: Array<number | undefined>) => {
  const v = xs.filter((x): x is number => x !== undefined);
  return v.length ? Math.max(...v) : undefined;
};

/**
 * The TFS service for one VPN, in TFS's shape for what its IETF NBIs produce: uuid and name the
 * vpn-id in context admin, one endpoint per access with its site as endpoint location, SLA
 * constraints, `/settings` for the whole service and per-endpoint settings.
 */
export function tfsService(vpn: VpnRequest, type: 'SERVICETYPE_L3NM' | 'SERVICETYPE_L2NM', settings: Record<string, unknown>): schemas.ServiceIn {
  const as = vpn.attachments;
  const constraints: schemas.ConstraintIn[] = as.map((a) => ({ action: 'CONSTRAINTACTION_SET', endpoint_location: { endpoint_id: endpointIdIn(a), location: { region: a.siteId } } }));
  // The whole service must carry the largest access rate and meet the strictest latency bound.
  const capacity = maxOf(as.map((a) => a.capacityGbps));
  const latency = minOf(as.map((a) => a.latencyMs));
  if (capacity !== undefined) constraints.push({ action: 'CONSTRAINTACTION_SET', sla_capacity: { capacity_gbps: capacity } });
  if (latency !== undefined) constraints.push({ action: 'CONSTRAINTACTION_SET', sla_latency: { e2e_latency_ms: latency } });
  const mtu = minOf(as.map((a) => a.mtu));
  const serviceSettings = mtu === undefined ? settings : { mtu, ...settings };
  return {
    service_id: { context_id: { context_uuid: { uuid: DEFAULT_CONTEXT } }, service_uuid: { uuid: vpn.vpnId } },
    name: vpn.vpnId,
    service_type: type,
    service_status: { service_status: 'SERVICESTATUS_PLANNED' },
    service_endpoint_ids: as.map(endpointIdIn),
    service_constraints: constraints,
    service_config: { config_rules: [setRule('/settings', serviceSettings), ...as.map((a) => setRule(endpointSettingsKey(a.device, a.endpoint), a.settings))] },
  };
}

/** Checks what a VPN request must not repeat: list keys, and two accesses on one TFS endpoint. */
export function checkDuplicates(vpns: VpnRequest[], faults: Faults): void {
  const seen = new Map<string, string>();
  for (const v of vpns) {
    if (seen.has(v.vpnId)) faults.add(v.vpnPath, `vpn-id ${v.vpnId} is given twice (also at ${seen.get(v.vpnId)})`, 'INVALID_ARGUMENT');
    else seen.set(v.vpnId, v.vpnPath);
    const endpoints = new Map<string, string>();
    for (const a of v.attachments) {
      const key = `${a.device}\u0000${a.endpoint}`;
      const first = endpoints.get(key);
      if (first) faults.add(a.endpointPath, `endpoint ${a.device}/${a.endpoint} is attached twice to VPN ${v.vpnId} (also at ${first})`, 'INVALID_ARGUMENT');
      else endpoints.set(key, a.endpointPath);
    }
  }
}

/** Flags repeated list keys (YANG list keys are unique). */
export function uniqueKeys(items: Array<{ key: string; path: string }>, what: string, faults: Faults): void {
  const seen = new Map<string, string>();
  for (const it of items) {
    const first = seen.get(it.key);
    if (first !== undefined) faults.add(it.path, `${what} ${it.key} is given twice (also at ${first})`, 'INVALID_ARGUMENT');
    else seen.set(it.key, it.path);
  }
}

/** Stored settings of a config rule (TFS stores the value JSON-encoded). */
export function ruleValue(service: T.Service, key: string): Record<string, unknown> | undefined {
  const r = service.service_config.config_rules.find((c) => c.custom?.resource_key === key && c.action !== 'CONFIGACTION_DELETE');
  if (!r?.custom) return undefined;
  try {
    const v: unknown = JSON.parse(r.custom.resource_value);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A stored endpoint with the names the request used, and its site. */
export interface NamedEndpoint {
  device: string;
  endpoint: string;
  siteId: string | undefined;
}

export type NameOf = (id: T.EndPointId) => Promise<{ device: string; endpoint: string }>;

export async function namedEndpoints(service: T.Service, nameOf: NameOf): Promise<NamedEndpoint[]> {
  const same = (a: T.EndPointId, b: T.EndPointId) => a.device_id.device_uuid.uuid === b.device_id.device_uuid.uuid && a.endpoint_uuid.uuid === b.endpoint_uuid.uuid;
  const out: NamedEndpoint[] = [];
  for (const id of service.service_endpoint_ids) {
    const site = service.service_constraints.find((c) => c.endpoint_location && same(c.endpoint_location.endpoint_id, id))?.endpoint_location?.location.region;
    out.push({ ...(await nameOf(id)), siteId: site || undefined });
  }
  return out;
}

export const slaOf = (service: T.Service) => ({
  capacityGbps: service.service_constraints.find((c) => c.sla_capacity)?.sla_capacity?.capacity_gbps,
  latencyMs: service.service_constraints.find((c) => c.sla_latency)?.sla_latency?.e2e_latency_ms,
});

/** Sites rebuilt from accesses: one site per site-id, accesses in service order. */
export function groupSites<A>(accesses: Array<{ siteId: string; device?: string; access: A }>, accessList: string): Array<Record<string, unknown>> {
  const sites = new Map<string, { devices: Set<string>; accesses: A[] }>();
  for (const a of accesses) {
    const s = sites.get(a.siteId) ?? { devices: new Set(), accesses: [] };
    if (a.device !== undefined) s.devices.add(a.device);
    s.accesses.push(a.access);
    sites.set(a.siteId, s);
  }
  return [...sites].map(([siteId, s]) => ({
    'site-id': siteId,
    ...(s.devices.size ? { devices: { device: [...s.devices].map((d) => ({ 'device-id': d })) } } : {}),
    'site-network-accesses': { [accessList]: s.accesses },
  }));
}

/** The parts of an RFC 8299 / RFC 8466 body the request walk reads (both models share them). */
export interface VpnTreeIn<A> {
  'vpn-services'?: { 'vpn-service'?: Array<{ 'vpn-id': string }> };
  sites?: { site?: Array<{ 'site-id': string; 'site-network-accesses'?: { 'site-network-access'?: A[] } }> };
}

/**
 * The VPNs a request creates, each with its accesses; every fault of the body at once.
 * `accessId` names the access key leaf of the model; `attach` turns one access into an attachment.
 */
export function vpnRequests<A extends { 'vpn-attachment': { 'vpn-id': string } } & Record<string, unknown>>(
  root: VpnTreeIn<A>,
  rootName: string,
  accessId: string,
  attach: (siteId: string, access: A, path: string, faults: Faults) => Attachment | undefined,
): VpnRequest[] {
  const base = at('', rootName);
  const faults = new Faults();
  const services = root['vpn-services']?.['vpn-service'] ?? [];
  if (services.length === 0) faults.add(at(base, 'vpn-services'), 'at least one vpn-service is required', 'INVALID_ARGUMENT');
  const vpns = services.map((s, i): VpnRequest => ({ vpnId: s['vpn-id'], vpnPath: at(base, 'vpn-services', 'vpn-service', i, 'vpn-id'), attachments: [] }));
  const byId = new Map(vpns.map((v) => [v.vpnId, v]));
  const sites = root.sites?.site ?? [];
  uniqueKeys(sites.map((s, i) => ({ key: s['site-id'], path: at(base, 'sites', 'site', i, 'site-id') })), 'site-id', faults);
  sites.forEach((site, i) => {
    const accesses = site['site-network-accesses']?.['site-network-access'] ?? [];
    const sPath = at(base, 'sites', 'site', i, 'site-network-accesses', 'site-network-access');
    uniqueKeys(accesses.map((a, j) => ({ key: String(a[accessId]), path: at(sPath, j, accessId) })), accessId, faults);
    accesses.forEach((access, j) => {
      const path = at(sPath, j);
      const vpnId = access['vpn-attachment']['vpn-id'];
      const vpn = byId.get(vpnId);
      if (!vpn) faults.add(at(path, 'vpn-attachment', 'vpn-id'), `vpn-service ${vpnId} is not among the vpn-services of this request`, 'DANGLING_REFERENCE');
      const a = attach(site['site-id'], access, path, faults);
      if (a) vpn?.attachments.push(a);
    });
  });
  checkDuplicates(vpns, faults);
  faults.throwIfAny('request body');
  return vpns;
}
