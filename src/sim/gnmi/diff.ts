/** Leaf-level differences between two readable trees (counters excluded), for ON_CHANGE. */
import type { PathElem } from '../../protocols/gnmi/target.js';
import { type EntryMap, entryElem, type Obj } from './data.js';
import type { Scalar } from './leaf-types.js';
import type { InnerSchema, LeafListSchema, LeafSchema, SchemaNode } from './schema.js';

export interface DiffSink {
  update(elems: PathElem[], schema: LeafSchema | LeafListSchema, value: Scalar | Scalar[]): void;
  delete(elems: PathElem[]): void;
}

function same(a: Scalar | Scalar[], b: Scalar | Scalar[]): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/** Elements are built only for the leaves reported, so unchanged subtrees cost a walk and nothing more. */
type Lazy = () => PathElem[];

export function diffTrees(schema: InnerSchema, before: Obj | undefined, after: Obj | undefined, sink: DiffSink): void {
  diffObj(schema, before, after, () => [], sink);
}

function diffObj(schema: InnerSchema, a: Obj | undefined, b: Obj | undefined, at: Lazy, sink: DiffSink): void {
  if (a === b) return;
  const names = new Set([...Object.keys(b ?? {}), ...Object.keys(a ?? {})]);
  for (const name of names) {
    const child = schema.children.get(name) as SchemaNode;
    const av = a?.[name];
    const bv = b?.[name];
    const here: Lazy = () => [...at(), { name }];
    switch (child.kind) {
      case 'leaf':
      case 'leaf-list':
        if (bv === undefined) sink.delete(here());
        else if (av === undefined || !same(av as Scalar | Scalar[], bv as Scalar | Scalar[])) {
          sink.update(here(), child, bv as Scalar | Scalar[]);
        }
        break;
      case 'container':
        if (!child.counters) diffObj(child, av as Obj | undefined, bv as Obj | undefined, here, sink);
        break;
      case 'list': {
        const am = av as EntryMap | undefined;
        const bm = bv as EntryMap | undefined;
        if (am === bm) break;
        // Entries a commit did not touch are the same objects (copy-on-write): skipped without a closure.
        const entry = (ae: Obj | undefined, be: Obj | undefined) => {
          if (ae !== be) diffObj(child, ae, be, () => [...at(), entryElem(child, (be ?? ae) as Obj)], sink);
        };
        for (const [k, be] of bm ?? []) entry(am?.get(k), be);
        for (const [k, ae] of am ?? []) if (!bm?.has(k)) entry(ae, undefined);
        break;
      }
    }
  }
}
