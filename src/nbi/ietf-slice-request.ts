/**
 * One IETF slice-service → one TFS slice (TFS's mapping for its network-slice NBI): each SDP is a
 * slice endpoint — device `ac-node-id` or the SDP's `node-id`, endpoint the attachment circuit's
 * `ac-tp-id`; its address (`ac-ipv4-address`/`ac-ipv4-prefix-length`, else `sdp-ip-address`
 * with a /24 as TFS assumes) and VLAN (a `vlan` match-type or a `vlan-id` ac-tag) become the
 * endpoint's settings; the connection groups' SLO metric bounds become constraints. Every fault
 * of the body is reported at once, each at its JSON pointer.
 */
import type { Static } from '@sinclair/typebox';
import type { schemas } from '../model/index.js';
import { DEFAULT_CONTEXT } from '../model/types.js';
import { at, endpointSettingsKey, Faults, identity, num, uniqueKeys } from './ietf-vpn-common.js';
import { SLICE_ROOT, type SliceBody, type SliceService } from './ietf-slice-schemas.js';

/** Where cnsdn keeps the slice-service as it was requested (GET answers from it). */
export const IETF_SLICE_KEY = '/cnsdn/ietf-slice-service';
/** TFS's prefix length for an SDP address given without one. */
const DEFAULT_PREFIX = 24;

type SliceServiceIn = Static<typeof SliceService>;

export interface SdpPlace {
  devicePath: string;
  endpointPath: string;
}

export interface SliceRequest {
  id: string;
  idPath: string;
  slice: schemas.SliceIn;
  /** Per slice endpoint, where its device and endpoint were named. */
  places: SdpPlace[];
}

const setRule = (key: string, value: unknown): schemas.ConfigRuleIn => ({ action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: value } });

const DELAY_MS: Record<string, number> = { nanoseconds: 1e-6, microseconds: 1e-3, milliseconds: 1, seconds: 1000 };
const RATE_GBPS: Record<string, number> = { bps: 1e-9, kbps: 1e-6, mbps: 1e-3, gbps: 1, tbps: 1000 };

interface Sla {
  latencyMs?: number;
  capacityGbps?: number;
  availability?: number;
}

function readSlo(policy: { 'slo-policy'?: { 'metric-bound'?: Array<Record<string, unknown>> } } | undefined, path: string, sla: Sla, faults: Faults): void {
  (policy?.['slo-policy']?.['metric-bound'] ?? []).forEach((m, i) => {
    const here = at(path, 'slo-policy', 'metric-bound', i);
    const type = identity(String(m['metric-type']));
    const unit = String(m['metric-unit'] ?? '');
    const bound = num(m.bound as number | string | undefined);
    if (type === 'one-way-delay-maximum' || type === 'two-way-delay-maximum') {
      const factor = DELAY_MS[unit.toLowerCase()];
      if (factor === undefined) {
        faults.add(at(here, 'metric-unit'), `unit ${unit || '(none)'} is not one of ${Object.keys(DELAY_MS).join(', ')}`, 'INVALID_ARGUMENT');
        return;
      }
      if (bound === undefined) {
        faults.add(at(here, 'bound'), `${type} needs a bound`, 'INVALID_ARGUMENT');
        return;
      }
      sla.latencyMs = Math.min(sla.latencyMs ?? Number.POSITIVE_INFINITY, bound * factor);
    } else if (type === 'one-way-bandwidth' || type === 'two-way-bandwidth') {
      const factor = RATE_GBPS[unit.toLowerCase()];
      if (factor === undefined) {
        faults.add(at(here, 'metric-unit'), `unit ${unit || '(none)'} is not one of bps, Kbps, Mbps, Gbps, Tbps`, 'INVALID_ARGUMENT');
        return;
      }
      if (bound === undefined) {
        faults.add(at(here, 'bound'), `${type} needs a bound`, 'INVALID_ARGUMENT');
        return;
      }
      sla.capacityGbps = Math.max(sla.capacityGbps ?? 0, bound * factor);
    } else if (type === 'one-way-packet-loss' || type === 'two-way-packet-loss') {
      const loss = num(m['percentile-value'] as number | string | undefined);
      if (loss === undefined || loss > 100) {
        faults.add(at(here, 'percentile-value'), `${type} needs a percentile-value between 0 and 100`, 'INVALID_ARGUMENT');
        return;
      }
      sla.availability = Math.min(sla.availability ?? 100, 100 - loss);
    } else {
      faults.add(at(here, 'metric-type'), `metric ${type} is not supported (delay-maximum, bandwidth and packet-loss are)`, 'INVALID_ARGUMENT');
    }
  });
}

function vlanOf(values: readonly string[] | undefined, path: string, faults: Faults): number | undefined {
  const text = values?.[0];
  const n = Number(text);
  if (text === undefined || !/^[0-9]+$/.test(text) || n < 1 || n > 4094) {
    faults.add(at(path, 0), `a VLAN id is a whole number from 1 to 4094, got ${JSON.stringify(text ?? null)}`, 'INVALID_ARGUMENT');
    return undefined;
  }
  return n;
}

function oneSlice(s: SliceServiceIn, path: string, faults: Faults): SliceRequest {
  const sdps = s.sdps.sdp;
  const sdpsPath = at(path, 'sdps', 'sdp');
  if (sdps.length < 2) faults.add(at(path, 'sdps'), `a slice connects two or more SDPs, got ${sdps.length}`, 'INVALID_ARGUMENT');
  uniqueKeys(sdps.map((d, i) => ({ key: d.id, path: at(sdpsPath, i, 'id') })), 'sdp id', faults);
  const groups = s['connection-groups']?.['connection-group'] ?? [];
  const groupsPath = at(path, 'connection-groups', 'connection-group');
  uniqueKeys(groups.map((g, i) => ({ key: g.id, path: at(groupsPath, i, 'id') })), 'connection-group id', faults);
  const groupIds = new Set(groups.map((g) => g.id));
  const sdpIds = new Set(sdps.map((d) => d.id));

  const sla: Sla = {};
  readSlo(s['service-slo-sle-policy'], at(path, 'service-slo-sle-policy'), sla, faults);
  groups.forEach((g, i) => {
    readSlo(g['service-slo-sle-policy'], at(groupsPath, i, 'service-slo-sle-policy'), sla, faults);
    (g['connectivity-construct'] ?? []).forEach((c, j) => {
      const cPath = at(groupsPath, i, 'connectivity-construct', j);
      for (const leaf of ['p2p-sender-sdp', 'p2p-receiver-sdp'] as const) {
        const ref = c[leaf];
        if (ref !== undefined && !sdpIds.has(ref)) faults.add(at(cPath, leaf), `sdp ${ref} is not an SDP of slice ${s.id}`, 'DANGLING_REFERENCE');
      }
      readSlo(c['service-slo-sle-policy'], at(cPath, 'service-slo-sle-policy'), sla, faults);
    });
  });

  const endpoints: schemas.EndPointIdIn[] = [];
  const places: SdpPlace[] = [];
  const rules: schemas.ConfigRuleIn[] = [];
  let firstVlan: number | undefined;
  let anyAddress = false;
  let mtu: number | undefined;
  sdps.forEach((sdp, i) => {
    const sPath = at(sdpsPath, i);
    const acs = sdp['attachment-circuits']?.['attachment-circuit'] ?? [];
    if (acs.length !== 1) {
        faults.add(at(sPath, 'attachment-circuits'), `an SDP needs exactly one attachment-circuit (naming the endpoint in ac-tp-id), got ${acs.length}`, 'INVALID_ARGUMENT');
        return;
      }
    const ac = acs[0]!;
    const acPath = at(sPath, 'attachment-circuits', 'attachment-circuit', 0);
    const device = ac['ac-node-id'] ?? sdp['node-id'];
    const devicePath = ac['ac-node-id'] !== undefined ? at(acPath, 'ac-node-id') : at(sPath, 'node-id');
    if (device === undefined) {
        faults.add(at(sPath, 'node-id'), 'an SDP names its device in node-id (or its attachment circuit in ac-node-id)', 'INVALID_ARGUMENT');
        return;
      }
    const endpoint = ac['ac-tp-id'];
    if (endpoint === undefined) {
        faults.add(at(acPath, 'ac-tp-id'), 'the attachment circuit names the device endpoint in ac-tp-id', 'INVALID_ARGUMENT');
        return;
      }
    endpoints.push({ device_id: { device_uuid: { uuid: device } }, endpoint_uuid: { uuid: endpoint } });
    places.push({ devicePath, endpointPath: at(acPath, 'ac-tp-id') });

    const settings: Record<string, unknown> = {};
    const sdpIp = sdp['sdp-ip-address']?.[0];
    if (ac['ac-ipv4-address'] !== undefined) {
      settings.address_ip = ac['ac-ipv4-address'];
      settings.address_prefix = ac['ac-ipv4-prefix-length'] ?? DEFAULT_PREFIX;
    } else if (sdpIp !== undefined) {
      if (!/^[0-9]+(\.[0-9]+){3}$/.test(sdpIp)) faults.add(at(sPath, 'sdp-ip-address', 0), `only IPv4 SDP addresses are configured, got ${sdpIp}`, 'INVALID_ARGUMENT');
      settings.address_ip = sdpIp;
      settings.address_prefix = DEFAULT_PREFIX;
    }
    if (settings.address_ip !== undefined) anyAddress = true;
    let vlan: number | undefined;
    const criteria = sdp['service-match-criteria']?.['match-criterion'] ?? [];
    criteria.forEach((c, k) => {
      const cPath = at(sPath, 'service-match-criteria', 'match-criterion', k);
      const target = c['target-connection-group-id'];
      if (target !== undefined && !groupIds.has(target)) faults.add(at(cPath, 'target-connection-group-id'), `connection-group ${target} is not a connection-group of slice ${s.id}`, 'DANGLING_REFERENCE');
      (c['match-type'] ?? []).forEach((m, n) => {
        if (identity(m.type) === 'vlan') vlan ??= vlanOf(m.value, at(cPath, 'match-type', n, 'value'), faults);
      });
    });
    (ac['ac-tags']?.['ac-tag'] ?? []).forEach((t, k) => {
      if (identity(String(t['tag-type'] ?? '')) === 'vlan-id') vlan ??= vlanOf(t.value, at(acPath, 'ac-tags', 'ac-tag', k, 'value'), faults);
    });
    if (vlan !== undefined) {
      settings.vlan_id = vlan;
      firstVlan ??= vlan;
    }
    if (ac.mtu !== undefined) mtu = Math.min(mtu ?? ac.mtu, ac.mtu);
    rules.push(setRule(endpointSettingsKey(device, endpoint), settings));
  });
  if (!anyAddress && firstVlan === undefined && sdps.length >= 2) {
    faults.add(sdpsPath, 'an SDP without an IP address makes an L2 slice, which needs a VLAN (a vlan match-type or a vlan-id ac-tag)', 'INVALID_ARGUMENT');
  }

  const settings: Record<string, unknown> = {};
  // The slice's VLAN also tags the links between routers (their subinterface index), so slices share links.
  if (firstVlan !== undefined) settings.vlan_id = firstVlan;
  if (!anyAddress && firstVlan !== undefined) settings.access_vlan_tagged = true;
  if (anyAddress) settings.address_families = ['IPV4'];
  if (mtu !== undefined) settings.mtu = mtu;
  const constraints: schemas.ConstraintIn[] = [];
  if (sla.capacityGbps !== undefined) constraints.push({ action: 'CONSTRAINTACTION_SET', sla_capacity: { capacity_gbps: sla.capacityGbps } });
  if (sla.latencyMs !== undefined) constraints.push({ action: 'CONSTRAINTACTION_SET', sla_latency: { e2e_latency_ms: sla.latencyMs } });
  if (sla.availability !== undefined) constraints.push({ action: 'CONSTRAINTACTION_SET', sla_availability: { num_disjoint_paths: 1, all_active: true, availability: sla.availability } });
  return {
    id: s.id,
    idPath: at(path, 'id'),
    places,
    slice: {
      slice_id: { context_id: { context_uuid: { uuid: DEFAULT_CONTEXT } }, slice_uuid: { uuid: s.id } },
      name: s.id,
      slice_endpoint_ids: endpoints,
      slice_constraints: constraints,
      slice_status: { slice_status: 'SLICESTATUS_PLANNED' },
      slice_config: { config_rules: [setRule('/settings', settings), ...rules, setRule(IETF_SLICE_KEY, s)] },
    } as schemas.SliceIn,
  };
}

/** The slices a request body creates; every fault at once (the first one's code). */
export function sliceRequests(body: Static<typeof SliceBody>): SliceRequest[] {
  const faults = new Faults();
  const wrapped = body[SLICE_ROOT];
  const list = wrapped ? (wrapped['slice-service'] ?? []) : (body['slice-service'] ?? []);
  const base = wrapped ? at('', SLICE_ROOT, 'slice-service') : at('', 'slice-service');
  if (!wrapped && body['slice-service'] === undefined) faults.add('', `the body holds ${SLICE_ROOT} or slice-service`, 'INVALID_ARGUMENT');
  else if (list.length === 0) faults.add(base, 'at least one slice-service is required', 'INVALID_ARGUMENT');
  uniqueKeys(list.map((s, i) => ({ key: s.id, path: at(base, i, 'id') })), 'slice-service id', faults);
  const out = list.map((s, i) => oneSlice(s, at(base, i), faults));
  faults.throwIfAny('request body');
  return out;
}
