/** One simulated device's OpenConfig data: reads, atomic writes, change notifications. */
import type {
  GnmiDataType,
  GnmiEncoding,
  GnmiPath,
  GnmiUpdate,
  PathElem,
} from '../../protocols/gnmi/target.js';
import { GnmiStatusError } from '../../protocols/gnmi/target.js';
import { InterfaceCounters } from './counters.js';
import { type EntryMap, notFound, type Obj } from './data.js';
import { type DerivedCache, deriveView, type StateSource } from './derive.js';
import { diffTrees } from './diff.js';
import { applyDelete, applyWrite, Cow, normalizeKeys } from './edit.js';
import type { Scalar } from './leaf-types.js';
import { OPENCONFIG } from './openconfig.js';
import type { LeafListSchema, LeafSchema } from './schema.js';
import { type CounterHook, flatten, leafValue, type Match, renderJson, resolve } from './tree.js';

export interface DatastoreOptions {
  hostname: string;
  /** Interface names, e.g. ["Ethernet1", "Ethernet2", "mgmt0"]. */
  interfaces: string[];
  /** Milliseconds; drives counter rates. */
  clock?: () => number;
  softwareVersion?: string;
}

export interface SetRequest {
  delete: GnmiPath[];
  replace: GnmiUpdate[];
  update: GnmiUpdate[];
}

export type ChangeListener = (updates: GnmiUpdate[], deletes: GnmiPath[]) => void;

const ORIGINS = new Set(['', 'openconfig']);
const LOOPBACK = /^(lo|loopback)/i;

function checkOrigin(path: GnmiPath): void {
  if (path.origin !== undefined && !ORIGINS.has(path.origin)) {
    throw new GnmiStatusError('NOT_FOUND', `origin "${path.origin}" is not served (use "openconfig" or none)`);
  }
}

export class Datastore {
  private config: Obj;
  private view: Obj;
  private readonly listeners = new Set<ChangeListener>();
  private readonly counters = new Map<string, InterfaceCounters>();
  private readonly byValues = new WeakMap<Obj, InterfaceCounters>();
  private readonly ifindexes = new Map<string, number>();
  private readonly components = new Map<string, Obj>();
  private readonly ports = new Map<string, string>();
  private readonly clock: () => number;
  private readonly systemState: Obj;
  private readonly source: StateSource;
  private readonly tick: CounterHook = (values) => this.byValues.get(values)?.tick();
  /** Bumped by every Set: leaf plans of an older version are worked out again. */
  private version = 0;
  private readonly plans = new WeakMap<GnmiPath, LeafPlan>();
  /** Readable subtrees by the configuration node they were derived from (shared across commits). */
  private readonly derived: DerivedCache = new WeakMap();

  constructor(opts: DatastoreOptions) {
    this.clock = opts.clock ?? Date.now;
    this.systemState = {
      'boot-time': this.clock() * 1_000_000,
      'software-version': opts.softwareVersion ?? 'cnsdn-sim 0.1.0',
    };
    this.source = {
      counters: (name, running) => this.countersOf(name, running),
      ifindex: (name) => this.ifindexOf(name),
      component: (name) => this.components.get(name),
      hardwarePort: (name) => this.ports.get(name),
      system: () => this.systemState,
    };
    this.config = this.initialConfig(opts);
    this.view = deriveView(OPENCONFIG, this.config, this.source, this.derived);
  }

  private initialConfig(opts: DatastoreOptions): Obj {
    const interfaces: EntryMap = new Map();
    const components: EntryMap = new Map();
    components.set('Chassis', { name: 'Chassis', config: { name: 'Chassis' } });
    this.components.set('Chassis', {
      type: 'CHASSIS',
      description: 'cnsdn simulated chassis',
      'oper-status': 'ACTIVE',
      'mfg-name': 'cnsdn',
      'part-no': 'SIM-1',
      'serial-no': `SIM-${opts.hostname}`,
    });
    for (const name of opts.interfaces) {
      const loopback = LOOPBACK.test(name);
      interfaces.set(name, {
        name,
        config: { name, type: loopback ? 'softwareLoopback' : 'ethernetCsmacd', mtu: loopback ? 65535 : 1500, enabled: true },
      });
      if (loopback) continue;
      const port = `Port-${name}`;
      this.ports.set(name, port);
      components.set(port, { name: port, config: { name: port } });
      this.components.set(port, { type: 'PORT', description: `port of ${name}`, 'oper-status': 'ACTIVE', parent: 'Chassis' });
    }
    const ni: EntryMap = new Map([
      ['DEFAULT', { name: 'DEFAULT', config: { name: 'DEFAULT', type: 'DEFAULT_INSTANCE', enabled: true } }],
    ]);
    return {
      interfaces: { interface: interfaces },
      'network-instances': { 'network-instance': ni },
      system: { config: { hostname: opts.hostname } },
      components: { component: components },
    };
  }

  private countersOf(name: string, running: boolean): Obj {
    let c = this.counters.get(name);
    if (!c) {
      c = new InterfaceCounters(name, this.clock);
      this.counters.set(name, c);
      this.byValues.set(c.values, c);
    }
    c.tick();
    c.running = running;
    return c.values;
  }

  private ifindexOf(name: string): number {
    let i = this.ifindexes.get(name);
    if (i === undefined) {
      i = this.ifindexes.size + 1;
      this.ifindexes.set(name, i);
    }
    return i;
  }

  private match(path: GnmiPath): Match[] {
    checkOrigin(path);
    return resolve(OPENCONFIG, this.view, path.elem, this.tick);
  }

  /**
   * Updates for one Get path: a JSON/JSON_IETF value per matched node, or one scalar update per
   * leaf for PROTO/ASCII. A concrete path with no data is NOT_FOUND; a wildcard may match nothing.
   */
  get(path: GnmiPath, type: GnmiDataType, encoding: GnmiEncoding): GnmiUpdate[] {
    if (encoding === 'BYTES') throw new GnmiStatusError('UNIMPLEMENTED', 'encoding BYTES is not supported');
    const matches = this.match(path);
    if (matches.length === 0 && !hasWildcard(path.elem)) throw notFound(path.elem, 'no data');
    const out: GnmiUpdate[] = [];
    for (const m of matches) {
      if (encoding === 'JSON' || encoding === 'JSON_IETF') {
        const value = renderJson(m, type, encoding === 'JSON_IETF', this.tick);
        if (value === undefined) continue;
        out.push({ path: { elem: m.elems }, value: { kind: encoding === 'JSON' ? 'json' : 'json_ietf', value } } as GnmiUpdate);
      } else {
        flatten(m, type, (elems, schema, v) => out.push({ path: { elem: elems }, value: leafValue(schema, v, encoding) }), this.tick);
      }
    }
    return out;
  }

  /**
   * Every current leaf under a path (wildcards allowed), one update each. What the path selects
   * is worked out once per path object and configuration (a SAMPLE subscription asks the same
   * path every interval): then only the counters are read again.
   */
  leaves(path: GnmiPath, encoding: GnmiEncoding): GnmiUpdate[] {
    const enc = encoding === 'BYTES' ? 'PROTO' : encoding;
    let plan = this.plans.get(path);
    if (plan === undefined || plan.version !== this.version || plan.encoding !== enc) {
      plan = this.leafPlan(path, enc);
      this.plans.set(path, plan);
      return plan.slots.map((slot) => slot.update ?? { path: slot.path, value: leafValue(slot.schema, slot.holder[slot.schema.name] as Scalar, enc) });
    }
    for (const c of plan.counters) c.tick();
    const out: GnmiUpdate[] = new Array(plan.slots.length);
    for (let i = 0; i < out.length; i++) {
      const slot = plan.slots[i];
      out[i] = slot.update ?? { path: slot.path, value: leafValue(slot.schema, slot.holder[slot.schema.name] as Scalar, enc) };
    }
    return out;
  }

  /** The leaves a path selects now: counter leaves read live from their counters, the rest as they are. */
  private leafPlan(path: GnmiPath, encoding: GnmiEncoding): LeafPlan {
    const counters = new Set<InterfaceCounters>();
    const slots: LeafSlot[] = [];
    const hook: CounterHook = (values) => {
      const c = this.byValues.get(values);
      if (c) {
        c.tick();
        counters.add(c);
      }
    };
    checkOrigin(path);
    for (const m of resolve(OPENCONFIG, this.view, path.elem, hook)) {
      flatten(
        m,
        'ALL',
        (elems, schema, v, holder) => {
          const live = holder !== undefined && this.byValues.has(holder) && !Array.isArray(v);
          slots.push(live ? { path: { elem: elems }, schema, holder } : { path: { elem: elems }, schema, holder: {}, update: { path: { elem: elems }, value: leafValue(schema, v, encoding) } });
        },
        hook,
      );
    }
    return { version: this.version, encoding, counters: [...counters], slots };
  }

  /** Applies deletes, replaces, then updates to a copy; swaps it in only if all succeed. */
  set(request: SetRequest): void {
    const cow = new Cow();
    const next = cow.root(this.config);
    for (const p of request.delete) {
      checkOrigin(p);
      applyDelete(OPENCONFIG, next, p.elem, cow);
    }
    for (const u of request.replace) {
      checkOrigin(u.path);
      applyWrite(OPENCONFIG, next, u.path.elem, u.value, true, cow);
    }
    for (const u of request.update) {
      checkOrigin(u.path);
      applyWrite(OPENCONFIG, next, u.path.elem, u.value, false, cow);
    }
    normalizeKeys(OPENCONFIG, next, [], cow);
    const nextView = deriveView(OPENCONFIG, next, this.source, this.derived);
    const before = this.view;
    this.config = next;
    this.view = nextView;
    this.version++;
    this.forgetCounters();
    if (this.listeners.size > 0) this.notify(before, nextView);
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The configuration tree as JSON_IETF (for tests and debugging). */
  configJson(): unknown {
    return renderJson({ schema: OPENCONFIG, data: this.config, elems: [] }, 'CONFIG', true);
  }

  private forgetCounters(): void {
    const live = (this.view.interfaces as Obj | undefined)?.interface as EntryMap | undefined;
    for (const name of this.counters.keys()) if (!live?.has(name)) this.counters.delete(name);
  }

  private notify(before: Obj, after: Obj): void {
    const updates: GnmiUpdate[] = [];
    const deletes: GnmiPath[] = [];
    diffTrees(OPENCONFIG, before, after, {
      update: (elems, schema, v) => updates.push({ path: { elem: elems }, value: leafValue(schema, v, 'PROTO') }),
      delete: (elems) => deletes.push({ elem: elems }),
    });
    if (updates.length === 0 && deletes.length === 0) return;
    for (const l of this.listeners) l(updates, deletes);
  }
}

/** One leaf of a plan: an update fixed until the next Set, or a counter read from `holder` each time. */
interface LeafSlot {
  path: GnmiPath;
  schema: LeafSchema | LeafListSchema;
  holder: Obj;
  update?: GnmiUpdate;
}

interface LeafPlan {
  version: number;
  encoding: GnmiEncoding;
  /** Counters the path passes through: advanced once per read. */
  counters: InterfaceCounters[];
  slots: LeafSlot[];
}

function hasWildcard(elems: PathElem[]): boolean {
  return elems.some((e) => e.name === '*' || Object.values(e.key ?? {}).includes('*'));
}

