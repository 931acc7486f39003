/**
 * The credentials the auth services running in this process accept, so code that sees only a
 * raw request (the web tier's rate limiter) can tell a logged-in client cheaply, without the
 * database: a session cookie costs one AES-GCM open, an expiry check and a look-up in the
 * revoked sessions; an API token one SHA-256 and a look-up among the tokens this process has
 * already accepted (a token's first request on a replica is judged as anonymous here).
 * Whether the user still exists is not checked here.
 */
import { hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { bearerToken } from './principal.js';
import { cookieValue, SESSION_COOKIE, type SessionClaims, type SessionKeyring } from './session-cookie.js';

export interface CredentialChecks {
  /** True when the session was ended (logout). */
  revoked?: (sid: string) => boolean;
  /** True when an API token with this SHA-256 (hex) was accepted recently. */
  tokenKnown?: (hash: string) => boolean;
}

interface Registered extends CredentialChecks {
  keyring: SessionKeyring;
  idleMs: number;
}

/** API tokens start with this (the admin token is checked by the web tier itself). */
export const API_TOKEN_PREFIX = 'cnsdn_';

/** How API tokens are kept (never in clear): SHA-256, hex. */
export const tokenHash = (token: string): string => hash('sha256', token, 'hex');

const active = new Set<Registered>();

/** Makes a keyring (and the service's checks) known to sessionFromRequest; call the returned function to forget it. */
export function registerKeyring(keyring: SessionKeyring, idleMs: number, checks: CredentialChecks = {}): () => void {
  const entry = { keyring, idleMs, ...checks };
  active.add(entry);
  return () => {
    active.delete(entry);
  };
}

/** The session a request's cookie carries, if a running auth service sealed it, it has not expired and was not revoked. */
export function sessionFromRequest(req: { headers: IncomingHttpHeaders }, now = Date.now()): SessionClaims | undefined {
  const value = cookieValue(req.headers.cookie, SESSION_COOKIE);
  if (value === undefined || value === '') return undefined;
  for (const { keyring, idleMs, revoked } of active) {
    const claims = keyring.open(value, now, idleMs);
    if (claims) return revoked?.(claims.sid) ? undefined : claims;
  }
  return undefined;
}

/** True when the headers carry a valid, unexpired session cookie. */
export function hasSession(headers: IncomingHttpHeaders, now = Date.now()): boolean {
  return sessionFromRequest({ headers }, now) !== undefined;
}

/** True when the headers carry an API token that a running auth service has accepted before. */
export function hasApiToken(headers: IncomingHttpHeaders): boolean {
  const h = headers.authorization;
  if (typeof h !== 'string' || h.length > 1024) return false;
  const token = bearerToken(h);
  if (token === undefined || !token.startsWith(API_TOKEN_PREFIX)) return false;
  const hash = tokenHash(token);
  for (const { tokenKnown } of active) if (tokenKnown?.(hash)) return true;
  return false;
}
