export { isProtectedPath, PROTECTED_PREFIXES, type Principal, type Role, requireRole } from './auth.js';
export { type HealthOptions, type ReadinessCheck, runCheck } from './health.js';
export { createMetricsRegistry, type MetricsRegistryOptions, UNMATCHED_ROUTE } from './metrics.js';
export {
  fromValidation,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_SCHEMA_ID,
  PROBLEM_TYPE_BASE,
  type Problem,
  problemSchema,
  sendProblem,
  toCnsdnError,
  toProblem,
  validationPointer,
} from './problem.js';
export {
  buildServer,
  DEFAULT_BODY_LIMIT,
  DEFAULT_MAX_JSON_DEPTH,
  parseJsonBody,
  type RateLimitOptions,
  type ServerOptions,
} from './server.js';
export type { SseOptions } from './sse.js';
export { typeboxValidator } from './validation.js';
export { type FastPath, type GuardStats, WebTierGuard } from './guard.js';
export { normalizeIp, parseTrustProxy, resolveClientIp, type TrustProxy } from './guard-address.js';
export { bearerTokenTrust, credentialTrust, DEFAULT_GUARD_OPTIONS, type GuardOptions, guardOptionsFromEnv } from './guard-config.js';
export { learnSecurityHeaders, webuiFastPath } from './guard-fastpath.js';
