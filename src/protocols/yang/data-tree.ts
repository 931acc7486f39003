/**
 * Instance data as a tree of schema-bound nodes (what JSON and XML documents are read into, what
 * validation and XPath evaluation walk). A list entry and a leaf-list entry are one node each.
 */
import type { CompiledModule, CompiledSchema, Identity, ResolvedType, SchemaNode } from './schema.js';

export type DataSchemaNode = Extract<SchemaNode, { kind: 'container' | 'list' | 'leaf' | 'leaf-list' | 'anydata' | 'anyxml' }>;

export interface DataNode {
  /** Undefined only for the document root. */
  schema?: DataSchemaNode;
  parent?: DataNode;
  children: DataNode[];
  /** Leaf and leaf-list entries: the canonical value (identityref as `module:name`, instance-identifier with module-name prefixes). */
  value?: string;
  /** The type the value matched (a union member, a leafref target's type): how it is written back. */
  valueType?: ResolvedType;
  identity?: Identity;
  /** anydata/anyxml content as read (JSON value or XML text). */
  raw?: unknown;
  /** A default or an absent non-presence container made up while evaluating XPath (never printed). */
  implicit?: boolean;
}

export interface DataDocument {
  schema: CompiledSchema;
  root: DataNode;
}

/** A fault in instance data, with its data path and a stable code. */
export interface DataError {
  code: DataErrorCode;
  /** `/module:top/list[key='v']/leaf`, module prefixes where the module changes (RFC 7951/libyang style). */
  path: string;
  message: string;
}

export type DataErrorCode =
  | 'YANG_DATA_SYNTAX'
  | 'YANG_DATA_LIMIT'
  | 'YANG_DATA_UNKNOWN_NAMESPACE'
  | 'YANG_DATA_UNKNOWN_NODE'
  | 'YANG_DATA_ENCODING'
  | 'YANG_DATA_TYPE'
  | 'YANG_DATA_RANGE'
  | 'YANG_DATA_LENGTH'
  | 'YANG_DATA_PATTERN'
  | 'YANG_DATA_ENUM'
  | 'YANG_DATA_BITS'
  | 'YANG_DATA_IDENTITY'
  | 'YANG_DATA_INSTANCE_ID'
  | 'YANG_DATA_MISSING_KEY'
  | 'YANG_DATA_DUPLICATE_KEY'
  | 'YANG_DATA_DUPLICATE'
  | 'YANG_DATA_CONFIG_FALSE'
  | 'YANG_DATA_MANDATORY'
  | 'YANG_DATA_CHOICE'
  | 'YANG_DATA_MIN_ELEMENTS'
  | 'YANG_DATA_MAX_ELEMENTS'
  | 'YANG_DATA_UNIQUE'
  | 'YANG_DATA_LEAFREF'
  | 'YANG_DATA_WHEN'
  | 'YANG_DATA_MUST';

/** The `[k='v']` predicate text of a value (XPath literal quoting). */
export function quoteLiteral(v: string): string {
  return v.includes("'") ? `"${v}"` : `'${v}'`;
}

function stepOf(n: DataNode): string {
  const s = n.schema!;
  const parentModule = n.parent?.schema?.module;
  const name = parentModule === s.module ? s.name : `${s.module.name}:${s.name}`;
  if (s.kind === 'list') {
    let keys = '';
    for (const k of s.keys) {
      const kn = n.children.find((c) => c.schema === k);
      if (kn) keys += `[${k.name}=${quoteLiteral(kn.value ?? '')}]`;
    }
    return name + keys;
  }
  if (s.kind === 'leaf-list') return `${name}[.=${quoteLiteral(n.value ?? '')}]`;
  return name;
}

/** Data path of a node. */
export function dataPath(n: DataNode): string {
  const steps: string[] = [];
  for (let c: DataNode | undefined = n; c?.schema; c = c.parent) steps.push(stepOf(c));
  return `/${steps.reverse().join('/')}`;
}

/** Path of a schema child below a data node (for a node that is missing). */
export function childPath(parent: DataNode, child: SchemaNode): string {
  const base = parent.schema ? dataPath(parent) : '';
  const prefix = parent.schema?.module === child.module ? '' : `${child.module.name}:`;
  return `${base}/${prefix}${child.name}`;
}

/** Module of a data node (the root has none). */
export function moduleOf(n: DataNode): CompiledModule | undefined {
  return n.schema?.module;
}
