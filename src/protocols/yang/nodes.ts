/** Builds schema nodes from statements: data definitions, uses/refine, augment, deviation. */
import type { Compiler } from './compiler.js';
import { lookupDef, type ModCtx, moduleOfPrefix, type Scope, splitQName, type Unit, YANG_KEYWORDS } from './context.js';
import { YangError } from './errors.js';
import { type Stmt, sub, subArg, subsOf } from './parser.js';
import type {
  AnyNode,
  AugmentInfo,
  CaseNode,
  ChoiceNode,
  CompiledModule,
  ContainerNode,
  ExtensionInstance,
  InOutNode,
  LeafListNode,
  LeafNode,
  ListNode,
  NotificationNode,
  OperationNode,
  SchemaNode,
  XPathCondition,
} from './schema.js';
import { childrenOf } from './schema.js';
import { status } from './types.js';
import { parseXPath, type XPathExpr, xpathError } from './xpath.js';

/** What the final pass needs that the public node types do not carry. */
export interface Pending {
  explicitConfig?: boolean;
  explicitStatus: boolean;
  keys?: { arg: string; loc: Stmt };
  unique: Stmt[];
}
/**
 * Filled while a set compiles and emptied when it is done (a Map, not a WeakMap: ephemeron tables
 * keyed by young nodes made every scavenge of a large compile slow).
 */
export const pending = new Map<SchemaNode, Pending>();

interface Ctx {
  mod: ModCtx;
  augmentedBy?: CompiledModule;
  groupings: Stmt[];
  depth: number;
  inOp: boolean;
}

const parsedXPath = new WeakMap<Stmt, XPathExpr>();
const DATA_DEF = new Set(['container', 'leaf', 'leaf-list', 'list', 'choice', 'anydata', 'anyxml', 'uses', 'action', 'notification']);
const MAX_TREE_DEPTH = 200;
/** The empty list every node without if-feature, when, must or extensions shares (frozen: lists are replaced, never pushed to). */
const NONE = Object.freeze([]) as unknown as never[];

/** Appends to a list made on first use. */
function append<T>(out: T[] | undefined, x: T): T[] {
  if (!out) return [x];
  out.push(x);
  return out;
}

function ifFeatureArgs(st: Stmt): string[] {
  let out: string[] | undefined;
  for (const s of st.subs) if (s.keyword === 'if-feature') out = append(out, s.arg ?? '');
  return out ?? NONE;
}

function setPending(n: SchemaNode, p: Partial<Pending>): void {
  pending.set(n, { explicitStatus: false, unique: [], ...pending.get(n), ...p });
}

export class NodeBuilder {
  /** Groupings whose uses closure is known to be free of cycles. */
  private readonly checked = new WeakSet<Stmt>();

  constructor(private readonly c: Compiler) {}

  buildModule(m: ModCtx): void {
    const ctx: Ctx = { mod: m, groupings: [], depth: 0, inOp: false };
    for (const u of m.units) {
      const scope: Scope = { stmt: u.parsed.stmt, unit: u };
      m.compiled.extensionInstances.push(...this.extensions(u.parsed.stmt, u));
      for (const st of u.parsed.stmt.subs) {
        if (st.keyword === 'rpc') {
          const n = this.node(st, scope, undefined, ctx);
          if (n) m.compiled.rpcs.push(n as OperationNode);
        } else if (st.keyword === 'notification') {
          const n = this.node(st, scope, undefined, ctx);
          if (n) m.compiled.notifications.push(n as NotificationNode);
        } else if (DATA_DEF.has(st.keyword) && st.keyword !== 'action') {
          this.children([st], scope, undefined, m.compiled.children, ctx);
        } else if (!st.prefix && !YANG_KEYWORDS.has(st.keyword)) {
          throw new YangError(`unknown statement "${st.keyword}"`, st.loc, st.keyword);
        } else if (st.keyword === 'grouping') {
          this.checkGrouping(st, scope);
        }
      }
    }
  }

  /** Groupings are not instantiated unless used, but their uses must not loop. */
  private checkGrouping(g: Stmt, scope: Scope): void {
    const checked = this.checked;
    const visit = (s: Stmt, sc: Scope, stack: Stmt[]): void => {
      if (stack.length > MAX_TREE_DEPTH) throw new YangError('groupings nested too deeply', s.loc, s.keyword);
      for (const c of s.subs) {
        if (c.keyword === 'uses') {
          const def = lookupDef('grouping', c.arg ?? '', sc, this.c.mods, c);
          if (!def) throw new YangError(`unknown grouping "${c.arg}"`, c.loc, 'uses');
          if (stack.includes(def.stmt)) throw new YangError(`circular grouping: "${def.stmt.arg}" uses itself`, c.loc, 'uses');
          if (!checked.has(def.stmt)) {
            visit(def.stmt, this.c.groupingOf(def), [...stack, def.stmt]);
            checked.add(def.stmt);
          }
        } else if (DATA_DEF.has(c.keyword) || c.keyword === 'case' || c.keyword === 'input' || c.keyword === 'output' || c.keyword === 'augment') {
          visit(c, { stmt: c, unit: sc.unit, parent: sc }, stack);
        }
      }
    };
    if (checked.has(g)) return;
    visit(g, { stmt: g, unit: scope.unit, parent: scope }, [g]);
    checked.add(g);
  }

  /** Compiles data-definition statements into `out`. */
  children(stmts: Stmt[], scope: Scope, parent: SchemaNode | undefined, out: SchemaNode[], ctx: Ctx): void {
    for (const st of stmts) {
      if (st.keyword === 'uses') {
        this.uses(st, scope, parent, out, ctx);
        continue;
      }
      if (!DATA_DEF.has(st.keyword)) continue;
      const n = this.node(st, scope, parent, ctx);
      if (!n) continue;
      if (out.some((o) => o.name === n.name && o.module === n.module)) {
        throw new YangError(`duplicate node "${n.name}"`, st.loc, st.keyword);
      }
      out.push(n);
    }
  }

  private base(st: Stmt, scope: Scope, parent: SchemaNode | undefined, ctx: Ctx) {
    return {
      name: st.arg ?? '',
      module: ctx.mod.compiled,
      parent,
      path: '',
      config: true,
      status: status(st),
      description: subArg(st, 'description'),
      reference: subArg(st, 'reference'),
      ifFeatures: ifFeatureArgs(st),
      when: this.conditions(st, 'when', scope, 'node'),
      extensions: this.extensions(st, scope.unit),
      augmentedBy: ctx.augmentedBy,
      loc: st.loc,
      prefixes: scope.unit.prefixScope,
    };
  }

  node(st: Stmt, scope: Scope, parent: SchemaNode | undefined, ctx: Ctx): SchemaNode | undefined {
    if (!st.arg) throw new YangError(`${st.keyword} needs a name`, st.loc, st.keyword);
    if (!this.c.featuresAllow(st, scope.unit)) return undefined;
    if (ctx.depth > MAX_TREE_DEPTH) throw new YangError(`schema tree deeper than ${MAX_TREE_DEPTH}`, st.loc, st.keyword);
    const inner: Ctx = { ...ctx, depth: ctx.depth + 1 };
    const own: Scope = { stmt: st, unit: scope.unit, parent: scope };
    const b = this.base(st, scope, parent, ctx);
    this.checkSubs(st);
    let n: SchemaNode;
    switch (st.keyword) {
      case 'container': {
        // Kind fields are added to the base object (a spread copy of it was most of the compile time).
        const c: ContainerNode = Object.assign(b, {
          kind: 'container' as const,
          presence: subArg(st, 'presence'),
          must: this.conditions(st, 'must', scope),
          children: [] as SchemaNode[],
        });
        this.children(st.subs, own, c, c.children, inner);
        n = c;
        break;
      }
      case 'list': {
        const l: ListNode = Object.assign(b, {
          kind: 'list' as const,
          keys: [] as LeafNode[],
          orderedBy: subArg(st, 'ordered-by') === 'user' ? ('user' as const) : ('system' as const),
          minElements: elements(st, 'min-elements', 0),
          maxElements: elements(st, 'max-elements', Number.POSITIVE_INFINITY),
          unique: [] as ListNode['unique'],
          must: this.conditions(st, 'must', scope),
          children: [] as SchemaNode[],
        });
        this.children(st.subs, own, l, l.children, inner);
        const key = sub(st, 'key');
        setPending(l, { keys: key?.arg ? { arg: key.arg, loc: key } : undefined, unique: subsOf(st, 'unique') });
        n = l;
        break;
      }
      case 'leaf': {
        const t = sub(st, 'type');
        if (!t) throw new YangError(`leaf "${st.arg}" has no type`, st.loc, 'leaf');
        const type = this.c.types.resolve(t, scope);
        const mandatory = subArg(st, 'mandatory') === 'true';
        const dflt = subArg(st, 'default');
        if (mandatory && dflt !== undefined) throw new YangError(`leaf "${st.arg}" is mandatory and has a default`, st.loc, 'leaf');
        const leaf: LeafNode = Object.assign(b, {
          kind: 'leaf' as const,
          type,
          default: dflt ?? (mandatory ? undefined : type.default),
          mandatory,
          units: subArg(st, 'units') ?? type.units,
          must: this.conditions(st, 'must', scope),
          isKey: false,
          leafrefTargets: undefined,
        });
        n = leaf;
        break;
      }
      case 'leaf-list': {
        const t = sub(st, 'type');
        if (!t) throw new YangError(`leaf-list "${st.arg}" has no type`, st.loc, 'leaf-list');
        const type = this.c.types.resolve(t, scope);
        const ll: LeafListNode = Object.assign(b, {
          kind: 'leaf-list' as const,
          type,
          defaults: subsOf(st, 'default').map((d) => d.arg ?? ''),
          orderedBy: subArg(st, 'ordered-by') === 'user' ? ('user' as const) : ('system' as const),
          minElements: elements(st, 'min-elements', 0),
          maxElements: elements(st, 'max-elements', Number.POSITIVE_INFINITY),
          units: subArg(st, 'units') ?? type.units,
          must: this.conditions(st, 'must', scope),
          leafrefTargets: undefined,
        });
        n = ll;
        break;
      }
      case 'choice': {
        const ch: ChoiceNode = { ...b, kind: 'choice', mandatory: subArg(st, 'mandatory') === 'true', default: subArg(st, 'default'), cases: [] };
        this.cases(st.subs, own, ch, inner);
        if (ch.default && !ch.cases.some((c) => c.name === ch.default)) {
          throw new YangError(`default case "${ch.default}" does not exist`, sub(st, 'default')!.loc, 'default');
        }
        n = ch;
        break;
      }
      case 'anydata':
      case 'anyxml': {
        const a: AnyNode = { ...b, kind: st.keyword, mandatory: subArg(st, 'mandatory') === 'true', must: this.conditions(st, 'must', scope) };
        n = a;
        break;
      }
      case 'rpc':
      case 'action': {
        const op: OperationNode = { ...b, kind: st.keyword, input: undefined as unknown as InOutNode, output: undefined as unknown as InOutNode };
        const opCtx: Ctx = { ...inner, inOp: true };
        op.input = this.inout('input', st, own, op, opCtx);
        op.output = this.inout('output', st, own, op, opCtx);
        n = op;
        break;
      }
      case 'notification': {
        const no: NotificationNode = { ...b, kind: 'notification', must: this.conditions(st, 'must', scope), children: [] };
        this.children(st.subs, own, no, no.children, { ...inner, inOp: true });
        n = no;
        break;
      }
      default:
        throw new YangError(`unexpected statement "${st.keyword}"`, st.loc, st.keyword);
    }
    const cfg = subArg(st, 'config');
    if (cfg !== undefined) setPending(n, { explicitConfig: cfg === 'true' });
    if (sub(st, 'status')) setPending(n, { explicitStatus: true });
    return n;
  }

  private checkSubs(st: Stmt): void {
    for (const s of st.subs) {
      if (!s.prefix && !YANG_KEYWORDS.has(s.keyword)) throw new YangError(`unknown statement "${s.keyword}"`, s.loc, s.keyword);
    }
  }

  private inout(kind: 'input' | 'output', op: Stmt, scope: Scope, parent: OperationNode, ctx: Ctx): InOutNode {
    const st = sub(op, kind);
    const node: InOutNode = {
      kind,
      name: kind,
      module: ctx.mod.compiled,
      parent,
      path: '',
      config: false,
      status: 'current',
      ifFeatures: [],
      when: [],
      extensions: st ? this.extensions(st, scope.unit) : [],
      augmentedBy: ctx.augmentedBy,
      loc: (st ?? op).loc,
      prefixes: scope.unit.prefixScope,
      must: st ? this.conditions(st, 'must', scope) : [],
      children: [],
      explicit: !!st,
    };
    if (st) this.children(st.subs, { stmt: st, unit: scope.unit, parent: scope }, node, node.children, ctx);
    return node;
  }

  cases(stmts: Stmt[], scope: Scope, choice: ChoiceNode, ctx: Ctx): void {
    for (const st of stmts) {
      if (st.keyword === 'case') {
        if (!this.c.featuresAllow(st, scope.unit)) continue;
        const cs: CaseNode = { ...this.base(st, scope, choice, ctx), kind: 'case', shorthand: false, children: [] };
        this.children(st.subs, { stmt: st, unit: scope.unit, parent: scope }, cs, cs.children, { ...ctx, depth: ctx.depth + 1 });
        if (sub(st, 'status')) setPending(cs, { explicitStatus: true });
        this.addCase(choice, cs, st);
      } else if (DATA_DEF.has(st.keyword) && st.keyword !== 'uses') {
        const inner = this.node(st, scope, undefined, { ...ctx, depth: ctx.depth + 1 });
        if (!inner) continue;
        const cs: CaseNode = {
          ...this.base(st, scope, choice, ctx),
          kind: 'case',
          status: 'current',
          ifFeatures: [],
          when: [],
          extensions: [],
          description: undefined,
          reference: undefined,
          shorthand: true,
          children: [inner],
        };
        inner.parent = cs;
        this.addCase(choice, cs, st);
      }
    }
  }

  private addCase(choice: ChoiceNode, cs: CaseNode, st: Stmt): void {
    if (choice.cases.some((c) => c.name === cs.name)) throw new YangError(`duplicate case "${cs.name}"`, st.loc, st.keyword);
    choice.cases.push(cs);
  }

  private uses(st: Stmt, scope: Scope, parent: SchemaNode | undefined, out: SchemaNode[], ctx: Ctx): void {
    if (!this.c.featuresAllow(st, scope.unit)) return;
    const def = lookupDef('grouping', st.arg ?? '', scope, this.c.mods, st);
    if (!def) throw new YangError(`unknown grouping "${st.arg}"`, st.loc, 'uses');
    if (ctx.groupings.includes(def.stmt)) throw new YangError(`circular grouping: "${def.stmt.arg}" uses itself`, st.loc, 'uses');
    const inner: Ctx = { ...ctx, groupings: [...ctx.groupings, def.stmt], depth: ctx.depth + 1 };
    if (inner.groupings.length > MAX_TREE_DEPTH) throw new YangError('groupings nested too deeply', st.loc, 'uses');
    const added: SchemaNode[] = [];
    const gscope = this.c.groupingOf(def);
    const stmts = def.stmt.subs;
    if (parent?.kind === 'choice') {
      const tmp: ChoiceNode = { ...(parent as ChoiceNode), cases: [] };
      this.cases(stmts, gscope, tmp, inner);
      for (const cs of tmp.cases) cs.parent = parent;
      added.push(...tmp.cases);
    } else {
      this.children(stmts, gscope, parent, added, inner);
    }
    const when = this.conditions(st, 'when', scope, 'uses');
    const iffs = ifFeatureArgs(st);
    const usesStatus = subArg(st, 'status');
    for (const n of added) {
      if (when.length) n.when = [...when, ...n.when];
      if (iffs.length) n.ifFeatures = [...iffs, ...n.ifFeatures];
      if (usesStatus && !pending.get(n)?.explicitStatus) {
        n.status = status(st);
        setPending(n, { explicitStatus: true });
      }
    }
    for (const r of subsOf(st, 'refine')) this.refine(r, scope, added, ctx);
    for (const a of subsOf(st, 'augment')) {
      const target = this.descend(added, a.arg ?? '', scope.unit, a, ctx.mod.compiled.name);
      this.augmentInto(target, a, scope, ctx, ctx.mod.compiled);
    }
    for (const n of added) {
      if (out.some((o) => o.name === n.name && o.module === n.module)) throw new YangError(`duplicate node "${n.name}" from grouping "${def.stmt.arg}"`, st.loc, 'uses');
      out.push(n);
    }
  }

  /** Follows a descendant schema node id (`a/p:b/c`) from a list of nodes. */
  descend(start: SchemaNode[], path: string, unit: Unit, at: Stmt, defaultModule: string): SchemaNode {
    let list = start;
    let node: SchemaNode | undefined;
    const steps = path.split('/').filter((s) => s !== '');
    if (!steps.length) throw new YangError(`empty schema node identifier "${path}"`, at.loc, at.keyword);
    for (const step of steps) {
      const { prefix, name } = splitQName(step.trim());
      const mod = prefix === undefined ? defaultModule : moduleOfPrefix(unit, prefix, at);
      node = findChild(list, name, mod);
      if (!node) throw new YangError(`schema node "${step}" of "${path}" not found`, at.loc, at.keyword);
      list = childrenOf(node);
    }
    return node!;
  }

  private refine(r: Stmt, scope: Scope, added: SchemaNode[], ctx: Ctx): void {
    const target = this.descend(added, r.arg ?? '', scope.unit, r, ctx.mod.compiled.name);
    const t = target as SchemaNode & Record<string, unknown>;
    for (const s of r.subs) {
      switch (s.keyword) {
        case 'description':
          target.description = s.arg;
          break;
        case 'reference':
          target.reference = s.arg;
          break;
        case 'config':
          setPending(target, { explicitConfig: s.arg === 'true' });
          break;
        case 'mandatory':
          if (!('mandatory' in t)) throw new YangError(`mandatory cannot refine a ${target.kind}`, s.loc, 'mandatory');
          t.mandatory = s.arg === 'true';
          if (t.mandatory && target.kind === 'leaf') target.default = undefined;
          break;
        case 'presence':
          if (target.kind !== 'container') throw new YangError(`presence cannot refine a ${target.kind}`, s.loc, 'presence');
          target.presence = s.arg;
          break;
        case 'default':
          if (target.kind === 'leaf') target.default = s.arg;
          else if (target.kind === 'leaf-list') target.defaults = subsOf(r, 'default').map((d) => d.arg ?? '');
          else if (target.kind === 'choice') target.default = s.arg;
          else throw new YangError(`default cannot refine a ${target.kind}`, s.loc, 'default');
          break;
        case 'min-elements':
        case 'max-elements':
          if (target.kind !== 'list' && target.kind !== 'leaf-list') throw new YangError(`${s.keyword} cannot refine a ${target.kind}`, s.loc, s.keyword);
          if (s.keyword === 'min-elements') target.minElements = elements(r, s.keyword, 0);
          else target.maxElements = elements(r, s.keyword, Number.POSITIVE_INFINITY);
          break;
        case 'must':
          if (!('must' in t)) throw new YangError(`must cannot refine a ${target.kind}`, s.loc, 'must');
          t.must = [...(t.must as XPathCondition[]), ...this.conditions({ ...r, subs: [s] }, 'must', scope)];
          break;
        case 'if-feature':
          if (!this.c.evalIfFeature(s, scope.unit, 0)) removeNode(target, added);
          else target.ifFeatures = [...target.ifFeatures, s.arg ?? ''];
          break;
        default:
          if (s.prefix) target.extensions = [...target.extensions, ...this.extensions({ ...r, subs: [s] }, scope.unit)];
          else throw new YangError(`unexpected statement "${s.keyword}" in refine`, s.loc, s.keyword);
      }
    }
  }

  /** Compiles an augment's children into its target. */
  augmentInto(target: SchemaNode, a: Stmt, scope: Scope, ctx: Ctx, by: CompiledModule): SchemaNode[] {
    if (!this.c.featuresAllow(a, scope.unit)) return [];
    const aScope: Scope = { stmt: a, unit: scope.unit, parent: scope };
    const inner: Ctx = { ...ctx, augmentedBy: by === target.module ? ctx.augmentedBy : by, mod: ctx.mod, depth: ctx.depth + 1 };
    const added: SchemaNode[] = [];
    if (target.kind === 'choice') {
      const tmp: ChoiceNode = { ...target, cases: [] };
      this.cases(a.subs, aScope, tmp, inner);
      for (const cs of tmp.cases) {
        cs.parent = target;
        target.cases.push(cs);
        added.push(cs);
      }
    } else {
      let into: SchemaNode[];
      switch (target.kind) {
        case 'container':
        case 'list':
        case 'case':
        case 'input':
        case 'output':
        case 'notification':
          into = target.children;
          break;
        default:
          throw new YangError(`cannot augment a ${target.kind}`, a.loc, 'augment');
      }
      const before = into.length;
      this.children(a.subs, aScope, target, into, inner);
      for (const st of a.subs) {
        if (st.keyword === 'case') {
          throw new YangError('case is only allowed in an augment of a choice', st.loc, 'case');
        }
      }
      added.push(...into.slice(before));
    }
    const when = this.conditions(a, 'when', scope, 'augment');
    const iffs = ifFeatureArgs(a);
    for (const n of added) {
      if (when.length) n.when = [...when, ...n.when];
      if (iffs.length) n.ifFeatures = [...iffs, ...n.ifFeatures];
      if (sub(a, 'status') && !pending.get(n)?.explicitStatus) {
        n.status = status(a);
        setPending(n, { explicitStatus: true });
      }
    }
    return added;
  }

  /** Applies the top-level augments of implemented modules until none is left (augments of augments included). */
  applyAugments(mods: ModCtx[]): void {
    let todo: { a: Stmt; unit: Unit; mod: ModCtx; order: number }[] = [];
    for (const m of mods) for (const u of m.units) for (const a of subsOf(u.parsed.stmt, 'augment')) todo.push({ a, unit: u, mod: m, order: todo.length });
    const order = new Map<AugmentInfo, number>();
    while (todo.length) {
      const next: typeof todo = [];
      let lastError: YangError | undefined;
      for (const t of todo) {
        let target: SchemaNode;
        try {
          target = this.absolute(t.a.arg ?? '', t.unit, t.a);
        } catch (e) {
          if (!(e instanceof YangError)) throw e;
          lastError = e;
          next.push(t);
          continue;
        }
        const scope: Scope = { stmt: t.unit.parsed.stmt, unit: t.unit };
        const ctx: Ctx = { mod: t.mod, groupings: [], depth: 0, inOp: false };
        const nodes = this.augmentInto(target, t.a, scope, ctx, t.mod.compiled);
        const info: AugmentInfo = {
          target: t.a.arg ?? '',
          targetNode: target,
          nodes,
          when: this.conditions(t.a, 'when', scope, 'augment'),
          ifFeatures: subsOf(t.a, 'if-feature').map((s) => s.arg ?? ''),
          status: status(t.a),
          stmt: t.a,
          submodule: t.unit.parsed.kind === 'submodule' ? t.unit.parsed.name : undefined,
        };
        order.set(info, t.order);
        t.mod.compiled.augments.push(info);
      }
      if (next.length === todo.length) throw lastError!;
      todo = next;
    }
    for (const m of mods) m.compiled.augments.sort((a, b) => order.get(a)! - order.get(b)!);
  }

  /** Resolves an absolute schema node id (`/p:a/p:b`). */
  absolute(path: string, unit: Unit, at: Stmt): SchemaNode {
    if (!path.startsWith('/')) throw new YangError(`"${path}" is not an absolute schema node identifier`, at.loc, at.keyword);
    const steps = path.split('/').slice(1);
    const first = splitQName(steps[0] ?? '');
    const modName = moduleOfPrefix(unit, first.prefix, at);
    const mod = this.c.mods.get(modName);
    if (!mod) throw new YangError(`module "${modName}" of "${path}" is not loaded`, at.loc, at.keyword);
    const top = [...mod.compiled.children, ...mod.compiled.rpcs, ...mod.compiled.notifications];
    return this.descend(top, steps.join('/'), unit, at, unit.mod.compiled.name);
  }

  applyDeviations(mods: ModCtx[]): void {
    for (const m of mods) {
      for (const u of m.units) {
        for (const d of subsOf(u.parsed.stmt, 'deviation')) {
          const target = this.absolute(d.arg ?? '', u, d);
          const deviates = subsOf(d, 'deviate');
          m.compiled.deviations.push({ target: d.arg ?? '', deviates: deviates.map((x) => x.arg ?? '') });
          for (const dv of deviates) this.deviate(target, dv, { stmt: u.parsed.stmt, unit: u });
        }
      }
    }
  }

  private deviate(target: SchemaNode, dv: Stmt, scope: Scope): void {
    const t = target as SchemaNode & Record<string, unknown>;
    if (dv.arg === 'not-supported') {
      const parent = target.parent;
      const list = parent ? childrenOf(parent) : target.kind === 'rpc' ? target.module.rpcs : target.kind === 'notification' ? target.module.notifications : target.module.children;
      removeNode(target, list as SchemaNode[]);
      return;
    }
    if (dv.arg !== 'add' && dv.arg !== 'replace' && dv.arg !== 'delete') throw new YangError(`invalid deviate "${dv.arg}"`, dv.loc, 'deviate');
    for (const s of dv.subs) {
      switch (s.keyword) {
        case 'config':
          setPending(target, { explicitConfig: s.arg === 'true' });
          break;
        case 'mandatory':
          if (!('mandatory' in t)) throw new YangError(`cannot deviate mandatory of a ${target.kind}`, s.loc, s.keyword);
          t.mandatory = dv.arg === 'delete' ? false : s.arg === 'true';
          break;
        case 'default':
          if (target.kind === 'leaf' || target.kind === 'choice') target.default = dv.arg === 'delete' ? undefined : s.arg;
          else if (target.kind === 'leaf-list') {
            if (dv.arg === 'delete') target.defaults = target.defaults.filter((x) => x !== s.arg);
            else if (dv.arg === 'replace') target.defaults = [s.arg ?? ''];
            else target.defaults.push(s.arg ?? '');
          } else throw new YangError(`cannot deviate default of a ${target.kind}`, s.loc, s.keyword);
          break;
        case 'min-elements':
        case 'max-elements':
          if (target.kind !== 'list' && target.kind !== 'leaf-list') throw new YangError(`cannot deviate ${s.keyword} of a ${target.kind}`, s.loc, s.keyword);
          if (s.keyword === 'min-elements') target.minElements = dv.arg === 'delete' ? 0 : elements(dv, s.keyword, 0);
          else target.maxElements = dv.arg === 'delete' ? Number.POSITIVE_INFINITY : elements(dv, s.keyword, Number.POSITIVE_INFINITY);
          break;
        case 'units':
          if (target.kind !== 'leaf' && target.kind !== 'leaf-list') throw new YangError(`cannot deviate units of a ${target.kind}`, s.loc, s.keyword);
          target.units = dv.arg === 'delete' ? undefined : s.arg;
          break;
        case 'must': {
          if (!('must' in t)) throw new YangError(`cannot deviate must of a ${target.kind}`, s.loc, s.keyword);
          const list = t.must as XPathCondition[];
          if (dv.arg === 'delete') t.must = list.filter((x) => x.source !== s.arg);
          else t.must = [...list, ...this.conditions({ ...dv, subs: [s] }, 'must', scope)];
          break;
        }
        case 'unique':
          if (target.kind !== 'list') throw new YangError(`cannot deviate unique of a ${target.kind}`, s.loc, s.keyword);
          if (dv.arg === 'delete') setPending(target, { unique: (pending.get(target)?.unique ?? []).filter((x) => x.arg !== s.arg) });
          else setPending(target, { unique: [...(pending.get(target)?.unique ?? []), s] });
          break;
        case 'type':
          if (target.kind !== 'leaf' && target.kind !== 'leaf-list') throw new YangError(`cannot deviate type of a ${target.kind}`, s.loc, s.keyword);
          target.type = this.c.types.resolve(s, scope);
          break;
        default:
          if (!s.prefix) throw new YangError(`unexpected statement "${s.keyword}" in deviate`, s.loc, s.keyword);
      }
    }
  }

  conditions(st: Stmt, keyword: 'must' | 'when', scope: Scope, origin?: XPathCondition['origin']): XPathCondition[] {
    let out: XPathCondition[] | undefined;
    for (const s of st.subs) {
      if (s.keyword !== keyword) continue;
      const source = s.arg ?? '';
      let expr = parsedXPath.get(s);
      if (!expr) {
        try {
          expr = parseXPath(source);
        } catch (e) {
          throw xpathError(e, source, s.loc, keyword);
        }
        checkPrefixes(expr, scope.unit, s);
        parsedXPath.set(s, expr);
      }
      out = append(out, { source, expr, prefixes: scope.unit.prefixScope, loc: s.loc, origin, errorMessage: subArg(s, 'error-message'), errorAppTag: subArg(s, 'error-app-tag') });
    }
    return out ?? NONE;
  }

  extensions(st: Stmt, unit: Unit): ExtensionInstance[] {
    let out: ExtensionInstance[] | undefined;
    for (const s of st.subs) {
      if (!s.prefix) continue;
      const module = moduleOfPrefix(unit, s.prefix, s);
      out = append(out, { module, name: s.keyword.slice(s.prefix.length + 1), prefix: s.prefix, arg: s.arg, loc: s.loc });
    }
    return out ?? NONE;
  }
}

function findChild(list: SchemaNode[], name: string, module: string): SchemaNode | undefined {
  for (const n of list) if (n.name === name && n.module.name === module) return n;
  // A shorthand case may be skipped in a schema node identifier.
  for (const n of list) {
    if (n.kind === 'case' && n.shorthand) {
      const inner = n.children[0];
      if (inner && inner.name === name && inner.module.name === module) return inner;
    }
  }
  return undefined;
}

function removeNode(n: SchemaNode, list: SchemaNode[]): void {
  const i = list.indexOf(n);
  if (i >= 0) list.splice(i, 1);
  else if (n.parent) {
    const siblings = childrenOf(n.parent);
    const j = siblings.indexOf(n);
    if (j >= 0) siblings.splice(j, 1);
  }
}

function elements(st: Stmt, keyword: string, dflt: number): number {
  const s = sub(st, keyword);
  if (!s) return dflt;
  if (s.arg === 'unbounded') return Number.POSITIVE_INFINITY;
  const n = Number(s.arg);
  if (!Number.isInteger(n) || n < 0) throw new YangError(`invalid ${keyword} "${s.arg}"`, s.loc, keyword);
  return n;
}

function checkPrefixes(e: XPathExpr, unit: Unit, at: Stmt): void {
  const walk = (x: XPathExpr): void => {
    switch (x.kind) {
      case 'binary':
        walk(x.left);
        walk(x.right);
        break;
      case 'negate':
        walk(x.operand);
        break;
      case 'call':
        x.args.forEach(walk);
        break;
      case 'filter':
        walk(x.primary);
        x.predicates.forEach(walk);
        break;
      case 'path':
        if (x.base) walk(x.base);
        for (const s of x.steps) {
          if ((s.test.kind === 'name' || s.test.kind === 'wildcard') && s.test.prefix !== undefined) moduleOfPrefix(unit, s.test.prefix, at);
          s.predicates.forEach(walk);
        }
        break;
      default:
    }
  };
  walk(e);
}
