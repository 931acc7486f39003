/**
 * The HTTP side of auth on the Fastify root instance: who is calling (preParsing: after rate
 * limits and load shedding, before the body is read), whether the route allows them, the CSRF
 * check for cookie-authenticated writes, the sliding session cookie, and the audit entry of
 * every write once its outcome is known.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CnsdnError } from '../common/errors.js';
import { isProtectedPath, isSafeMethod, PROTECTED_PREFIXES, type Role, requiredRole, roleAtLeast } from './principal.js';
import type { AuthService } from './service.js';
import { COOKIE_REFRESH_MS, cookieValue, CSRF_HEADER, SESSION_COOKIE, type SessionClaims, serializeSessionCookie } from './session-cookie.js';

/** What a route handler adds to its audit entry. */
export interface AuditNote {
  action?: string;
  /** The account or entity acted on, when the route parameters do not say it. */
  target?: Record<string, string>;
  /** Who, when the request itself carried no credential (a login). */
  principal?: string;
}

export interface RouteRole {
  method: string;
  url: string;
  /** 'public', or the least role the route needs. */
  role: Role | 'public';
}

declare module 'fastify' {
  interface FastifyRequest {
    auditNote: AuditNote | null;
    /** Claims of the session cookie that authenticated this request. */
    session: SessionClaims | null;
    /** CNSDN_<CODE> of the problem a write was answered with. */
    auditCode: string | null;
  }
}

export function isSecureRequest(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

/** Sets the session cookie (claims sealed with the primary key) on the reply. */
export function setSessionCookie(auth: AuthService, request: FastifyRequest, reply: FastifyReply, claims: SessionClaims): void {
  const maxAge = Math.max(1, Math.floor((claims.exp - Date.now()) / 1000));
  reply.header('set-cookie', serializeSessionCookie(auth.keyring.seal(claims), { secure: isSecureRequest(request), maxAge }));
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('set-cookie', serializeSessionCookie('', { secure: isSecureRequest(request), maxAge: 0 }));
}

/** Installs authentication, authorisation, CSRF and audit; returns the routes registered afterwards with their roles. */
export function installAuthService(app: FastifyInstance, auth: AuthService): RouteRole[] {
  app.decorateRequest('principal', null);
  app.decorateRequest('auditNote', null);
  app.decorateRequest('session', null);
  app.decorateRequest('auditCode', null);
  const prefixes = auth.metricsPublic ? PROTECTED_PREFIXES : [...PROTECTED_PREFIXES, '/metrics'];
  const routes: RouteRole[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const config = route.config as { public?: boolean; role?: Role } | undefined;
    for (const method of methods) {
      if (method === 'HEAD' && route.url !== undefined && methods.length === 1) continue;
      if (!isProtectedPath(route.url, prefixes)) continue;
      routes.push({ method, url: route.url, role: config?.public === true ? 'public' : requiredRole(method, config?.role) });
    }
  });

  app.addHook('preParsing', async (request, reply, payload) => {
    const resolved = await auth.resolve(request.headers, cookieValue(request.headers.cookie, SESSION_COOKIE));
    request.principal = resolved.principal;
    const config = request.routeOptions.config as { public?: boolean; role?: Role } | undefined;
    if (config?.public === true) return payload;
    const pattern = request.routeOptions.url;
    // Judged by both the registered pattern and the raw path, so a catch-all route cannot open a protected prefix.
    const guarded = (pattern !== undefined && isProtectedPath(pattern, prefixes)) || isProtectedPath(request.url, prefixes);
    if (!guarded) return payload;
    const principal = resolved.principal;
    if (principal === null) {
      if (resolved.refused?.startsWith('Session')) clearSessionCookie(request, reply);
      throw new CnsdnError('UNAUTHENTICATED', resolved.refused ?? 'Authentication required: log in, or send Authorization: Bearer <token>');
    }
    if (pattern === undefined) return payload;
    const role = requiredRole(request.method, config?.role);
    if (!roleAtLeast(principal.role, role)) throw new CnsdnError('PERMISSION_DENIED', `Role ${role} required; caller has ${principal.role}`);
    const session = resolved.session;
    if (session) {
      request.session = session;
      if (!isSafeMethod(request.method) && !auth.keyring.verifyCsrf(session.sid, request.headers[CSRF_HEADER])) {
        throw new CnsdnError('CSRF_FAILED', `Missing or wrong ${CSRF_HEADER} header: take the token from GET /api/auth/me`);
      }
      const now = Date.now();
      if (now - session.seen >= COOKIE_REFRESH_MS) setSessionCookie(auth, request, reply, { ...session, role: principal.role, seen: now });
    }
    return payload;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode >= 400 && !isSafeMethod(request.method) && typeof payload === 'string') {
      request.auditCode = /"code":"(CNSDN_[A-Z_]+)"/.exec(payload.slice(0, 4096))?.[1] ?? null;
    }
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    if (isSafeMethod(request.method)) return;
    const note = request.auditNote;
    const p = request.principal;
    const params = request.params as Record<string, unknown> | undefined;
    const fromParams: Record<string, string> = {};
    for (const [k, v] of Object.entries(params ?? {})) if (typeof v === 'string') fromParams[k] = v;
    const target = note?.target ?? (Object.keys(fromParams).length > 0 ? fromParams : null);
    auth.audit.record({
      principal: note?.principal ?? p?.username ?? (p === null ? 'anonymous' : p.via === 'open' ? 'open' : 'admin-token'),
      via: p?.via ?? 'none',
      method: request.method,
      path: request.url.split('?')[0]!.slice(0, 1024),
      action: note?.action ?? null,
      target,
      clientIp: request.ip,
      status: reply.statusCode,
      code: request.auditCode,
      requestId: request.id,
    });
  });
  return routes;
}
