/** gnmic-shaped JSON output of gNMI responses. */
import {
  type CapabilitiesResult,
  formatElem,
  type GnmiNotification,
  type GnmiPath,
  type SetResult,
  typedValueToJs,
} from '../../protocols/gnmi/index.js';

/**
 * JSON text where bigints are written as JSON numbers, digit for digit (nanosecond
 * timestamps and 64-bit counters exceed what a JS number holds). `indent` 0: one line.
 */
export function jsonText(value: unknown, indent = 2): string {
  const pad = (depth: number) => (indent > 0 ? `\n${' '.repeat(indent * depth)}` : '');
  const colon = indent > 0 ? ': ' : ':';
  const write = (v: unknown, depth: number): string | undefined => {
    switch (typeof v) {
      case 'bigint':
        return v.toString();
      case 'number':
        return Number.isFinite(v) ? String(v) : 'null';
      case 'string':
      case 'boolean':
        return JSON.stringify(v);
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined;
    }
    if (v === null) return 'null';
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      const items = v.map((x) => write(x, depth + 1) ?? 'null');
      return `[${items.map((x) => `${pad(depth + 1)}${x}`).join(',')}${pad(depth)}]`;
    }
    if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v).toString('base64'));
    const members: string[] = [];
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const text = write(x, depth + 1);
      if (text !== undefined) members.push(`${pad(depth + 1)}${JSON.stringify(k)}${colon}${text}`);
    }
    return members.length === 0 ? '{}' : `{${members.join(',')}${pad(depth)}}`;
  };
  return write(value, 0) ?? 'null';
}

/** Nanoseconds since the epoch as RFC 3339 with nanoseconds, trailing zeros dropped (Go's RFC3339Nano, UTC). */
export function rfc3339Nano(ns: bigint): string {
  const ms = ns / 1_000_000n - (ns % 1_000_000n < 0n ? 1n : 0n);
  const seconds = new Date(Number(ms)).toISOString().slice(0, 19);
  const nanos = ((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  const frac = nanos === 0n ? '' : `.${nanos.toString().padStart(9, '0').replace(/0+$/, '')}`;
  return `${seconds}${frac}Z`;
}

/** A path as gnmic prints it: `origin:elem[key=v]/elem`, no leading slash. */
export function xpath(p: GnmiPath | undefined): string {
  const body = (p?.elem ?? []).map(formatElem).join('/');
  return p?.origin ? `${p.origin}:${body}` : body;
}

export interface UpdateMsg {
  Path: string;
  values: Record<string, unknown>;
}

export interface NotificationMsg {
  source: string;
  timestamp: bigint;
  time: string;
  prefix?: string;
  target?: string;
  updates?: UpdateMsg[];
  deletes?: string[];
}

/** One notification as gnmic's JSON output shows it: each update's value keyed by its element names. */
export function notificationMsg(n: GnmiNotification, source: string): NotificationMsg {
  const msg: NotificationMsg = { source, timestamp: n.timestamp, time: rfc3339Nano(n.timestamp) };
  const prefix = xpath(n.prefix);
  if (prefix) msg.prefix = prefix;
  if (n.prefix?.target) msg.target = n.prefix.target;
  if (n.update.length > 0) {
    msg.updates = n.update.map((u) => ({
      Path: xpath(u.path),
      values: { [u.path.elem.map((e) => e.name).join('/')]: typedValueToJs(u.value) },
    }));
  }
  if (n.delete.length > 0) msg.deletes = n.delete.map(xpath);
  return msg;
}

export function setResponseMsg(res: SetResult, source: string): Record<string, unknown> {
  const msg: Record<string, unknown> = { source, timestamp: res.timestamp, time: rfc3339Nano(res.timestamp) };
  const prefix = xpath(res.prefix);
  if (prefix) msg.prefix = prefix;
  if (res.prefix?.target) msg.target = res.prefix.target;
  msg.results = res.results.map((r) => ({ operation: r.op, path: xpath(r.path) }));
  return msg;
}

export function capabilitiesMsg(caps: CapabilitiesResult): Record<string, unknown> {
  return { version: caps.gnmiVersion, 'supported-models': caps.models, encodings: caps.encodings };
}

export function capabilitiesText(caps: CapabilitiesResult): string {
  const lines = [`gNMI version: ${caps.gnmiVersion}`, 'supported models:'];
  for (const m of caps.models) lines.push(`  - ${[m.name, m.organization, m.version].filter(Boolean).join(', ')}`);
  lines.push('supported encodings:');
  for (const e of caps.encodings) lines.push(`  - ${e}`);
  return `${lines.join('\n')}\n`;
}
