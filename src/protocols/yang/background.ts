/**
 * Model sets compiled on a worker thread, so that the event loop of the controller (or of a simulator
 * in the same process) is never blocked by a compilation: `get()` resolves when the set is compiled,
 * `peek()` answers at once (the set, or undefined while it compiles). The sets are for validation:
 * schema nodes come without descriptions and references. Compiled sets are kept in this
 * thread by (search path, announced modules with revisions, top-level nodes); the worker keeps its own
 * cache by (module, revision, features, deviations) files (SchemaCache). When no worker can be
 * started, sets are compiled on this thread as before.
 */
import { Worker } from 'node:worker_threads';
import { type AnnouncedModule, type ModelSet, perSearchPath, sharedModelRegistry, southboundValidation, warnOnce, yangSearchPath } from './models.js';
import { type CompiledSchema, childrenOf, type SchemaNode } from './schema.js';

export interface BackgroundRequest {
  id: number;
  searchDirs: readonly string[];
  announced: readonly AnnouncedModule[];
  /** The top-level nodes the data touches (a smaller set is compiled); all announced modules when absent. */
  tops?: readonly string[];
}

export interface BackgroundReply {
  id: number;
  set: ModelSet;
}

type Job = Omit<BackgroundRequest, 'id'>;

/** The worker ends after this long without work (what it compiled is kept in this thread). */
const IDLE_MS = 30_000;
const MAX_SETS = 32;

/** What the worker does, done here (also its body): a failure is an answer, never a throw. */
export function compileJob(job: Job): ModelSet {
  try {
    const registry = sharedModelRegistry(job.searchDirs);
    return job.tops ? registry.schemaForTopNodes(job.announced, job.tops) : registry.schemaFor(job.announced);
  } catch (e) {
    return { missing: [], error: `compilation failed: ${(e as Error).message}` };
  }
}

class WorkerHost {
  private worker?: Worker;
  private broken = false;
  private nextId = 1;
  private readonly waiting = new Map<number, { job: Job; resolve: (s: ModelSet) => void }>();
  private idleTimer?: NodeJS.Timeout;

  compile(job: Job): Promise<ModelSet> {
    const w = this.broken ? undefined : this.start();
    if (!w) return new Promise((resolve) => setImmediate(() => resolve(compileJob(job))));
    clearTimeout(this.idleTimer);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, { job, resolve });
      w.ref();
      w.postMessage({ ...job, id } satisfies BackgroundRequest);
    });
  }

  private start(): Worker | undefined {
    if (this.worker) return this.worker;
    // Built, the worker is compile-worker.js; under tsx (tests, benches) it is .ts and the worker
    // registers tsx's loader first (loaders registered in this thread do not reach workers in Node 20).
    const ts = import.meta.url.endsWith('.ts');
    const file = new URL(`./compile-worker${ts ? '.ts' : '.js'}`, import.meta.url);
    let w: Worker;
    try {
      w = ts
        ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((t) => { t.register(); return import(${JSON.stringify(file.href)}); });`, { eval: true })
        : new Worker(file);
    } catch (e) {
      this.fail(e as Error);
      return undefined;
    }
    w.on('message', (r: BackgroundReply) => {
      const job = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      job?.resolve(restorePaths(r.set));
      if (this.waiting.size === 0) this.rest(w);
    });
    w.on('error', (e) => this.fail(e));
    w.on('exit', () => {
      if (this.worker === w) this.worker = undefined;
      this.drain();
    });
    this.worker = w;
    return w;
  }

  private rest(w: Worker): void {
    w.unref();
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.waiting.size === 0 && this.worker === w) {
        this.worker = undefined;
        void w.terminate();
      }
    }, IDLE_MS);
    this.idleTimer.unref();
  }

  private fail(e: Error): void {
    warnOnce('yang-worker', `YANG compile worker unavailable, compiling on the main thread: ${e.message}`);
    this.broken = true;
    const w = this.worker;
    this.worker = undefined;
    this.drain();
    if (w) void w.terminate();
  }

  /** Jobs the worker will not answer are compiled here. */
  private drain(): void {
    const jobs = [...this.waiting.values()];
    this.waiting.clear();
    for (const j of jobs) setImmediate(() => j.resolve(compileJob(j.job)));
  }
}

const host = new WorkerHost();

/** Every schema node with the schema path of its parent (what finalize gave it: the walk, not `parent`). */
function walkNodes(schema: CompiledSchema, fn: (n: SchemaNode, parentPath: string) => void): void {
  const walk = (n: SchemaNode, parentPath: string): void => {
    fn(n, parentPath);
    for (const c of childrenOf(n)) walk(c, n.path);
  };
  for (const m of schema.modules.values()) for (const n of [...m.children, ...m.rpcs, ...m.notifications]) walk(n, '');
}

/**
 * What a copied schema need not carry (worker side): schema paths, about half its bytes, are made
 * again on arrival; descriptions and references of nodes are left behind (these sets validate data,
 * they are not for showing models).
 */
export function forTransfer(set: ModelSet): ModelSet {
  if (set.schema) {
    walkNodes(set.schema, (n) => {
      n.path = '';
      n.description = undefined;
      n.reference = undefined;
    });
  }
  return set;
}

/** ...and are made again here, as the compiler made them. */
function restorePaths(set: ModelSet): ModelSet {
  if (set.schema) {
    walkNodes(set.schema, (n, parentPath) => {
      n.path = `${parentPath}/${n.module.name}:${n.name}`;
    });
  }
  return set;
}

export class BackgroundModels {
  private readonly ready = new Map<string, ModelSet>();
  private readonly compiling = new Map<string, Promise<ModelSet>>();
  /** Per key (ready or compiling): its announced part and its top-level nodes (null: all). */
  private readonly meta = new Map<string, { announced: string; tops: ReadonlySet<string> | null }>();

  constructor(readonly searchDirs: readonly string[]) {}

  /**
   * The set for these modules and top-level nodes, ready or compiling: the one compiled for them, or
   * one compiled (without error) for the same modules and more top-level nodes — it holds every
   * module the smaller set would, so data under these nodes validates against it as well (the
   * modules augmenting the other nodes come with it). Undefined when neither exists.
   */
  private lookup(key: string, announced: string, tops: readonly string[] | undefined): ModelSet | Promise<ModelSet> | undefined {
    const hit = this.ready.get(key) ?? this.compiling.get(key);
    if (hit) return hit;
    for (const [k, m] of this.meta) {
      if (m.announced !== announced || !covers(m.tops, tops)) continue;
      const set = this.ready.get(k);
      if (set?.schema) return set;
      const p = this.compiling.get(k);
      if (p) return p;
    }
    return undefined;
  }

  /** The compiled set now, or undefined while it compiles (the compilation is started). */
  peek(announced: readonly AnnouncedModule[], tops?: readonly string[]): ModelSet | undefined {
    const a = announcedKey(announced);
    const key = keyOf(a, tops);
    const found = this.lookup(key, a, tops);
    if (found instanceof Promise) return undefined;
    if (found) return found;
    void this.start(key, a, announced, tops);
    return undefined;
  }

  /** The compiled set when it is compiled already, else undefined (nothing is started). */
  compiled(announced: readonly AnnouncedModule[], tops?: readonly string[]): ModelSet | undefined {
    const a = announcedKey(announced);
    const found = this.lookup(keyOf(a, tops), a, tops);
    return found instanceof Promise ? undefined : found;
  }

  /** The compiled set, once compiled (on the worker thread). */
  get(announced: readonly AnnouncedModule[], tops?: readonly string[]): Promise<ModelSet> {
    const a = announcedKey(announced);
    const key = keyOf(a, tops);
    const found = this.lookup(key, a, tops);
    if (found === undefined) return this.start(key, a, announced, tops);
    if (!(found instanceof Promise)) return Promise.resolve(found);
    if (this.compiling.get(key) === found) return found;
    // A larger set still compiling: used when it compiles without error, else this one is compiled.
    return found.then((set) => (set.schema ? set : this.start(key, a, announced, tops)));
  }

  private start(key: string, a: string, announced: readonly AnnouncedModule[], tops: readonly string[] | undefined): Promise<ModelSet> {
    let p = this.compiling.get(key);
    if (!p) {
      p = host.compile({ searchDirs: this.searchDirs, announced, tops }).then((set) => {
        this.compiling.delete(key);
        this.ready.set(key, set);
        while (this.ready.size > MAX_SETS) {
          const old = this.ready.keys().next().value!;
          this.ready.delete(old);
          if (!this.compiling.has(old)) this.meta.delete(old);
        }
        return set;
      });
      this.compiling.set(key, p);
      this.meta.set(key, { announced: a, tops: tops ? new Set(tops) : null });
    }
    return p;
  }
}

/** Whether a set compiled for top-level nodes `have` (null: all) holds those of `want` (undefined: all). */
function covers(have: ReadonlySet<string> | null, want: readonly string[] | undefined): boolean {
  if (have === null) return true;
  return want?.every((t) => have.has(t)) ?? false;
}

/** The announced modules' part of a key, kept per array (a driver keeps its device's array: one per session). */
const announcedKeys = new WeakMap<readonly AnnouncedModule[], string>();

function announcedKey(announced: readonly AnnouncedModule[]): string {
  let a = announcedKeys.get(announced);
  if (a === undefined) {
    a = JSON.stringify(announced.map((m) => `${m.name}@${m.revision ?? ''}`).sort());
    announcedKeys.set(announced, a);
  }
  return a;
}

function keyOf(announced: string, tops: readonly string[] | undefined): string {
  return `${announced}\u0000${tops ? JSON.stringify([...new Set(tops)].sort()) : 'null'}`;
}

/** One background model cache per search path, shared by every driver and simulator in the process. */
export const backgroundModels = perSearchPath((dirs) => new BackgroundModels(dirs));

/**
 * The search path of the validation hooks, which run on every change: looked up on disk at most once
 * a second per (CNSDN_YANG_PATH, shared directory), not three existsSync calls per Set.
 */
const searchPaths = new Map<string, { at: number; dirs: string[] }>();
function hookSearchPath(env: Record<string, string | undefined>, sharedDir: string | undefined): string[] {
  const key = `${env.CNSDN_YANG_PATH === undefined ? '\u0001' : env.CNSDN_YANG_PATH}\u0000${sharedDir ?? ''}`;
  const now = Date.now();
  const hit = searchPaths.get(key);
  if (hit && now - hit.at < 1000) return hit.dirs;
  const dirs = yangSearchPath(env, sharedDir);
  if (searchPaths.size >= 64) searchPaths.clear();
  searchPaths.set(key, { at: now, dirs });
  return dirs;
}

/** The set, or undefined when it is not compiled within `ms` (it goes on compiling for later use). */
export function withinMs(p: Promise<ModelSet>, ms: number): Promise<ModelSet | undefined> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(undefined), ms);
    t.unref();
    void p.then((s) => {
      clearTimeout(t);
      resolve(s);
    });
  });
}

/** How long a Set waits for its models to compile before it is sent unvalidated (CNSDN_YANG_COMPILE_WAIT_MS, default 30 s). */
function compileWaitMs(env: Record<string, string | undefined>): number {
  const v = Number(env.CNSDN_YANG_COMPILE_WAIT_MS);
  return Number.isFinite(v) && v >= 0 ? v : 30_000;
}

function report(set: ModelSet, dirs: readonly string[], who: string): void {
  for (const m of set.missing) warnOnce(`${who}missing:${m}`, `${who}YANG module ${m} announced by a device is not in ${dirs.join(':')}: not validated against it`);
  if (set.error) warnOnce(`${who}error:${set.error}`, `${who}announced YANG modules do not compile, configuration not validated: ${set.error}`);
}

/**
 * The compiled models a driver validates a change against before sending it, or undefined when it is
 * sent unvalidated: validation off (CNSDN_YANG_VALIDATE=0), no YANG directory, none of the announced
 * modules found, or not compiled within the wait. Each such fact is logged once.
 */
export async function southboundModels(
  env: Record<string, string | undefined>,
  sharedDir: string | undefined,
  announced: readonly AnnouncedModule[],
  tops: readonly string[],
  /** Fetches what the search path lacks (NETCONF get-schema) into a directory searched too. */
  fetch?: (dirs: readonly string[]) => Promise<string | undefined>,
): Promise<CompiledSchema | undefined> {
  if (!southboundValidation(env) || announced.length === 0) return undefined;
  let dirs = hookSearchPath(env, sharedDir);
  const fetched = fetch ? await fetch(dirs) : undefined;
  if (fetched) dirs = [...dirs, fetched];
  if (dirs.length === 0) return undefined;
  const models = backgroundModels(dirs);
  // Compiled already (every change after a device's first): no timer, no wait.
  const set = models.compiled(announced, tops) ?? (await withinMs(models.get(announced, tops), compileWaitMs(env)));
  if (!set) {
    warnOnce(`slow:${dirs.join(':')}`, `the device's YANG models are still compiling after ${compileWaitMs(env)} ms: this change is sent unvalidated`);
    return undefined;
  }
  report(set, dirs, '');
  return set.schema;
}

/**
 * Starts compiling, in the background, the models a driver will validate its changes against (when
 * a device is connected and has announced its models), so that its first change does not wait for
 * them; nothing is waited for or logged here. Off when validation is off or there is no YANG directory.
 */
export function prepareSouthboundModels(env: Record<string, string | undefined>, sharedDir: string | undefined, announced: readonly AnnouncedModule[], tops: readonly string[]): void {
  if (!southboundValidation(env) || announced.length === 0) return;
  const dirs = hookSearchPath(env, sharedDir);
  if (dirs.length > 0) void backgroundModels(dirs).get(announced, tops);
}

/**
 * The same for a simulated device, answering at once: the models when compiled, else undefined (the
 * compilation runs in the background and later requests are validated; logged once).
 */
export function simulatorModels(env: Record<string, string | undefined>, sharedDir: string | undefined, announced: readonly AnnouncedModule[], tops: readonly string[]): CompiledSchema | undefined {
  if (!southboundValidation(env) || announced.length === 0) return undefined;
  const dirs = hookSearchPath(env, sharedDir);
  if (dirs.length === 0) return undefined;
  const set = backgroundModels(dirs).peek(announced, tops);
  if (!set) {
    warnOnce(`sim-compiling:${dirs.join(':')}`, 'simulator: its YANG models are compiling in the background; requests until then are not validated');
    return undefined;
  }
  report(set, dirs, 'simulator: ');
  return set.schema;
}
