/**
 * Accounts, sessions and access control: users with scrypt-hashed passwords, roles
 * admin / operator / viewer on every NBI route, API tokens, stateless encrypted session cookies
 * with CSRF tokens, login backoff, and the audit log.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { installAuthService } from './hook.js';
import { authRoutes } from './routes.js';
import type { AuthService } from './service.js';

export { type AuthEnv, authEnv } from './env.js';
export type { AuditNote, RouteRole } from './hook.js';
export { checkPasswordPolicy, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './password.js';
export {
  assertRole,
  bearerToken,
  isProtectedPath,
  isRole,
  isSafeMethod,
  PROTECTED_PREFIXES,
  type Principal,
  type Role,
  ROLES,
  requiredRole,
  requireRole,
  roleAtLeast,
} from './principal.js';
export { type AuthMode, type AuthOptions, AuthService, createAuth } from './service.js';
export { CSRF_HEADER, SESSION_COOKIE, type SessionClaims, SessionKeyring } from './session-cookie.js';
export { hasApiToken, hasSession, sessionFromRequest } from './session-registry.js';
export type { AuditEntry, AuditQuery, TokenRecord, UserRecord } from './store.js';

/**
 * Installs the auth hooks on the root instance (call before any route is registered, after rate
 * limits) and returns the plugin with the auth, user and audit routes, to register with the rest.
 */
export function installAuthentication(app: FastifyInstance, auth: AuthService): FastifyPluginAsync {
  const roles = installAuthService(app, auth);
  return authRoutes(auth, () => roles);
}
