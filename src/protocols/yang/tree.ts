/**
 * RFC 8340 tree diagrams of compiled modules, laid out as yanglint 2.1.30 prints them (`-f tree`):
 * data nodes, then each augment the module makes (`augment <target>:`), then rpcs and notifications.
 * Actions and notifications inside data nodes follow the data children. Lines are not wrapped.
 */
import { YangError } from './errors.js';
import { type CompiledModule, type CompiledSchema, childrenOf, type SchemaNode } from './schema.js';
import { printParsedAugment } from './tree-parsed.js';

export interface TreeOptions {
  /** Print only this subtree: `/module:node/node...` (prefixes may be module names or module prefixes). */
  path?: string;
}

type Mode = 'data' | 'input' | 'output' | 'notification';

interface Line {
  status: string;
  flags: string;
  /** Name with its marker (`?`, `*`, `!`) or `(choice)?` / `:(case)`. */
  name: string;
  /** Length used for alignment: name without marker plus one column for it. */
  alignLen: number;
  keys?: string;
  type?: string;
  features: string[];
}

export function printTree(schema: CompiledSchema, moduleNames: readonly string[], opts: TreeOptions = {}): string {
  const out: string[] = [];
  for (const name of moduleNames) {
    const m = schema.modules.get(name);
    if (!m) throw new YangError(`module "${name}" is not in the compiled set`);
    out.push(opts.path ? subtree(schema, m, opts.path) : moduleTree(m));
  }
  return out.join('\n');
}

function moduleTree(m: CompiledModule): string {
  const sections: string[] = [];
  const data = m.children;
  let text = `module: ${m.name}\n`;
  if (data.length) text += nodes(data, '  ', 'data');
  // yanglint lists only augments written in the module itself (not its submodules) of other modules' nodes.
  for (const [i, a] of m.augments.filter((x) => !x.submodule && rootOf(x.targetNode).module !== m).entries()) {
    const body = printParsedAugment(a.stmt, modeOf(a.targetNode));
    sections.push(`${i === 0 ? '\n' : ''}  augment ${a.target}:\n${body}`);
  }
  if (m.rpcs.length) sections.push(`\n  rpcs:\n${nodes(m.rpcs, '    ', 'data')}`);
  if (m.notifications.length) sections.push(`\n  notifications:\n${nodes(m.notifications, '    ', 'data')}`);
  return text + sections.join('');
}

function rootOf(n: SchemaNode): SchemaNode {
  let r = n;
  while (r.parent) r = r.parent;
  return r;
}

function modeOf(n: SchemaNode): Mode {
  for (let p: SchemaNode | undefined = n; p; p = p.parent) {
    if (p.kind === 'input') return 'input';
    if (p.kind === 'output') return 'output';
    if (p.kind === 'notification') return 'notification';
  }
  return 'data';
}

function subtree(schema: CompiledSchema, m: CompiledModule, path: string): string {
  const steps = path.split('/').filter((s) => s);
  let list: SchemaNode[] = [...m.children, ...m.rpcs, ...m.notifications];
  let mod = m.name;
  const chain: SchemaNode[] = [];
  for (const step of steps) {
    const i = step.indexOf(':');
    if (i > 0) {
      const p = step.slice(0, i);
      mod = schema.modules.has(p) ? p : ([...schema.modules.values()].find((x) => x.prefix === p)?.name ?? p);
    }
    const name = i > 0 ? step.slice(i + 1) : step;
    const n = list.find((c) => c.name === name && c.module.name === mod) ?? list.find((c) => c.name === name);
    if (!n) throw new YangError(`schema node "${step}" of "${path}" not found in module ${m.name}`);
    chain.push(n);
    list = childrenOf(n);
  }
  let text = `module: ${m.name}\n`;
  let prefix = '  ';
  for (const [i, n] of chain.entries()) {
    const last = i === chain.length - 1;
    const mode = modeOf(n.parent ?? n);
    if (last) text += nodes([n], prefix, mode);
    else {
      text += `${render(line(n, mode), prefix, line(n, mode).alignLen)}\n`;
      prefix += '   ';
    }
  }
  return text;
}

function ordered(list: readonly SchemaNode[]): SchemaNode[] {
  const rank = (n: SchemaNode): number => (n.kind === 'action' ? 1 : n.kind === 'notification' && n.parent ? 2 : 0);
  return [...list].sort((a, b) => rank(a) - rank(b));
}

function nodes(list: readonly SchemaNode[], prefix: string, mode: Mode): string {
  const sorted = ordered(list);
  const lines = sorted.map((n) => line(n, mode));
  const width = alignWidth(lines);
  let text = '';
  for (const [i, n] of sorted.entries()) {
    const last = i === sorted.length - 1;
    text += `${render(lines[i], prefix, width)}\n`;
    const kids = childrenOf(n).filter((c) => !(c.kind === 'input' || c.kind === 'output') || c.children.length > 0);
    if (kids.length) text += nodes(kids, `${prefix}${last ? '   ' : '|  '}`, childMode(n, mode));
  }
  return text;
}

function childMode(n: SchemaNode, mode: Mode): Mode {
  if (n.kind === 'input') return 'input';
  if (n.kind === 'output') return 'output';
  if (n.kind === 'notification') return 'notification';
  return mode;
}

/** Widest name among siblings; lists printed with keys do not count (yanglint aligns without them). */
export function alignWidth(lines: readonly Line[]): number {
  let w = 0;
  for (const l of lines) if (!l.keys && l.alignLen > w) w = l.alignLen;
  return w;
}

export function render(l: Line, prefix: string, width: number): string {
  let s = `${prefix}${l.status}--${l.flags}${l.flags ? ' ' : ''}${l.name}`;
  if (l.keys) s += ` ${l.keys}`;
  if (l.type !== undefined) s += `${' '.repeat(Math.max(1, width + 3 - l.name.length))}${l.type}`;
  if (l.features.length) s += ` {${l.features.join(',')}}?`;
  return s;
}

function line(n: SchemaNode, mode: Mode): Line {
  const status = n.status === 'deprecated' ? 'x' : n.status === 'obsolete' ? 'o' : '+';
  const flags =
    n.kind === 'rpc' || n.kind === 'action'
      ? '-x'
      : n.kind === 'notification'
        ? '-n'
        : n.kind === 'input'
          ? '-w'
          : n.kind === 'output'
            ? 'ro'
            : n.kind === 'case'
              ? ''
              : mode === 'input'
                ? '-w'
                : mode === 'output'
                  ? 'ro'
                  : mode === 'notification'
                    ? '--'
                    : n.config
                      ? 'rw'
                      : 'ro';
  const base = { status, flags, features: n.ifFeatures };
  switch (n.kind) {
    case 'container':
      return { ...base, name: n.name + (n.presence !== undefined ? '!' : ''), alignLen: n.name.length + 1 };
    case 'list':
      return { ...base, name: `${n.name}*`, alignLen: n.name.length + 1, keys: n.keys.length ? `[${n.keys.map((k) => k.name).join(' ')}]` : undefined };
    case 'leaf':
      return { ...base, name: n.name + (n.mandatory || n.isKey ? '' : '?'), alignLen: n.name.length + 1, type: typeLabel(n.type.name, n.type.leafref?.path) };
    case 'leaf-list':
      return { ...base, name: `${n.name}*`, alignLen: n.name.length + 1, type: typeLabel(n.type.name, n.type.leafref?.path) };
    case 'anydata':
    case 'anyxml':
      return { ...base, name: n.name + (n.mandatory ? '' : '?'), alignLen: n.name.length + 1, type: n.kind };
    case 'choice':
      return { ...base, name: `(${n.name})${n.mandatory ? '' : '?'}`, alignLen: n.name.length + 3 };
    case 'case':
      return { ...base, name: `:(${n.name})`, alignLen: n.name.length + 3 };
    default:
      return { ...base, name: n.name, alignLen: n.name.length + 1 };
  }
}

export function typeLabel(name: string, leafrefPath: string | undefined): string {
  return name === 'leafref' && leafrefPath !== undefined ? `-> ${leafrefPath}` : name;
}

export type { Line };
