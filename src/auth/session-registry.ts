/**
 * The session keyrings of the auth services running in this process, so code that sees only a
 * raw request (the web tier's rate limiter) can tell a logged-in client cheaply: one AES-GCM
 * open and an expiry check, no database. Whether the user still exists is not checked here.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { cookieValue, SESSION_COOKIE, type SessionClaims, type SessionKeyring } from './session-cookie.js';

interface Registered {
  keyring: SessionKeyring;
  idleMs: number;
}

const active = new Set<Registered>();

/** Makes a keyring known to sessionFromRequest; call the returned function to forget it. */
export function registerKeyring(keyring: SessionKeyring, idleMs: number): () => void {
  const entry = { keyring, idleMs };
  active.add(entry);
  return () => {
    active.delete(entry);
  };
}

/** The session a request's cookie carries, if a running auth service sealed it and it has not expired. */
export function sessionFromRequest(req: { headers: IncomingHttpHeaders }, now = Date.now()): SessionClaims | undefined {
  const value = cookieValue(req.headers.cookie, SESSION_COOKIE);
  if (value === undefined || value === '') return undefined;
  for (const { keyring, idleMs } of active) {
    const claims = keyring.open(value, now, idleMs);
    if (claims) return claims;
  }
  return undefined;
}

/** True when the headers carry a valid, unexpired session cookie. */
export function hasSession(headers: IncomingHttpHeaders, now = Date.now()): boolean {
  return sessionFromRequest({ headers }, now) !== undefined;
}
