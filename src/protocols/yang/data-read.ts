/**
 * Reads RFC 7951 JSON and NETCONF XML instance documents into a DataNode tree, checking what can be
 * checked on one node: known modules and nodes, encodings and types, list keys and their uniqueness,
 * duplicate instances, config false nodes in configuration.
 */
import { NetconfError } from '../netconf/errors.js';
import { type XmlElement, isElement, parseXmlFragment, textOf } from '../netconf/xml.js';
import { childPath, type DataError, type DataErrorCode, type DataNode, type DataSchemaNode, dataPath } from './data-tree.js';
import { type CompiledModule, type CompiledSchema, dataChildrenByName, type ListNode, type SchemaNode } from './schema.js';
import { parseValue, type ValueInput } from './values.js';

/** `config`: configuration (no config false nodes); `data`: configuration and state; `edit`: a partial configuration. */
export type InstanceType = 'config' | 'data' | 'edit';

export interface ReadOptions {
  type: InstanceType;
  /** Deepest data tree accepted (default 256 levels). */
  maxDepth?: number;
  /** Most nodes accepted (default 5,000,000). */
  maxNodes?: number;
}

const NETCONF_BASE = 'urn:ietf:params:xml:ns:netconf:base:1.0';
const isDataKind = (n: SchemaNode): n is DataSchemaNode =>
  n.kind === 'container' || n.kind === 'list' || n.kind === 'leaf' || n.kind === 'leaf-list' || n.kind === 'anydata' || n.kind === 'anyxml';

/** Shared by every leaf and leaf-list entry: they never have children. */
const NO_CHILDREN: DataNode[] = Object.freeze([]) as unknown as DataNode[];

/** The modules of a schema by namespace, made once per schema (a reader is made per request). */
const namespaces = new WeakMap<CompiledSchema, Map<string, CompiledModule>>();
function modulesByNamespace(schema: CompiledSchema): Map<string, CompiledModule> {
  let m = namespaces.get(schema);
  if (!m) {
    m = new Map();
    for (const x of schema.modules.values()) m.set(x.namespace, x);
    namespaces.set(schema, m);
  }
  return m;
}

/** Data children of a schema node (or of the whole schema at the root) by local name (then by module). */
function childNamed(schema: CompiledSchema, parent: DataSchemaNode | undefined, moduleName: string, local: string): DataSchemaNode | undefined {
  const named = dataChildrenByName(schema, parent).get(local);
  if (named) for (const c of named) if (c.module.name === moduleName && isDataKind(c)) return c;
  return undefined;
}

/** A node of an update's path, resolved: for a list entry, each key leaf with its value from the path (as JSON). */
export interface UpdateStep {
  node: DataSchemaNode;
  keys?: readonly (readonly [DataSchemaNode & { kind: 'leaf' }, unknown])[];
}

export class InstanceReader {
  readonly errors: DataError[] = [];
  readonly root: DataNode = { children: [] };
  private readonly byNamespace: Map<string, CompiledModule>;
  private nodes = 0;
  private readonly maxDepth: number;
  private readonly maxNodes: number;
  private readonly env;
  private stopped = false;

  constructor(
    readonly schema: CompiledSchema,
    readonly opts: ReadOptions,
  ) {
    this.byNamespace = modulesByNamespace(schema);
    this.maxDepth = opts.maxDepth ?? 256;
    this.maxNodes = opts.maxNodes ?? 5_000_000;
    this.env = { identities: schema.identities, hasModule: (n: string) => schema.modules.has(n), acceptForeignIdentities: opts.type === 'edit' };
  }

  private error(code: DataErrorCode, path: string, message: string): void {
    this.errors.push({ code, path, message });
  }

  private limit(parent: DataNode, depth: number): boolean {
    if (this.stopped) return true;
    if (depth > this.maxDepth || this.nodes > this.maxNodes) {
      this.error('YANG_DATA_LIMIT', parent.schema ? dataPath(parent) : '/', depth > this.maxDepth ? `data nested deeper than ${this.maxDepth} levels` : `more than ${this.maxNodes} data nodes`);
      this.stopped = true;
      return true;
    }
    return false;
  }

  /** The schema child named, or an error (unknown module, unknown node, config false in configuration). */
  private child(parent: DataNode, moduleName: string | undefined, local: string, nsShown: string): DataSchemaNode | undefined {
    if (!moduleName) {
      this.error('YANG_DATA_UNKNOWN_NAMESPACE', parent.schema ? dataPath(parent) : '/', `node "${local}" has no known module (${nsShown})`);
      return undefined;
    }
    const c = childNamed(this.schema, parent.schema, moduleName, local);
    if (!c) {
      this.error('YANG_DATA_UNKNOWN_NODE', parent.schema ? dataPath(parent) : '/', `node "${local}" of module "${moduleName}" is not a child of ${parent.schema ? `"${parent.schema.name}"` : 'the root'}`);
      return undefined;
    }
    if (!c.config && this.opts.type !== 'data') {
      this.error('YANG_DATA_CONFIG_FALSE', childPath(parent, c), `"${c.name}" is state data (config false) and is not allowed in a configuration`);
      return undefined;
    }
    return c;
  }

  private add(parent: DataNode, schema: DataSchemaNode): DataNode {
    // Every field set in one order: one object shape for all nodes keeps property access monomorphic.
    const leafLike = schema.kind === 'leaf' || schema.kind === 'leaf-list';
    const n: DataNode = { schema, parent, children: leafLike ? NO_CHILDREN : [], value: undefined, valueType: undefined, identity: undefined, raw: undefined, implicit: undefined };
    parent.children.push(n);
    this.nodes++;
    return n;
  }

  private leafValue(parent: DataNode, schema: DataSchemaNode & { kind: 'leaf' | 'leaf-list' }, input: ValueInput): void {
    const r = parseValue(schema, schema.type, input, this.env);
    const n = this.add(parent, schema);
    if (r.ok) {
      n.value = r.value;
      n.valueType = r.type;
      n.identity = r.identity;
    } else {
      n.value = input.encoding === 'json' ? (typeof input.json === 'string' ? input.json : JSON.stringify(input.json)) : (input.text ?? '');
      this.error(r.code, dataPath(n), r.message);
    }
  }

  /** After the children of a node are read: duplicates, keys, key uniqueness, leaf-list uniqueness. */
  private finish(n: DataNode): void {
    let seen: Set<DataSchemaNode> | undefined;
    let keysOf: Map<ListNode, Set<string>> | undefined;
    let llValues: Map<DataSchemaNode, Set<string>> | undefined;
    for (const c of n.children) {
      const s = c.schema!;
      const kind = s.kind;
      if (kind === 'leaf' || kind === 'container' || kind === 'anydata' || kind === 'anyxml') {
        // An edit may name a container twice (the device merges them: two <interfaces> in one edit-config).
        if (kind === 'container' && this.opts.type === 'edit') continue;
        seen ??= new Set();
        if (seen.has(s)) this.error('YANG_DATA_DUPLICATE', dataPath(c), `"${s.name}" appears more than once`);
        else seen.add(s);
      } else if (kind === 'list') {
        const key = this.keyOf(c, s);
        if (key === undefined) continue;
        keysOf ??= new Map();
        let m = keysOf.get(s);
        if (!m) {
          m = new Set();
          keysOf.set(s, m);
        }
        if (m.has(key)) this.error('YANG_DATA_DUPLICATE_KEY', dataPath(c), `duplicate entry of list "${s.name}" (same keys)`);
        else m.add(key);
      } else if (kind === 'leaf-list' && s.config) {
        llValues ??= new Map();
        let set = llValues.get(s);
        if (!set) {
          set = new Set();
          llValues.set(s, set);
        }
        if (set.has(c.value ?? '')) this.error('YANG_DATA_DUPLICATE', dataPath(c), `duplicate value "${c.value}" of leaf-list "${s.name}"`);
        set.add(c.value ?? '');
      }
    }
  }

  /** The keys of a list entry as one string; undefined (and an error) when one is missing or the list has none. */
  private keyOf(c: DataNode, s: ListNode): string | undefined {
    if (s.keys.length === 0) return undefined;
    let key = '';
    let missing = false;
    for (const k of s.keys) {
      let kn: DataNode | undefined;
      for (const x of c.children) {
        if (x.schema === k) {
          kn = x;
          break;
        }
      }
      if (!kn) {
        missing = true;
        this.error('YANG_DATA_MISSING_KEY', dataPath(c), `list entry of "${s.name}" has no key "${k.name}"`);
      } else key += `${kn.value}\u0000`;
    }
    return missing ? undefined : key;
  }

  // ---- RFC 7951 JSON ----

  readJson(text: string): void {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      this.error('YANG_DATA_SYNTAX', '/', `not JSON: ${(e as Error).message}`);
      return;
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      this.error('YANG_DATA_SYNTAX', '/', 'a JSON instance document is an object');
      return;
    }
    for (const d of duplicateMembers(text)) this.error('YANG_DATA_DUPLICATE', d.path, `member "${d.name}" appears more than once in one JSON object (only the last would count)`);
    this.jsonObject(doc as Record<string, unknown>, this.root, 1);
    this.finish(this.root);
  }

  /**
   * One path-addressed edit read where it belongs, without building a document from the root: the
   * nodes of the path (a list entry with its keys: the value's own key members when it has them,
   * else the path's), then the value below the last node (an object for a container or list entry,
   * a JSON value for a leaf). The caller resolved the path to data schema nodes (known, config true,
   * every key of a list given); each update gets its own path nodes, so nothing is merged and the
   * value is never copied or changed.
   */
  readUpdate(steps: readonly UpdateStep[], value: unknown): void {
    let parent = this.root;
    const made: DataNode[] = [];
    for (let i = 0; i < steps.length && !this.limit(parent, i + 1); i++) {
      const st = steps[i];
      const last = i === steps.length - 1;
      if (last && st.node.kind === 'leaf') {
        this.leafValue(parent, st.node, { encoding: 'json', json: value, prefixModule: jsonPrefix });
        break;
      }
      const n = this.add(parent, st.node);
      made.push(n);
      let skip: Set<string> | undefined;
      for (const [leaf, json] of st.keys ?? []) {
        let own: unknown;
        if (last && isObj(value)) {
          const member = value[leaf.name] !== undefined ? leaf.name : `${leaf.module.name}:${leaf.name}`;
          own = value[member];
          if (own !== undefined) {
            skip ??= new Set();
            skip.add(member);
          }
        }
        this.leafValue(n, leaf, { encoding: 'json', json: own !== undefined ? own : json, prefixModule: jsonPrefix });
      }
      if (last) this.jsonObject(value as Record<string, unknown>, n, i + 2, skip);
      parent = n;
    }
    for (let i = made.length - 1; i >= 0; i--) this.finish(made[i]);
  }

  private jsonObject(obj: Record<string, unknown>, parent: DataNode, depth: number, skip?: ReadonlySet<string>): void {
    if (this.limit(parent, depth)) return;
    for (const member in obj) {
      if (member.charCodeAt(0) === 64 /* @ */) continue;
      if (skip?.has(member)) continue;
      const value = obj[member];
      // Absent, as JSON.stringify would leave it out (a value handed over as an object, not as text).
      if (value === undefined) continue;
      const i = member.indexOf(':');
      const modName = i < 0 ? parent.schema?.module.name : member.slice(0, i);
      const local = i < 0 ? member : member.slice(i + 1);
      if (i >= 0 && !this.schema.modules.has(modName!)) {
        this.error('YANG_DATA_UNKNOWN_NAMESPACE', `${parent.schema ? dataPath(parent) : ''}/${member}`, `unknown module "${modName}"`);
        continue;
      }
      const s = this.child(parent, modName, local, i < 0 ? 'a top-level member needs its module name as prefix' : member);
      if (s) this.jsonMember(s, value, parent, depth);
    }
  }

  private jsonMember(s: DataSchemaNode, value: unknown, parent: DataNode, depth: number): void {
    switch (s.kind) {
      case 'container': {
        if (!isObj(value)) {
          this.error('YANG_DATA_ENCODING', childPath(parent, s), `container "${s.name}" must be a JSON object`);
          return;
        }
        const n = this.add(parent, s);
        this.jsonObject(value, n, depth + 1);
        this.finish(n);
        return;
      }
      case 'list': {
        if (!Array.isArray(value)) {
          this.error('YANG_DATA_ENCODING', childPath(parent, s), `list "${s.name}" must be a JSON array`);
          return;
        }
        for (const e of value) {
          if (!isObj(e)) {
            this.error('YANG_DATA_ENCODING', childPath(parent, s), `entries of list "${s.name}" must be JSON objects`);
            continue;
          }
          const n = this.add(parent, s);
          this.jsonObject(e, n, depth + 1);
          this.finish(n);
        }
        return;
      }
      case 'leaf':
        this.leafValue(parent, s, { encoding: 'json', json: value, prefixModule: jsonPrefix });
        return;
      case 'leaf-list':
        if (!Array.isArray(value)) {
          this.error('YANG_DATA_ENCODING', childPath(parent, s), `leaf-list "${s.name}" must be a JSON array`);
          return;
        }
        for (const v of value) this.leafValue(parent, s, { encoding: 'json', json: v, prefixModule: jsonPrefix });
        return;
      default: {
        const n = this.add(parent, s);
        n.raw = value;
      }
    }
  }

  // ---- NETCONF XML ----

  readXml(text: string): void {
    let nodes: ReturnType<typeof parseXmlFragment>;
    try {
      nodes = parseXmlFragment(text);
    } catch (e) {
      this.error(e instanceof NetconfError && /nested deeper/.test(e.message) ? 'YANG_DATA_LIMIT' : 'YANG_DATA_SYNTAX', '/', `not XML: ${(e as Error).message}`);
      return;
    }
    let tops = nodes.filter(isElement);
    // A NETCONF <config> or <data> wrapper holds the data.
    if (tops.length === 1 && tops[0].ns === NETCONF_BASE && (tops[0].name === 'config' || tops[0].name === 'data')) tops = tops[0].children.filter(isElement);
    for (const el of tops) this.xmlElement(el, this.root, 1);
    this.finish(this.root);
  }

  private xmlElement(el: XmlElement, parent: DataNode, depth: number): void {
    if (this.limit(parent, depth)) return;
    // What an edit deletes or removes is only named (empty leaves, keys): there is no value to check.
    if (this.opts.type === 'edit' && el.attrs.some((a) => a.name === 'operation' && a.ns === NETCONF_BASE && (a.value === 'delete' || a.value === 'remove'))) return;
    const mod = this.byNamespace.get(el.ns);
    if (!mod) {
      this.error('YANG_DATA_UNKNOWN_NAMESPACE', `${parent.schema ? dataPath(parent) : ''}/${el.name}`, `element "${el.name}" is in unknown namespace "${el.ns}"`);
      return;
    }
    const s = this.child(parent, mod.name, el.name, el.ns);
    if (!s) return;
    const prefixModule = (p: string | undefined): string | undefined => {
      const ns = el.scope[p ?? ''];
      return ns === undefined ? undefined : (this.byNamespace.get(ns)?.name ?? ns);
    };
    switch (s.kind) {
      case 'container':
      case 'list': {
        const n = this.add(parent, s);
        for (const c of el.children) if (isElement(c)) this.xmlElement(c, n, depth + 1);
        this.finish(n);
        return;
      }
      case 'leaf':
      case 'leaf-list':
        if (el.children.some(isElement)) {
          this.error('YANG_DATA_ENCODING', childPath(parent, s), `${s.kind} "${s.name}" holds elements`);
          return;
        }
        this.leafValue(parent, s, { encoding: 'xml', text: textOf(el), prefixModule });
        return;
      default: {
        const n = this.add(parent, s);
        n.raw = el;
      }
    }
  }
}

const MAX_DUPLICATES = 100;

/**
 * Members named twice in one object of a JSON text that parses (JSON.parse silently keeps the last;
 * RFC 7951 data names each member once), with the member names leading to them (list entries are not
 * told apart). A scan of the text: strings are skipped with indexOf, member names compared per object.
 */
export function duplicateMembers(text: string): { path: string; name: string }[] {
  const out: { path: string; name: string }[] = [];
  // Per open object: the member names seen (reused arrays); per open container: the member it is the value of.
  const seen: string[][] = [];
  const isObject: boolean[] = [];
  const path: string[] = [];
  let depth = 0;
  let key = '';
  let expectKey = false;
  for (let i = 0; i < text.length && out.length < MAX_DUPLICATES; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      let j = i;
      for (;;) {
        j = text.indexOf('"', j + 1);
        let k = j - 1;
        while (text.charCodeAt(k) === 92 /* \ */) k--;
        if ((j - 1 - k) % 2 === 0) break;
      }
      if (expectKey) {
        const raw = text.slice(i + 1, j);
        const name = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        const names = seen[depth - 1];
        if (names.includes(name)) out.push({ path: `/${[...path.slice(1, depth), name].filter((x) => x).join('/')}`, name });
        else names.push(name);
        key = name;
        expectKey = false;
      }
      i = j;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      path[depth] = key;
      isObject[depth] = c === 123;
      if (c === 123) {
        if (seen[depth]) seen[depth].length = 0;
        else seen[depth] = [];
        expectKey = true;
      }
      depth++;
      key = '';
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
      key = '';
    } else if (c === 44 /* , */) {
      expectKey = isObject[depth - 1];
      key = '';
    }
  }
  return out;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonPrefix(p: string | undefined): string | undefined {
  return p;
}
