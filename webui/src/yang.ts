/** The device YANG tree as the models page shows it (no DOM here, so it is unit-tested under Node). */

// A model the device announced (GET /api/devices/{id}/models): the driver SPI's type (a type-only import of a file without imports).
import type { AnnouncedModel as AnnouncedYangModel } from '../../src/device/api.js';

export type { AnnouncedYangModel };

export interface YangNode {
  name: string;
  kind: string;
  module?: string;
  config: boolean;
  type?: string;
  keys?: string[];
  mandatory?: boolean;
  status?: string;
  description?: string;
  children?: YangNode[];
}

export interface YangModuleTree {
  module: string;
  revision?: string;
  namespace: string;
  nodes: YangNode[];
  rpcs: YangNode[];
  notifications: YangNode[];
}


export interface DeviceModelsAnswer {
  device: string;
  models: AnnouncedYangModel[];
}

export interface YangTreeAnswer {
  device: string;
  /** announced: what the connected device announced; drivers: what its drivers write; query: ?modules=. */
  source: 'announced' | 'drivers' | 'query';
  /** The models the device announced, when it is connected (absent for ?modules=). */
  announced?: AnnouncedYangModel[];
  /** Why the announced models are not known (e.g. the device is not connected). */
  announcedError?: string;
  /** Announced modules (name or name@revision) the YANG search path (or the compiled cache) does not have (source announced). */
  unavailable?: string[];
  modules: string[];
  missing: string[];
  error?: string;
  searchPath: string[];
  trees: YangModuleTree[];
}

const OPERATIONS = new Set(['rpc', 'action', 'notification', 'input', 'output']);

/** RFC 8340-style flags: rw (config), ro (state), -x (rpc/action), -n (notification), and the rest blank. */
export function yangFlags(n: YangNode): string {
  if (n.kind === 'rpc' || n.kind === 'action') return '-x';
  if (n.kind === 'notification') return '-n';
  if (n.kind === 'choice' || n.kind === 'case' || OPERATIONS.has(n.kind)) return '';
  return n.config ? 'rw' : 'ro';
}

/** One tree line's text: name with its marker (list `*`, optional `?`, choice `(…)`, case `:(…)`), keys and type. */
export function yangLabel(n: YangNode): string {
  let name = n.module ? `${n.module}:${n.name}` : n.name;
  if (n.kind === 'choice') name = `(${name})`;
  else if (n.kind === 'case') name = `:(${name})`;
  else if (n.kind === 'list' || n.kind === 'leaf-list') name += '*';
  else if ((n.kind === 'leaf' || n.kind === 'anydata' || n.kind === 'anyxml') && !n.mandatory) name += '?';
  const parts = [yangFlags(n), name].filter((s) => s !== '');
  if (n.keys && n.keys.length > 0) parts.push(`[${n.keys.join(' ')}]`);
  if (n.type) parts.push(n.type);
  return parts.join(' ');
}

export function countNodes(nodes: readonly YangNode[]): number {
  let n = 0;
  for (const x of nodes) n += 1 + countNodes(x.children ?? []);
  return n;
}

/**
 * The nodes whose name contains `text` (case-insensitive), with their ancestors so the tree stays
 * readable; every node when `text` is blank.
 */
export function filterYang(nodes: readonly YangNode[], text: string): YangNode[] {
  const q = text.trim().toLowerCase();
  if (q === '') return [...nodes];
  const out: YangNode[] = [];
  for (const n of nodes) {
    const kids = filterYang(n.children ?? [], q);
    if (n.name.toLowerCase().includes(q)) out.push(n);
    else if (kids.length > 0) out.push({ ...n, children: kids });
  }
  return out;
}

/** The schema path of a node below the module's top: /module:a/b/c (choice and case levels left out). */
export function yangPath(module: string, trail: readonly YangNode[]): string {
  const steps = trail.filter((n) => n.kind !== 'choice' && n.kind !== 'case' && n.kind !== 'input' && n.kind !== 'output');
  return steps.map((n, i) => (i === 0 || n.module ? `/${n.module ?? module}:${n.name}` : `/${n.name}`)).join('');
}
