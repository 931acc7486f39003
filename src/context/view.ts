import { stableJson } from '../common/json.js';
import type { EntityKind, EntityWrite, StoreReader } from '../store/api.js';

export interface ViewEntry<T = unknown> {
  kind: EntityKind;
  uuid: string;
  parent: string | null;
  name: string;
  body: T;
  /** Stored revision before this change set (undefined when new). */
  storedRevision?: number;
  /** The body as stored (never mutated), to tell updated from unchanged. */
  storedBody?: unknown;
  /** Set once the change set has touched this entity. */
  touched: boolean;
}

/**
 * The state a change set sees: the store (read through a transaction) with the change set's own
 * writes laid over it. Reads are batched per kind so a 10,000-device descriptor needs a handful
 * of queries.
 */
export class StateView {
  private readonly entries = new Map<string, ViewEntry | null>();

  constructor(private readonly reader: StoreReader) {}

  private static key(kind: EntityKind, uuid: string): string {
    return `${kind}:${uuid}`;
  }

  async preload(kind: EntityKind, uuids: Iterable<string>): Promise<void> {
    const missing = [...new Set(uuids)].filter((u) => !this.entries.has(StateView.key(kind, u)));
    for (let i = 0; i < missing.length; i += 1000) {
      const chunk = missing.slice(i, i + 1000);
      const found = await this.reader.getMany(kind, chunk);
      for (const u of chunk) this.entries.set(StateView.key(kind, u), null);
      for (const e of found) {
        this.entries.set(StateView.key(kind, e.uuid), {
          kind,
          uuid: e.uuid,
          parent: e.parent,
          name: e.name,
          body: e.body,
          storedRevision: e.revision,
          storedBody: e.body,
          touched: false,
        });
      }
    }
  }

  async get<T>(kind: EntityKind, uuid: string): Promise<ViewEntry<T> | undefined> {
    const k = StateView.key(kind, uuid);
    if (!this.entries.has(k)) await this.preload(kind, [uuid]);
    return (this.entries.get(k) ?? undefined) as ViewEntry<T> | undefined;
  }

  /** Only what preload/get already fetched or set: no I/O. */
  peek<T>(kind: EntityKind, uuid: string): ViewEntry<T> | undefined {
    return (this.entries.get(StateView.key(kind, uuid)) ?? undefined) as ViewEntry<T> | undefined;
  }

  set<T>(kind: EntityKind, uuid: string, parent: string | null, name: string, body: T): ViewEntry<T> {
    const k = StateView.key(kind, uuid);
    const prev = this.entries.get(k);
    const entry: ViewEntry<T> = prev
      ? Object.assign(prev, { parent, name, body, touched: true })
      : { kind, uuid, parent, name, body, touched: true };
    this.entries.set(k, entry as ViewEntry);
    return entry as ViewEntry<T>;
  }

  /** Touched entries whose body differs from what is stored, with their action. */
  changes(): Array<{ entry: ViewEntry; action: 'created' | 'updated' | 'unchanged' }> {
    const out: Array<{ entry: ViewEntry; action: 'created' | 'updated' | 'unchanged' }> = [];
    for (const e of this.entries.values()) {
      if (!e?.touched) continue;
      if (e.storedRevision === undefined) out.push({ entry: e, action: 'created' });
      else out.push({ entry: e, action: e.body === e.storedBody || stableJson(e.body) === stableJson(e.storedBody) ? 'unchanged' : 'updated' });
    }
    return out;
  }

  static toWrite(e: ViewEntry): EntityWrite {
    return { kind: e.kind, uuid: e.uuid, parent: e.parent, name: e.name, body: e.body };
  }
}
