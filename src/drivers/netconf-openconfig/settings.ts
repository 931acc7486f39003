/** TFS `_connect/settings` of a NETCONF device, checked and turned into client options. */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CnsdnError } from '../../common/errors.js';
import type { HostKeyPolicy } from '../../protocols/netconf/index.js';

export interface NetconfDriverSettings {
  username: string;
  password?: string;
  privateKey?: Buffer;
  passphrase?: string;
  /** ssh-agent socket, from `allow_agent` and SSH_AUTH_SOCK. */
  agent?: string;
  hostKey: HostKeyPolicy;
  commitPerRule: boolean;
  forceRunning: boolean;
  /** create-subscription after connect (when the device offers :notification), from `notifications` (default true). */
  notifications: boolean;
  /** From `timeout` (seconds), else `manager_params.timeout`; absent when neither says. */
  timeoutMs?: number;
  /** SSH keepalive interval from `keepalive` (seconds; 0 turns keepalives off). */
  keepaliveIntervalMs?: number;
  /** Unanswered keepalives before the session is dropped, from `keepalive_count_max`. */
  keepaliveCountMax?: number;
  /** Cap on one message from the device, from `max_message_bytes`. */
  maxMessageBytes?: number;
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

function invalid(field: string, message: string): CnsdnError {
  return new CnsdnError('INVALID_ARGUMENT', `_connect/settings.${field} ${message}`, [{ path: `/${field}`, message }]);
}

/** TFS settings carry booleans as JSON booleans or as text ("true", "False"). */
function bool(s: Record<string, unknown>, field: string, fallback: boolean): boolean {
  const v = s[field];
  if (v === undefined || v === null || v === '') return fallback;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw invalid(field, `must be true or false, got ${JSON.stringify(v)}`);
}

function text(s: Record<string, unknown>, field: string): string | undefined {
  const v = s[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw invalid(field, `must be a string, got ${JSON.stringify(v)}`);
}

function seconds(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  if (!(Number.isFinite(n) && n > 0)) throw invalid(field, `must be a positive number of seconds, got ${JSON.stringify(v)}`);
  return Math.round(n * 1000);
}

function whole(s: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
  const v = s[field];
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  if (!(Number.isInteger(n) && n >= min && n <= max)) throw invalid(field, `must be a whole number in ${min}..${max}, got ${JSON.stringify(v)}`);
  return n;
}

function readKey(file: string, field: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw invalid(field, `cannot be read (${file}): ${(e as Error).message}`);
  }
}

function privateKey(s: Record<string, unknown>, usePassword: boolean): Buffer | undefined {
  const v = s.key_filename;
  const files = Array.isArray(v) ? v : v === undefined || v === null || v === '' ? [] : [v];
  if (files.some((f) => typeof f !== 'string')) throw invalid('key_filename', 'must be a path or a list of paths');
  const found = (files as string[]).find((f) => existsSync(f));
  if (files.length > 0) return readKey(found ?? (files[0] as string), 'key_filename');
  if (usePassword || !bool(s, 'look_for_keys', false)) return undefined;
  const own = DEFAULT_KEYS.map((k) => join(homedir(), '.ssh', k)).find((f) => existsSync(f));
  return own === undefined ? undefined : readKey(own, 'look_for_keys');
}

function hostKeyPolicy(s: Record<string, unknown>): HostKeyPolicy {
  if (!bool(s, 'hostkey_verify', true)) return 'insecure-accept-any';
  const fingerprint = text(s, 'hostkey_fingerprint');
  const knownHosts = text(s, 'known_hosts_file');
  if (fingerprint !== undefined && knownHosts !== undefined) throw invalid('hostkey_fingerprint', 'and known_hosts_file are exclusive');
  if (fingerprint !== undefined) return { fingerprint };
  if (knownHosts !== undefined) return { knownHostsFile: knownHosts };
  const own = join(homedir(), '.ssh', 'known_hosts');
  if (existsSync(own)) return { knownHostsFile: own };
  throw invalid(
    'hostkey_verify',
    'is true (the default) but there is nothing to verify against: give known_hosts_file or hostkey_fingerprint, or set hostkey_verify false to accept any host key',
  );
}

export function parseNetconfSettings(s: Record<string, unknown>): NetconfDriverSettings {
  const username = text(s, 'username');
  if (username === undefined) throw invalid('username', 'is required');
  const password = text(s, 'password');
  const key = privateKey(s, password !== undefined);
  // The controller's own ssh-agent (SSH_AUTH_SOCK), only when asked for.
  const agentSock = process.env.SSH_AUTH_SOCK;
  const agent = bool(s, 'allow_agent', false) && agentSock ? agentSock : undefined;
  if (password === undefined && key === undefined && agent === undefined) {
    throw invalid('password', 'or key_filename (or look_for_keys with a key in ~/.ssh, or allow_agent with SSH_AUTH_SOCK set) is required');
  }
  const manager = s.manager_params;
  const timeoutMs =
    seconds(s.timeout, 'timeout') ??
    (manager && typeof manager === 'object' ? seconds((manager as Record<string, unknown>).timeout, 'manager_params.timeout') : undefined);
  const out: NetconfDriverSettings = {
    username,
    hostKey: hostKeyPolicy(s),
    commitPerRule: bool(s, 'commit_per_rule', false),
    forceRunning: bool(s, 'force_running', false),
    notifications: bool(s, 'notifications', true),
  };
  if (password !== undefined) out.password = password;
  if (key !== undefined) out.privateKey = key;
  if (agent !== undefined) out.agent = agent;
  const passphrase = text(s, 'key_passphrase');
  if (passphrase !== undefined) out.passphrase = passphrase;
  if (timeoutMs !== undefined) out.timeoutMs = timeoutMs;
  const keepalive = s.keepalive === 0 || s.keepalive === '0' ? 0 : seconds(s.keepalive, 'keepalive');
  if (keepalive !== undefined) out.keepaliveIntervalMs = keepalive;
  const countMax = whole(s, 'keepalive_count_max', 1, 100);
  if (countMax !== undefined) out.keepaliveCountMax = countMax;
  const maxBytes = whole(s, 'max_message_bytes', 1024, 2 ** 31);
  if (maxBytes !== undefined) out.maxMessageBytes = maxBytes;
  return out;
}
