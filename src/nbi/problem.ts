/**
 * RFC 9457 problem details: every error the NBI returns, whatever raised it, leaves as
 * application/problem+json with a stable CNSDN_<CODE>.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CnsdnError, type ErrorCode, ErrorCodes, type ErrorDetail, isCnsdnError, pointer } from '../common/errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://cnsdn.dev/errors/';
/** $id under which the server registers problemSchema: routes may use `{ $ref: 'Problem#' }`. */
export const PROBLEM_SCHEMA_ID = 'Problem';

const errorCodeNames = Object.keys(ErrorCodes) as ErrorCode[];

export const problemSchema = Type.Object(
  {
    type: Type.String({ format: 'uri', description: `${PROBLEM_TYPE_BASE}<CODE>` }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    code: Type.String({ description: 'CNSDN_<CODE>, stable across releases', examples: ['CNSDN_VALIDATION_FAILED'] }),
    detail: Type.String(),
    errors: Type.Array(
      Type.Object({
        path: Type.String({ description: 'JSON pointer (RFC 6901) into the request document' }),
        message: Type.String(),
        code: Type.Optional(Type.Union(errorCodeNames.map((c) => Type.Literal(`CNSDN_${c}`)))),
      }),
    ),
    instance: Type.String({ description: 'The request URL' }),
  },
  { title: 'Problem', description: 'RFC 9457 problem details' },
);

export type Problem = Static<typeof problemSchema>;

const TITLES: Record<ErrorCode, string> = {
  INVALID_ARGUMENT: 'Invalid argument',
  VALIDATION_FAILED: 'Validation failed',
  MALFORMED_JSON: 'Malformed JSON',
  BODY_TOO_LARGE: 'Request body too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  NOT_FOUND: 'Not found',
  ALREADY_EXISTS: 'Already exists',
  REVISION_CONFLICT: 'Revision conflict',
  DANGLING_REFERENCE: 'Dangling reference',
  IN_USE: 'In use',
  UNAUTHENTICATED: 'Unauthenticated',
  PERMISSION_DENIED: 'Permission denied',
  RATE_LIMITED: 'Too many requests',
  UNAVAILABLE: 'Service unavailable',
  DEVICE_UNREACHABLE: 'Device unreachable',
  SOUTHBOUND_NOT_ALLOWED: 'Southbound address not allowed',
  DRIVER_NOT_FOUND: 'Driver not found',
  DRIVER_ERROR: 'Driver error',
  STORE_ERROR: 'Store error',
  BUS_ERROR: 'Bus error',
  INTERNAL: 'Internal error',
  INVALID_CREDENTIALS: 'Invalid credentials',
  CSRF_FAILED: 'CSRF check failed',
  LOGIN_THROTTLED: 'Too many failed logins',
  PASSWORD_POLICY: 'Password does not meet the policy',
  SETUP_COMPLETED: 'Setup already completed',
};

/** The subset of an ajv ErrorObject that Fastify puts in `error.validation`. */
export interface ValidationEntry {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

interface FastifyLikeError extends Error {
  code?: string;
  statusCode?: number;
  validation?: ValidationEntry[];
  validationContext?: string;
}

/** Converts one ajv error to a JSON pointer naming the offending member itself. */
export function validationPointer(entry: ValidationEntry): string {
  const base = entry.instancePath ?? '';
  const p = entry.params ?? {};
  if (entry.keyword === 'required' && typeof p.missingProperty === 'string') return pointer(base, p.missingProperty);
  if (entry.keyword === 'additionalProperties' && typeof p.additionalProperty === 'string') {
    return pointer(base, p.additionalProperty);
  }
  if (entry.keyword === 'dependencies' || entry.keyword === 'dependentRequired') {
    if (typeof p.missingProperty === 'string') return pointer(base, p.missingProperty);
  }
  if (entry.keyword === 'unevaluatedProperties' && typeof p.unevaluatedProperty === 'string') {
    return pointer(base, p.unevaluatedProperty);
  }
  return base;
}

function validationMessage(entry: ValidationEntry): string {
  const p = entry.params ?? {};
  if (entry.keyword === 'additionalProperties') return 'is not an allowed property';
  if (entry.keyword === 'required') return 'is required';
  if (entry.keyword === 'enum' && Array.isArray(p.allowedValues)) {
    return `must be one of ${p.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return entry.message ?? entry.keyword;
}

/** Turns a Fastify schema-validation error into a CnsdnError carrying JSON-pointer details. */
export function fromValidation(entries: readonly ValidationEntry[], context = 'body'): CnsdnError {
  const where = context === 'body' ? '' : `${context} `;
  const details: ErrorDetail[] = entries.map((e) => {
    const path = validationPointer(e);
    return { path, message: `${where}${path || '(document)'} ${validationMessage(e)}` };
  });
  const first = details[0];
  const summary = first ? first.message : 'request does not match the schema';
  return new CnsdnError('VALIDATION_FAILED', `Invalid ${context}: ${summary}`, details);
}

const fastifyCodeMap: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_ARGUMENT',
  FST_ERR_NOT_FOUND: 'NOT_FOUND',
};

/**
 * Normalises anything thrown into a CnsdnError. Unknown errors become INTERNAL with a
 * generic message; the original stays as `cause` for logging only.
 */
export function toCnsdnError(error: unknown, contentType?: string): CnsdnError {
  if (isCnsdnError(error)) return error;
  if (!(error instanceof Error)) return new CnsdnError('INTERNAL', 'Internal error', [], { cause: error });
  const e = error as FastifyLikeError;
  if (Array.isArray(e.validation)) return fromValidation(e.validation, e.validationContext ?? 'body');
  const mapped = e.code ? fastifyCodeMap[e.code] : undefined;
  if (mapped) {
    const message = mapped === 'UNSUPPORTED_MEDIA_TYPE' ? unsupportedMediaMessage(contentType) : e.message;
    return new CnsdnError(mapped, message, [], { cause: error });
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 && e.code?.startsWith('FST_')) {
    return new CnsdnError('INVALID_ARGUMENT', e.message, [], { cause: error });
  }
  return new CnsdnError('INTERNAL', 'Internal error', [], { cause: error });
}

function unsupportedMediaMessage(contentType: string | undefined): string {
  const shown = contentType ? JSON.stringify(contentType.slice(0, 100)) : '(none)';
  return `Unsupported Content-Type ${shown}; send application/json`;
}

export function toProblem(error: CnsdnError, instance: string): Problem {
  return {
    type: `${PROBLEM_TYPE_BASE}${error.code}`,
    title: TITLES[error.code],
    status: error.status,
    code: error.fullCode,
    detail: error.message,
    errors: error.details.map((d) =>
      d.code ? { path: d.path, message: d.message, code: `CNSDN_${d.code}` } : { path: d.path, message: d.message },
    ),
    instance,
  };
}

/**
 * Sends `error` as a problem document. INTERNAL errors are logged with their stack and
 * reach the client only as a generic message naming the request id.
 */
export function sendProblem(reply: FastifyReply, error: unknown): FastifyReply {
  const request = reply.request;
  let e = toCnsdnError(error, request.headers['content-type']);
  if (e.status >= 500) {
    request.log.error({ err: error }, 'request failed');
    if (e.code === 'INTERNAL') {
      e = new CnsdnError('INTERNAL', `Internal error; the server log has the details under request id ${request.id}`);
    }
  } else {
    request.log.info({ code: e.fullCode, detail: e.message }, 'request rejected');
  }
  return reply
    .code(e.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(toProblem(e, request.url)));
}

/** Fastify error handler: routes throw (or reject with) errors, this turns them into problems. */
export function problemErrorHandler(error: unknown, _request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(reply, error);
}
