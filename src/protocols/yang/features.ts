/**
 * if-feature expressions (RFC 7950 section 7.20.2): `not`, `and`, `or`, parentheses and
 * feature names (optionally prefixed). YANG 1.0 allows only a single name, which is a valid expression too.
 */

export type FeatureExpr =
  | { op: 'ref'; prefix?: string; name: string }
  | { op: 'not'; arg: FeatureExpr }
  | { op: 'and' | 'or'; args: FeatureExpr[] };

export function parseFeatureExpr(src: string): FeatureExpr {
  const toks = src.match(/\(|\)|[^\s()]+/g) ?? [];
  let i = 0;
  const fail = (m: string): never => {
    throw new Error(`invalid if-feature expression "${src}": ${m}`);
  };
  const factor = (depth: number): FeatureExpr => {
    if (depth > 64) fail('nested too deeply');
    const t = toks[i++];
    if (t === undefined) return fail('unexpected end');
    if (t === 'not') return { op: 'not', arg: factor(depth + 1) };
    if (t === '(') {
      const e = expr(depth + 1);
      if (toks[i++] !== ')') fail('expected ")"');
      return e;
    }
    if (t === ')' || t === 'and' || t === 'or') fail(`unexpected "${t}"`);
    const m = /^(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)$/.exec(t);
    if (!m) return fail(`bad feature name "${t}"`);
    return m[1] ? { op: 'ref', prefix: m[1], name: m[2] } : { op: 'ref', name: m[2] };
  };
  const term = (depth: number): FeatureExpr => {
    const args = [factor(depth)];
    while (toks[i] === 'and') {
      i++;
      args.push(factor(depth));
    }
    return args.length === 1 ? args[0] : { op: 'and', args };
  };
  const expr = (depth: number): FeatureExpr => {
    const args = [term(depth)];
    while (toks[i] === 'or') {
      i++;
      args.push(term(depth));
    }
    return args.length === 1 ? args[0] : { op: 'or', args };
  };
  const e = expr(0);
  if (i < toks.length) fail(`unexpected "${toks[i]}"`);
  return e;
}

export function evalFeatureExpr(e: FeatureExpr, lookup: (prefix: string | undefined, name: string) => boolean): boolean {
  switch (e.op) {
    case 'ref':
      return lookup(e.prefix, e.name);
    case 'not':
      return !evalFeatureExpr(e.arg, lookup);
    case 'and':
      return e.args.every((a) => evalFeatureExpr(a, lookup));
    case 'or':
      return e.args.some((a) => evalFeatureExpr(a, lookup));
  }
}
