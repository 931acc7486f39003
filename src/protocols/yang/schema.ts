/**
 * The compiled schema: what a validator, a tree printer or a driver reads. Everything here is
 * resolved — groupings expanded, augments and deviations applied, features applied (nodes whose
 * if-feature is false are absent), config inherited, typedef chains flattened into effective
 * restrictions, identities linked, leafref targets found.
 *
 * Conventions:
 * - Integer ranges and lengths are intervals of bigint. decimal64 ranges are bigint scaled by
 *   10^fractionDigits (`1.5` with 2 fraction digits is 150n); lengths are bigint too.
 * - XPath expressions are kept both as source text and parsed AST (xpath.ts). Prefixes inside an
 *   expression resolve through `XPathCondition.prefixes` (the module or submodule it is written in);
 *   unprefixed names belong to the module of the context node (RFC 7950 section 6.4.1).
 * - `path` of a node is its schema path with every step prefixed by its module name:
 *   `/openconfig-interfaces:interfaces/openconfig-interfaces:interface/...`; choice, case, input
 *   and output nodes appear in it (it is a schema path, not a data path). `dataChildren()` and
 *   `dataParent()` give the instance-data view that looks through choice and case.
 */
import type { Location } from './errors.js';
import type { Stmt } from './parser.js';
import type { XPathExpr } from './xpath.js';

// Type objects (ResolvedType and what it holds) are shared between every node whose type statement is
// the same (a grouping used many times): treat them as read-only.

export type Status = 'current' | 'deprecated' | 'obsolete';

/** How prefixes in an expression or a type name are resolved: prefix → module name. */
export interface PrefixScope {
  /** Name of the (sub)module the text is written in. */
  unit: string;
  /** The module the unit belongs to (its own name for a module). */
  module: string;
  /** prefix → module name (own prefix included). */
  prefixes: ReadonlyMap<string, string>;
}

export interface XPathCondition {
  source: string;
  expr: XPathExpr;
  prefixes: PrefixScope;
  loc: Location;
  /** Where a `when` came from: the node itself, the `uses` that instantiated it or the `augment` that added it. */
  origin?: 'node' | 'uses' | 'augment';
  errorMessage?: string;
  errorAppTag?: string;
}

/** An extension statement kept as an annotation (`oc-ext:posix-pattern "..."`, `nacm:default-deny-write`). */
export interface ExtensionInstance {
  /** Module name and extension name. */
  module: string;
  name: string;
  /** The prefix as written. */
  prefix: string;
  arg?: string;
  loc: Location;
}

export interface Feature {
  name: string;
  module: CompiledModule;
  enabled: boolean;
  /** The feature's own if-feature expressions (as written). */
  ifFeatures: string[];
  status: Status;
}

export interface Identity {
  name: string;
  module: CompiledModule;
  /** `module:name`. */
  qname: string;
  bases: Identity[];
  /** Every identity derived from this one, directly or not (not including itself). */
  derived: Set<Identity>;
  status: Status;
  loc: Location;
}

export interface ExtensionDef {
  name: string;
  module: CompiledModule;
  argument?: string;
}

export type BuiltinType =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'decimal64'
  | 'string'
  | 'boolean'
  | 'enumeration'
  | 'bits'
  | 'binary'
  | 'leafref'
  | 'identityref'
  | 'empty'
  | 'union'
  | 'instance-identifier';

/** A closed interval; `min`/`max` are bigint (scaled for decimal64). */
export interface Interval {
  min: bigint;
  max: bigint;
}

export interface RangeRestriction {
  intervals: Interval[];
  source: string;
  errorMessage?: string;
  errorAppTag?: string;
}

export interface PatternRestriction {
  /** The pattern as written (XSD regular expression, or POSIX ERE for oc-ext:posix-pattern). */
  source: string;
  /** Anchored JavaScript equivalent, compiled with the `u` flag. */
  regex: RegExp;
  /** YANG 1.1 `modifier invert-match`. */
  invert: boolean;
  /** True for an OpenConfig `oc-ext:posix-pattern` (replaces the XSD patterns of the same type, as OpenConfig intends). */
  posix: boolean;
  errorMessage?: string;
  errorAppTag?: string;
}

export interface EnumValue {
  name: string;
  value: number;
  status: Status;
}

export interface BitValue {
  name: string;
  position: number;
  status: Status;
}

export interface LeafrefInfo {
  path: string;
  expr: XPathExpr & { kind: 'path' };
  prefixes: PrefixScope;
  loc: Location;
  requireInstance: boolean;
}

/** One level of a typedef chain, nearest first: the restrictions added at that level. */
export interface TypeLayer {
  /** Type name as written at this level (`inet:port-number`, `uint16`). */
  name: string;
  /** Module of the typedef (undefined for the built-in layer). */
  module?: string;
  range?: RangeRestriction;
  length?: RangeRestriction;
  patterns: PatternRestriction[];
  default?: string;
  units?: string;
  loc: Location;
}

export interface ResolvedType {
  /** The built-in type at the bottom of the chain. */
  base: BuiltinType;
  /** The type name as written in the leaf (prefix as written). */
  name: string;
  /** Typedef chain from the leaf's own type statement down to the built-in type. */
  chain: TypeLayer[];
  /** Effective restrictions (every level must hold; the innermost range/length is the narrowest). */
  range?: RangeRestriction;
  length?: RangeRestriction;
  /** All patterns of all levels; a value must satisfy each. */
  patterns: PatternRestriction[];
  enums?: EnumValue[];
  bits?: BitValue[];
  fractionDigits?: number;
  /** identityref: the bases; a value must be derived from every one. */
  bases?: Identity[];
  leafref?: LeafrefInfo;
  /** instance-identifier: require-instance (default true). */
  requireInstance?: boolean;
  /** union members, in order. */
  members?: ResolvedType[];
  /** Default inherited from the typedef chain, if any. */
  default?: string;
  units?: string;
}

export type NodeKind =
  | 'container'
  | 'list'
  | 'leaf'
  | 'leaf-list'
  | 'choice'
  | 'case'
  | 'anydata'
  | 'anyxml'
  | 'rpc'
  | 'action'
  | 'notification'
  | 'input'
  | 'output';

interface NodeBase {
  kind: NodeKind;
  name: string;
  /** The module whose namespace the node is in. */
  module: CompiledModule;
  parent?: SchemaNode;
  /** Schema path with module-name prefixes on every step (choice/case included). */
  path: string;
  /** Resolved config (false inside rpc/action/notification). */
  config: boolean;
  status: Status;
  description?: string;
  reference?: string;
  /** if-feature expressions as written; all of them are true, otherwise the node would be absent. */
  ifFeatures: string[];
  when: XPathCondition[];
  extensions: ExtensionInstance[];
  /** When the node was added by an augment from another module: that module. */
  augmentedBy?: CompiledModule;
  loc: Location;
  /** The scope its type names and expressions were written in (grouping or module). */
  prefixes: PrefixScope;
}

export interface ContainerNode extends NodeBase {
  kind: 'container';
  /** The presence statement's argument when it is a presence container. */
  presence?: string;
  must: XPathCondition[];
  children: SchemaNode[];
}

export interface ListNode extends NodeBase {
  kind: 'list';
  /** Key leaves, in key order (they are also moved to the front of `children`, as libyang does). */
  keys: LeafNode[];
  orderedBy: 'system' | 'user';
  minElements: number;
  /** Infinity when unbounded. */
  maxElements: number;
  /** Each unique constraint: the leaves it names (descendant paths resolved). */
  unique: { paths: string[]; leaves: LeafNode[] }[];
  must: XPathCondition[];
  children: SchemaNode[];
}

export interface LeafNode extends NodeBase {
  kind: 'leaf';
  type: ResolvedType;
  /** Own default, else the typedef chain's (not set on mandatory leaves and keys). */
  default?: string;
  mandatory: boolean;
  units?: string;
  must: XPathCondition[];
  /** True when the leaf is a key of its parent list. */
  isKey: boolean;
  /** Target of each leafref in the type (the type itself or union members), keyed by its LeafrefInfo. */
  leafrefTargets?: Map<LeafrefInfo, LeafNode | LeafListNode>;
}

export interface LeafListNode extends NodeBase {
  kind: 'leaf-list';
  type: ResolvedType;
  defaults: string[];
  orderedBy: 'system' | 'user';
  minElements: number;
  maxElements: number;
  units?: string;
  must: XPathCondition[];
  /** As for LeafNode. */
  leafrefTargets?: Map<LeafrefInfo, LeafNode | LeafListNode>;
}

export interface ChoiceNode extends NodeBase {
  kind: 'choice';
  mandatory: boolean;
  /** Name of the default case. */
  default?: string;
  cases: CaseNode[];
}

export interface CaseNode extends NodeBase {
  kind: 'case';
  /** True for a case made implicitly from a shorthand (a data node directly under the choice). */
  shorthand: boolean;
  children: SchemaNode[];
}

export interface AnyNode extends NodeBase {
  kind: 'anydata' | 'anyxml';
  mandatory: boolean;
  must: XPathCondition[];
}

export interface OperationNode extends NodeBase {
  kind: 'rpc' | 'action';
  input: InOutNode;
  output: InOutNode;
}

export interface InOutNode extends NodeBase {
  kind: 'input' | 'output';
  must: XPathCondition[];
  children: SchemaNode[];
  /** False when the statement was absent from the module (then it has no children). */
  explicit: boolean;
}

export interface NotificationNode extends NodeBase {
  kind: 'notification';
  must: XPathCondition[];
  children: SchemaNode[];
}

export type SchemaNode =
  | ContainerNode
  | ListNode
  | LeafNode
  | LeafListNode
  | ChoiceNode
  | CaseNode
  | AnyNode
  | OperationNode
  | InOutNode
  | NotificationNode;

/** A node that holds other nodes (choice holds cases). */
export type ParentNode = ContainerNode | ListNode | CaseNode | InOutNode | NotificationNode;

/** An augment a module makes (kept for the tree view). */
export interface AugmentInfo {
  /** Target schema node identifier as written. */
  target: string;
  targetNode: SchemaNode;
  /** The nodes the augment added (its direct children at the target). */
  nodes: SchemaNode[];
  when: XPathCondition[];
  ifFeatures: string[];
  status: Status;
  /** The augment statement as written (tree diagrams print augments from it, as yanglint does). */
  stmt: Stmt;
  /** The submodule the augment is written in, when not the module itself. */
  submodule?: string;
}

export interface CompiledModule {
  name: string;
  revision?: string;
  namespace: string;
  prefix: string;
  yangVersion: '1' | '1.1';
  /** Implemented modules contribute data nodes, augments and deviations; imported-only ones only definitions. */
  implemented: boolean;
  file: string;
  organization?: string;
  contact?: string;
  description?: string;
  /** Names of the submodules included (recursively). */
  submodules: string[];
  /** Imported module names by prefix (own prefix → own name). */
  imports: Map<string, string>;
  features: Map<string, Feature>;
  identities: Map<string, Identity>;
  extensions: Map<string, ExtensionDef>;
  /** Top-level data nodes in this module's namespace (including those added by other modules' augments). */
  children: SchemaNode[];
  rpcs: OperationNode[];
  notifications: NotificationNode[];
  /** In statement order (module first, then submodules). */
  augments: AugmentInfo[];
  /** Deviations this module applies: target as written and what was done. */
  deviations: { target: string; deviates: string[] }[];
  extensionInstances: ExtensionInstance[];
}

/** A compiled module set. */
export interface CompiledSchema {
  /** All loaded modules by name. */
  modules: Map<string, CompiledModule>;
  /** Identities by `module:name`. */
  identities: Map<string, Identity>;
  /** Warnings that did not stop compilation (for example leafref paths in non-implemented modules). */
  warnings: string[];
}

export function isDataNode(n: SchemaNode): boolean {
  return n.kind === 'container' || n.kind === 'list' || n.kind === 'leaf' || n.kind === 'leaf-list' || n.kind === 'anydata' || n.kind === 'anyxml';
}

/** The node's children, for the kinds that have some (a choice's are its cases). */
export function childrenOf(n: SchemaNode | CompiledModule): SchemaNode[] {
  if ('kind' in n) {
    switch (n.kind) {
      case 'container':
      case 'list':
      case 'case':
      case 'input':
      case 'output':
      case 'notification':
        return n.children;
      case 'choice':
        return n.cases;
      case 'rpc':
      case 'action':
        return [n.input, n.output];
      default:
        return [];
    }
  }
  return n.children;
}

/** The data-tree children of a node: choice and case levels are looked through (as in instance data). */
export function dataChildren(n: SchemaNode | CompiledModule): SchemaNode[] {
  const out: SchemaNode[] = [];
  const walk = (list: SchemaNode[]): void => {
    for (const c of list) {
      if (c.kind === 'choice' || c.kind === 'case') walk(childrenOf(c));
      else out.push(c);
    }
  };
  walk(childrenOf(n));
  return out;
}

const childrenByName = new WeakMap<object, Map<string, SchemaNode[]>>();

/**
 * dataChildren of a schema node (or of the implemented modules at the root) by local name, in schema
 * order; made once per node and kept as long as the compiled schema.
 */
export function dataChildrenByName(schema: CompiledSchema, parent: SchemaNode | undefined): ReadonlyMap<string, readonly SchemaNode[]> {
  const owner: object = parent ?? schema;
  let index = childrenByName.get(owner);
  if (!index) {
    index = new Map();
    const list = parent ? dataChildren(parent) : [...schema.modules.values()].filter((m) => m.implemented).flatMap((m) => dataChildren(m));
    for (const c of list) {
      const same = index.get(c.name);
      if (same) same.push(c);
      else index.set(c.name, [c]);
    }
    childrenByName.set(owner, index);
  }
  return index;
}

/** The nearest ancestor that exists in instance data (skips choice and case). */
export function dataParent(n: SchemaNode): SchemaNode | undefined {
  let p = n.parent;
  while (p && (p.kind === 'choice' || p.kind === 'case')) p = p.parent;
  return p;
}
