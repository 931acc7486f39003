/** The web tier's knobs: defaults, and how they are read from the environment. */
import { hash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { hasApiToken, hasSession } from '../auth/session-registry.js';
import { CnsdnError } from '../common/errors.js';
import { parseTrustProxy, type TrustProxy } from './guard-address.js';
import type { RateBudget } from './guard-limits.js';

export interface GuardOptions {
  /** Requests per client address (not logged in); false: unlimited. */
  rateLimit: RateBudget | false;
  /** Requests per logged-in client address, a budget of its own; false: unlimited. */
  trustedRateLimit: RateBudget | false;
  /** GET/HEAD of static paths (answered from memory) per client address; false: only connection caps apply. */
  staticRateLimit: RateBudget | false;
  /** Open connections in all. */
  maxConns: number;
  /** Open connections per client address (IPv4 address or IPv6 /64); trusted proxies are exempt. */
  maxConnsPerIp: number;
  /** Connections without a request in progress per client address; beyond it the oldest idle one is closed. */
  maxIdlePerIp: number;
  /** Connections accepted beyond the caps on probation: served only if their first request is logged in. */
  trustedReserve: number;
  /** Probation connections per client address. */
  trustedReservePerIp: number;
  /** Complete request headers must arrive within this (slowloris). */
  headersTimeoutMs: number;
  /** The whole request (headers and body) must arrive within this. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** How often the header/request timeouts are checked. */
  timeoutCheckMs: number;
  /** Event-loop lag above which requests from clients not logged in get 503. */
  shedLagMs: number;
  /** Event-loop lag above which every request gets 503 (logged-in ones included). */
  shedLagTrustedMs: number;
  /** No shedding this long after start (module loading, migrations and device connections lag the loop). */
  shedGraceMs: number;
  /** Whose X-Forwarded-For to believe. */
  trustProxy: TrustProxy;
  /** Path prefixes served from memory (counted against staticRateLimit). */
  staticPrefixes: readonly string[];
  /** Paths never limited nor shed (liveness/readiness probes). */
  exemptPaths: readonly string[];
  /** During a connection flood and above this resident set size (MiB), V8 is switched to its memory-saving heap growth (guard-memory.ts); 0 = never. */
  memorySaverMiB: number;
  /** A cheap check that the request carries a valid session or token: such clients get their own budget. */
  isTrusted?: (req: IncomingMessage) => boolean;
}

const MINUTE = 60_000;

export const DEFAULT_GUARD_OPTIONS: Readonly<Omit<GuardOptions, 'isTrusted'>> = Object.freeze({
  rateLimit: { max: 6000, windowMs: MINUTE },
  trustedRateLimit: { max: 30_000, windowMs: MINUTE },
  staticRateLimit: false,
  maxConns: 10_000,
  maxConnsPerIp: 256,
  maxIdlePerIp: 64,
  trustedReserve: 64,
  trustedReservePerIp: 8,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 5_000,
  timeoutCheckMs: 1_000,
  shedLagMs: 1_000,
  shedLagTrustedMs: 3_000,
  shedGraceMs: 10_000,
  memorySaverMiB: 180,
  trustProxy: false,
  staticPrefixes: ['/webui'],
  exemptPaths: ['/healthz', '/readyz'],
});

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw.trim());
  if (!Number.isInteger(n) || n < min) throw new CnsdnError('INVALID_ARGUMENT', `${name}: expected an integer >= ${min}, got "${raw}"`);
  return n;
}

/** A per-minute budget; 0 turns the limit off. */
function perMinute(env: NodeJS.ProcessEnv, name: string, fallback: RateBudget | false): RateBudget | false {
  const n = int(env, name, fallback === false ? 0 : Math.round((fallback.max * MINUTE) / fallback.windowMs), 0);
  return n === 0 ? false : { max: n, windowMs: MINUTE };
}

/**
 * Reads the knobs from the environment (names in docs/web-tier.md). Bad values are refused
 * with INVALID_ARGUMENT naming the variable.
 */
export function guardOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Omit<GuardOptions, 'isTrusted'> {
  const d = DEFAULT_GUARD_OPTIONS;
  const options = {
    ...d,
    rateLimit: perMinute(env, 'CNSDN_RATE_LIMIT', d.rateLimit),
    trustedRateLimit: perMinute(env, 'CNSDN_RATE_LIMIT_TRUSTED', d.trustedRateLimit),
    staticRateLimit: perMinute(env, 'CNSDN_RATE_LIMIT_STATIC', d.staticRateLimit),
    maxConns: int(env, 'CNSDN_MAX_CONNS', d.maxConns, 1),
    maxConnsPerIp: int(env, 'CNSDN_MAX_CONNS_PER_IP', d.maxConnsPerIp, 1),
    maxIdlePerIp: int(env, 'CNSDN_MAX_IDLE_CONNS_PER_IP', d.maxIdlePerIp, 1),
    trustedReserve: int(env, 'CNSDN_TRUSTED_CONN_RESERVE', d.trustedReserve, 0),
    headersTimeoutMs: int(env, 'CNSDN_HEADERS_TIMEOUT_MS', d.headersTimeoutMs, 100),
    requestTimeoutMs: int(env, 'CNSDN_REQUEST_TIMEOUT_MS', d.requestTimeoutMs, 100),
    keepAliveTimeoutMs: int(env, 'CNSDN_KEEPALIVE_TIMEOUT_MS', d.keepAliveTimeoutMs, 100),
    shedLagMs: int(env, 'CNSDN_SHED_LAG_MS', d.shedLagMs, 0),
    shedLagTrustedMs: int(env, 'CNSDN_SHED_LAG_TRUSTED_MS', d.shedLagTrustedMs, 0),
    memorySaverMiB: int(env, 'CNSDN_MEMORY_SAVER_MIB', d.memorySaverMiB, 0),
    trustProxy: parseTrustProxy(env.CNSDN_TRUST_PROXY),
  };
  if (options.requestTimeoutMs < options.headersTimeoutMs) {
    throw new CnsdnError('INVALID_ARGUMENT', `CNSDN_REQUEST_TIMEOUT_MS (${options.requestTimeoutMs}) must be at least CNSDN_HEADERS_TIMEOUT_MS (${options.headersTimeoutMs})`);
  }
  return options;
}

/**
 * isTrusted for the admin bearer token: a digest comparison, constant-time, a few µs.
 * Sessions and API tokens are added by composing with the auth module's own check.
 */
export function bearerTokenTrust(token: string): (req: IncomingMessage) => boolean {
  const expected = hash('sha256', token, 'buffer');
  return (req) => {
    const h = req.headers.authorization;
    if (typeof h !== 'string' || h.length > 4096) return false;
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(h);
    return m !== null && timingSafeEqual(hash('sha256', m[1]!, 'buffer'), expected);
  };
}

/**
 * The guard's isTrusted: a valid, unexpired, not revoked session cookie (one AES-GCM open), the
 * admin bearer token, or an API token this process has accepted before (one SHA-256 and a map
 * look-up). Failed checks cost the caller's anonymous budget like any other request.
 */
export function credentialTrust(adminToken: string | undefined): (req: IncomingMessage) => boolean {
  const token = adminToken ? bearerTokenTrust(adminToken) : undefined;
  return (req) =>
    (req.headers.cookie !== undefined && hasSession(req.headers)) ||
    (req.headers.authorization !== undefined && (token?.(req) === true || hasApiToken(req.headers)));
}
