import { CnsdnError, type ErrorDetail } from '../common/errors.js';

export interface EmulatedEndpoint {
  uuid: string;
  /** Name the device uses: `name` from settings, else the uuid (as TFS does). */
  name: string;
  type: string;
  sampleTypes: number[];
  location?: Record<string, unknown>;
  /** Whether settings gave an explicit name (then it is echoed in the endpoint resource). */
  named: boolean;
}

export interface EmulatedSettings {
  endpoints: EmulatedEndpoint[];
  failConnect: boolean;
  connectDelayMs: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads `_connect/settings` of an emulated device: `endpoints` as in TFS descriptors
 * ([{uuid, name?, type, sample_types?}]), plus test knobs `fail_connect` and `connect_delay_ms`.
 */
export function parseEmulatedSettings(settings: Record<string, unknown>): EmulatedSettings {
  const problems: ErrorDetail[] = [];
  const endpoints: EmulatedEndpoint[] = [];
  const raw = settings.endpoints ?? [];
  if (!Array.isArray(raw)) {
    problems.push({ path: '/endpoints', message: 'must be an array' });
  } else {
    const seen = new Set<string>();
    raw.forEach((ep: unknown, i) => {
      const at = `/endpoints/${i}`;
      if (!isRecord(ep)) {
        problems.push({ path: at, message: 'must be an object' });
        return;
      }
      const { uuid, name, type, location } = ep;
      const sampleTypes = ep.sample_types ?? [];
      if (typeof uuid !== 'string' || uuid.length === 0) problems.push({ path: `${at}/uuid`, message: 'must be a non-empty string' });
      if (name !== undefined && (typeof name !== 'string' || name.length === 0)) {
        problems.push({ path: `${at}/name`, message: 'must be a non-empty string' });
      }
      if (typeof type !== 'string') problems.push({ path: `${at}/type`, message: 'must be a string' });
      if (!Array.isArray(sampleTypes) || !sampleTypes.every((t) => Number.isInteger(t) && t >= 0)) {
        problems.push({ path: `${at}/sample_types`, message: 'must be an array of KPI sample type numbers' });
      }
      if (location !== undefined && !isRecord(location)) problems.push({ path: `${at}/location`, message: 'must be an object' });
      if (typeof uuid !== 'string' || typeof type !== 'string' || !Array.isArray(sampleTypes)) return;
      const epName = typeof name === 'string' && name.length > 0 ? name : uuid;
      if (seen.has(epName)) problems.push({ path: at, message: `duplicate endpoint "${epName}"` });
      seen.add(epName);
      endpoints.push({
        uuid,
        name: epName,
        type,
        sampleTypes: [...new Set(sampleTypes as number[])],
        named: typeof name === 'string',
        ...(isRecord(location) ? { location } : {}),
      });
    });
  }
  const failConnect = settings.fail_connect ?? false;
  if (typeof failConnect !== 'boolean') problems.push({ path: '/fail_connect', message: 'must be a boolean' });
  const connectDelayMs = settings.connect_delay_ms ?? 0;
  if (typeof connectDelayMs !== 'number' || !Number.isFinite(connectDelayMs) || connectDelayMs < 0) {
    problems.push({ path: '/connect_delay_ms', message: 'must be a non-negative number' });
  }
  if (problems.length > 0) {
    const summary = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    throw new CnsdnError('INVALID_ARGUMENT', `invalid emulated device settings: ${summary}`, problems);
  }
  return { endpoints, failConnect: failConnect === true, connectDelayMs: connectDelayMs as number };
}
