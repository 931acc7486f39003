/**
 * Subscribe streams read as leaves: each update's absolute path (prefix joined with the
 * update's path, JSON containers expanded member by member) resolved once to whatever the
 * consumer keeps per leaf, and the leaf's value handed over with the notification's
 * timestamp. `notificationLeaves` defines what a consumer receives; the decoder in
 * pb-decode.ts produces the same straight from the protobuf bytes.
 */
import { joinPath } from './path.js';
import type { LeafPathCache } from './pb-decode.js';
import type { GnmiNotification, GnmiPath, PathElem, TypedValue } from './target.js';
import { decimalToString, typedValueToJs } from './values.js';

/** What a Subscribe stream read as leaves hands its leaves to. */
export interface LeafSink<T> {
  /**
   * What the consumer keeps for a leaf's absolute path (module prefixes of JSON member names
   * dropped); undefined skips the leaf. Called once per distinct path of the stream, so it
   * must answer the same for the same path.
   */
  resolve(path: GnmiPath): T | undefined;
  /**
   * A leaf of a notification, after the whole notification decoded. `value` is what
   * typedValueToJs gives, except that int and uint come as numbers (precision is lost above
   * 2^53); JSON values come parsed, containers expanded into their members.
   */
  leaf(ref: T, value: unknown, timestampMs: number): void;
  /** Strings holding a decimal number (RFC 7951 writes 64-bit integers and decimal64 so) come as numbers. */
  numericStrings?: boolean;
  /** A path cache shared with other streams whose sinks resolve alike (one per stream when absent). */
  paths?: LeafPathCache<T>;
}

const NUMERIC = /^-?\d+(\.\d+)?$/;

/** A string as the sink wants it: a number when numericStrings and it holds a decimal number. */
export function leafString(s: string, numericStrings: boolean | undefined): string | number {
  return numericStrings && NUMERIC.test(s) ? Number(s) : s;
}

/** Milliseconds of a nanosecond timestamp (truncated toward zero, as bigint division). */
export function timestampMs(ns: bigint): number {
  return Number(ns / 1_000_000n);
}

/** A scalar TypedValue as a leaf value (JSON values are returned parsed, not expanded). */
export function leafValue(v: TypedValue, numericStrings: boolean | undefined): unknown {
  switch (v.kind) {
    case 'int':
    case 'uint':
      return Number(v.value);
    case 'string':
    case 'ascii':
      return leafString(v.value, numericStrings);
    case 'decimal':
      return leafString(decimalToString(v.digits, v.precision), numericStrings);
    default:
      return typedValueToJs(v);
  }
}

const isMembers = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const memberName = (name: string): string => name.slice(name.indexOf(':') + 1);

/**
 * The members of a parsed JSON value at `elems`: the value itself when it is not an object,
 * else every member below it, names without module prefixes (arrays and null are leaves).
 */
export function jsonLeaves(value: unknown, elems: PathElem[], numericStrings: boolean | undefined, visit: (elems: PathElem[], value: unknown) => void): void {
  if (!isMembers(value)) {
    visit(elems, typeof value === 'string' ? leafString(value, numericStrings) : value);
    return;
  }
  for (const name of Object.keys(value)) jsonLeaves(value[name], [...elems, { name: memberName(name) }], numericStrings, visit);
}

/** The leaves of a decoded notification, as a LeafSink receives them (deletes are not leaves). */
export function notificationLeaves(n: GnmiNotification, numericStrings: boolean | undefined, visit: (path: GnmiPath, value: unknown, timestampMs: number) => void): void {
  const ts = timestampMs(n.timestamp);
  for (const u of n.update) {
    const path = joinPath(n.prefix, u.path);
    const v = u.value;
    if (v.kind === 'json' || v.kind === 'json_ietf') {
      jsonLeaves(v.value, path.elem, numericStrings, (elems, x) => visit(elems === path.elem ? path : { ...path, elem: elems }, x, ts));
    } else {
      visit(path, leafValue(v, numericStrings), ts);
    }
  }
}
