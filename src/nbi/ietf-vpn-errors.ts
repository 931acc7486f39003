/**
 * Errors of the RESTCONF routes. They leave as problem+json like the rest of the NBI; a client
 * that asks for `Accept: application/yang-data+json` gets RFC 8040 §7.1 `ietf-restconf:errors`
 * instead, with the same status, the cnsdn code and JSON pointer kept in error-info.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '../common/errors.js';
import { sendProblem, toCnsdnError } from './problem.js';

export const YANG_JSON = 'application/yang-data+json';

/** RFC 8040 §7 error-tag for each cnsdn code. */
const TAGS: Record<ErrorCode, string> = {
  INVALID_ARGUMENT: 'invalid-value',
  VALIDATION_FAILED: 'invalid-value',
  MALFORMED_JSON: 'malformed-message',
  BODY_TOO_LARGE: 'too-big',
  UNSUPPORTED_MEDIA_TYPE: 'invalid-value',
  NOT_FOUND: 'invalid-value',
  ALREADY_EXISTS: 'data-exists',
  REVISION_CONFLICT: 'resource-denied',
  DANGLING_REFERENCE: 'invalid-value',
  IN_USE: 'in-use',
  UNAUTHENTICATED: 'access-denied',
  PERMISSION_DENIED: 'access-denied',
  RATE_LIMITED: 'resource-denied',
  UNAVAILABLE: 'resource-denied',
  DEVICE_UNREACHABLE: 'operation-failed',
  SOUTHBOUND_NOT_ALLOWED: 'access-denied',
  DRIVER_NOT_FOUND: 'operation-not-supported',
  DRIVER_ERROR: 'operation-failed',
  STORE_ERROR: 'operation-failed',
  BUS_ERROR: 'operation-failed',
  INTERNAL: 'operation-failed',
  INVALID_CREDENTIALS: 'access-denied',
  CSRF_FAILED: 'access-denied',
  LOGIN_THROTTLED: 'resource-denied',
  PASSWORD_POLICY: 'invalid-value',
  SETUP_COMPLETED: 'data-exists',
};

const wantsYang = (request: FastifyRequest) => (request.headers.accept ?? '').toLowerCase().includes(YANG_JSON);

export function restconfErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (!wantsYang(request)) return sendProblem(reply, error);
  const e = toCnsdnError(error, request.headers['content-type']);
  if (e.status >= 500) return sendProblem(reply, error);
  const type = e.code === 'MALFORMED_JSON' || e.code === 'UNSUPPORTED_MEDIA_TYPE' || e.code === 'BODY_TOO_LARGE' ? 'protocol' : 'application';
  const entries = e.details.length ? e.details : [{ path: '', message: e.message, code: e.code }];
  const error_ = entries.map((d) => ({
    'error-type': type,
    'error-tag': TAGS[d.code ?? e.code],
    'error-message': d.message,
    'error-info': { 'cnsdn-code': `CNSDN_${d.code ?? e.code}`, 'json-pointer': d.path },
  }));
  return reply
    .code(e.status)
    .type(YANG_JSON)
    .send(JSON.stringify({ 'ietf-restconf:errors': { error: error_ } }));
}
