/**
 * Service settings with TFS semantics: `/settings`, then `/device[X]/settings`, then
 * `/device[X]/endpoint[Y]/settings`, merged field by field with the most specific winning.
 * X and Y match a device or endpoint by name or uuid.
 */
import type * as T from '../model/types.js';

export type Settings = Record<string, unknown>;

export interface ServiceSettings {
  global: Settings;
  /** Settings given for one endpoint only (where addresses belong). */
  endpointOnly(device: T.Device, endpoint: T.EndPoint): Settings;
  /** global ← device ← endpoint. */
  merged(device: T.Device, endpoint: T.EndPoint): Settings;
}

const DEVICE = /^\/device\[([^\]]+)\]\/settings$/;
const ENDPOINT = /^\/device\[([^\]]+)\]\/endpoint\[([^\]]+)\]\/settings$/;

export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function asSettings(text: string): Settings {
  const v = parseValue(text);
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Settings) : {};
}

export function serviceSettings(service: T.Service): ServiceSettings {
  let global: Settings = {};
  const byDevice = new Map<string, Settings>();
  const byEndpoint = new Map<string, Settings>();
  for (const r of service.service_config.config_rules) {
    if (!r.custom || r.action === 'CONFIGACTION_DELETE') continue;
    const key = r.custom.resource_key;
    if (key === '/settings') global = asSettings(r.custom.resource_value);
    const d = DEVICE.exec(key);
    if (d) byDevice.set(d[1]!, asSettings(r.custom.resource_value));
    const e = ENDPOINT.exec(key);
    if (e) byEndpoint.set(`${e[1]}\u0000${e[2]}`, asSettings(r.custom.resource_value));
  }
  const deviceRefs = (d: T.Device) => [d.name, d.device_id.device_uuid.uuid];
  const endpointRefs = (e: T.EndPoint) => [e.name, e.endpoint_id.endpoint_uuid.uuid];
  const endpointOnly = (device: T.Device, endpoint: T.EndPoint): Settings => {
    for (const dr of deviceRefs(device)) {
      for (const er of endpointRefs(endpoint)) {
        const s = byEndpoint.get(`${dr}\u0000${er}`);
        if (s) return s;
      }
    }
    return {};
  };
  return {
    global,
    endpointOnly,
    merged(device, endpoint) {
      const dev = deviceRefs(device).map((r) => byDevice.get(r)).find((s) => s !== undefined) ?? {};
      return { ...global, ...dev, ...endpointOnly(device, endpoint) };
    },
  };
}
