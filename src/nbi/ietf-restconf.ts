/**
 * What the IETF RESTCONF NBIs (RFC 8299/8466 VPN services in ietf-vpn.ts, network slices in
 * ietf-slice.ts) share: the route plugin's setup and documentation, reads whose NOT_FOUND means
 * something else there, faults of the stored TFS entities sent back to the request's nodes, and
 * a recorded service-layer failure as the error a request answers with.
 */
import type { FastifyInstance, FastifySchema } from 'fastify';
import { CnsdnError, type ErrorCode, ErrorCodes } from '../common/errors.js';
import { requireRole } from './auth.js';
import { restconfErrorHandler } from './ietf-vpn-errors.js';
import { typeboxValidator } from './validation.js';

export interface RestconfRoutes {
  viewer: { preHandler: ReturnType<typeof requireRole> };
  operator: { preHandler: ReturnType<typeof requireRole> };
  /** OpenAPI documentation of a route under `tag` (the YANG module), with its problem responses. */
  doc(tag: string, summary: string, extra?: FastifySchema): FastifySchema;
}

/** Sets a RESTCONF plugin up: TypeBox validation, RESTCONF errors, JSON bodies only. */
export function restconfRoutes(app: FastifyInstance): RestconfRoutes {
  app.setValidatorCompiler(typeboxValidator());
  app.setErrorHandler(restconfErrorHandler);
  app.removeContentTypeParser('text/plain');
  return {
    viewer: { preHandler: requireRole('viewer') },
    operator: { preHandler: requireRole('operator') },
    doc: (tag, summary, extra = {}) =>
      ({ tags: [tag], summary, response: { 400: { $ref: 'Problem#' }, 404: { $ref: 'Problem#' }, 409: { $ref: 'Problem#' }, 422: { $ref: 'Problem#' } }, ...extra }) as FastifySchema,
  };
}

/** The read's value, or `onMissing()` when it fails NOT_FOUND (which may throw an error of its own). */
export async function unlessNotFound<T>(read: Promise<T>, onMissing: () => T): Promise<T> {
  try {
    return await read;
  } catch (e) {
    if (e instanceof CnsdnError && e.code === 'NOT_FOUND') return onMissing();
    throw e;
  }
}

/** Where one requested entity came from in the IETF body: its node, and per endpoint the device and endpoint nodes. */
export interface RequestPlaces {
  path: string;
  places: ReadonlyArray<{ devicePath: string; endpointPath: string }>;
}

/**
 * ContextManager.apply points its faults into the descriptor it got (`/services/<i>/...` or
 * `/slices/<i>/...`); this sends them back to the IETF nodes they came from.
 */
export function inRequestBody(e: unknown, list: 'services' | 'slices', requests: readonly RequestPlaces[]): unknown {
  if (!(e instanceof CnsdnError)) return e;
  const one = list === 'services' ? 'service' : 'slice';
  const pattern = new RegExp(`^/${list}/(\\d+)(?:/${one}_endpoint_ids/(\\d+)(/device_id|/endpoint_uuid)?)?`);
  const where = (path: string): string => {
    const m = pattern.exec(path);
    const r = m ? requests[Number(m[1])] : undefined;
    if (!m || !r) return '';
    const place = m[2] !== undefined ? r.places[Number(m[2])] : undefined;
    if (!place) return r.path;
    return m[3] === '/endpoint_uuid' ? place.endpointPath : place.devicePath;
  };
  const prefix = new RegExp(`^/${list}/\\S*: `);
  const details = e.details.map((d) => {
    const path = where(d.path);
    return { ...d, path, message: `${path}: ${d.message.replace(prefix, '')}` };
  });
  const first = details[0];
  return new CnsdnError(e.code, first ? `request body: ${first.message}` : e.message, details, { cause: e });
}

/** A failure the service layer recorded (`/cnsdn/failure`: code CNSDN_X, message) as the error a request answers with. */
export function recordedFailure(failure: { code?: unknown; message?: unknown }, what: string): CnsdnError {
  const code = typeof failure.code === 'string' ? failure.code.replace(/^CNSDN_/, '') : '';
  const known = (Object.hasOwn(ErrorCodes, code) ? code : 'DRIVER_ERROR') as ErrorCode;
  return new CnsdnError(known, `${what}: ${typeof failure.message === 'string' ? failure.message : 'activation failed'}`);
}
