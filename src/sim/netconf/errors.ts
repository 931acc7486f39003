/** <rpc-error> replies (RFC 6241 §4.3, Appendix A). */
import { escapeAttr, escapeText } from '../../protocols/netconf/xml.js';
import { PREFIXES } from './schema.js';

export type ErrorType = 'transport' | 'rpc' | 'protocol' | 'application';

export interface FaultDetail {
  path?: string;
  appTag?: string;
  /** Children of <error-info>: name → text. */
  info?: Record<string, string>;
  severity?: 'error' | 'warning';
}

export class RpcFault extends Error {
  constructor(
    readonly type: ErrorType,
    readonly tag: string,
    message: string,
    readonly detail: FaultDetail = {},
  ) {
    super(message);
    this.name = 'RpcFault';
  }
}

export const fault = {
  missingElement: (what: string, element: string) =>
    new RpcFault('protocol', 'missing-element', `${what} is missing <${element}>`, { info: { 'bad-element': element } }),
  badElement: (element: string, message: string) =>
    new RpcFault('protocol', 'bad-element', message, { info: { 'bad-element': element } }),
  invalidValue: (message: string, path?: string) => new RpcFault('application', 'invalid-value', message, { path }),
  notSupported: (message: string) => new RpcFault('protocol', 'operation-not-supported', message),
  lockDenied: (holder: number, what: string) =>
    new RpcFault('protocol', 'lock-denied', `the ${what} datastore is locked by session ${holder}`, {
      info: { 'session-id': String(holder) },
    }),
  inUse: (holder: number, what: string) =>
    new RpcFault('protocol', 'in-use', `the ${what} datastore is locked by session ${holder}`, {
      info: { 'session-id': String(holder) },
    }),
  operationFailed: (message: string, type: ErrorType = 'application') => new RpcFault(type, 'operation-failed', message),
};

export function rpcErrorXml(e: RpcFault): string {
  const d = e.detail;
  let s = `<rpc-error><error-type>${e.type}</error-type><error-tag>${escapeText(e.tag)}</error-tag>`;
  s += `<error-severity>${d.severity ?? 'error'}</error-severity>`;
  if (d.appTag) s += `<error-app-tag>${escapeText(d.appTag)}</error-app-tag>`;
  if (d.path) {
    const decls = Object.entries(PREFIXES)
      .filter(([, p]) => d.path?.includes(`${p}:`))
      .map(([uri, p]) => ` xmlns:${p}="${escapeAttr(uri)}"`)
      .join('');
    s += `<error-path${decls}>${escapeText(d.path)}</error-path>`;
  }
  s += `<error-message xml:lang="en">${escapeText(e.message)}</error-message>`;
  const info = Object.entries(d.info ?? {});
  if (info.length > 0) s += `<error-info>${info.map(([k, v]) => `<${k}>${escapeText(v)}</${k}>`).join('')}</error-info>`;
  return `${s}</rpc-error>`;
}

/** Several errors in one reply (continue-on-error, or every syntax error of a config). */
export class RpcFaultList extends Error {
  constructor(readonly faults: RpcFault[]) {
    super(faults.map((f) => f.message).join('; '));
    this.name = 'RpcFaultList';
  }
}
