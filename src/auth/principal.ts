/** Who is calling, with which role, and the checks routes use. Knows nothing of how a caller proved it. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CnsdnError } from '../common/errors.js';

export type Role = 'viewer' | 'operator' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

export interface Principal {
  role: Role;
  /** session: a login cookie; token: the admin token or an API token; open: auth is off. */
  via: 'session' | 'token' | 'open';
  /** The user behind a session or an API token (absent for the admin token and open mode). */
  username?: string;
  /** The API token's id (absent for sessions, the admin token and open mode). */
  tokenId?: string;
  /** Session id (sessions only): what the CSRF token is bound to. */
  sessionId?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; null when no valid credential was presented on a public route. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Serve this route without credentials even under a protected prefix (e.g. a login form). */
    public?: boolean;
    /** Role this route needs; default viewer for GET/HEAD/OPTIONS, operator for other methods. */
    role?: Role;
  }
}

const ROLE_RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && Object.hasOwn(ROLE_RANK, value);
}

/** True when `has` is at least `needs`. */
export function roleAtLeast(has: Role, needs: Role): boolean {
  return ROLE_RANK[has] >= ROLE_RANK[needs];
}

/** The lower of two roles (an API token never acts above its owner). */
export function lowerRole(a: Role, b: Role): Role {
  return ROLE_RANK[a] <= ROLE_RANK[b] ? a : b;
}

/** Path prefixes whose routes require a credential when auth is on or a token is configured. */
export const PROTECTED_PREFIXES: readonly string[] = ['/tfs-api', '/restconf', '/api'];

export function isProtectedPath(path: string, prefixes: readonly string[] = PROTECTED_PREFIXES): boolean {
  return prefixes.some((p) => path === p || path.startsWith(`${p}/`) || path.startsWith(`${p}?`));
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/** The role a route needs: its declared role, else viewer to read and operator to write. */
export function requiredRole(method: string, declared: Role | undefined): Role {
  return declared ?? (isSafeMethod(method) ? 'viewer' : 'operator');
}

/** Throws UNAUTHENTICATED / PERMISSION_DENIED unless the principal holds `role`. */
export function assertRole(principal: Principal | null, role: Role): Principal {
  if (principal === null) throw new CnsdnError('UNAUTHENTICATED', 'Authentication required');
  if (!roleAtLeast(principal.role, role)) {
    throw new CnsdnError('PERMISSION_DENIED', `Role ${role} required; caller has ${principal.role}`);
  }
  return principal;
}

/** preHandler for route plugins: `{ preHandler: requireRole('operator') }`. */
export function requireRole(role: Role): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (request) => {
    assertRole(request.principal, role);
  };
}

/** The bearer token of an Authorization header, if it carries exactly one. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const m = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
  return m ? m[1] : undefined;
}
