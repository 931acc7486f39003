/**
 * Validation of instance data against a compiled schema: reading (types, keys, unknown nodes) then the
 * constraints that need the whole tree — when, must, mandatory, choice, min/max-elements, unique,
 * leafref and instance-identifier targets. Every fault is reported, each with its data path.
 */
import { InstanceReader, type ReadOptions } from './data-read.js';
import { childPath, type DataError, type DataErrorCode, type DataNode, dataPath } from './data-tree.js';
import { type CompiledSchema, childrenOf, type LeafrefInfo, type ListNode, type SchemaNode, type XPathCondition } from './schema.js';
import { type EvalBudget, leafrefTargets, resolveInstanceIdentifier, rootOf, XPathEvaluator, XPathLimitError } from './xpath-eval.js';

export type InstanceFormat = 'json' | 'xml';

export interface ValidateOptions extends ReadOptions {
  format: InstanceFormat;
  /** Time limit of the whole validation (default 10 s). */
  timeLimitMs?: number;
}

export interface ValidationResult {
  valid: boolean;
  errors: DataError[];
  /** The tree as read (for conversion); meaningful when valid. */
  root: DataNode;
}

/** Format of a document by its file name (`.json` / `.xml`), undefined when neither. */
export function formatOfFile(file: string): InstanceFormat | undefined {
  const f = file.toLowerCase();
  return f.endsWith('.json') ? 'json' : f.endsWith('.xml') ? 'xml' : undefined;
}

export function validateInstance(schema: CompiledSchema, text: string, opts: ValidateOptions): ValidationResult {
  const reader = new InstanceReader(schema, opts);
  if (opts.format === 'json') reader.readJson(text);
  else reader.readXml(text);
  const errors = reader.errors;
  if (opts.type !== 'edit' && !errors.some((e) => e.code === 'YANG_DATA_SYNTAX' || e.code === 'YANG_DATA_LIMIT')) {
    const budget: EvalBudget = { deadline: Date.now() + (opts.timeLimitMs ?? 10_000), ops: 0, identities: schema.identities };
    const v = new TreeValidator(schema, opts.type === 'config', budget, errors);
    try {
      v.node(reader.root);
    } catch (e) {
      if (!(e instanceof XPathLimitError)) throw e;
      errors.push({ code: 'YANG_DATA_LIMIT', path: '/', message: e.message });
    }
  }
  return { valid: errors.length === 0, errors, root: reader.root };
}

const hasMandatoryCache = new WeakMap<SchemaNode, boolean>();
const levelCheckCache = new WeakMap<SchemaNode, boolean>();

/** Whether the children of a node carry constraints checked per level (mandatory, choice, counts, unique). */
function needsLevelCheck(s: SchemaNode): boolean {
  let v = levelCheckCache.get(s);
  if (v === undefined) {
    v = childrenOf(s).some((c) => {
      if (c.kind === 'choice') return true;
      if (c.kind === 'leaf' || c.kind === 'anydata' || c.kind === 'anyxml') return c.mandatory;
      if (c.kind === 'list' || c.kind === 'leaf-list') return c.minElements > 0 || c.maxElements !== Infinity || (c.kind === 'list' && c.unique.length > 0);
      if (c.kind === 'container') return c.presence === undefined && hasMandatory(c);
      return false;
    });
    levelCheckCache.set(s, v);
  }
  return v;
}

class TreeValidator {
  private readonly absoluteLeafrefs = new Map<LeafrefInfo, Set<string>>();

  constructor(
    private readonly schema: CompiledSchema,
    private readonly configOnly: boolean,
    private readonly budget: EvalBudget,
    private readonly errors: DataError[],
  ) {}

  private error(code: DataErrorCode, path: string, message: string): void {
    this.errors.push({ code, path, message });
  }

  private applies(s: SchemaNode): boolean {
    return !this.configOnly || s.config;
  }

  node(n: DataNode): void {
    if (!n.schema || needsLevelCheck(n.schema)) this.levels(n);
    for (const c of n.children) {
      this.conditions(c);
      const s = c.schema!;
      if (s.kind === 'leaf' || s.kind === 'leaf-list') this.references(c);
      else if (s.kind === 'container' || s.kind === 'list') this.node(c);
    }
  }

  private levels(n: DataNode): void {
    const groups = new Map<SchemaNode, DataNode[]>();
    for (const c of n.children) {
      const g = groups.get(c.schema!);
      if (g) g.push(c);
      else groups.set(c.schema!, [c]);
    }
    if (n.schema) this.level(n, childrenOf(n.schema), groups);
    else {
      const present = new Set(n.children.map((c) => c.schema!.module));
      for (const m of present) this.level(n, m.children, groups);
    }
  }

  /** Mandatory, choice, element counts and unique for the schema children `list` of `n`. */
  private level(n: DataNode, list: SchemaNode[], groups: Map<SchemaNode, DataNode[]>): void {
    for (const s of list) {
      if (!this.applies(s)) continue;
      const inst = groups.get(s);
      switch (s.kind) {
        case 'choice': {
          const chosen = s.cases.filter((c) => caseHasData(c, groups));
          if (chosen.length > 1) this.error('YANG_DATA_CHOICE', n.schema ? dataPath(n) : '/', `data from more than one case of choice "${s.name}" (${chosen.map((c) => c.name).join(', ')})`);
          else if (chosen.length === 1) this.level(n, chosen[0].children, groups);
          else if (s.mandatory && this.whenHolds(n, s)) this.error('YANG_DATA_MANDATORY', childPath(n, s), `mandatory choice "${s.name}" has no data`);
          break;
        }
        case 'leaf':
        case 'anydata':
        case 'anyxml':
          if (!inst && s.mandatory && this.whenHolds(n, s)) this.error('YANG_DATA_MANDATORY', childPath(n, s), `mandatory ${s.kind} "${s.name}" is missing`);
          break;
        case 'list':
        case 'leaf-list': {
          const count = inst?.length ?? 0;
          if (count < s.minElements && this.whenHolds(n, s)) this.error('YANG_DATA_MIN_ELEMENTS', childPath(n, s), `${s.kind} "${s.name}" has ${count} entries, fewer than min-elements ${s.minElements}`);
          if (count > s.maxElements) this.error('YANG_DATA_MAX_ELEMENTS', dataPath(inst![s.maxElements]), `${s.kind} "${s.name}" has ${count} entries, more than max-elements ${s.maxElements}`);
          if (s.kind === 'list' && inst && s.unique.length) this.unique(s, inst);
          break;
        }
        case 'container':
          if (!inst && s.presence === undefined && hasMandatory(s)) {
            const probe: DataNode = { schema: s, parent: n, children: [], implicit: true };
            if (this.whenHolds(n, s)) this.level(probe, s.children, new Map());
          }
          break;
        default:
          break;
      }
    }
  }

  private unique(s: ListNode, entries: DataNode[]): void {
    for (const u of s.unique) {
      const seen = new Map<string, DataNode>();
      for (const e of entries) {
        const values: string[] = [];
        for (const leaf of u.leaves) {
          const v = findDescendant(e, leaf);
          if (v === undefined) break;
          values.push(v);
        }
        if (values.length !== u.leaves.length) continue;
        const key = values.join('\u0000');
        const first = seen.get(key);
        if (first) this.error('YANG_DATA_UNIQUE', dataPath(e), `unique "${u.paths.join(' ')}" of list "${s.name}" is violated (same values as ${dataPath(first)})`);
        else seen.set(key, e);
      }
    }
  }

  /** when of a node that is absent (for mandatory checks): evaluated as if it existed. */
  private whenHolds(parent: DataNode, s: SchemaNode): boolean {
    if (!s.when.length && (!s.parent || (s.parent.kind !== 'case' && s.parent.kind !== 'choice'))) return true;
    const probe: DataNode = { schema: s as DataNode['schema'], parent, children: [], implicit: true };
    return whenConditions(s).every(({ cond, onParent }) => this.holds(cond, onParent ? parent : probe, probe));
  }

  private holds(cond: XPathCondition, ctxNode: DataNode, current: DataNode): boolean {
    const ev = new XPathEvaluator(this.budget, current, cond.prefixes, current.schema?.module.name);
    return ev.evaluateBoolean(cond.expr, ctxNode);
  }

  private conditions(c: DataNode): void {
    const s = c.schema!;
    for (const { cond, onParent } of whenConditions(s)) {
      if (!this.holds(cond, onParent ? c.parent! : c, c)) {
        this.error('YANG_DATA_WHEN', dataPath(c), `when condition "${cond.source}" is not satisfied`);
        return;
      }
    }
    if ('must' in s) {
      for (const m of s.must) {
        if (!this.holds(m, c, c)) this.error('YANG_DATA_MUST', dataPath(c), m.errorMessage ?? `must condition "${m.source}" is not satisfied`);
      }
    }
  }

  /** leafref and instance-identifier targets (require-instance). */
  private references(c: DataNode): void {
    const s = c.schema as Extract<SchemaNode, { kind: 'leaf' | 'leaf-list' }>;
    const t = s.type;
    if (t.base === 'leafref' && t.leafref?.requireInstance && c.value !== undefined) {
      if (!this.leafrefFound(c, s, t.leafref)) this.error('YANG_DATA_LEAFREF', dataPath(c), `leafref value "${c.value}" points to no existing "${t.leafref.path}"`);
    } else if (c.valueType?.base === 'instance-identifier' && c.valueType.requireInstance && c.value !== undefined) {
      if (!resolveInstanceIdentifier(rootOf(c), c.value).length) this.error('YANG_DATA_INSTANCE_ID', dataPath(c), `instance-identifier "${c.value}" names no existing node`);
    }
  }

  private leafrefFound(c: DataNode, s: Extract<SchemaNode, { kind: 'leaf' | 'leaf-list' }>, lr: LeafrefInfo): boolean {
    const expr = lr.expr;
    if (expr.absolute && expr.steps.every((st) => st.predicates.length === 0)) {
      let set = this.absoluteLeafrefs.get(lr);
      if (!set) {
        const ev = new XPathEvaluator(this.budget, c, lr.prefixes, s.module.name);
        const v = ev.evaluate(expr, c);
        set = new Set(Array.isArray(v) ? v.map((x) => x.value ?? '') : []);
        this.absoluteLeafrefs.set(lr, set);
      }
      return set.has(c.value!);
    }
    return relativeTargetFound(c, s, lr) || leafrefTargets(this.budget, c, s, lr).length > 0;
  }
}

/**
 * Fast path of a relative leafref without predicates (OpenConfig's `../config/name` on every list key):
 * walks the data tree by step names and accepts a node of the target the compiler resolved holding the
 * value. Not found here, the XPath evaluator decides (implicit defaults and all).
 */
function relativeTargetFound(c: DataNode, s: Extract<SchemaNode, { kind: 'leaf' | 'leaf-list' }>, lr: LeafrefInfo): boolean {
  const target = s.leafrefTargets?.get(lr);
  const e = lr.expr;
  if (!target || e.absolute || e.base) return false;
  let set: DataNode[] = [c];
  for (const st of e.steps) {
    if (st.predicates.length) return false;
    const next: DataNode[] = [];
    if (st.axis === 'parent' && st.test.kind === 'node-type') {
      for (const n of set) if (n.parent) next.push(n.parent);
    } else if (st.axis === 'child' && st.test.kind === 'name') {
      const local = st.test.local;
      for (const n of set) for (const x of n.children) if (x.schema?.name === local) next.push(x);
    } else return false;
    if (next.length === 0) return false;
    set = next;
  }
  for (const n of set) if (n.schema === target && n.value === c.value) return true;
  return false;
}

/** The when conditions that govern a schema node, with whether each is evaluated on the data parent. */
const whenCache = new WeakMap<SchemaNode, { cond: XPathCondition; onParent: boolean }[]>();
function whenConditions(s: SchemaNode): { cond: XPathCondition; onParent: boolean }[] {
  let out = whenCache.get(s);
  if (!out) {
    out = s.when.map((cond) => ({ cond, onParent: cond.origin === 'uses' || cond.origin === 'augment' }));
    for (let p = s.parent; p && (p.kind === 'case' || p.kind === 'choice'); p = p.parent) for (const cond of p.when) out.push({ cond, onParent: true });
    whenCache.set(s, out);
  }
  return out;
}

function caseHasData(c: SchemaNode, groups: Map<SchemaNode, DataNode[]>): boolean {
  for (const x of childrenOf(c)) {
    if (x.kind === 'choice' || x.kind === 'case') {
      if (caseHasData(x, groups)) return true;
    } else if (groups.has(x)) return true;
  }
  return false;
}

function hasMandatory(s: SchemaNode): boolean {
  let v = hasMandatoryCache.get(s);
  if (v === undefined) {
    v = childrenOf(s).some((c) => {
      if (c.kind === 'leaf' || c.kind === 'anydata' || c.kind === 'anyxml' || c.kind === 'choice') return c.mandatory;
      if (c.kind === 'list' || c.kind === 'leaf-list') return c.minElements > 0;
      if (c.kind === 'container') return c.presence === undefined && hasMandatory(c);
      if (c.kind === 'case') return hasMandatory(c);
      return false;
    });
    hasMandatoryCache.set(s, v);
  }
  return v;
}

/** Value of the leaf `leaf` below a list entry (unique paths name descendants). */
function findDescendant(e: DataNode, leaf: SchemaNode): string | undefined {
  const chain: SchemaNode[] = [];
  for (let p: SchemaNode | undefined = leaf; p && p !== e.schema; p = p.parent) if (p.kind !== 'choice' && p.kind !== 'case') chain.push(p);
  let cur: DataNode | undefined = e;
  for (let i = chain.length - 1; i >= 0 && cur; i--) cur = cur.children.find((x) => x.schema === chain[i]);
  return cur?.value;
}
