export type NetconfErrorCode =
  | 'NETCONF_CONNECT'
  | 'NETCONF_AUTH'
  | 'NETCONF_HOSTKEY'
  | 'NETCONF_TIMEOUT'
  | 'NETCONF_HELLO'
  | 'NETCONF_FRAMING'
  | 'NETCONF_MESSAGE_TOO_LARGE'
  | 'NETCONF_XML'
  | 'NETCONF_PROTOCOL'
  | 'NETCONF_RPC_ERROR'
  | 'NETCONF_UNSUPPORTED'
  | 'NETCONF_INVALID_ARGUMENT'
  /** The server's YANG library does not fit ietf-yang-library (RFC 7895 / RFC 8525). */
  | 'NETCONF_YANG_LIBRARY'
  | 'NETCONF_CLOSED';

export class NetconfError extends Error {
  readonly code: NetconfErrorCode;

  constructor(code: NetconfErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetconfError';
    this.code = code;
  }
}

export type RpcErrorType = 'transport' | 'rpc' | 'protocol' | 'application';
export type RpcErrorSeverity = 'error' | 'warning';

export interface RpcErrorInfoItem {
  /** Local name of the element inside <error-info>. */
  name: string;
  namespace: string;
  /** Text content, or the element serialised as XML when it has children. */
  value: string;
}

export interface RpcErrorDetail {
  type: RpcErrorType | string;
  tag: string;
  severity: RpcErrorSeverity | string;
  appTag?: string;
  path?: string;
  message?: string;
  messageLang?: string;
  info: RpcErrorInfoItem[];
}

export function describeRpcError(e: RpcErrorDetail): string {
  let s = `${e.type}/${e.tag}`;
  if (e.appTag) s += ` (${e.appTag})`;
  if (e.message) s += `: ${e.message}`;
  if (e.path) s += ` at ${e.path}`;
  const bad = e.info.filter((i) => i.name.startsWith('bad-') || i.name === 'session-id');
  if (bad.length > 0) s += ` [${bad.map((i) => `${i.name}=${i.value}`).join(', ')}]`;
  return s;
}

export class NetconfRpcError extends NetconfError {
  /** Every <rpc-error> of the reply, warnings included, in the device's own words. */
  readonly errors: RpcErrorDetail[];
  readonly operation: string;
  /** The <rpc-error> elements as the device sent them (XML, namespaces declared); '' when built without. */
  readonly xml: string;

  constructor(operation: string, errors: RpcErrorDetail[], xml = '') {
    const failing = errors.filter((e) => e.severity !== 'warning');
    const shown = failing.length > 0 ? failing : errors;
    super('NETCONF_RPC_ERROR', `${operation} failed: ${shown.map(describeRpcError).join('; ')}`);
    this.name = 'NetconfRpcError';
    this.errors = errors;
    this.operation = operation;
    this.xml = xml;
  }

  /** The first error's tag, e.g. "data-missing" or "lock-denied". */
  get tag(): string {
    return (this.errors.find((e) => e.severity !== 'warning') ?? this.errors[0])?.tag ?? '';
  }
}
