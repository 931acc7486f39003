/**
 * A slice becomes one service (TFS semantics, local domain): same uuid and name as the slice,
 * L3NM when an endpoint of the slice carries IP settings, else L2NM; the slice's endpoints,
 * constraints and config rules are the service's. Pure.
 */
import type { schemas } from '../model/index.js';
import type * as T from '../model/types.js';
import { stableJson } from '../service/keys.js';

/** Config rules that are cnsdn's own bookkeeping (failures, the IETF request): never copied to the service. */
export const OWN_RULES = /^\/cnsdn\//;

const ENDPOINT_SETTINGS = /^\/device\[[^\]]+\]\/endpoint\[[^\]]+\]\/settings$/;
const IP_FIELDS = ['address_ip', 'ipv4_address'];

function parsed(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

const userRules = (slice: T.Slice) => slice.slice_config.config_rules.filter((r) => !(r.custom && OWN_RULES.test(r.custom.resource_key)));

/** SERVICETYPE_L3NM when an endpoint's settings give an IPv4 address, else SERVICETYPE_L2NM. */
export function serviceTypeOf(slice: T.Slice): 'SERVICETYPE_L3NM' | 'SERVICETYPE_L2NM' {
  for (const r of userRules(slice)) {
    if (!r.custom || r.action === 'CONFIGACTION_DELETE' || !ENDPOINT_SETTINGS.test(r.custom.resource_key)) continue;
    const v = parsed(r.custom.resource_value);
    if (v && typeof v === 'object' && IP_FIELDS.some((f) => typeof (v as Record<string, unknown>)[f] === 'string')) return 'SERVICETYPE_L3NM';
  }
  return 'SERVICETYPE_L2NM';
}

/** What decides the slice's service: endpoints, constraints, config rules (cnsdn's own left out). */
export function sliceFingerprint(slice: T.Slice): string {
  return stableJson([slice.slice_endpoint_ids.map((e) => [e.device_id.device_uuid.uuid, e.endpoint_uuid.uuid]), slice.slice_constraints, userRules(slice)]);
}

/** The id of the service that realises a slice: the slice's uuid in the slice's context. */
export function realisingServiceId(slice: T.Slice): T.ServiceId {
  return { context_id: slice.slice_id.context_id, service_uuid: { uuid: slice.slice_id.slice_uuid.uuid } };
}

/** The service (as a descriptor entry) that realises the slice; its status is left to the service layer. */
export function serviceForSlice(slice: T.Slice, existing: T.Service | undefined): schemas.ServiceIn {
  const rules = userRules(slice).map((r) => (r.custom ? { action: r.action, custom: { resource_key: r.custom.resource_key, resource_value: parsed(r.custom.resource_value) } } : r));
  // Keys the slice dropped since the service was written are deleted from it.
  const keep = new Set(rules.flatMap((r) => (r.custom ? [r.custom.resource_key] : [])));
  const dropped = (existing?.service_config.config_rules ?? []).filter((r) => r.custom && !OWN_RULES.test(r.custom.resource_key) && !keep.has(r.custom.resource_key));
  return {
    service_id: realisingServiceId(slice),
    name: slice.name,
    service_type: serviceTypeOf(slice),
    service_status: { service_status: 'SERVICESTATUS_PLANNED' },
    service_endpoint_ids: slice.slice_endpoint_ids,
    service_constraints: slice.slice_constraints,
    service_config: {
      config_rules: [...rules, ...dropped.map((r) => ({ action: 'CONFIGACTION_DELETE', custom: { resource_key: r.custom!.resource_key, resource_value: {} } }))],
    },
  } as schemas.ServiceIn;
}
