/**
 * YANG statement parser (RFC 7950 section 6, RFC 6020 section 6): turns module text into a tree of
 * generic statements. It knows the lexical rules (quoting, escapes, concatenation, comments) and
 * nothing of what the statements mean; the compiler gives them meaning.
 */
import { type Location, YangError } from './errors.js';

/** One statement: `keyword [argument] (";" | "{" substatements "}")`. */
export interface Stmt {
  /** The keyword as written: `container`, or `prefix:name` for an extension. */
  keyword: string;
  /** The extension's module prefix; absent for YANG keywords. */
  prefix?: string;
  /** The argument after quoting and concatenation, or undefined when there is none. */
  arg?: string;
  subs: Stmt[];
  loc: Location;
}

export interface ParseLimits {
  /** Deepest statement nesting accepted. */
  maxDepth: number;
  /** Largest source accepted, in characters. */
  maxChars: number;
  /** Most statements in one file. */
  maxStatements: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxDepth: 256, maxChars: 32 * 1024 * 1024, maxStatements: 2_000_000 };

const KEYWORD = /^(?:[A-Za-z_][A-Za-z0-9_.-]*:)?[A-Za-z_][A-Za-z0-9_.-]*$/;

class Lexer {
  pos = 0;
  line = 1;
  lineStart = 0;
  constructor(
    readonly text: string,
    readonly file: string,
    readonly yang11: () => boolean,
  ) {}

  loc(): Location {
    return { file: this.file, line: this.line, col: this.pos - this.lineStart + 1 };
  }

  fail(msg: string, statement?: string, loc: Location = this.loc()): never {
    throw new YangError(msg, loc, statement);
  }

  private newline(at: number): void {
    this.line++;
    this.lineStart = at + 1;
  }

  /** Skips whitespace and comments; returns the next character or '' at the end. */
  skip(): string {
    const t = this.text;
    for (;;) {
      const c = t[this.pos];
      if (c === '\n') {
        this.newline(this.pos);
        this.pos++;
      } else if (c === ' ' || c === '\t' || c === '\r') {
        this.pos++;
      } else if (c === '/' && t[this.pos + 1] === '/') {
        const end = t.indexOf('\n', this.pos);
        this.pos = end < 0 ? t.length : end;
      } else if (c === '/' && t[this.pos + 1] === '*') {
        const start = this.loc();
        const end = t.indexOf('*/', this.pos + 2);
        if (end < 0) this.fail('unterminated comment', undefined, start);
        for (let i = this.pos; i < end; i++) if (t[i] === '\n') this.newline(i);
        this.pos = end + 2;
      } else {
        return c ?? '';
      }
    }
  }

  /** An unquoted token: a keyword or an unquoted argument. */
  unquoted(): string {
    const t = this.text;
    const start = this.pos;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ';' || c === '{' || c === '}') break;
      if (c === '/' && (t[this.pos + 1] === '/' || t[this.pos + 1] === '*')) break;
      if (c === '"' || c === "'") this.fail(`quote character inside an unquoted string "${t.slice(start, this.pos)}"`);
      this.pos++;
    }
    return t.slice(start, this.pos);
  }

  /** One quoted string (the opening quote is at pos). */
  quoted(statement: string): string {
    const t = this.text;
    const q = t[this.pos];
    const start = this.loc();
    const quoteCol = this.pos - this.lineStart;
    this.pos++;
    if (q === "'") {
      const end = t.indexOf("'", this.pos);
      if (end < 0) this.fail('unterminated single-quoted string', statement, start);
      const s = t.slice(this.pos, end);
      for (let i = this.pos; i < end; i++) if (t[i] === '\n') this.newline(i);
      this.pos = end + 1;
      return s;
    }
    let out = '';
    for (;;) {
      if (this.pos >= t.length) this.fail('unterminated double-quoted string', statement, start);
      const c = t[this.pos];
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '\\') {
        const e = t[this.pos + 1];
        if (e === 'n') out += '\n';
        else if (e === 't') out += '\t';
        else if (e === '"') out += '"';
        else if (e === '\\') out += '\\';
        else if (this.yang11()) this.fail(`invalid escape "\\${e ?? ''}" in a double-quoted string`, statement);
        else out += `\\${e ?? ''}`;
        this.pos += 2;
        continue;
      }
      if (c === '\n') {
        let end = out.length;
        while (end > 0 && (out[end - 1] === ' ' || out[end - 1] === '\t')) end--;
        out = `${out.slice(0, end)}\n`;
        this.newline(this.pos);
        this.pos++;
        // Strip indentation up to and including the column of the opening quote (a tab reaches the next multiple of 8).
        const limit = quoteCol + 1;
        let col = 0;
        while (this.pos < t.length && col < limit) {
          const w = t[this.pos];
          let next: number;
          if (w === ' ') next = col + 1;
          else if (w === '\t') next = (Math.floor(col / 8) + 1) * 8;
          else break;
          this.pos++;
          if (next > limit) out += ' '.repeat(next - limit);
          col = next;
        }
        continue;
      }
      if (c === '\r' && t[this.pos + 1] === '\n') {
        this.pos++;
        continue;
      }
      // A run of ordinary characters is copied in one slice (descriptions are long).
      let j = this.pos + 1;
      for (; j < t.length; j++) {
        const d = t.charCodeAt(j);
        if (d === 34 || d === 92 || d === 10 || d === 13) break;
      }
      out += t.slice(this.pos, j);
      this.pos = j;
    }
  }
}

/** Parses one YANG file into its top-level statement (module or submodule). */
export function parseYang(text: string, file: string, limits: ParseLimits = DEFAULT_PARSE_LIMITS): Stmt {
  if (text.length > limits.maxChars) throw new YangError(`file too large (${text.length} characters; limit ${limits.maxChars})`, { file, line: 1, col: 1 });
  let yang11 = false;
  const lx = new Lexer(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, file, () => yang11);
  let count = 0;

  const argument = (keyword: string): string | undefined => {
    const c = lx.skip();
    if (c === ';' || c === '{') return undefined;
    if (c === '') lx.fail('unexpected end of file after the keyword', keyword);
    if (c === '}') lx.fail('unexpected "}" after the keyword', keyword);
    if (c !== '"' && c !== "'") return lx.unquoted();
    let s = lx.quoted(keyword);
    for (;;) {
      const save = { pos: lx.pos, line: lx.line, lineStart: lx.lineStart };
      if (lx.skip() !== '+') {
        Object.assign(lx, save);
        return s;
      }
      lx.pos++;
      const n = lx.skip();
      if (n !== '"' && n !== "'") lx.fail('expected a quoted string after "+"', keyword);
      s += lx.quoted(keyword);
    }
  };

  const statement = (depth: number): Stmt => {
    if (depth > limits.maxDepth) lx.fail(`statements nested deeper than ${limits.maxDepth}`);
    if (++count > limits.maxStatements) lx.fail(`more than ${limits.maxStatements} statements`);
    const loc = lx.loc();
    const c = lx.text[lx.pos];
    if (c === '"' || c === "'") lx.fail('expected a keyword, found a quoted string');
    const keyword = lx.unquoted();
    if (!KEYWORD.test(keyword)) lx.fail(`invalid keyword "${keyword}"`, undefined, loc);
    const colon = keyword.indexOf(':');
    const stmt: Stmt = { keyword, arg: undefined, subs: [], loc };
    if (colon > 0) stmt.prefix = keyword.slice(0, colon);
    stmt.arg = argument(keyword);
    if (keyword === 'yang-version' && stmt.arg === '1.1') yang11 = true;
    const end = lx.skip();
    if (end === ';') {
      lx.pos++;
      return stmt;
    }
    if (end !== '{') lx.fail(end === '' ? 'unexpected end of file: expected ";" or "{"' : `expected ";" or "{", found "${end}"`, keyword);
    lx.pos++;
    for (;;) {
      const n = lx.skip();
      if (n === '}') {
        lx.pos++;
        return stmt;
      }
      if (n === '') lx.fail(`unexpected end of file: "${keyword}" at line ${loc.line} is not closed`, keyword);
      if (n === ';') lx.fail('unexpected ";"', keyword);
      if (n === '{') lx.fail('unexpected "{"', keyword);
      stmt.subs.push(statement(depth + 1));
    }
  };

  if (lx.skip() === '') lx.fail('empty file: expected "module" or "submodule"');
  const top = statement(0);
  if (top.keyword !== 'module' && top.keyword !== 'submodule') {
    throw new YangError(`expected "module" or "submodule", found "${top.keyword}"`, top.loc);
  }
  if (!top.arg) throw new YangError('module name missing', top.loc, top.keyword);
  if (lx.skip() !== '') lx.fail('unexpected content after the end of the module');
  return top;
}

/** The first substatement with this keyword. */
export function sub(s: Stmt, keyword: string): Stmt | undefined {
  for (const c of s.subs) if (c.keyword === keyword) return c;
  return undefined;
}

/** The argument of the first substatement with this keyword. */
export function subArg(s: Stmt, keyword: string): string | undefined {
  return sub(s, keyword)?.arg;
}

/** All substatements with this keyword. */
export function subsOf(s: Stmt, keyword: string): Stmt[] {
  return s.subs.filter((c) => c.keyword === keyword);
}
