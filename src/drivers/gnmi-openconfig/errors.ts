/** gNMI failures as coded controller errors. */
import { CnsdnError, isCnsdnError } from '../../common/errors.js';
import { GnmiError } from '../../protocols/gnmi/index.js';

/** Statuses that mean the device cannot be reached (as opposed to a device that answered "no"). */
const UNREACHABLE = new Set(['UNAVAILABLE', 'DEADLINE_EXCEEDED', 'CANCELLED']);

export function isConnectionLoss(e: unknown): boolean {
  return e instanceof GnmiError && e.code === 'UNAVAILABLE';
}

/** `what` says what was being done ("connect to r1 at 127.0.0.1:6030", "Set on r1"). */
export function toDriverError(e: unknown, what: string): CnsdnError {
  if (isCnsdnError(e)) return e;
  if (e instanceof GnmiError) {
    const code = UNREACHABLE.has(e.code) ? 'DEVICE_UNREACHABLE' : 'DRIVER_ERROR';
    return new CnsdnError(code, `${what} failed: ${e.message}`, [], { cause: e });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new CnsdnError('DRIVER_ERROR', `${what} failed: ${message}`, [], { cause: e });
}
