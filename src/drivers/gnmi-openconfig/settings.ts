/** TFS `_connect/settings` of a gNMI device, checked and turned into client options. */
import { CnsdnError } from '../../common/errors.js';
import type { GnmiClientTls, GnmiEncoding } from '../../protocols/gnmi/index.js';

export interface GnmiDriverSettings {
  username?: string;
  password?: string;
  /** TLS options, or 'insecure' only when the settings say `use_tls: false`. */
  tls: GnmiClientTls | 'insecure';
  /** From `timeout` (seconds); absent when the settings do not say. */
  timeoutMs?: number;
  encoding: GnmiEncoding;
}

const ENCODINGS: readonly GnmiEncoding[] = ['JSON', 'JSON_IETF', 'PROTO', 'ASCII'];

function invalid(field: string, message: string): CnsdnError {
  return new CnsdnError('INVALID_ARGUMENT', `_connect/settings.${field} ${message}`, [{ path: `/${field}`, message }]);
}

/** TFS settings carry booleans as JSON booleans or as text ("true", "False"). */
function bool(settings: Record<string, unknown>, field: string, fallback: boolean): boolean {
  const v = settings[field];
  if (v === undefined || v === null || v === '') return fallback;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw invalid(field, `must be true or false, got ${JSON.stringify(v)}`);
}

function text(settings: Record<string, unknown>, field: string): string | undefined {
  const v = settings[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw invalid(field, `must be a string, got ${JSON.stringify(v)}`);
}

function pem(settings: Record<string, unknown>, pemField: string, fileField: string): string | undefined {
  const inline = text(settings, pemField);
  const file = text(settings, fileField);
  if (inline !== undefined && file !== undefined) throw invalid(pemField, `and ${fileField} are exclusive`);
  if (inline !== undefined && !inline.includes('-----BEGIN')) throw invalid(pemField, 'is not PEM text (-----BEGIN ...)');
  return inline ?? file;
}

export function parseGnmiSettings(settings: Record<string, unknown>): GnmiDriverSettings {
  const useTls = bool(settings, 'use_tls', true);
  const timeoutS = settings.timeout === undefined || settings.timeout === null || settings.timeout === '' ? undefined : Number(settings.timeout);
  if (timeoutS !== undefined && !(Number.isFinite(timeoutS) && timeoutS > 0)) {
    throw invalid('timeout', `must be a positive number of seconds, got ${JSON.stringify(settings.timeout)}`);
  }
  const encoding = (text(settings, 'encoding')?.toUpperCase() ?? 'JSON_IETF') as GnmiEncoding;
  if (!ENCODINGS.includes(encoding)) throw invalid('encoding', `must be one of ${ENCODINGS.join(', ')}, got ${JSON.stringify(settings.encoding)}`);
  const out: GnmiDriverSettings = {
    tls: 'insecure',
    encoding,
  };
  if (timeoutS !== undefined) out.timeoutMs = Math.round(timeoutS * 1000);
  const username = text(settings, 'username');
  const password = text(settings, 'password');
  if (username !== undefined) out.username = username;
  if (password !== undefined) out.password = password;
  if (!useTls) return out;
  const tls: GnmiClientTls = {};
  const ca = pem(settings, 'ca_pem', 'ca_file');
  const cert = pem(settings, 'cert_pem', 'cert_file');
  const key = pem(settings, 'key_pem', 'key_file');
  if ((cert === undefined) !== (key === undefined)) throw invalid(cert === undefined ? 'cert_file' : 'key_file', 'is needed too: a client certificate needs both cert and key');
  const serverName = text(settings, 'server_name');
  if (ca !== undefined) tls.ca = ca;
  if (cert !== undefined && key !== undefined) {
    tls.cert = cert;
    tls.key = key;
  }
  if (bool(settings, 'skip_verify', false)) tls.skipVerify = true;
  if (serverName !== undefined) tls.serverName = serverName;
  out.tls = tls;
  return out;
}
