/** NETCONF failures as coded controller errors that keep the device's own words. */
import { CnsdnError, isCnsdnError } from '../../common/errors.js';
import { NetconfError } from '../../protocols/netconf/index.js';

/** Codes that mean the device cannot be reached or the session is gone (as opposed to a device that said no). */
const UNREACHABLE = new Set(['NETCONF_CONNECT', 'NETCONF_TIMEOUT', 'NETCONF_CLOSED', 'NETCONF_FRAMING', 'NETCONF_MESSAGE_TOO_LARGE', 'NETCONF_HELLO', 'NETCONF_XML', 'NETCONF_PROTOCOL']);

/** Errors after which the session cannot be trusted any more: it is closed and reported lost. */
export function breaksSession(e: unknown): boolean {
  const n = e instanceof CnsdnError ? e.cause : e;
  return n instanceof NetconfError && n.code !== 'NETCONF_RPC_ERROR' && n.code !== 'NETCONF_UNSUPPORTED' && n.code !== 'NETCONF_INVALID_ARGUMENT';
}

/** `what` says what was being done ("edit-config of /interface[x] on r1"); the NETCONF code is kept in the message. */
export function toDriverError(e: unknown, what: string): CnsdnError {
  if (isCnsdnError(e)) return e;
  if (e instanceof NetconfError) {
    const code = UNREACHABLE.has(e.code) ? 'DEVICE_UNREACHABLE' : e.code === 'NETCONF_INVALID_ARGUMENT' ? 'INVALID_ARGUMENT' : 'DRIVER_ERROR';
    return new CnsdnError(code, `${what} failed [${e.code}]: ${e.message}`, [], { cause: e });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new CnsdnError('DRIVER_ERROR', `${what} failed: ${message}`, [], { cause: e });
}
