/**
 * The models a device announces (gNMI Capabilities, NETCONF hello or yang-library), compiled from
 * module files found in search directories. Modules not found are reported, never fatal: what was
 * found is still compiled and used.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { YangError } from './errors.js';
import { SchemaCache } from './index.js';
import { ModuleLoader } from './loader.js';
import { type Stmt, subsOf } from './parser.js';
import type { CompiledSchema } from './schema.js';

const DATA_KEYWORDS = new Set(['container', 'list', 'leaf', 'leaf-list', 'choice', 'anydata', 'anyxml']);

export interface AnnouncedModule {
  name: string;
  revision?: string;
}

export interface ModelSet {
  /** Undefined when none of the announced modules was found or the set did not compile. */
  schema?: CompiledSchema;
  /** Announced modules not found in the search directories. */
  missing: string[];
  /** Why the found modules did not compile, when they did not. */
  error?: string;
}

/**
 * Search directories from `CNSDN_YANG_PATH` (':'-separated); without it, the OpenConfig models of the
 * shared fixtures when present and the IETF modules Debian ships with netconfd.
 */
export function yangSearchPath(env: Record<string, string | undefined>, sharedDir?: string): string[] {
  const given = env.CNSDN_YANG_PATH;
  if (given !== undefined) return given.split(':').filter((d) => d);
  const out: string[] = [];
  if (sharedDir) {
    const oc = join(sharedDir, 'fixtures', 'yang', 'openconfig');
    for (const d of [join(oc, 'models'), join(oc, 'third_party', 'ietf')]) if (existsSync(d)) out.push(d);
  }
  if (existsSync('/usr/share/yuma/modules')) out.push('/usr/share/yuma/modules');
  return out;
}

export class ModelRegistry {
  private readonly loader: ModuleLoader;
  private readonly cache: SchemaCache;
  private readonly results = new Map<string, ModelSet>();

  constructor(readonly searchDirs: readonly string[]) {
    this.loader = new ModuleLoader(searchDirs);
    this.cache = new SchemaCache(32);
  }

  private readonly scans = new Map<string, { data: Set<string>; augments: Set<string> } | undefined>();

  /** Top-level data node names of a module and the modules its augments target (submodules included). */
  private scan(name: string): { data: Set<string>; augments: Set<string> } | undefined {
    if (this.scans.has(name)) return this.scans.get(name);
    let out: { data: Set<string>; augments: Set<string> } | undefined;
    try {
      const unit = this.loader.find(name);
      if (unit?.kind === 'module') {
        out = { data: new Set(), augments: new Set() };
        const units = [unit, ...subsOf(unit.stmt, 'include').flatMap((i) => this.loader.find(i.arg ?? '', undefined, unit.file) ?? [])];
        const groupings = new Map<string, Stmt>();
        for (const u of units) for (const st of subsOf(u.stmt, 'grouping')) if (st.arg) groupings.set(st.arg, st);
        const addData = (stmts: readonly Stmt[], depth: number): void => {
          for (const st of stmts) {
            if (st.keyword === 'uses' && st.arg && !st.arg.includes(':') && depth < 8) addData(groupings.get(st.arg)?.subs ?? [], depth + 1);
            else if (DATA_KEYWORDS.has(st.keyword) && st.arg) out!.data.add(st.arg);
          }
        };
        for (const u of units) {
          addData(u.stmt.subs, 0);
          for (const st of u.stmt.subs) {
            if (st.keyword === 'augment' && st.arg) {
              const first = st.arg.split('/')[1] ?? '';
              const i = first.indexOf(':');
              out.augments.add(i < 0 ? name : (u.prefixes.get(first.slice(0, i)) ?? ''));
            }
          }
        }
      }
    } catch {
      out = undefined;
    }
    this.scans.set(name, out);
    return out;
  }

  /**
   * The compiled set for the announced modules that matter to data under the given top-level nodes
   * (`name` or `module:name`): the modules defining them, those augmenting those modules, and the
   * announced modules without data (identities, typedefs). Smaller than the whole announced set.
   */
  schemaForTopNodes(announced: readonly AnnouncedModule[], tops: readonly string[]): ModelSet {
    const touched = new Set<string>();
    for (const t of tops) {
      const i = t.indexOf(':');
      if (i >= 0) touched.add(t.slice(0, i));
      else for (const m of announced) if (this.scan(m.name)?.data.has(t)) touched.add(m.name);
    }
    const picked = announced.filter((m) => {
      const sc = this.scan(m.name);
      if (!sc) return true;
      if (touched.has(m.name)) return true;
      if (sc.data.size === 0 && sc.augments.size === 0) return true;
      return [...sc.augments].some((a) => touched.has(a));
    });
    return this.schemaFor(picked);
  }

  /** The compiled set for these announced modules (cached by the set of names and revisions). */
  schemaFor(announced: readonly AnnouncedModule[]): ModelSet {
    const key = JSON.stringify([...announced].map((m) => `${m.name}@${m.revision ?? ''}`).sort());
    const hit = this.results.get(key);
    if (hit) return hit;
    const missing: string[] = [];
    const found: AnnouncedModule[] = [];
    for (const m of announced) {
      let unit: ReturnType<ModuleLoader['find']>;
      try {
        unit = this.loader.find(m.name, m.revision) ?? (m.revision ? this.loader.find(m.name) : undefined);
      } catch {
        unit = undefined;
      }
      if (unit?.kind === 'module') found.push({ name: m.name, revision: unit.revision });
      else missing.push(m.revision ? `${m.name}@${m.revision}` : m.name);
    }
    let out: ModelSet = { missing };
    if (found.length) {
      try {
        out = { missing, schema: this.cache.get({ searchDirs: this.searchDirs, modules: found, implement: 'given' }) };
      } catch (e) {
        if (!(e instanceof YangError)) throw e;
        out = { missing, error: e.message };
      }
    }
    this.results.set(key, out);
    return out;
  }
}

/** One instance per list of search directories, made on first use and shared in the process. */
export function perSearchPath<T>(make: (searchDirs: readonly string[]) => T): (searchDirs: readonly string[]) => T {
  const made = new Map<string, T>();
  return (searchDirs) => {
    const key = searchDirs.join('\u0000');
    let v = made.get(key);
    if (v === undefined) {
      v = make(searchDirs);
      made.set(key, v);
    }
    return v;
  };
}

/** One registry per list of search directories, shared by every user in the process. */
export const sharedModelRegistry = perSearchPath((dirs) => new ModelRegistry(dirs));

const reported = new Set<string>();

/** Reports a fact about the models once per process (a JSON line on stderr, as the other components log). */
export function warnOnce(key: string, msg: string): void {
  if (reported.has(key)) return;
  reported.add(key);
  process.stderr.write(`${JSON.stringify({ level: 'warn', time: Date.now(), component: 'yang', msg })}\n`);
}

/**
 * Whether drivers and simulators validate configuration against the device's models: on unless
 * CNSDN_YANG_VALIDATE=0 (it needs a YANG directory too: yangSearchPath). Models compile on a worker
 * thread (background.ts), so the event loop is not blocked.
 */
export function southboundValidation(env: Record<string, string | undefined>): boolean {
  return env.CNSDN_YANG_VALIDATE !== '0';
}
