/** What to subscribe on a device, read from its stored form (endpoints and `_connect/settings`). */
import type { StateSubscription } from '../device/index.js';
import type { Device } from '../model/index.js';
import { counterKpi } from './kpi.js';

/** Shortest sampling interval telemetry asks of a device, in seconds. */
export const MIN_INTERVAL_S = 0.01;
export const DEFAULT_INTERVAL_S = 10;
export const INTERVAL_ENV = 'CNSDN_TELEMETRY_INTERVAL_S';

export interface EndpointPlan {
  name: string;
  /** Counter KPI numbers, ascending. */
  kpis: number[];
}

export interface DevicePlan {
  deviceUuid: string;
  deviceName: string;
  intervalS: number;
  endpoints: EndpointPlan[];
}

/** A positive number of seconds (a number or a numeric string), or undefined. */
export function parseInterval(raw: unknown): number | undefined {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  // 0 is valid: telemetry off (for the device, or for every device when set in the environment).
  return Number.isFinite(n) && (n === 0 || n >= MIN_INTERVAL_S) ? n : undefined;
}

/** The default interval: the environment's when it is valid, else 10 s. */
export function defaultInterval(env: NodeJS.ProcessEnv = process.env): number {
  return parseInterval(env[INTERVAL_ENV]) ?? DEFAULT_INTERVAL_S;
}

function connectSettings(d: Device): Record<string, unknown> {
  const rule = d.device_config.config_rules.find((r) => r.custom?.resource_key === '_connect/settings' && r.action !== 'CONFIGACTION_DELETE');
  const raw = rule?.custom?.resource_value;
  if (raw === undefined) return {};
  try {
    const v: unknown = JSON.parse(raw);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function planDevice(uuid: string, d: Device, fallbackIntervalS: number): DevicePlan {
  const intervalS = parseInterval(connectSettings(d).telemetry_interval_s) ?? fallbackIntervalS;
  const endpoints: EndpointPlan[] = [];
  if (intervalS === 0) return { deviceUuid: uuid, deviceName: d.name, intervalS, endpoints };
  for (const ep of d.device_endpoints) {
    const kpis = [...new Set(ep.kpi_sample_types.map(counterKpi).filter((k): k is number => k !== undefined))].sort((a, b) => a - b);
    const name = ep.name || ep.endpoint_id.endpoint_uuid.uuid;
    if (kpis.length > 0) endpoints.push({ name, kpis });
  }
  return { deviceUuid: uuid, deviceName: d.name, intervalS, endpoints };
}

/** TFS SubscribeState arguments: one `/interface[NAME]` per endpoint, no end (duration 0). */
export function subscriptionsOf(plan: DevicePlan): StateSubscription[] {
  return plan.endpoints.map((ep) => [`/interface[${ep.name}]`, 0, plan.intervalS]);
}
