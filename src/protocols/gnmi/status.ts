import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { GnmiDecodeError } from './codec.js';
import { PathSyntaxError } from './path.js';
import { GnmiStatusError } from './target.js';

/** The grpc status name for a numeric code (`14` → `UNAVAILABLE`). */
export function statusName(code: number): string {
  return (status as unknown as Record<number, string>)[code] ?? `CODE_${code}`;
}

/** Turns whatever a handler threw into the gRPC status sent to the client. */
export function toServiceError(err: unknown): Partial<ServiceError> & { code: status; details: string } {
  if (err instanceof GnmiStatusError) {
    return { code: status[err.grpcCode], details: err.message, metadata: new Metadata() };
  }
  if (err instanceof GnmiDecodeError || err instanceof PathSyntaxError) {
    return { code: status.INVALID_ARGUMENT, details: err.message, metadata: new Metadata() };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: status.INTERNAL, details: message, metadata: new Metadata() };
}
