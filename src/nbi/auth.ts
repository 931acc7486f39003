/**
 * Bearer-token authentication and role checks. With no token configured the API is open
 * and every request acts as admin (the server warns at start).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CnsdnError } from '../common/errors.js';

export type Role = 'viewer' | 'operator' | 'admin';

export interface Principal {
  role: Role;
  via: 'token' | 'open';
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; null when no valid credential was presented on a public route. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Serve this route without credentials even under a protected prefix (e.g. a login form). */
    public?: boolean;
  }
}

const ROLE_RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

/** Path prefixes whose routes require a credential when a token is configured. */
export const PROTECTED_PREFIXES: readonly string[] = ['/tfs-api', '/restconf', '/api'];

const OPEN_PRINCIPAL: Principal = Object.freeze({ role: 'admin', via: 'open' }) as Principal;
const TOKEN_PRINCIPAL: Principal = Object.freeze({ role: 'admin', via: 'token' }) as Principal;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Compares a presented token with the expected one in time independent of where they differ or their lengths. */
export function tokenMatches(presented: string, expectedDigest: Buffer): boolean {
  return timingSafeEqual(digest(presented), expectedDigest);
}

export function isProtectedPath(path: string): boolean {
  return PROTECTED_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`) || path.startsWith(`${p}?`));
}

function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(h);
  return m ? m[1] : undefined;
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

/** preHandler for route plugins: `{ preHandler: requireRole('operator') }`. */
export function requireRole(role: Role): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const needed = ROLE_RANK[role];
  return async (request) => {
    const p = request.principal;
    if (p === null) throw new CnsdnError('UNAUTHENTICATED', 'Authentication required');
    if (ROLE_RANK[p.role] < needed) {
      throw new CnsdnError('PERMISSION_DENIED', `Role ${role} required; caller has ${p.role}`);
    }
  };
}
