/** Internal compiler structures: modules being compiled, lexical scopes and name lookup. */
import { YangError } from './errors.js';
import type { ParsedUnit } from './loader.js';
import type { Stmt } from './parser.js';
import type { CompiledModule, PrefixScope } from './schema.js';

/** A module or submodule taking part in a compilation. */
export interface Unit {
  parsed: ParsedUnit;
  mod: ModCtx;
  prefixScope: PrefixScope;
}

export interface ModCtx {
  parsed: ParsedUnit;
  units: Unit[];
  compiled: CompiledModule;
  /** Top-level typedefs and groupings of the module and its submodules. */
  typedefs: Map<string, Def>;
  groupings: Map<string, Def>;
}

/** A lexical scope: a statement that may hold typedefs and groupings, inside its parent scope. */
export interface Scope {
  stmt: Stmt;
  unit: Unit;
  parent?: Scope;
}

export interface Def {
  stmt: Stmt;
  /** The scope the definition is written in. */
  scope: Scope;
}

const localDefs = { typedef: new WeakMap<Stmt, Map<string, Stmt>>(), grouping: new WeakMap<Stmt, Map<string, Stmt>>() };

function defsOf(stmt: Stmt, keyword: 'typedef' | 'grouping'): Map<string, Stmt> {
  let m = localDefs[keyword].get(stmt);
  if (!m) {
    m = new Map();
    for (const s of stmt.subs) if (s.keyword === keyword && s.arg) m.set(s.arg, s);
    localDefs[keyword].set(stmt, m);
  }
  return m;
}

/** Splits `prefix:name`. */
export function splitQName(q: string): { prefix?: string; name: string } {
  const i = q.indexOf(':');
  return i < 0 ? { name: q } : { prefix: q.slice(0, i), name: q.slice(i + 1) };
}

/** The module a prefix names in this unit, or a located error. */
export function moduleOfPrefix(unit: Unit, prefix: string | undefined, at: Stmt): string {
  if (prefix === undefined) return unit.mod.compiled.name;
  const m = unit.parsed.prefixes.get(prefix);
  if (!m) throw new YangError(`unknown prefix "${prefix}"`, at.loc, at.keyword);
  return m;
}

/** Finds a typedef or grouping by (possibly prefixed) name from a scope. */
export function lookupDef(
  kind: 'typedef' | 'grouping',
  qname: string,
  scope: Scope,
  mods: ReadonlyMap<string, ModCtx>,
  at: Stmt,
): Def | undefined {
  const { prefix, name } = splitQName(qname);
  const modName = moduleOfPrefix(scope.unit, prefix, at);
  if (modName === scope.unit.mod.compiled.name) {
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      if (!s.parent) break;
      const found = defsOf(s.stmt, kind).get(name);
      if (found) return { stmt: found, scope: s };
    }
    return (kind === 'typedef' ? scope.unit.mod.typedefs : scope.unit.mod.groupings).get(name);
  }
  const mod = mods.get(modName);
  if (!mod) throw new YangError(`module "${modName}" is not loaded`, at.loc, at.keyword);
  return (kind === 'typedef' ? mod.typedefs : mod.groupings).get(name);
}

/** Every keyword YANG 1.1 defines (statements not in this set and without a prefix are errors). */
export const YANG_KEYWORDS = new Set(
  (
    'action anydata anyxml argument augment base belongs-to bit case choice config contact container default description ' +
    'deviate deviation enum error-app-tag error-message extension feature fraction-digits grouping identity if-feature ' +
    'import include input key leaf leaf-list length list mandatory max-elements min-elements modifier module must namespace ' +
    'notification ordered-by organization output path pattern position prefix presence range reference refine ' +
    'require-instance revision revision-date rpc status submodule type typedef unique units uses value when yang-version yin-element'
  ).split(' '),
);
