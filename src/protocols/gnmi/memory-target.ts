import { isPrefixOf, pathToString } from './path.js';
import {
  type GnmiDataType,
  type GnmiEncoding,
  type GnmiNotification,
  type GnmiPath,
  GnmiStatusError,
  type GnmiTarget,
  type GnmiUpdate,
  type ModelData,
  type TargetUser,
  type TypedValue,
} from './target.js';
import { leavesToTree, treeToLeaves } from './tree.js';
import { jsToTypedValue, typedValueToJs } from './values.js';

export interface MemoryTargetOptions {
  users?: { username: string; password: string; role: 'ro' | 'rw' }[];
  models?: ModelData[];
  encodings?: GnmiEncoding[];
  /** Rejects a leaf a Set would write: return the reason, or undefined to accept. */
  validate?: (path: GnmiPath, value: TypedValue) => string | undefined;
}

interface Stored {
  path: GnmiPath;
  value: TypedValue;
}

const scalarLeaves = (path: GnmiPath, value: TypedValue): Stored[] =>
  (value.kind === 'json' || value.kind === 'json_ietf') && typeof value.value === 'object' && value.value !== null && !Array.isArray(value.value)
    ? treeToLeaves(value.value, path, { stripModulePrefixes: true }).map((l) => ({ path: l.path, value: jsToTypedValue(l.value) }))
    : [{ path, value }];

const asAscii = (v: TypedValue): TypedValue => ({ kind: 'ascii', value: String(typedValueToJs(v)) });

const matchesType = (p: GnmiPath, type: GnmiDataType): boolean => {
  if (type === 'ALL') return true;
  const config = p.elem.some((e) => e.name === 'config');
  return type === 'CONFIG' ? config : !config;
};

/**
 * A GnmiTarget that keeps leaves in a Map: enough of a device for examples, tests and
 * benchmarks of the protocol library. Sets are atomic; changes reach ON_CHANGE listeners.
 */
export class MemoryTarget implements GnmiTarget {
  private data = new Map<string, Stored>();
  private listeners = new Set<(updates: GnmiUpdate[], deletes: GnmiPath[]) => void>();

  constructor(private readonly opts: MemoryTargetOptions = {}) {}

  authenticate(username: string | undefined, password: string | undefined): TargetUser | undefined {
    if (!this.opts.users) return { username: username ?? '', role: 'rw' };
    const u = this.opts.users.find((x) => x.username === username && x.password === password);
    return u ? { username: u.username, role: u.role } : undefined;
  }

  capabilities(): { models: ModelData[]; encodings: GnmiEncoding[]; gnmiVersion: string } {
    return {
      models: this.opts.models ?? [],
      encodings: this.opts.encodings ?? ['JSON', 'JSON_IETF', 'PROTO', 'ASCII'],
      gnmiVersion: '0.10.0',
    };
  }

  private under(path: GnmiPath): Stored[] {
    const out: Stored[] = [];
    for (const s of this.data.values()) if (isPrefixOf(path, s.path)) out.push(s);
    return out;
  }

  get(paths: GnmiPath[], type: GnmiDataType, encoding: GnmiEncoding): GnmiNotification[] {
    const timestamp = BigInt(Date.now()) * 1_000_000n;
    return paths.map((path) => {
      const found = this.under(path).filter((s) => matchesType(s.path, type));
      if (found.length === 0 && this.under(path).length === 0) throw new GnmiStatusError('NOT_FOUND', `no data at ${pathToString(path)}`);
      let update: GnmiUpdate[];
      if (encoding === 'JSON' || encoding === 'JSON_IETF') {
        const exact = found.length === 1 && pathToString(found[0].path) === pathToString(path);
        const kind = encoding === 'JSON' ? 'json' : 'json_ietf';
        const value = exact
          ? typedValueToJs(found[0].value)
          : leavesToTree(found.map((s) => ({ path: s.path, value: typedValueToJs(s.value) })), path);
        update = [{ path, value: { kind, value } }];
      } else {
        update = found.map((s) => ({ path: s.path, value: encoding === 'ASCII' ? asAscii(s.value) : s.value }));
      }
      return { timestamp, update, delete: [] };
    });
  }

  set(request: { delete: GnmiPath[]; replace: GnmiUpdate[]; update: GnmiUpdate[] }, user: TargetUser): bigint {
    if (user.role !== 'rw') throw new GnmiStatusError('PERMISSION_DENIED', `user ${user.username} may not write`);
    const next = new Map(this.data);
    const deleted: GnmiPath[] = [];
    const removeUnder = (p: GnmiPath) => {
      for (const [k, s] of next) if (isPrefixOf(p, s.path)) next.delete(k);
    };
    for (const p of request.delete) {
      removeUnder(p);
      deleted.push(p);
    }
    const written: Stored[] = [];
    for (const [ops, replace] of [
      [request.replace, true],
      [request.update, false],
    ] as const) {
      for (const u of ops) {
        if (replace) removeUnder(u.path);
        for (const leaf of scalarLeaves(u.path, u.value)) {
          const reason = this.opts.validate?.(leaf.path, leaf.value);
          if (reason) throw new GnmiStatusError('INVALID_ARGUMENT', `${pathToString(leaf.path)}: ${reason}`);
          next.set(pathToString(leaf.path), leaf);
          written.push(leaf);
        }
      }
    }
    this.data = next;
    this.emit(written, deleted);
    return BigInt(Date.now()) * 1_000_000n;
  }

  leaves(path: GnmiPath, encoding: GnmiEncoding): GnmiUpdate[] {
    const found = this.under(path);
    if (found.length === 0) throw new GnmiStatusError('NOT_FOUND', `no data at ${pathToString(path)}`);
    return found.map((s) => ({ path: s.path, value: encoding === 'ASCII' ? asAscii(s.value) : s.value }));
  }

  onChange(listener: (updates: GnmiUpdate[], deletes: GnmiPath[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes leaves directly (as the device itself would), notifying ON_CHANGE listeners. */
  put(updates: GnmiUpdate[]): void {
    for (const u of updates) this.data.set(pathToString(u.path), { path: u.path, value: u.value });
    this.emit(updates, []);
  }

  /** Number of listeners attached (to check that cancelled subscriptions let go). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  private emit(updates: GnmiUpdate[], deletes: GnmiPath[]): void {
    if (updates.length === 0 && deletes.length === 0) return;
    for (const l of this.listeners) l(updates, deletes);
  }
}
