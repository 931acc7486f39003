/** Stable error codes. Never rename one: clients match on them. */
export const ErrorCodes = {
  INVALID_ARGUMENT: 400,
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  REVISION_CONFLICT: 409,
  DANGLING_REFERENCE: 422,
  IN_USE: 409,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  DEVICE_UNREACHABLE: 502,
  SOUTHBOUND_NOT_ALLOWED: 403,
  DRIVER_NOT_FOUND: 400,
  DRIVER_ERROR: 502,
  STORE_ERROR: 500,
  BUS_ERROR: 500,
  INTERNAL: 500,
  INVALID_CREDENTIALS: 401,
  CSRF_FAILED: 403,
  LOGIN_THROTTLED: 429,
  PASSWORD_POLICY: 400,
  SETUP_COMPLETED: 409,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export interface ErrorDetail {
  /** JSON pointer (RFC 6901) into the offending document, e.g. "/devices/3/device_id". */
  path: string;
  message: string;
  code?: ErrorCode;
}

export class CnsdnError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];
  readonly status: number;

  constructor(code: ErrorCode, message: string, details: ErrorDetail[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CnsdnError';
    this.code = code;
    this.details = details;
    this.status = ErrorCodes[code];
  }

  /** The code as clients see it: CNSDN_<CODE>. */
  get fullCode(): string {
    return `CNSDN_${this.code}`;
  }
}

export function isCnsdnError(e: unknown): e is CnsdnError {
  return e instanceof CnsdnError;
}

/** Appends a segment to a JSON pointer, escaping ~ and / per RFC 6901. */
export function pointer(base: string, segment: string | number): string {
  const s = String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
  return `${base}/${s}`;
}
