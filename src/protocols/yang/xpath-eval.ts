/**
 * XPath 1.0 evaluation over an instance tree (must, when, leafref paths, deref()), with the YANG
 * functions of RFC 7950 section 10. Missing leaves with a default and absent non-presence containers
 * are seen as if present (RFC 7950 7.6.1, 7.5.1). A step budget and a deadline bound the work.
 */
import type { DataNode } from './data-tree.js';
import { xsdToRegExp } from './regex.js';
import { dataChildren, type Identity, type LeafListNode, type LeafNode, type LeafrefInfo, type PrefixScope, type SchemaNode } from './schema.js';
import type { Step, XPathExpr } from './xpath.js';

export type XValue = DataNode[] | string | number | boolean;

export class XPathLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XPathLimitError';
  }
}

/** Shared by all evaluations of one validation run. */
export interface EvalBudget {
  deadline: number;
  ops: number;
  identities: ReadonlyMap<string, Identity>;
}

interface Ctx {
  node: DataNode;
  pos: number;
  size: number;
}

const regexCache = new Map<string, RegExp | null>();

export class XPathEvaluator {
  constructor(
    private readonly budget: EvalBudget,
    /** The node current() returns. */
    private readonly current: DataNode,
    private readonly scope: PrefixScope,
    /** Module whose names unprefixed steps may also mean (the context node's). */
    private readonly contextModule: string | undefined,
  ) {}

  evaluate(e: XPathExpr, node: DataNode): XValue {
    return this.eval(e, { node, pos: 1, size: 1 });
  }

  evaluateBoolean(e: XPathExpr, node: DataNode): boolean {
    return toBoolean(this.evaluate(e, node));
  }

  private tick(): void {
    if ((++this.budget.ops & 1023) === 1 && Date.now() > this.budget.deadline) throw new XPathLimitError('validation took longer than its time limit');
  }

  private eval(e: XPathExpr, ctx: Ctx): XValue {
    this.tick();
    switch (e.kind) {
      case 'literal':
        return e.value;
      case 'number':
        return e.value;
      case 'variable':
        throw new XPathLimitError(`variable $${e.name} is not bound`);
      case 'negate':
        return -toNumber(this.eval(e.operand, ctx));
      case 'binary':
        return this.binary(e.op, e.left, e.right, ctx);
      case 'call':
        return this.call(e.name, e.args, ctx);
      case 'filter': {
        const v = this.eval(e.primary, ctx);
        if (!Array.isArray(v)) throw new XPathLimitError('a predicate applies to a node-set only');
        return this.predicates(v, e.predicates);
      }
      case 'path': {
        let set: DataNode[];
        if (e.base) {
          const v = this.eval(e.base, ctx);
          if (!Array.isArray(v)) throw new XPathLimitError('a path continues a node-set only');
          set = v;
        } else if (e.absolute) set = [rootOf(ctx.node)];
        else set = [ctx.node];
        for (const s of e.steps) set = this.step(set, s);
        return set;
      }
    }
  }

  private binary(op: string, l: XPathExpr, r: XPathExpr, ctx: Ctx): XValue {
    if (op === 'or') return toBoolean(this.eval(l, ctx)) || toBoolean(this.eval(r, ctx));
    if (op === 'and') return toBoolean(this.eval(l, ctx)) && toBoolean(this.eval(r, ctx));
    const a = this.eval(l, ctx);
    const b = this.eval(r, ctx);
    switch (op) {
      case '|': {
        if (!Array.isArray(a) || !Array.isArray(b)) throw new XPathLimitError('"|" joins node-sets only');
        return unique([...a, ...b]);
      }
      case '+':
        return toNumber(a) + toNumber(b);
      case '-':
        return toNumber(a) - toNumber(b);
      case '*':
        return toNumber(a) * toNumber(b);
      case 'div':
        return toNumber(a) / toNumber(b);
      case 'mod':
        return toNumber(a) % toNumber(b);
      default:
        return this.compare(op, a, b);
    }
  }

  /** An identity literal (`prefix:name`) written in the expression, as `module:name`. */
  private literalFor(n: DataNode, s: string): string {
    if (!n.identity) return s;
    const i = s.indexOf(':');
    if (i < 0) return s === n.identity.name ? n.identity.qname : s;
    const mod = this.scope.prefixes.get(s.slice(0, i));
    return mod ? `${mod}:${s.slice(i + 1)}` : s;
  }

  private compare(op: string, a: XValue, b: XValue): boolean {
    if (Array.isArray(a) && Array.isArray(b)) {
      for (const x of a) {
        const sx = stringValue(x);
        for (const y of b) if (this.compareAtoms(op, sx, stringValue(y))) return true;
      }
      return false;
    }
    if (Array.isArray(a) || Array.isArray(b)) {
      const set = (Array.isArray(a) ? a : b) as DataNode[];
      const other = (Array.isArray(a) ? b : a) as string | number | boolean;
      const flip = !Array.isArray(a);
      if (typeof other === 'boolean') return this.compareAtoms(op, flip ? other : toBoolean(set), flip ? toBoolean(set) : other);
      for (const n of set) {
        const sv: string | number = typeof other === 'number' ? toNumber(stringValue(n)) : stringValue(n);
        const ov = typeof other === 'string' ? this.literalFor(n, other) : other;
        if (flip ? this.compareAtoms(op, ov, sv) : this.compareAtoms(op, sv, ov)) return true;
      }
      return false;
    }
    return this.compareAtoms(op, a, b);
  }

  private compareAtoms(op: string, a: string | number | boolean, b: string | number | boolean): boolean {
    if (op === '=' || op === '!=') {
      let eq: boolean;
      if (typeof a === 'boolean' || typeof b === 'boolean') eq = toBoolean(a) === toBoolean(b);
      else if (typeof a === 'number' || typeof b === 'number') eq = toNumber(a) === toNumber(b);
      else eq = a === b;
      return op === '=' ? eq : !eq;
    }
    const x = toNumber(a);
    const y = toNumber(b);
    return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
  }

  private predicates(set: DataNode[], preds: XPathExpr[]): DataNode[] {
    let cur = set;
    for (const p of preds) {
      const out: DataNode[] = [];
      const size = cur.length;
      for (let i = 0; i < size; i++) {
        const v = this.eval(p, { node: cur[i], pos: i + 1, size });
        if (typeof v === 'number' ? v === i + 1 : toBoolean(v)) out.push(cur[i]);
      }
      cur = out;
    }
    return cur;
  }

  private matches(n: DataNode, s: Step): boolean {
    const t = s.test;
    if (t.kind === 'node-type') return t.type === 'node';
    const schema = n.schema;
    if (!schema) return false;
    const mod = schema.module.name;
    if (t.kind === 'wildcard') return t.prefix === undefined || this.scope.prefixes.get(t.prefix) === mod;
    if (schema.name !== t.local) return false;
    if (t.prefix !== undefined) return this.scope.prefixes.get(t.prefix) === mod;
    return mod === this.scope.module || mod === this.contextModule;
  }

  private step(set: DataNode[], s: Step): DataNode[] {
    let out: DataNode[] = [];
    for (const n of set) {
      this.tick();
      switch (s.axis) {
        case 'child': {
          let found = false;
          for (const c of n.children) {
            if (this.matches(c, s)) {
              out.push(c);
              found = true;
            }
          }
          if (!found && s.test.kind === 'name') {
            const imp = this.implicitChild(n, s);
            if (imp) out.push(imp);
          }
          break;
        }
        case 'parent':
          if (n.parent && this.matches(n.parent, s)) out.push(n.parent);
          else if (n.parent && !n.parent.schema && s.test.kind === 'node-type') out.push(n.parent);
          break;
        case 'self':
          if (this.matches(n, s) || (!n.schema && s.test.kind === 'node-type')) out.push(n);
          break;
        case 'descendant':
        case 'descendant-or-self': {
          if (s.axis === 'descendant-or-self' && (this.matches(n, s) || (!n.schema && s.test.kind === 'node-type'))) out.push(n);
          const stack = [...n.children].reverse();
          while (stack.length) {
            const c = stack.pop()!;
            this.tick();
            if (this.matches(c, s)) out.push(c);
            for (let i = c.children.length - 1; i >= 0; i--) stack.push(c.children[i]);
          }
          break;
        }
        case 'ancestor':
        case 'ancestor-or-self':
          for (let a: DataNode | undefined = s.axis === 'ancestor' ? n.parent : n; a; a = a.parent) if (this.matches(a, s)) out.push(a);
          break;
        case 'following-sibling':
        case 'preceding-sibling': {
          const sib = n.parent?.children ?? [];
          const i = sib.indexOf(n);
          const part = s.axis === 'following-sibling' ? sib.slice(i + 1) : sib.slice(0, i).reverse();
          for (const c of part) if (this.matches(c, s)) out.push(c);
          break;
        }
        default:
          break;
      }
    }
    if (set.length > 1 && s.axis !== 'child') out = unique(out);
    return s.predicates.length ? this.predicates(out, s.predicates) : out;
  }

  /** A leaf with a default, or a non-presence container, that is absent from the data. */
  private implicitChild(n: DataNode, s: Step): DataNode | undefined {
    const parentSchema = n.schema;
    if (!parentSchema || (parentSchema.kind !== 'container' && parentSchema.kind !== 'list')) return undefined;
    for (const c of dataChildren(parentSchema)) {
      const probe: DataNode = { schema: c as DataNode['schema'], parent: n, children: [], implicit: true };
      if (!this.matches(probe, s)) continue;
      if (c.kind === 'leaf' && c.default !== undefined && !inChoice(c)) {
        probe.value = defaultValue(c, this.budget.identities);
        return probe;
      }
      if (c.kind === 'container' && c.presence === undefined) return probe;
    }
    return undefined;
  }

  private call(name: string, args: XPathExpr[], ctx: Ctx): XValue {
    const arg = (i: number): XValue => this.eval(args[i], ctx);
    const str = (i: number): string => (args.length > i ? toStringValue(arg(i)) : stringValue(ctx.node));
    const nodes = (i: number): DataNode[] => {
      const v = arg(i);
      if (!Array.isArray(v)) throw new XPathLimitError(`${name}() needs a node-set`);
      return v;
    };
    switch (name) {
      case 'current':
        return [this.current];
      case 'last':
        return ctx.size;
      case 'position':
        return ctx.pos;
      case 'count':
        return nodes(0).length;
      case 'not':
        return !toBoolean(arg(0));
      case 'true':
        return true;
      case 'false':
        return false;
      case 'boolean':
        return toBoolean(arg(0));
      case 'number':
        return args.length ? toNumber(arg(0)) : toNumber(stringValue(ctx.node));
      case 'string':
        return str(0);
      case 'concat':
        return args.map((_, i) => str(i)).join('');
      case 'contains':
        return str(0).includes(str(1));
      case 'starts-with':
        return str(0).startsWith(str(1));
      case 'substring-before': {
        const s = str(0);
        const i = s.indexOf(str(1));
        return i < 0 ? '' : s.slice(0, i);
      }
      case 'substring-after': {
        const s = str(0);
        const t = str(1);
        const i = s.indexOf(t);
        return i < 0 ? '' : s.slice(i + t.length);
      }
      case 'substring': {
        const s = [...str(0)];
        const start = Math.round(toNumber(arg(1)));
        const end = args.length > 2 ? start + Math.round(toNumber(arg(2))) : Infinity;
        return s.filter((_, i) => i + 1 >= start && i + 1 < end).join('');
      }
      case 'string-length':
        return [...str(0)].length;
      case 'normalize-space':
        return str(0).trim().replace(/\s+/g, ' ');
      case 'translate': {
        const from = [...str(1)];
        const to = [...str(2)];
        return [...str(0)]
          .map((c) => {
            const i = from.indexOf(c);
            return i < 0 ? c : (to[i] ?? '');
          })
          .join('');
      }
      case 'sum':
        return nodes(0).reduce((a, n) => a + toNumber(stringValue(n)), 0);
      case 'floor':
        return Math.floor(toNumber(arg(0)));
      case 'ceiling':
        return Math.ceil(toNumber(arg(0)));
      case 'round':
        return Math.round(toNumber(arg(0)));
      case 'local-name':
      case 'name':
      case 'namespace-uri': {
        const n = args.length ? nodes(0)[0] : ctx.node;
        const s = n?.schema;
        if (!s) return '';
        if (name === 'local-name') return s.name;
        if (name === 'namespace-uri') return s.module.namespace;
        return `${s.module.name}:${s.name}`;
      }
      case 'lang':
      case 'id':
        return name === 'lang' ? false : [];
      case 're-match': {
        const re = compiledRegex(str(1));
        return re ? re.test(str(0)) : false;
      }
      case 'deref':
        return this.deref(nodes(0)[0]);
      case 'derived-from':
      case 'derived-from-or-self': {
        const q = str(1);
        const i = q.indexOf(':');
        const mod = i < 0 ? this.scope.module : this.scope.prefixes.get(q.slice(0, i));
        const base = this.budget.identities.get(`${mod}:${i < 0 ? q : q.slice(i + 1)}`);
        if (!base) return false;
        return nodes(0).some((n) => n.identity && ((name === 'derived-from-or-self' && n.identity === base) || base.derived.has(n.identity)));
      }
      case 'enum-value': {
        const n = nodes(0)[0];
        const e = n?.valueType?.enums?.find((x) => x.name === n.value);
        return e ? e.value : Number.NaN;
      }
      case 'bit-is-set': {
        const n = nodes(0)[0];
        const bit = str(1);
        return !!n && n.valueType?.base === 'bits' && (n.value ?? '').split(' ').includes(bit);
      }
      default:
        throw new XPathLimitError(`function ${name}() is not supported here`);
    }
  }

  private deref(n: DataNode | undefined): DataNode[] {
    if (!n?.schema || (n.schema.kind !== 'leaf' && n.schema.kind !== 'leaf-list')) return [];
    const leaf = n.schema;
    const t = leaf.type.base === 'leafref' ? leaf.type : leaf.type.members?.find((m) => m.base === 'leafref' && m.leafref);
    if (t?.leafref) return leafrefTargets(this.budget, n, leaf, t.leafref);
    if (n.valueType?.base === 'instance-identifier') return resolveInstanceIdentifier(rootOf(n), n.value ?? '');
    return [];
  }
}

/** The nodes a leafref value points at: the path's result filtered by the value. */
export function leafrefTargets(budget: EvalBudget, n: DataNode, leaf: LeafNode | LeafListNode, lr: LeafrefInfo): DataNode[] {
  const ev = new XPathEvaluator(budget, n, lr.prefixes, leaf.module.name);
  const v = ev.evaluate(lr.expr, n);
  return Array.isArray(v) ? v.filter((t) => t.value === n.value) : [];
}

function inChoice(s: SchemaNode): boolean {
  return s.parent?.kind === 'case';
}

function defaultValue(leaf: LeafNode, identities: ReadonlyMap<string, Identity>): string {
  const d = leaf.default ?? '';
  if (leaf.type.base !== 'identityref') return d;
  const i = d.indexOf(':');
  const mod = i < 0 ? leaf.module.name : leaf.prefixes.prefixes.get(d.slice(0, i));
  const q = `${mod}:${i < 0 ? d : d.slice(i + 1)}`;
  return identities.has(q) ? q : d;
}

function compiledRegex(p: string): RegExp | undefined {
  let re = regexCache.get(p);
  if (re === undefined) {
    try {
      re = xsdToRegExp(p);
    } catch {
      re = null;
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(p, re);
  }
  return re ?? undefined;
}

export function rootOf(n: DataNode): DataNode {
  let r = n;
  while (r.parent) r = r.parent;
  return r;
}

function unique(xs: DataNode[]): DataNode[] {
  return xs.length < 2 ? xs : [...new Set(xs)];
}

export function stringValue(n: DataNode): string {
  if (n.value !== undefined) return n.value;
  let s = '';
  for (const c of n.children) s += stringValue(c);
  return s;
}

function toStringValue(v: XValue): string {
  if (Array.isArray(v)) return v.length ? stringValue(v[0]) : '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number.isNaN(v) ? 'NaN' : String(v);
  return String(v);
}

export function toBoolean(v: XValue): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v.length > 0;
  return v;
}

function toNumber(v: XValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const s = toStringValue(v).trim();
  return /^-?(\d+(\.\d*)?|\.\d+)$/.test(s) ? Number(s) : Number.NaN;
}

/** Nodes named by a canonical instance-identifier (`/mod:a/b[k='v']`), from the document root. */
export function resolveInstanceIdentifier(root: DataNode, id: string): DataNode[] {
  const steps = id.match(/\/(?:[^/[\]'"]+)(?:\[(?:[^\]'"]|'[^']*'|"[^"]*")*\])*/g);
  if (!steps) return [];
  let set = [root];
  let mod: string | undefined;
  for (const step of steps) {
    const m = /^\/([^[:]+)(?::([^[]+))?(.*)$/.exec(step);
    if (!m) return [];
    const local = m[2] ?? m[1];
    if (m[2]) mod = m[1];
    const preds = [...m[3].matchAll(/\[(?:(\d+)|([^=\]]+)=(?:'([^']*)'|"([^"]*)"))\]/g)];
    const next: DataNode[] = [];
    for (const n of set) {
      let pos = 0;
      for (const c of n.children) {
        if (c.schema?.name !== local || c.schema.module.name !== mod) continue;
        pos++;
        const ok = preds.every((p) => {
          if (p[1]) return Number(p[1]) === pos;
          const want = p[3] ?? p[4];
          if (p[2].trim() === '.') return c.value === want;
          const key = p[2].trim().replace(/^.*:/, '');
          return c.children.some((k) => k.schema?.name === key && k.value === want);
        });
        if (ok) next.push(c);
      }
    }
    set = next;
  }
  return set;
}
