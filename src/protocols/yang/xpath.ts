/**
 * XPath 1.0 parser (W3C XPath 1.0 sections 2-3, with the YANG function library of RFC 7950
 * section 10) producing an AST for must/when expressions and leafref paths. Evaluation is not here.
 *
 * AST summary:
 * - `binary`: `or and = != < <= > >= + - * div mod |` with left/right operands.
 * - `negate`: unary minus.
 * - `literal` (string), `number`, `variable` (`$name`).
 * - `call`: function name and arguments (core XPath and YANG functions only; others are parse errors).
 * - `path`: a location path; `absolute` when it starts at the root; `base` when it continues a
 *   filter expression (`current()/../x`, `deref(.)/../y`). `//` becomes a `descendant-or-self::node()` step,
 *   `.` is `self::node()` and `..` is `parent::node()`.
 * - `filter`: a primary expression with predicates (`(a|b)[1]`).
 * Name tests keep their prefix as written; the compiler maps prefixes to modules.
 */
import { YangError } from './errors.js';

export type Axis =
  | 'ancestor'
  | 'ancestor-or-self'
  | 'attribute'
  | 'child'
  | 'descendant'
  | 'descendant-or-self'
  | 'following'
  | 'following-sibling'
  | 'namespace'
  | 'parent'
  | 'preceding'
  | 'preceding-sibling'
  | 'self';

export type NodeTest =
  | { kind: 'name'; prefix?: string; local: string }
  | { kind: 'wildcard'; prefix?: string }
  | { kind: 'node-type'; type: 'node' | 'text' | 'comment' | 'processing-instruction'; literal?: string };

export interface Step {
  axis: Axis;
  test: NodeTest;
  predicates: XPathExpr[];
}

export type BinaryOp = 'or' | 'and' | '=' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | 'div' | 'mod' | '|';

export type XPathExpr =
  | { kind: 'binary'; op: BinaryOp; left: XPathExpr; right: XPathExpr }
  | { kind: 'negate'; operand: XPathExpr }
  | { kind: 'literal'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'variable'; name: string }
  | { kind: 'call'; name: string; args: XPathExpr[] }
  | { kind: 'path'; absolute: boolean; base?: XPathExpr; steps: Step[] }
  | { kind: 'filter'; primary: XPathExpr; predicates: XPathExpr[] };

/** Function name → [min args, max args] (max -1 = unbounded). XPath 1.0 core library plus RFC 7950 section 10. */
export const XPATH_FUNCTIONS: Readonly<Record<string, readonly [number, number]>> = {
  last: [0, 0],
  position: [0, 0],
  count: [1, 1],
  id: [1, 1],
  'local-name': [0, 1],
  'namespace-uri': [0, 1],
  name: [0, 1],
  string: [0, 1],
  concat: [2, -1],
  'starts-with': [2, 2],
  contains: [2, 2],
  'substring-before': [2, 2],
  'substring-after': [2, 2],
  substring: [2, 3],
  'string-length': [0, 1],
  'normalize-space': [0, 1],
  translate: [3, 3],
  boolean: [1, 1],
  not: [1, 1],
  true: [0, 0],
  false: [0, 0],
  lang: [1, 1],
  number: [0, 1],
  sum: [1, 1],
  floor: [1, 1],
  ceiling: [1, 1],
  round: [1, 1],
  current: [0, 0],
  're-match': [2, 2],
  deref: [1, 1],
  'derived-from': [2, 2],
  'derived-from-or-self': [2, 2],
  'enum-value': [1, 1],
  'bit-is-set': [2, 2],
};

const AXES = new Set<string>([
  'ancestor',
  'ancestor-or-self',
  'attribute',
  'child',
  'descendant',
  'descendant-or-self',
  'following',
  'following-sibling',
  'namespace',
  'parent',
  'preceding',
  'preceding-sibling',
  'self',
]);
const NODE_TYPES = new Set(['node', 'text', 'comment', 'processing-instruction']);
const MAX_XPATH_LENGTH = 65536;
const MAX_XPATH_DEPTH = 100;

type Tok =
  | { t: 'op'; v: string; at: number }
  | { t: 'name'; v: string; at: number }
  | { t: 'lit'; v: string; at: number }
  | { t: 'num'; v: number; at: number }
  | { t: 'var'; v: string; at: number }
  | { t: 'end'; at: number };

/** A syntax error in an XPath expression; `offset` is the 0-based character position. */
export class XPathSyntaxError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'XPathSyntaxError';
    this.offset = offset;
  }
}

const NCNAME = /[A-Za-z_\u00C0-\uFFFF][A-Za-z0-9_.\-\u00B7\u00C0-\uFFFF]*/y;

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const prevIsOperand = (): boolean => {
    const p = out[out.length - 1];
    if (!p) return false;
    if (p.t === 'op') return p.v === ')' || p.v === ']' || p.v === '.' || p.v === '..' || p.v === '*m';
    return true;
  };
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '//' || two === '::' || two === '..' || two === '!=' || two === '<=' || two === '>=') {
      out.push({ t: 'op', v: two, at: i });
      i += 2;
      continue;
    }
    if (c === '.' && !/[0-9]/.test(src[i + 1] ?? '')) {
      out.push({ t: 'op', v: '.', at: i });
      i++;
      continue;
    }
    if (c === '*') {
      // After an operand, "*" multiplies; otherwise it is a name test.
      out.push({ t: 'op', v: prevIsOperand() ? '*m' : '*', at: i });
      i++;
      continue;
    }
    if ('()[]@,|+-=<>/'.includes(c)) {
      out.push({ t: 'op', v: c, at: i });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new XPathSyntaxError('unterminated string literal', i);
      out.push({ t: 'lit', v: src.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    if (/[0-9.]/.test(c)) {
      const m = /[0-9]*(?:\.[0-9]*)?/y;
      m.lastIndex = i;
      const s = m.exec(src)![0];
      out.push({ t: 'num', v: Number(s), at: i });
      i += s.length;
      continue;
    }
    if (c === '$') {
      NCNAME.lastIndex = i + 1;
      const m = NCNAME.exec(src);
      if (!m) throw new XPathSyntaxError('expected a variable name after "$"', i);
      out.push({ t: 'var', v: m[0], at: i });
      i += 1 + m[0].length;
      continue;
    }
    NCNAME.lastIndex = i;
    const m = NCNAME.exec(src);
    if (!m) throw new XPathSyntaxError(`unexpected character "${c}"`, i);
    let name = m[0];
    const at = i;
    i += name.length;
    if (prevIsOperand() && (name === 'and' || name === 'or' || name === 'div' || name === 'mod')) {
      out.push({ t: 'op', v: name, at });
      continue;
    }
    // QName or prefix:* (but not an axis "name::").
    if (src[i] === ':' && src[i + 1] !== ':') {
      if (src[i + 1] === '*') {
        out.push({ t: 'name', v: `${name}:*`, at });
        i += 2;
        continue;
      }
      NCNAME.lastIndex = i + 1;
      const l = NCNAME.exec(src);
      if (!l) throw new XPathSyntaxError(`expected a local name after "${name}:"`, i);
      name = `${name}:${l[0]}`;
      i += 1 + l[0].length;
    }
    out.push({ t: 'name', v: name, at });
  }
  out.push({ t: 'end', at: src.length });
  return out;
}

class Parser {
  i = 0;
  depth = 0;
  constructor(readonly toks: Tok[]) {}

  peek(k = 0): Tok {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)];
  }
  isOp(v: string, k = 0): boolean {
    const t = this.peek(k);
    return t.t === 'op' && t.v === v;
  }
  expect(v: string): void {
    if (!this.isOp(v)) throw new XPathSyntaxError(`expected "${v}"`, this.peek().at);
    this.i++;
  }
  enter(): void {
    if (++this.depth > MAX_XPATH_DEPTH) throw new XPathSyntaxError(`expression nested deeper than ${MAX_XPATH_DEPTH}`, this.peek().at);
  }

  expr(): XPathExpr {
    this.enter();
    const e = this.binary(0);
    this.depth--;
    return e;
  }

  static readonly LEVELS: readonly (readonly string[])[] = [['or'], ['and'], ['=', '!='], ['<', '<=', '>', '>='], ['+', '-'], ['*m', 'div', 'mod']];

  binary(level: number): XPathExpr {
    if (level >= Parser.LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      if (t.t !== 'op' || !Parser.LEVELS[level].includes(t.v)) return left;
      this.i++;
      const right = this.binary(level + 1);
      left = { kind: 'binary', op: (t.v === '*m' ? '*' : t.v) as BinaryOp, left, right };
    }
  }

  unary(): XPathExpr {
    if (this.isOp('-')) {
      this.i++;
      this.enter();
      const operand = this.unary();
      this.depth--;
      return { kind: 'negate', operand };
    }
    let left = this.pathExpr();
    while (this.isOp('|')) {
      this.i++;
      left = { kind: 'binary', op: '|', left, right: this.pathExpr() };
    }
    return left;
  }

  startsPrimary(): boolean {
    const t = this.peek();
    if (t.t === 'lit' || t.t === 'num' || t.t === 'var') return true;
    if (t.t === 'op') return t.v === '(';
    if (t.t === 'name') return this.isOp('(', 1) && !NODE_TYPES.has(t.v);
    return false;
  }

  pathExpr(): XPathExpr {
    if (!this.startsPrimary()) return this.locationPath();
    let base = this.primary();
    const predicates = this.predicates();
    if (predicates.length) base = { kind: 'filter', primary: base, predicates };
    if (this.isOp('/') || this.isOp('//')) {
      const steps: Step[] = [];
      this.relative(steps);
      return { kind: 'path', absolute: false, base, steps };
    }
    return base;
  }

  primary(): XPathExpr {
    const t = this.peek();
    this.i++;
    if (t.t === 'lit') return { kind: 'literal', value: t.v };
    if (t.t === 'num') return { kind: 'number', value: t.v };
    if (t.t === 'var') return { kind: 'variable', name: t.v };
    if (t.t === 'op') {
      const e = this.expr();
      this.expect(')');
      return e;
    }
    if (t.t !== 'name') throw new XPathSyntaxError('expected an expression', t.at);
    const spec = XPATH_FUNCTIONS[t.v];
    if (!spec) throw new XPathSyntaxError(`unknown function "${t.v}()"`, t.at);
    this.expect('(');
    const args: XPathExpr[] = [];
    if (!this.isOp(')')) {
      args.push(this.expr());
      while (this.isOp(',')) {
        this.i++;
        args.push(this.expr());
      }
    }
    this.expect(')');
    if (args.length < spec[0] || (spec[1] >= 0 && args.length > spec[1])) {
      throw new XPathSyntaxError(`wrong number of arguments to ${t.v}() (${args.length})`, t.at);
    }
    return { kind: 'call', name: t.v, args };
  }

  predicates(): XPathExpr[] {
    const out: XPathExpr[] = [];
    while (this.isOp('[')) {
      this.i++;
      out.push(this.expr());
      this.expect(']');
    }
    return out;
  }

  locationPath(): XPathExpr {
    const steps: Step[] = [];
    if (this.isOp('/')) {
      this.i++;
      if (this.startsStep()) this.steps(steps);
      return { kind: 'path', absolute: true, steps };
    }
    if (this.isOp('//')) {
      this.i++;
      steps.push(descendantOrSelf());
      this.steps(steps);
      return { kind: 'path', absolute: true, steps };
    }
    if (!this.startsStep()) throw new XPathSyntaxError('expected an expression', this.peek().at);
    this.steps(steps);
    return { kind: 'path', absolute: false, steps };
  }

  relative(steps: Step[]): void {
    while (this.isOp('/') || this.isOp('//')) {
      if (this.isOp('//')) steps.push(descendantOrSelf());
      this.i++;
      steps.push(this.step());
    }
  }

  steps(steps: Step[]): void {
    steps.push(this.step());
    this.relative(steps);
  }

  startsStep(): boolean {
    const t = this.peek();
    if (t.t === 'name') return true;
    return t.t === 'op' && (t.v === '.' || t.v === '..' || t.v === '@' || t.v === '*');
  }

  step(): Step {
    if (this.isOp('.')) {
      this.i++;
      return { axis: 'self', test: { kind: 'node-type', type: 'node' }, predicates: [] };
    }
    if (this.isOp('..')) {
      this.i++;
      return { axis: 'parent', test: { kind: 'node-type', type: 'node' }, predicates: [] };
    }
    let axis: Axis = 'child';
    if (this.isOp('@')) {
      this.i++;
      axis = 'attribute';
    } else if (this.peek().t === 'name' && this.isOp('::', 1)) {
      const name = (this.peek() as { v: string }).v;
      if (!AXES.has(name)) throw new XPathSyntaxError(`unknown axis "${name}"`, this.peek().at);
      axis = name as Axis;
      this.i += 2;
    }
    const t = this.peek();
    let test: NodeTest;
    if (t.t === 'op' && t.v === '*') {
      this.i++;
      test = { kind: 'wildcard' };
    } else if (t.t === 'name') {
      this.i++;
      if (NODE_TYPES.has(t.v) && this.isOp('(')) {
        this.i++;
        let literal: string | undefined;
        const l = this.peek();
        if (t.v === 'processing-instruction' && l.t === 'lit') {
          literal = l.v;
          this.i++;
        }
        this.expect(')');
        test = { kind: 'node-type', type: t.v as 'node', literal };
      } else if (t.v.endsWith(':*')) {
        test = { kind: 'wildcard', prefix: t.v.slice(0, -2) };
      } else {
        const c = t.v.indexOf(':');
        test = c > 0 ? { kind: 'name', prefix: t.v.slice(0, c), local: t.v.slice(c + 1) } : { kind: 'name', local: t.v };
      }
    } else {
      throw new XPathSyntaxError('expected a node test', t.at);
    }
    return { axis, test, predicates: this.predicates() };
  }
}

function descendantOrSelf(): Step {
  return { axis: 'descendant-or-self', test: { kind: 'node-type', type: 'node' }, predicates: [] };
}

/** Parses an XPath 1.0 expression; throws XPathSyntaxError with the offset of the fault. */
export function parseXPath(src: string): XPathExpr {
  if (src.length > MAX_XPATH_LENGTH) throw new XPathSyntaxError(`expression longer than ${MAX_XPATH_LENGTH} characters`, 0);
  const p = new Parser(tokenize(src));
  const e = p.expr();
  const t = p.peek();
  if (t.t !== 'end') throw new XPathSyntaxError('unexpected token after the expression', t.at);
  return e;
}

/**
 * Parses a leafref `path` argument (RFC 7950 section 9.9.2: path-arg): an absolute or relative
 * location path of child and parent steps whose predicates are `name = current()/../path`.
 */
export function parseLeafrefPath(src: string): XPathExpr & { kind: 'path' } {
  const e = parseXPath(src);
  const fail = (m: string): never => {
    throw new XPathSyntaxError(`not a leafref path: ${m}`, 0);
  };
  if (e.kind !== 'path' || e.base) return fail('expected a location path');
  let sawChild = false;
  for (const s of e.steps) {
    if (s.axis === 'parent' && s.test.kind === 'node-type') {
      if (sawChild || e.absolute) fail('".." only at the start of a relative path');
      continue;
    }
    if (s.axis !== 'child' || s.test.kind !== 'name') return fail('only node names and ".." are allowed');
    sawChild = true;
    for (const p of s.predicates) {
      if (p.kind !== 'binary' || p.op !== '=' || p.left.kind !== 'path' || p.right.kind !== 'path') fail('predicates must be "name = current()/..."');
    }
  }
  if (!sawChild) fail('the path names no node');
  return e;
}

/** Wraps an XPath syntax error as a YangError at a statement's location. */
export function xpathError(e: unknown, expr: string, loc: YangError['loc'], statement: string): YangError {
  if (e instanceof XPathSyntaxError) {
    return new YangError(`invalid XPath "${expr}": ${e.message} at offset ${e.offset}`, loc, statement);
  }
  return e instanceof YangError ? e : new YangError(String(e), loc, statement);
}
