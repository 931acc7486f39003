/** Type resolution: typedef chains, restrictions (which must narrow the base), built-in type rules. */
import { type Def, lookupDef, type ModCtx, moduleOfPrefix, type Scope, splitQName } from './context.js';
import { YangError } from './errors.js';
import { type Stmt, sub, subArg, subsOf } from './parser.js';
import { posixToRegExp, xsdToRegExp } from './regex.js';
import type { BitValue, BuiltinType, EnumValue, Identity, Interval, PatternRestriction, RangeRestriction, ResolvedType, TypeLayer } from './schema.js';
import { parseLeafrefPath, xpathError } from './xpath.js';

const INT_BOUNDS: Record<string, [bigint, bigint]> = {
  int8: [-128n, 127n],
  int16: [-32768n, 32767n],
  int32: [-2147483648n, 2147483647n],
  int64: [-9223372036854775808n, 9223372036854775807n],
  uint8: [0n, 255n],
  uint16: [0n, 65535n],
  uint32: [0n, 4294967295n],
  uint64: [0n, 18446744073709551615n],
  decimal64: [-9223372036854775808n, 9223372036854775807n],
};
const BUILTINS = new Set<string>([...Object.keys(INT_BOUNDS), 'string', 'boolean', 'enumeration', 'bits', 'binary', 'leafref', 'identityref', 'empty', 'union', 'instance-identifier']);
const MAX_LENGTH = 18446744073709551615n;
const OC_EXT = 'openconfig-extensions';

export interface TypeEnv {
  mods: ReadonlyMap<string, ModCtx>;
  identity(qname: string, scope: Scope, at: Stmt): Identity;
}

export class TypeResolver {
  private readonly typedefCache = new Map<Stmt, ResolvedType>();
  private readonly inProgress = new Set<Stmt>();
  /** A type statement always resolves the same way (its lexical scope is fixed), so results are shared. */
  private readonly typeCache = new WeakMap<Stmt, ResolvedType>();

  constructor(private readonly env: TypeEnv) {}

  resolve(typeStmt: Stmt, scope: Scope): ResolvedType {
    const hit = this.typeCache.get(typeStmt);
    if (hit) return hit;
    const out = this.resolveUncached(typeStmt, scope);
    this.typeCache.set(typeStmt, out);
    return out;
  }

  private resolveUncached(typeStmt: Stmt, scope: Scope): ResolvedType {
    const qname = typeStmt.arg;
    if (!qname) throw new YangError('type name missing', typeStmt.loc, 'type');
    const { prefix, name } = splitQName(qname);
    let base: ResolvedType;
    if (!prefix && BUILTINS.has(name)) {
      base = { base: name as BuiltinType, name, chain: [], patterns: [] };
      if (INT_BOUNDS[name] && name !== 'decimal64') base.range = { intervals: [{ min: INT_BOUNDS[name][0], max: INT_BOUNDS[name][1] }], source: `${INT_BOUNDS[name][0]}..${INT_BOUNDS[name][1]}` };
      if (name === 'string' || name === 'binary') base.length = { intervals: [{ min: 0n, max: MAX_LENGTH }], source: 'min..max' };
    } else {
      const def = lookupDef('typedef', qname, scope, this.env.mods, typeStmt);
      if (!def) throw new YangError(`unknown type "${qname}"`, typeStmt.loc, 'type');
      base = this.typedef(def);
    }
    return this.restrict(base, typeStmt, scope, qname);
  }

  private typedef(def: Def): ResolvedType {
    const cached = this.typedefCache.get(def.stmt);
    if (cached) return cached;
    if (this.inProgress.has(def.stmt)) throw new YangError(`typedef loop: "${def.stmt.arg}" refers to itself`, def.stmt.loc, 'typedef');
    this.inProgress.add(def.stmt);
    try {
      const t = sub(def.stmt, 'type');
      if (!t) throw new YangError(`typedef "${def.stmt.arg}" has no type`, def.stmt.loc, 'typedef');
      const r = this.resolve(t, def.scope);
      const d = subArg(def.stmt, 'default');
      const u = subArg(def.stmt, 'units');
      const out: ResolvedType = { ...r, default: d ?? r.default, units: u ?? r.units };
      if (out.chain[0]) out.chain = [{ ...out.chain[0], module: def.scope.unit.mod.compiled.name, default: d, units: u }, ...out.chain.slice(1)];
      this.typedefCache.set(def.stmt, out);
      return out;
    } finally {
      this.inProgress.delete(def.stmt);
    }
  }

  private restrict(base: ResolvedType, t: Stmt, scope: Scope, name: string): ResolvedType {
    const layer: TypeLayer = { name, patterns: [], loc: t.loc };
    const out: ResolvedType = { ...base, name, chain: [layer, ...base.chain], patterns: [...base.patterns] };
    const b = base.base;
    const isBuiltinLayer = base.chain.length === 0;
    for (const s of t.subs) {
      switch (s.keyword) {
        case 'range': {
          if (!INT_BOUNDS[b]) throw new YangError(`range is not allowed for type ${b}`, s.loc, 'range');
          if (b === 'decimal64' && !out.range) break;
          layer.range = this.rangeOf(s, out.range!, b === 'decimal64' ? (out.fractionDigits ?? 0) : undefined);
          out.range = layer.range;
          break;
        }
        case 'length':
          if (b !== 'string' && b !== 'binary') throw new YangError(`length is not allowed for type ${b}`, s.loc, 'length');
          layer.length = this.rangeOf(s, out.length!, undefined);
          out.length = layer.length;
          break;
        case 'pattern':
          if (b !== 'string') throw new YangError(`pattern is not allowed for type ${b}`, s.loc, 'pattern');
          layer.patterns.push(pattern(s, false));
          break;
        case 'fraction-digits': {
          if (b !== 'decimal64' || !isBuiltinLayer) throw new YangError('fraction-digits is only allowed directly on decimal64', s.loc, 'fraction-digits');
          const fd = Number(s.arg);
          if (!Number.isInteger(fd) || fd < 1 || fd > 18) throw new YangError(`fraction-digits must be 1..18, not "${s.arg}"`, s.loc, 'fraction-digits');
          out.fractionDigits = fd;
          break;
        }
        case 'enum':
        case 'bit':
        case 'path':
        case 'require-instance':
        case 'base':
        case 'type':
          break;
        default:
          if (s.prefix && moduleOfPrefix(scope.unit, s.prefix, s) === OC_EXT && s.keyword.endsWith(':posix-pattern')) {
            if (b !== 'string') throw new YangError(`posix-pattern is not allowed for type ${b}`, s.loc, s.keyword);
            layer.patterns.push(pattern(s, true));
          } else if (!s.prefix && !['description', 'reference', 'units', 'default', 'status'].includes(s.keyword)) {
            throw new YangError(`unexpected statement "${s.keyword}" in type`, s.loc, s.keyword);
          }
      }
    }
    // OpenConfig intends posix-pattern to replace the XSD patterns of the same type statement.
    const posix = layer.patterns.filter((p) => p.posix);
    if (posix.length) layer.patterns = posix;
    out.patterns.push(...layer.patterns);
    if (b === 'decimal64' && isBuiltinLayer) {
      if (out.fractionDigits === undefined) throw new YangError('decimal64 needs fraction-digits', t.loc, 'type');
      out.range = { intervals: [{ min: INT_BOUNDS.decimal64[0], max: INT_BOUNDS.decimal64[1] }], source: 'min..max' };
      const r = sub(t, 'range');
      if (r) out.range = layer.range = this.rangeOf(r, out.range, out.fractionDigits);
    }
    const enums = subsOf(t, 'enum');
    if (enums.length) out.enums = this.enums(enums, b, base.enums);
    else if (b === 'enumeration' && isBuiltinLayer) throw new YangError('enumeration needs at least one enum', t.loc, 'type');
    const bits = subsOf(t, 'bit');
    if (bits.length) out.bits = this.bits(bits, b, base.bits);
    else if (b === 'bits' && isBuiltinLayer) throw new YangError('bits needs at least one bit', t.loc, 'type');
    const path = sub(t, 'path');
    const ri = sub(t, 'require-instance');
    if (path) {
      if (b !== 'leafref') throw new YangError(`path is not allowed for type ${b}`, path.loc, 'path');
      let expr: ReturnType<typeof parseLeafrefPath>;
      try {
        expr = parseLeafrefPath(path.arg ?? '');
      } catch (e) {
        throw xpathError(e, path.arg ?? '', path.loc, 'path');
      }
      out.leafref = { path: path.arg ?? '', expr, prefixes: scope.unit.prefixScope, loc: path.loc, requireInstance: ri ? ri.arg === 'true' : true };
    } else if (b === 'leafref' && isBuiltinLayer) {
      throw new YangError('leafref needs a path', t.loc, 'type');
    } else if (b === 'leafref' && ri && out.leafref) {
      out.leafref = { ...out.leafref, requireInstance: ri.arg === 'true' };
    }
    if (ri && b !== 'leafref') {
      if (b !== 'instance-identifier') throw new YangError(`require-instance is not allowed for type ${b}`, ri.loc, 'require-instance');
      out.requireInstance = ri.arg === 'true';
    } else if (b === 'instance-identifier' && out.requireInstance === undefined) {
      out.requireInstance = true;
    }
    const bases = subsOf(t, 'base');
    if (bases.length) {
      if (b !== 'identityref' || !isBuiltinLayer) throw new YangError('base is only allowed directly on identityref', bases[0].loc, 'base');
      out.bases = bases.map((s) => this.env.identity(s.arg ?? '', scope, s));
    } else if (b === 'identityref' && isBuiltinLayer) {
      throw new YangError('identityref needs a base', t.loc, 'type');
    }
    const members = subsOf(t, 'type');
    if (members.length) {
      if (b !== 'union' || !isBuiltinLayer) throw new YangError('member types are only allowed directly on union', members[0].loc, 'type');
      out.members = members.map((m) => this.resolve(m, scope));
    } else if (b === 'union' && isBuiltinLayer) {
      throw new YangError('union needs member types', t.loc, 'type');
    }
    return out;
  }

  private rangeOf(s: Stmt, base: RangeRestriction, fractionDigits: number | undefined): RangeRestriction {
    const src = s.arg ?? '';
    const lo = base.intervals[0].min;
    const hi = base.intervals[base.intervals.length - 1].max;
    const num = (v: string): bigint => {
      v = v.trim();
      if (v === 'min') return lo;
      if (v === 'max') return hi;
      const n = fractionDigits === undefined ? parseInteger(v) : parseDecimal(v, fractionDigits);
      if (n === undefined) throw new YangError(`invalid ${s.keyword} value "${v}"`, s.loc, s.keyword);
      return n;
    };
    const intervals: Interval[] = [];
    for (const part of src.split('|')) {
      const bounds = part.split('..');
      if (bounds.length > 2) throw new YangError(`invalid ${s.keyword} "${src}"`, s.loc, s.keyword);
      const min = num(bounds[0]);
      const max = bounds.length === 2 ? num(bounds[1]) : min;
      if (min > max) throw new YangError(`${s.keyword} "${part.trim()}" has its lower bound above its upper bound`, s.loc, s.keyword);
      const prev = intervals[intervals.length - 1];
      if (prev && min <= prev.max) throw new YangError(`${s.keyword} parts must be disjoint and ascending in "${src}"`, s.loc, s.keyword);
      if (!base.intervals.some((b) => b.min <= min && max <= b.max)) {
        throw new YangError(`${s.keyword} "${part.trim()}" does not narrow the base ${s.keyword} "${base.source}"`, s.loc, s.keyword);
      }
      intervals.push({ min, max });
    }
    return { intervals, source: src, errorMessage: subArg(s, 'error-message'), errorAppTag: subArg(s, 'error-app-tag') };
  }

  private enums(stmts: Stmt[], b: BuiltinType, base: EnumValue[] | undefined): EnumValue[] {
    if (b !== 'enumeration') throw new YangError(`enum is not allowed for type ${b}`, stmts[0].loc, 'enum');
    const out: EnumValue[] = [];
    let next = 0;
    for (const e of stmts) {
      const name = e.arg ?? '';
      if (out.some((o) => o.name === name)) throw new YangError(`duplicate enum "${name}"`, e.loc, 'enum');
      const v = subArg(e, 'value');
      const inherited = base?.find((x) => x.name === name);
      if (base && !inherited) throw new YangError(`enum "${name}" is not in the base type`, e.loc, 'enum');
      const value = v !== undefined ? Number(v) : (inherited?.value ?? next);
      if (!Number.isInteger(value) || value < -2147483648 || value > 2147483647) throw new YangError(`invalid enum value "${v}"`, e.loc, 'enum');
      if (inherited && inherited.value !== value) throw new YangError(`enum "${name}" changes its value`, e.loc, 'enum');
      if (out.some((o) => o.value === value)) throw new YangError(`enum value ${value} used twice`, e.loc, 'enum');
      out.push({ name, value, status: status(e) });
      next = Math.max(next, value + 1);
    }
    return out;
  }

  private bits(stmts: Stmt[], b: BuiltinType, base: BitValue[] | undefined): BitValue[] {
    if (b !== 'bits') throw new YangError(`bit is not allowed for type ${b}`, stmts[0].loc, 'bit');
    const out: BitValue[] = [];
    let next = 0;
    for (const s of stmts) {
      const name = s.arg ?? '';
      const p = subArg(s, 'position');
      const inherited = base?.find((x) => x.name === name);
      if (base && !inherited) throw new YangError(`bit "${name}" is not in the base type`, s.loc, 'bit');
      const position = p !== undefined ? Number(p) : (inherited?.position ?? next);
      if (!Number.isInteger(position) || position < 0 || position > 4294967295) throw new YangError(`invalid bit position "${p}"`, s.loc, 'bit');
      if (out.some((o) => o.position === position || o.name === name)) throw new YangError(`bit "${name}" or position ${position} used twice`, s.loc, 'bit');
      out.push({ name, position, status: status(s) });
      next = Math.max(next, position + 1);
    }
    return out;
  }
}

function pattern(s: Stmt, posix: boolean): PatternRestriction {
  const source = s.arg ?? '';
  let regex: RegExp;
  try {
    regex = posix ? posixToRegExp(source) : xsdToRegExp(source);
  } catch (e) {
    throw new YangError(`invalid pattern "${source}": ${(e as Error).message}`, s.loc, s.keyword);
  }
  return {
    source,
    regex,
    invert: subArg(s, 'modifier') === 'invert-match',
    posix,
    errorMessage: subArg(s, 'error-message'),
    errorAppTag: subArg(s, 'error-app-tag'),
  };
}

export function status(s: Stmt): 'current' | 'deprecated' | 'obsolete' {
  const v = subArg(s, 'status');
  return v === 'deprecated' || v === 'obsolete' ? v : 'current';
}

function parseInteger(v: string): bigint | undefined {
  return /^[+-]?\d+$/.test(v) ? BigInt(v) : undefined;
}

/** A decimal64 literal scaled by 10^fd (`1.5`, fd 2 → 150n). */
export function parseDecimal(v: string, fd: number): bigint | undefined {
  const m = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(v);
  if (!m || (m[3] ?? '').length > fd) return undefined;
  const n = BigInt(m[2] + (m[3] ?? '').padEnd(fd, '0'));
  return m[1] === '-' ? -n : n;
}
