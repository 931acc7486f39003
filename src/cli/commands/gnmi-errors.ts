/** What to tell the user when a gNMI call or connection fails. */
import type { GnmiError } from '../../protocols/gnmi/index.js';

const CERT_PROBLEM = /certificate|CERT_|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|Hostname\/IP does not match/i;

function connectionFailure(reason: string, address: string, timeoutMs: number): string {
  if (/ECONNREFUSED/.test(reason)) {
    return `cannot connect to ${address}: connection refused — is the target running at ${address}?`;
  }
  if (/ENOTFOUND|EAI_AGAIN/.test(reason)) return `cannot connect to ${address}: the host name does not resolve`;
  if (/^no answer from /.test(reason) || /ETIMEDOUT|EHOSTUNREACH|ENETUNREACH/.test(reason)) {
    return `cannot connect to ${address}: ${reason} — is the target running at ${address}? (raise --timeout if it is slow; it is ${timeoutMs} ms)`;
  }
  if (/CERTIFICATE_REQUIRED|alert certificate required|is a client certificate required/i.test(reason)) {
    return `TLS error: ${reason} — the target requires a client certificate: pass --tls-cert and --tls-key`;
  }
  if (/alert (bad certificate|unknown ca|certificate unknown|certificate expired)/i.test(reason)) {
    return `TLS error: ${reason} — the target refused the client certificate given with --tls-cert`;
  }
  if (/^TLS handshake/.test(reason) && CERT_PROBLEM.test(reason)) {
    return (
      `TLS error: ${reason} — the target's certificate is not trusted: pass the CA that signed it with --tls-ca ` +
      '(--skip-verify encrypts without verifying the target)'
    );
  }
  if (/^TLS /.test(reason)) return `TLS error: ${reason}`;
  if (/is the target using TLS\?/.test(reason)) {
    return `cannot connect to ${address}: ${reason} — it probably is: drop --insecure (and pass its CA with --tls-ca)`;
  }
  return `cannot connect to ${address}: ${reason}`;
}

/** One message for stderr; never contains the password (the client and target do not echo it). */
export function describeGnmiError(e: GnmiError, address: string, timeoutMs: number): string {
  const details = e.details;
  switch (e.code) {
    case 'UNAVAILABLE': {
      const connectPrefix = `cannot connect to ${address}: `;
      if (details.startsWith(connectPrefix)) return connectionFailure(details.slice(connectPrefix.length), address, timeoutMs);
      return `UNAVAILABLE: ${details} — is the target running at ${address}?`;
    }
    case 'CANCELLED':
      return `CANCELLED: ${details} — the target ended the call; is the target running at ${address}?`;
    case 'UNAUTHENTICATED':
      return `UNAUTHENTICATED: ${details} (check -u/--username and -p/--password or CNSDN_GNMI_PASSWORD)`;
    case 'DEADLINE_EXCEEDED':
      return `DEADLINE_EXCEEDED: ${address} did not answer within ${timeoutMs} ms (raise --timeout if the target is slow)`;
    default:
      return e.message;
  }
}
