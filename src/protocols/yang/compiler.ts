/**
 * Compiles a module set: loads modules and their imports/includes, links features and identities,
 * builds the data trees (groupings, refine, augment, choice/case, if-feature), applies augments and
 * deviations of implemented modules, then resolves config, status, keys, unique and leafrefs.
 */
import { resolve as resolvePath } from 'node:path';
import { type Def, type ModCtx, moduleOfPrefix, type Scope, splitQName, type Unit } from './context.js';
import { YangError } from './errors.js';
import { evalFeatureExpr, parseFeatureExpr } from './features.js';
import { finalize } from './finalize.js';
import type { ModuleLoader, ParsedUnit } from './loader.js';
import { NodeBuilder, pending } from './nodes.js';
import { type Stmt, subArg, subsOf } from './parser.js';
import type { CompiledModule, CompiledSchema, Feature, Identity } from './schema.js';
import { status, TypeResolver } from './types.js';

export interface CompileOptions {
  /**
   * Enabled features per module: `'*'` or a list of names. Modules not listed have all features enabled.
   * Default: every feature of every module enabled.
   */
  features?: Record<string, readonly string[] | '*'>;
  /**
   * `'all'` (default): every loaded module is implemented (yanglint `-i`).
   * `'given'`: only the modules asked for, and the targets of their augments and deviations.
   */
  implement?: 'all' | 'given';
  /** Most modules loaded in one set (imports included). */
  maxModules?: number;
}

export interface ModuleRef {
  /** A file path, or a module name found through the search directories. */
  file?: string;
  name?: string;
  revision?: string;
}

export function compileModules(loader: ModuleLoader, refs: readonly ModuleRef[], opts: CompileOptions = {}): CompiledSchema {
  return new Compiler(loader, opts).compile(refs);
}

class Compiler {
  readonly mods = new Map<string, ModCtx>();
  readonly identities = new Map<string, Identity>();
  readonly warnings: string[] = [];
  private readonly loading: string[] = [];
  readonly types: TypeResolver;

  constructor(
    readonly loader: ModuleLoader,
    readonly opts: CompileOptions,
  ) {
    this.types = new TypeResolver({ mods: this.mods, identity: (q, scope, at) => this.identity(q, scope, at) });
  }

  compile(refs: readonly ModuleRef[]): CompiledSchema {
    try {
      return this.compileSet(refs);
    } finally {
      pending.clear();
    }
  }

  private compileSet(refs: readonly ModuleRef[]): CompiledSchema {
    const given: ModCtx[] = [];
    for (const r of refs) {
      let parsed: ParsedUnit | undefined;
      if (r.file) {
        parsed = this.loader.parseFile(r.file);
        this.loader.addSearchDir(resolvePath(r.file, '..'));
      } else parsed = this.loader.find(r.name ?? '', r.revision);
      if (!parsed) throw new YangError(`module "${r.name}"${r.revision ? `@${r.revision}` : ''} not found in the search directories`);
      if (parsed.kind !== 'module') throw new YangError(`${parsed.file} is a submodule; give the module it belongs to`, parsed.stmt.loc, 'submodule');
      given.push(this.load(parsed, undefined));
    }
    for (const m of this.mods.values()) this.collectFeatures(m);
    for (const m of this.mods.values()) this.collectIdentities(m);
    this.linkIdentities();
    this.markImplemented(given);
    const builder = new NodeBuilder(this);
    for (const m of this.mods.values()) builder.buildModule(m);
    builder.applyAugments([...this.mods.values()].filter((m) => m.compiled.implemented));
    builder.applyDeviations([...this.mods.values()].filter((m) => m.compiled.implemented));
    const modules = new Map([...this.mods].map(([k, v]) => [k, v.compiled]));
    finalize(modules, this.warnings);
    return { modules, identities: this.identities, warnings: this.warnings };
  }

  private load(parsed: ParsedUnit, importedAt: Stmt | undefined): ModCtx {
    const existing = this.mods.get(parsed.name);
    if (existing) return existing;
    const max = this.opts.maxModules ?? 2000;
    if (this.mods.size >= max) throw new YangError(`more than ${max} modules in one set`, importedAt?.loc, 'import');
    const s = parsed.stmt;
    const compiled: CompiledModule = {
      name: parsed.name,
      revision: parsed.revision,
      namespace: subArg(s, 'namespace') ?? '',
      prefix: subArg(s, 'prefix') ?? '',
      yangVersion: subArg(s, 'yang-version') === '1.1' ? '1.1' : '1',
      implemented: false,
      file: parsed.file,
      organization: subArg(s, 'organization'),
      contact: subArg(s, 'contact'),
      description: subArg(s, 'description'),
      submodules: [],
      imports: new Map(parsed.prefixes),
      features: new Map(),
      identities: new Map(),
      extensions: new Map(),
      children: [],
      rpcs: [],
      notifications: [],
      augments: [],
      deviations: [],
      extensionInstances: [],
    };
    const mod: ModCtx = { parsed, units: [], compiled, typedefs: new Map(), groupings: new Map() };
    this.loading.push(parsed.name);
    try {
      this.addUnit(mod, parsed, new Set());
      this.mods.set(parsed.name, mod);
      for (const u of mod.units) {
        for (const imp of u.parsed.imports) {
          const cycle = this.loading.indexOf(imp.module);
          if (cycle >= 0) {
            throw new YangError(`import cycle: ${[...this.loading.slice(cycle), imp.module].join(' -> ')}`, imp.stmt.loc, 'import');
          }
          if (this.mods.has(imp.module)) continue;
          const target = this.loader.find(imp.module, imp.revision, u.parsed.file);
          if (target?.kind !== 'module') {
            throw new YangError(`imported module "${imp.module}"${imp.revision ? `@${imp.revision}` : ''} not found`, imp.stmt.loc, 'import');
          }
          this.load(target, imp.stmt);
        }
      }
    } finally {
      this.loading.pop();
    }
    for (const u of mod.units) {
      for (const st of u.parsed.stmt.subs) {
        if ((st.keyword === 'typedef' || st.keyword === 'grouping') && st.arg) {
          const table = st.keyword === 'typedef' ? mod.typedefs : mod.groupings;
          if (table.has(st.arg)) throw new YangError(`duplicate ${st.keyword} "${st.arg}"`, st.loc, st.keyword);
          table.set(st.arg, { stmt: st, scope: { stmt: u.parsed.stmt, unit: u } });
        }
        if (st.keyword === 'extension' && st.arg) {
          compiled.extensions.set(st.arg, { name: st.arg, module: compiled, argument: subsOf(st, 'argument')[0]?.arg });
        }
      }
    }
    return mod;
  }

  private addUnit(mod: ModCtx, parsed: ParsedUnit, seen: Set<string>): void {
    if (seen.has(parsed.name)) return;
    seen.add(parsed.name);
    const unit: Unit = {
      parsed,
      mod,
      prefixScope: { unit: parsed.name, module: mod.parsed.name, prefixes: parsed.prefixes },
    };
    mod.units.push(unit);
    if (parsed.kind === 'submodule') mod.compiled.submodules.push(parsed.name);
    for (const inc of subsOf(parsed.stmt, 'include')) {
      const sm = this.loader.find(inc.arg ?? '', subArg(inc, 'revision-date'), parsed.file);
      if (sm?.kind !== 'submodule') throw new YangError(`included submodule "${inc.arg}" not found`, inc.loc, 'include');
      if (sm.belongsTo !== mod.parsed.name) {
        throw new YangError(`submodule "${sm.name}" belongs to "${sm.belongsTo}", not "${mod.parsed.name}"`, inc.loc, 'include');
      }
      this.addUnit(mod, sm, seen);
    }
  }

  private collectFeatures(m: ModCtx): void {
    const sel = this.opts.features?.[m.compiled.name];
    for (const u of m.units) {
      for (const st of subsOf(u.parsed.stmt, 'feature')) {
        const name = st.arg ?? '';
        const enabled = sel === undefined || sel === '*' || sel.includes(name);
        const f: Feature = { name, module: m.compiled, enabled, ifFeatures: subsOf(st, 'if-feature').map((s) => s.arg ?? ''), status: status(st) };
        m.compiled.features.set(name, f);
      }
    }
    if (Array.isArray(sel)) {
      for (const f of sel) if (!m.compiled.features.has(f)) throw new YangError(`module "${m.compiled.name}" has no feature "${f}"`);
    }
  }

  /** Evaluates the if-feature statements of a statement in its unit. */
  featuresAllow(st: Stmt, unit: Unit): boolean {
    for (const iff of st.subs) {
      if (iff.keyword !== 'if-feature') continue;
      if (!this.evalIfFeature(iff, unit, 0)) return false;
    }
    return true;
  }

  evalIfFeature(iff: Stmt, unit: Unit, depth: number): boolean {
    let expr: ReturnType<typeof parseFeatureExpr>;
    try {
      expr = parseFeatureExpr(iff.arg ?? '');
    } catch (e) {
      throw new YangError((e as Error).message, iff.loc, 'if-feature');
    }
    return evalFeatureExpr(expr, (prefix, name) => {
      const modName = moduleOfPrefix(unit, prefix, iff);
      const f = this.mods.get(modName)?.compiled.features.get(name);
      if (!f) throw new YangError(`unknown feature "${prefix ? `${prefix}:` : ''}${name}"`, iff.loc, 'if-feature');
      if (!f.enabled) return false;
      if (depth > 32) throw new YangError(`feature "${name}" depends on itself`, iff.loc, 'if-feature');
      const fm = this.mods.get(modName)!;
      for (const fu of fm.units) {
        const fst = subsOf(fu.parsed.stmt, 'feature').find((s) => s.arg === name);
        if (fst) return subsOf(fst, 'if-feature').every((s) => this.evalIfFeature(s, fu, depth + 1));
      }
      return true;
    });
  }

  private collectIdentities(m: ModCtx): void {
    for (const u of m.units) {
      for (const st of subsOf(u.parsed.stmt, 'identity')) {
        const name = st.arg ?? '';
        const qname = `${m.compiled.name}:${name}`;
        if (this.identities.has(qname)) throw new YangError(`duplicate identity "${name}"`, st.loc, 'identity');
        const id: Identity = { name, module: m.compiled, qname, bases: [], derived: new Set(), status: status(st), loc: st.loc };
        m.compiled.identities.set(name, id);
        this.identities.set(qname, id);
      }
    }
  }

  identity(q: string, scope: Scope, at: Stmt): Identity {
    const { prefix, name } = splitQName(q);
    const modName = moduleOfPrefix(scope.unit, prefix, at);
    const id = this.identities.get(`${modName}:${name}`);
    if (!id) throw new YangError(`unknown identity "${q}"`, at.loc, at.keyword);
    return id;
  }

  private linkIdentities(): void {
    for (const m of this.mods.values()) {
      for (const u of m.units) {
        for (const st of subsOf(u.parsed.stmt, 'identity')) {
          const id = m.compiled.identities.get(st.arg ?? '')!;
          id.bases = subsOf(st, 'base').map((b) => this.identity(b.arg ?? '', { stmt: u.parsed.stmt, unit: u }, b));
        }
      }
    }
    for (const id of this.identities.values()) {
      const stack: Identity[] = [...id.bases];
      const seen = new Set<Identity>();
      while (stack.length) {
        const b = stack.pop()!;
        if (b === id) throw new YangError(`identity "${id.name}" is derived from itself`, id.loc, 'identity');
        if (seen.has(b)) continue;
        seen.add(b);
        b.derived.add(id);
        stack.push(...b.bases);
      }
    }
  }

  private markImplemented(given: ModCtx[]): void {
    if ((this.opts.implement ?? 'all') === 'all') {
      for (const m of this.mods.values()) m.compiled.implemented = true;
      return;
    }
    const queue = [...given];
    while (queue.length) {
      const m = queue.pop()!;
      if (m.compiled.implemented) continue;
      m.compiled.implemented = true;
      for (const u of m.units) {
        for (const st of u.parsed.stmt.subs) {
          if ((st.keyword !== 'augment' && st.keyword !== 'deviation') || !st.arg) continue;
          // Every module named along the target path: a node on it may come from another module's augment.
          for (const step of st.arg.split('/').slice(1)) {
            const target = this.mods.get(moduleOfPrefix(u, splitQName(step).prefix, st));
            if (target) queue.push(target);
          }
        }
      }
    }
  }

  groupingOf(def: Def): Scope {
    return { stmt: def.stmt, unit: def.scope.unit, parent: def.scope };
  }
}

export type { Compiler };
