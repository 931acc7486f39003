/** A small YANG-like schema: containers, keyed lists, leaves and leaf-lists with module and config flags. */
import type { LeafType } from './leaf-types.js';

interface NodeBase {
  name: string;
  module: string;
  /** false for read-only (state) data. */
  config: boolean;
}

export interface LeafSchema extends NodeBase {
  kind: 'leaf';
  type: LeafType;
  /** A state leaf that mirrors a config leaf of the same name (excluded from OPERATIONAL). */
  mirror: boolean;
}

export interface LeafListSchema extends NodeBase {
  kind: 'leaf-list';
  type: LeafType;
}

export interface ContainerSchema extends NodeBase {
  kind: 'container';
  children: Map<string, SchemaNode>;
  /** Counters that advance on every read. */
  counters: boolean;
}

export interface ListSchema extends NodeBase {
  kind: 'list';
  keys: string[];
  children: Map<string, SchemaNode>;
}

export type SchemaNode = LeafSchema | LeafListSchema | ContainerSchema | ListSchema;
export type InnerSchema = ContainerSchema | ListSchema;

export type Spec =
  | { kind: 'leaf'; type: LeafType }
  | { kind: 'leaf-list'; type: LeafType }
  | { kind: 'container'; module?: string; counters?: boolean; children: Record<string, Spec> }
  | { kind: 'list'; module?: string; keys: string[]; children: Record<string, Spec> };

export const leaf = (type: LeafType): Spec => ({ kind: 'leaf', type });
export const leafList = (type: LeafType): Spec => ({ kind: 'leaf-list', type });
export const container = (children: Record<string, Spec>, opts: { module?: string; counters?: boolean } = {}): Spec => ({
  kind: 'container',
  children,
  ...opts,
});
export const list = (keys: string[], children: Record<string, Spec>, opts: { module?: string } = {}): Spec => ({
  kind: 'list',
  keys,
  children,
  ...opts,
});

/** config + state containers: state repeats the config leaves and adds `stateOnly`. */
export function configState(configLeaves: Record<string, Spec>, stateOnly: Record<string, Spec> = {}): Record<string, Spec> {
  return {
    config: container(configLeaves),
    state: container({ ...configLeaves, ...stateOnly }),
  };
}

/** Builds the root schema; a container named "state" and everything below it is read-only. */
export function buildSchema(children: Record<string, Spec>): ContainerSchema {
  return build({ kind: 'container', children }, '', '', true) as ContainerSchema;
}

function build(spec: Spec, name: string, parentModule: string, parentConfig: boolean): SchemaNode {
  const config = parentConfig && name !== 'state';
  switch (spec.kind) {
    case 'leaf':
      return { kind: 'leaf', name, module: parentModule, config, type: spec.type, mirror: false };
    case 'leaf-list':
      return { kind: 'leaf-list', name, module: parentModule, config, type: spec.type };
    case 'container':
    case 'list': {
      const module = spec.module ?? parentModule;
      const children = new Map<string, SchemaNode>();
      for (const [childName, child] of Object.entries(spec.children)) {
        children.set(childName, build(child, childName, module, config));
      }
      markMirrors(children);
      if (spec.kind === 'list') {
        for (const k of spec.keys) {
          if (children.get(k)?.kind !== 'leaf') throw new Error(`schema: list ${name} lacks key leaf ${k}`);
        }
        return { kind: 'list', name, module, config, keys: spec.keys, children };
      }
      return { kind: 'container', name, module, config, counters: spec.counters ?? false, children };
    }
  }
}

function markMirrors(children: Map<string, SchemaNode>): void {
  const cfg = children.get('config');
  const state = children.get('state');
  if (cfg?.kind !== 'container' || state?.kind !== 'container') return;
  for (const [n, s] of state.children) if (s.kind === 'leaf' && cfg.children.has(n)) s.mirror = true;
}
