/** Plain-text tables and the TFS-JSON field readers the tables need. */

export type Cell = string | number | undefined | null;

/** Left-aligned columns separated by two spaces; numbers right-aligned; no trailing blanks. */
export function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((row) => headers.map((_, i) => cellText(row[i])));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => r[i] == null || typeof r[i] === 'number'));
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...text.map((r) => displayWidth(r[i]))));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => {
        const pad = ' '.repeat(widths[i] - displayWidth(c));
        return numeric[i] ? pad + c : c + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(headers), ...text.map(line)].join('\n') + '\n';
}

function cellText(c: Cell): string {
  if (c === undefined || c === null || c === '') return '-';
  return String(c).replace(/[\r\n\t]+/g, ' ');
}

/** Width in terminal columns: code points, not UTF-16 units. */
function displayWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

/** Reads a nested field: at(device, 'device_id', 'device_uuid', 'uuid'). */
export function at(v: unknown, ...keys: string[]): unknown {
  let cur = v;
  for (const k of keys) cur = obj(cur)?.[k];
  return cur;
}

export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** "DEVICEOPERATIONALSTATUS_ENABLED" → "ENABLED"; other values unchanged. */
export function enumName(v: unknown, prefix: string): string | undefined {
  const s = str(v);
  return s?.startsWith(prefix) ? s.slice(prefix.length) : s;
}

/** Resolves device and endpoint uuids to the names users gave them. */
export class NameBook {
  readonly #devices = new Map<string, { name: string; endpoints: Map<string, string> }>();

  constructor(devices: readonly unknown[]) {
    for (const d of devices) {
      const uuid = str(at(d, 'device_id', 'device_uuid', 'uuid'));
      const name = str(at(d, 'name')) || uuid;
      if (!uuid || !name) continue;
      const endpoints = new Map<string, string>();
      for (const ep of list(at(d, 'device_endpoints'))) {
        const epUuid = str(at(ep, 'endpoint_id', 'endpoint_uuid', 'uuid'));
        const epName = str(at(ep, 'name')) || epUuid;
        if (epUuid && epName) {
          endpoints.set(epUuid, epName);
          endpoints.set(epName, epName);
        }
      }
      const entry = { name, endpoints };
      this.#devices.set(uuid, entry);
      if (!this.#devices.has(name)) this.#devices.set(name, entry);
    }
  }

  device(uuid: string | undefined): string | undefined {
    return uuid === undefined ? undefined : (this.#devices.get(uuid)?.name ?? uuid);
  }

  /** An EndPointId as "device:endpoint", names where known, uuids otherwise. */
  endpoint(endpointId: unknown): string {
    const devUuid = str(at(endpointId, 'device_id', 'device_uuid', 'uuid'));
    const epUuid = str(at(endpointId, 'endpoint_uuid', 'uuid'));
    const dev = devUuid === undefined ? undefined : this.#devices.get(devUuid);
    const devName = dev?.name ?? devUuid ?? '?';
    const epName = (epUuid !== undefined && dev?.endpoints.get(epUuid)) || epUuid || '?';
    return `${devName}:${epName}`;
  }
}

export function deviceTable(devices: readonly unknown[]): string {
  const rows = devices.map((d) => [
    str(at(d, 'name')),
    str(at(d, 'device_id', 'device_uuid', 'uuid')),
    str(at(d, 'device_type')),
    enumName(at(d, 'device_operational_status'), 'DEVICEOPERATIONALSTATUS_'),
    list(at(d, 'device_drivers'))
      .map((x) => enumName(x, 'DEVICEDRIVER_'))
      .filter(Boolean)
      .join(','),
    list(at(d, 'device_endpoints')).length,
  ]);
  return formatTable(['NAME', 'UUID', 'TYPE', 'STATUS', 'DRIVERS', 'ENDPOINTS'], rows);
}

export function linkTable(links: readonly unknown[], names: NameBook): string {
  const rows = links.map((l) => [
    str(at(l, 'name')),
    str(at(l, 'link_id', 'link_uuid', 'uuid')),
    list(at(l, 'link_endpoint_ids'))
      .map((ep) => names.endpoint(ep))
      .join(' ↔ '),
  ]);
  return formatTable(['NAME', 'UUID', 'ENDPOINTS'], rows);
}

export function serviceTable(services: readonly unknown[], names: NameBook): string {
  const rows = services.map((s) => [
    str(at(s, 'name')),
    str(at(s, 'service_id', 'service_uuid', 'uuid')),
    enumName(at(s, 'service_type'), 'SERVICETYPE_'),
    enumName(at(s, 'service_status', 'service_status'), 'SERVICESTATUS_'),
    list(at(s, 'service_endpoint_ids'))
      .map((ep) => names.endpoint(ep))
      .join(', '),
  ]);
  return formatTable(['NAME', 'UUID', 'TYPE', 'STATUS', 'ENDPOINTS'], rows);
}

export function sliceTable(slices: readonly unknown[], names: NameBook): string {
  const rows = slices.map((s) => [
    str(at(s, 'name')),
    str(at(s, 'slice_id', 'slice_uuid', 'uuid')),
    enumName(at(s, 'slice_status', 'slice_status'), 'SLICESTATUS_'),
    list(at(s, 'slice_service_ids')).length,
    list(at(s, 'slice_endpoint_ids'))
      .map((ep) => names.endpoint(ep))
      .join(', '),
  ]);
  return formatTable(['NAME', 'UUID', 'STATUS', 'SERVICES', 'ENDPOINTS'], rows);
}

export function contextTable(contexts: readonly unknown[]): string {
  const rows = contexts.map((c) => [
    str(at(c, 'name')),
    str(at(c, 'context_id', 'context_uuid', 'uuid')),
    list(at(c, 'topology_ids')).length,
    list(at(c, 'service_ids')).length,
    list(at(c, 'slice_ids')).length,
  ]);
  return formatTable(['NAME', 'UUID', 'TOPOLOGIES', 'SERVICES', 'SLICES'], rows);
}
