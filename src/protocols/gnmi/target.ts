/**
 * What a gNMI server needs from the device it fronts. The library's server (server.ts) speaks
 * the gRPC protocol — sessions, Subscribe modes, sample timers, heartbeats, sync_response,
 * poll, suppress_redundant, updates_only — and calls a GnmiTarget for the data.
 * The simulator (src/sim/gnmi) implements this interface; a real device never needs to.
 */

/** One element of a gNMI path: a name and its list keys (gNMI PathElem). */
export interface PathElem {
  name: string;
  key?: Record<string, string>;
}

/** A decoded gNMI Path. */
export interface GnmiPath {
  origin?: string;
  elem: PathElem[];
  target?: string;
}

/** A decoded gNMI TypedValue: exactly one kind, as the specification's oneof. */
export type TypedValue =
  | { kind: 'string'; value: string }
  | { kind: 'int'; value: bigint }
  | { kind: 'uint'; value: bigint }
  | { kind: 'bool'; value: boolean }
  | { kind: 'bytes'; value: Uint8Array }
  | { kind: 'float'; value: number }
  | { kind: 'double'; value: number }
  | { kind: 'decimal'; digits: bigint; precision: number }
  | { kind: 'leaflist'; value: TypedValue[] }
  | { kind: 'any'; typeUrl: string; value: Uint8Array }
  | { kind: 'json'; value: unknown }
  | { kind: 'json_ietf'; value: unknown }
  | { kind: 'ascii'; value: string }
  | { kind: 'proto_bytes'; value: Uint8Array };

export interface GnmiUpdate {
  path: GnmiPath;
  value: TypedValue;
  duplicates?: number;
}

export interface GnmiNotification {
  /** Nanoseconds since the epoch. */
  timestamp: bigint;
  prefix?: GnmiPath;
  update: GnmiUpdate[];
  delete: GnmiPath[];
  atomic?: boolean;
}

export type GnmiEncoding = 'JSON' | 'BYTES' | 'PROTO' | 'ASCII' | 'JSON_IETF';
export type GnmiDataType = 'ALL' | 'CONFIG' | 'STATE' | 'OPERATIONAL';

export interface ModelData {
  name: string;
  organization: string;
  version: string;
}

export interface TargetUser {
  username: string;
  role: 'ro' | 'rw';
}

/** A gRPC status to return: code names from grpc (e.g. INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED). */
export class GnmiStatusError extends Error {
  constructor(
    readonly grpcCode:
      | 'INVALID_ARGUMENT'
      | 'NOT_FOUND'
      | 'PERMISSION_DENIED'
      | 'UNAUTHENTICATED'
      | 'UNIMPLEMENTED'
      | 'FAILED_PRECONDITION'
      | 'ABORTED'
      | 'INTERNAL'
      | 'UNAVAILABLE',
    message: string,
  ) {
    super(message);
    this.name = 'GnmiStatusError';
  }
}

export interface GnmiTarget {
  /** Checks call-metadata credentials; undefined = UNAUTHENTICATED. */
  authenticate(username: string | undefined, password: string | undefined): TargetUser | undefined;
  capabilities(): { models: ModelData[]; encodings: GnmiEncoding[]; gnmiVersion: string };
  /**
   * Values under each path (absolute: prefix already merged), as notifications. A path to a
   * container returns either one JSON_IETF/JSON value for the subtree (encoding JSON*) or one
   * update per leaf (encoding PROTO/ASCII: scalar TypedValues). Unknown path → NOT_FOUND.
   */
  get(paths: GnmiPath[], type: GnmiDataType, encoding: GnmiEncoding, user: TargetUser): GnmiNotification[];
  /**
   * Applies one SetRequest atomically: deletes, then replaces, then updates (the specification's
   * order); any failure leaves the data untouched and throws GnmiStatusError.
   * Returns the commit timestamp (ns).
   */
  set(request: { delete: GnmiPath[]; replace: GnmiUpdate[]; update: GnmiUpdate[] }, user: TargetUser): bigint;
  /** Current leaves under a path, one update per leaf (for Subscribe's initial sync and SAMPLE). */
  leaves(path: GnmiPath, encoding: GnmiEncoding): GnmiUpdate[];
  /** Leaf changes (ON_CHANGE); returns an unsubscribe function. */
  onChange(listener: (updates: GnmiUpdate[], deletes: GnmiPath[]) => void): () => void;
}
