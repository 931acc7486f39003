/**
 * Bearer-token authentication and role checks. With no token configured the API is open
 * and every request acts as admin (the server warns at start).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerToken, isProtectedPath, type Principal } from '../auth/principal.js';
import { CnsdnError } from '../common/errors.js';

export {
  isProtectedPath,
  PROTECTED_PREFIXES,
  type Principal,
  type Role,
  requireRole,
} from '../auth/principal.js';

const OPEN_PRINCIPAL: Principal = Object.freeze({ role: 'admin', via: 'open' }) as Principal;
const TOKEN_PRINCIPAL: Principal = Object.freeze({ role: 'admin', via: 'token' }) as Principal;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Compares a presented token with the expected one in time independent of where they differ or their lengths. */
export function tokenMatches(presented: string, expectedDigest: Buffer): boolean {
  return timingSafeEqual(digest(presented), expectedDigest);
}

function bearer(request: FastifyRequest): string | undefined {
  return bearerToken(request.headers.authorization);
}

/**
 * Installs the authentication hook on the root instance. It runs on preParsing: after the
 * rate limit and load shedding (onRequest) so guessing tokens is throttled too, and before
 * the body is read so an unauthenticated client cannot make the server parse a large body.
 */
export function installAuth(app: FastifyInstance, adminToken: string | undefined): void {
  app.decorateRequest('principal', null);
  if (adminToken === undefined || adminToken === '') {
    app.log.warn(
      'No admin token configured: the API is OPEN and every caller acts as admin. Set CNSDN_ADMIN_TOKEN to require a bearer token.',
    );
    app.addHook('preParsing', async (request, _reply, payload) => {
      request.principal = OPEN_PRINCIPAL;
      return payload;
    });
    return;
  }
  const expected = digest(adminToken);
  app.addHook('preParsing', async (request, _reply, payload) => {
    const token = bearer(request);
    if (token !== undefined && tokenMatches(token, expected)) {
      request.principal = TOKEN_PRINCIPAL;
      return payload;
    }
    request.principal = null;
    if (request.routeOptions.config?.public === true) return payload;
    const pattern = request.routeOptions.url;
    // Judged by both the registered pattern and the raw path, so a catch-all route cannot open a protected prefix.
    if ((pattern !== undefined && isProtectedPath(pattern)) || isProtectedPath(request.url)) throw unauthenticated(request);
    return payload;
  });
}

function unauthenticated(request: FastifyRequest): CnsdnError {
  return new CnsdnError(
    'UNAUTHENTICATED',
    bearer(request) === undefined ? 'Missing bearer token (Authorization: Bearer <token>)' : 'Invalid bearer token',
  );
}
