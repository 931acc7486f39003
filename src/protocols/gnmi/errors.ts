import type { ServiceError } from '@grpc/grpc-js';
import { statusName } from './status.js';

/** A failed gNMI call or connection: the gRPC status name (`UNAVAILABLE`, `UNAUTHENTICATED`, ...) and the reason. */
export class GnmiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly grpcCode?: number,
  ) {
    super(`${code}: ${message}`);
    this.name = 'GnmiError';
  }

  /** The message as the peer sent it, without the status name. */
  get details(): string {
    return this.message.slice(this.code.length + 2);
  }

  static fromService(err: Partial<ServiceError> & { message: string }): GnmiError {
    if (err instanceof GnmiError) return err;
    if (typeof err.code !== 'number') return new GnmiError('UNKNOWN', err.message);
    return new GnmiError(statusName(err.code), err.details || err.message, err.code);
  }
}
