/** Option parsing for `cnsdn gnmi`: durations, encodings, connection settings, Set values. */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import {
  type GnmiClientOptions,
  type GnmiEncoding,
  jsToTypedValue,
  type PathLike,
  PathSyntaxError,
  parsePath,
  type SetOperation,
  type TypedValue,
} from '../../protocols/gnmi/index.js';
import { durationNs } from '../duration.js';
import { UsageError } from '../io.js';

export const DEFAULT_GNMI_PORT = 57400;
export const DEFAULT_GNMI_TIMEOUT_MS = 10_000;

export { durationMs, durationNs } from '../duration.js';

export function parseDurationArg(text: string): bigint {
  const ns = durationNs(text);
  if (ns === undefined) throw new InvalidArgumentError('expected a duration such as 10s, 500ms or 1m30s');
  return ns;
}

export const ENCODINGS = ['json', 'json_ietf', 'proto', 'ascii'] as const;
export type EncodingName = (typeof ENCODINGS)[number];

export function parseEncoding(text: string): EncodingName {
  const e = text.toLowerCase().replace('-', '_');
  if (!(ENCODINGS as readonly string[]).includes(e)) throw new InvalidArgumentError(`use one of ${ENCODINGS.join(', ')}`);
  return e as EncodingName;
}

export const wireEncoding = (e: EncodingName): GnmiEncoding => e.toUpperCase() as GnmiEncoding;

export function parseCount(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export function parsePathArg(text: string): string {
  try {
    parsePath(text);
  } catch (e) {
    if (e instanceof PathSyntaxError) throw new InvalidArgumentError(e.message);
    throw e;
  }
  return text;
}

export const collect = <T>(parse: (v: string) => T) => (value: string, previous: T[] | undefined): T[] => [...(previous ?? []), parse(value)];

/** Flags every `cnsdn gnmi` subcommand takes to reach and authenticate to a target. */
export interface ConnectionFlags {
  address: string;
  username?: string;
  password?: string;
  insecure?: boolean;
  skipVerify?: boolean;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsServerName?: string;
  encoding: EncodingName;
}

/** `host` alone gets the gNMI default port; `[v6]:port` and `host:port` are kept. */
export function normalizeAddress(raw: string): string {
  const a = raw.trim();
  if (/^\[[^\]]+\]:\d+$/.test(a) || /^[^:[\]]+:\d+$/.test(a)) return a;
  if (/^[^:[\]/]+$/.test(a)) return `${a}:${DEFAULT_GNMI_PORT}`;
  if (/^\[[^\]]+\]$/.test(a)) return `${a}:${DEFAULT_GNMI_PORT}`;
  throw new UsageError(`invalid target address ${JSON.stringify(raw)}: expected HOST:PORT (IPv6 as [ADDR]:PORT)`);
}

const readable = (file: string, flag: string): string => {
  try {
    readFileSync(file);
  } catch (e) {
    throw new UsageError(`${flag} ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return file;
};

/**
 * The client settings the flags ask for. TLS verified against --tls-ca (or the system store)
 * unless --skip-verify or --insecure says otherwise; the password comes from -p or
 * CNSDN_GNMI_PASSWORD.
 */
export function clientOptions(flags: ConnectionFlags, env: Record<string, string | undefined>, timeoutMs: number): GnmiClientOptions {
  const address = normalizeAddress(flags.address);
  if (flags.insecure) {
    const tlsFlags = [
      flags.skipVerify && '--skip-verify',
      flags.tlsCa && '--tls-ca',
      flags.tlsCert && '--tls-cert',
      flags.tlsKey && '--tls-key',
      flags.tlsServerName && '--tls-server-name',
    ].filter(Boolean);
    if (tlsFlags.length > 0) throw new UsageError(`--insecure (plaintext) cannot be combined with ${tlsFlags.join(', ')}`);
  }
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
    throw new UsageError('a client certificate needs both --tls-cert and --tls-key');
  }
  const username = flags.username ?? (env.CNSDN_GNMI_USERNAME || undefined);
  const password = flags.password ?? (env.CNSDN_GNMI_PASSWORD || undefined);
  const opts: GnmiClientOptions = { address, timeoutMs };
  if (username !== undefined) opts.username = username;
  if (password !== undefined) opts.password = password;
  if (flags.insecure) {
    opts.tls = 'insecure';
  } else {
    opts.tls = {};
    if (flags.tlsCa) opts.tls.ca = readable(flags.tlsCa, '--tls-ca');
    if (flags.tlsCert) opts.tls.cert = readable(flags.tlsCert, '--tls-cert');
    if (flags.tlsKey) opts.tls.key = readable(flags.tlsKey, '--tls-key');
    if (flags.skipVerify) opts.tls.skipVerify = true;
    if (flags.tlsServerName) opts.tls.serverName = flags.tlsServerName;
  }
  return opts;
}

/** The text of a value flag: `@file` reads the file. */
function valueText(raw: string, flag: string): string {
  if (!raw.startsWith('@')) return raw;
  const file = raw.slice(1);
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${flag} ${raw}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

/**
 * A Set value: JSON when the text parses as JSON, the text itself otherwise, carried in the
 * encoding's TypedValue (json / json_ietf; scalar kinds for proto, integers exact; the raw
 * text for ascii).
 */
export function typedValueFor(raw: string, encoding: EncodingName, flag: string): TypedValue {
  const text = valueText(raw, flag);
  if (encoding === 'ascii') return { kind: 'ascii', value: text };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  if (encoding === 'proto') {
    if (/^-?\d+$/.test(text.trim())) return jsToTypedValue(BigInt(text.trim()));
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      throw new UsageError(`${flag}: -e proto carries scalar values only; use -e json_ietf for a container or list`);
    }
    return jsToTypedValue(value);
  }
  return { kind: encoding, value };
}

/** `--X-path` and `--X-value` flags paired in order. */
export function pairOperations(paths: string[], values: string[], what: 'update' | 'replace', encoding: EncodingName): SetOperation[] {
  if (paths.length !== values.length) {
    throw new UsageError(`--${what}-path given ${paths.length} time(s) but --${what}-value ${values.length} time(s): they pair up in order`);
  }
  return paths.map((path, i) => ({ path: path as PathLike, value: typedValueFor(values[i], encoding, `--${what}-value`) }));
}
