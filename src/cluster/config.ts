/** Cluster settings from options and the environment (CNSDN_MEMBER_ID, CNSDN_CLUSTER_LEASE_TTL_MS, ...). */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { CnsdnError } from '../common/errors.js';

export const MEMBER_ID = /^[A-Za-z0-9._-]{1,100}$/;
export const DEFAULT_LEASE_TTL_MS = 5000;
export const DEFAULT_RPC_TIMEOUT_MS = 30_000;

export interface ClusterSettings {
  memberId: string;
  leaseTtlMs: number;
  rpcTimeoutMs: number;
  /** Overrides the advertised NBI address (default: the URL the server listens on). */
  advertiseUrl?: string;
  mode: 'auto' | 'off';
}

function positive(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new CnsdnError('INVALID_ARGUMENT', `${name} must be an integer ≥ ${min}, got "${text}"`, [{ path: `/env/${name}`, message: `must be ≥ ${min}` }]);
  return n;
}

export function defaultMemberId(): string {
  const host = hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 60) || 'host';
  return `${host}-${process.pid}-${randomBytes(2).toString('hex')}`;
}

export function clusterSettings(given: Partial<ClusterSettings> = {}, env: NodeJS.ProcessEnv = process.env): ClusterSettings {
  const memberId = given.memberId ?? (env.CNSDN_MEMBER_ID || defaultMemberId());
  if (!MEMBER_ID.test(memberId)) {
    throw new CnsdnError('INVALID_ARGUMENT', `member id "${memberId}" must match ${MEMBER_ID.source}`, [{ path: '/env/CNSDN_MEMBER_ID', message: 'invalid member id' }]);
  }
  const mode = given.mode ?? (env.CNSDN_CLUSTER || 'auto');
  if (mode !== 'auto' && mode !== 'off') throw new CnsdnError('INVALID_ARGUMENT', `CNSDN_CLUSTER must be auto or off, got "${mode}"`, [{ path: '/env/CNSDN_CLUSTER', message: 'auto or off' }]);
  const advertiseUrl = given.advertiseUrl ?? (env.CNSDN_ADVERTISE_URL || undefined);
  return {
    memberId,
    mode,
    leaseTtlMs: given.leaseTtlMs ?? positive('CNSDN_CLUSTER_LEASE_TTL_MS', env.CNSDN_CLUSTER_LEASE_TTL_MS, DEFAULT_LEASE_TTL_MS, 1000),
    rpcTimeoutMs: given.rpcTimeoutMs ?? positive('CNSDN_CLUSTER_RPC_TIMEOUT_MS', env.CNSDN_CLUSTER_RPC_TIMEOUT_MS, DEFAULT_RPC_TIMEOUT_MS, 100),
    ...(advertiseUrl ? { advertiseUrl } : {}),
  };
}

/** Readiness grace (CNSDN_READY_GRACE_MS, default 15 s): how long /readyz stays 200 after the bus or store last answered. */
export function readinessGraceMs(env: NodeJS.ProcessEnv = process.env): number {
  return positive('CNSDN_READY_GRACE_MS', env.CNSDN_READY_GRACE_MS, 15_000, 0);
}
