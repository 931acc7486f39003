/**
 * What the load generator asks for: TFS L2NM/L3NM services over the TFS REST API, and network
 * slices (L2 or L3) over the IETF network-slice NBI, between two edge endpoints, each request with
 * its own VLAN (which also numbers its subinterfaces on the links between routers) and, for L3,
 * its own pair of /24s.
 */
import { type CnsdnClient, enc, type TfsObject } from './client.js';
import type { StatusWatcher } from './loadgen-watch.js';

export const REQUEST_KINDS = ['l2nm', 'l3nm', 'slice-l2', 'slice-l3'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

/** Drivers the service layer has handlers for. */
const HANDLED_DRIVERS = new Set(['DEVICEDRIVER_UNDEFINED', 'DEVICEDRIVER_GNMI_OPENCONFIG', 'DEVICEDRIVER_OPENCONFIG']);

export interface Edge {
  device: string;
  endpoint: string;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const uuidOf = (id: unknown, field: string): string => str((id as Record<string, { uuid?: string }> | undefined)?.[field]?.uuid);

/**
 * Endpoints not used by any link, on devices with a service handler that have at least one link
 * (a path can reach them), by name.
 */
export function edgeEndpoints(devices: readonly TfsObject[], links: readonly TfsObject[]): Edge[] {
  const linked = new Set<string>();
  const connected = new Set<string>();
  for (const l of links) {
    for (const e of (l.link_endpoint_ids as unknown[] | undefined) ?? []) {
      const device = uuidOf((e as { device_id?: unknown }).device_id, 'device_uuid');
      linked.add(`${device} ${uuidOf(e, 'endpoint_uuid')}`);
      connected.add(device);
    }
  }
  const out: Edge[] = [];
  for (const d of devices) {
    const uuid = uuidOf(d.device_id, 'device_uuid');
    const drivers = (d.device_drivers as string[] | undefined) ?? [];
    if (!connected.has(uuid) || !drivers.some((x) => HANDLED_DRIVERS.has(x))) continue;
    for (const e of (d.device_endpoints as Array<{ endpoint_id?: unknown; name?: string }> | undefined) ?? []) {
      const epUuid = uuidOf(e.endpoint_id, 'endpoint_uuid');
      if (linked.has(`${uuid} ${epUuid}`)) continue;
      out.push({ device: str(d.name) || uuid, endpoint: e.name || epUuid });
    }
  }
  return out;
}

/** Two /24s per VLAN, far from the default link pool (10.255.0.0/16). */
export function subnetsOf(vlan: number): [string, string] {
  return [`10.${100 + (vlan >> 8)}.${vlan & 255}.1`, `10.${140 + (vlan >> 8)}.${vlan & 255}.1`];
}

const rule = (key: string, value: unknown) => ({ action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: value } });
const epId = (e: Edge) => ({ device_id: { device_uuid: { uuid: e.device } }, endpoint_uuid: { uuid: e.endpoint } });

export function serviceBody(kind: 'l2nm' | 'l3nm', context: string, name: string, a: Edge, b: Edge, vlan: number): TfsObject {
  const [ipA, ipB] = subnetsOf(vlan);
  const rules =
    kind === 'l2nm'
      ? [rule('/settings', { vlan_id: vlan, access_vlan_tagged: true })]
      : [
          rule('/settings', { vlan_id: vlan }),
          rule(`/device[${a.device}]/endpoint[${a.endpoint}]/settings`, { address_ip: ipA, address_prefix: 24 }),
          rule(`/device[${b.device}]/endpoint[${b.endpoint}]/settings`, { address_ip: ipB, address_prefix: 24 }),
        ];
  return {
    service_id: { context_id: { context_uuid: { uuid: context } }, service_uuid: { uuid: name } },
    service_type: kind === 'l2nm' ? 'SERVICETYPE_L2NM' : 'SERVICETYPE_L3NM',
    service_status: { service_status: 'SERVICESTATUS_PLANNED' },
    service_endpoint_ids: [epId(a), epId(b)],
    service_config: { config_rules: rules },
  };
}

export function sliceBody(kind: 'slice-l2' | 'slice-l3', name: string, a: Edge, b: Edge, vlan: number): TfsObject {
  const ips = subnetsOf(vlan);
  const sdp = (id: string, e: Edge, ip: string) => ({
    id,
    'node-id': e.device,
    ...(kind === 'slice-l3' ? { 'sdp-ip-address': [ip] } : {}),
    'service-match-criteria': {
      'match-criterion': [{ index: 1, 'match-type': [{ type: 'ietf-network-slice-service:vlan', value: [String(vlan)] }], 'target-connection-group-id': 'cg' }],
    },
    'attachment-circuits': { 'attachment-circuit': [{ id: `ac${id}`, 'ac-node-id': e.device, 'ac-tp-id': e.endpoint }] },
  });
  return {
    'slice-service': [
      {
        id: name,
        sdps: { sdp: [sdp('1', a, ips[0]), sdp('2', b, ips[1])] },
        'connection-groups': { 'connection-group': [{ id: 'cg', 'connectivity-type': 'point-to-point', 'connectivity-construct': [{ id: 1, 'p2p-sender-sdp': '1', 'p2p-receiver-sdp': '2' }] }] },
      },
    ],
  };
}

const SLICES = '/restconf/data/ietf-network-slice-service:network-slice-services';

export const requestBodies = {
  /** Resolves once the service or slice is ACTIVE; throws why it is not. */
  async create(client: CnsdnClient, watcher: StatusWatcher, kind: RequestKind, context: string, name: string, a: Edge, b: Edge, vlan: number, timeoutMs: number): Promise<void> {
    if (kind === 'slice-l2' || kind === 'slice-l3') {
      // The slice NBI answers once the slice is realised (or not).
      await client.request('POST', SLICES, { body: sliceBody(kind, name, a, b, vlan), timeoutMs });
      return;
    }
    await client.request('POST', `/tfs-api/context/${enc(context)}/services`, { body: serviceBody(kind, context, name, a, b, vlan) });
    await watcher.untilActive(name, timeoutMs);
  },
  /** Takes the service or slice off the devices and removes it (the answer comes once it is done). */
  async remove(client: CnsdnClient, kind: RequestKind, context: string, name: string): Promise<void> {
    if (kind === 'slice-l2' || kind === 'slice-l3') await client.request('DELETE', `${SLICES}/slice-service=${enc(name)}`);
    else await client.request('DELETE', `/tfs-api/context/${enc(context)}/service/${enc(name)}`);
  },
};
