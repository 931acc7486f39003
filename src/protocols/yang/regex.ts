/**
 * XML Schema regular expressions (XSD 1.0 Part 2, Appendix F, as YANG patterns use them) and POSIX
 * extended regular expressions (OpenConfig `posix-pattern`) translated to anchored JavaScript
 * RegExps with the `u` flag.
 */

const NAME_START = 'A-Za-z_:\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;

const BLOCKS: Record<string, string> = {
  BasicLatin: '\\u0000-\\u007F',
  'Latin-1Supplement': '\\u0080-\\u00FF',
  LatinExtended: '\\u0100-\\u024F',
  'LatinExtended-A': '\\u0100-\\u017F',
  'LatinExtended-B': '\\u0180-\\u024F',
  Greek: '\\u0370-\\u03FF',
  Cyrillic: '\\u0400-\\u04FF',
};

/** Translates one escape at `src[i] === '\\'`; returns [js text usable inside a class, js text outside, consumed]. */
function xsdEscape(src: string, i: number): { inClass: string; outside: string; len: number } {
  const c = src[i + 1];
  if (c === undefined) throw new Error('pattern ends with "\\"');
  switch (c) {
    case 'i':
      return { inClass: NAME_START, outside: `[${NAME_START}]`, len: 2 };
    case 'I':
      return { inClass: '', outside: `[^${NAME_START}]`, len: 2 };
    case 'c':
      return { inClass: NAME_CHAR, outside: `[${NAME_CHAR}]`, len: 2 };
    case 'C':
      return { inClass: '', outside: `[^${NAME_CHAR}]`, len: 2 };
    case 'd':
      return { inClass: '\\p{Nd}', outside: '\\p{Nd}', len: 2 };
    case 'D':
      return { inClass: '\\P{Nd}', outside: '\\P{Nd}', len: 2 };
    case 'w':
      return { inClass: '\\p{L}\\p{M}\\p{N}\\p{S}', outside: '[\\p{L}\\p{M}\\p{N}\\p{S}]', len: 2 };
    case 'W':
      return { inClass: '\\p{P}\\p{Z}\\p{C}', outside: '[\\p{P}\\p{Z}\\p{C}]', len: 2 };
    case 's':
      return { inClass: ' \\t\\n\\r', outside: '[ \\t\\n\\r]', len: 2 };
    case 'S':
      return { inClass: '', outside: '[^ \\t\\n\\r]', len: 2 };
    case 'p':
    case 'P': {
      const end = src.indexOf('}', i);
      if (src[i + 2] !== '{' || end < 0) throw new Error(`bad \\${c} escape`);
      const name = src.slice(i + 3, end);
      const len = end - i + 1;
      if (name.startsWith('Is')) {
        const block = BLOCKS[name.slice(2)];
        if (!block) throw new Error(`unsupported Unicode block "${name}"`);
        return c === 'p' ? { inClass: block, outside: `[${block}]`, len } : { inClass: '', outside: `[^${block}]`, len };
      }
      const js = `\\${c}{${name}}`;
      return { inClass: js, outside: js, len };
    }
    case 'n':
    case 'r':
    case 't':
      return { inClass: `\\${c}`, outside: `\\${c}`, len: 2 };
    default:
      if ('\\|.-^?*+{}()[]$'.includes(c)) return { inClass: `\\${c}`, outside: c === '-' ? '-' : `\\${c}`, len: 2 };
      throw new Error(`invalid escape "\\${c}"`);
  }
}

/** Translates a character class starting at src[i] === '['; returns JS text and the index after it. */
function charClass(src: string, i: number, depth: number): { js: string; end: number } {
  if (depth > 8) throw new Error('character classes nested too deeply');
  let j = i + 1;
  let negate = false;
  if (src[j] === '^') {
    negate = true;
    j++;
  }
  let body = '';
  let subtract: string | undefined;
  let first = true;
  while (j < src.length && src[j] !== ']') {
    const c = src[j];
    if (c === '-' && src[j + 1] === '[') {
      const s = charClass(src, j + 1, depth + 1);
      subtract = s.js;
      j = s.end;
      if (src[j] !== ']') throw new Error('character class subtraction must end the class');
      break;
    }
    if (c === '\\') {
      const e = xsdEscape(src, j);
      if (e.inClass === '' && e.outside.startsWith('[^')) {
        throw new Error(`"${src.slice(j, j + e.len)}" inside a character class is not supported`);
      }
      body += e.inClass;
      j += e.len;
    } else if (c === '[') {
      body += '\\[';
      j++;
    } else if (c === '-' && !first && src[j + 1] !== ']') {
      body += '-';
      j++;
    } else if (c === '-') {
      body += '\\-';
      j++;
    } else {
      body += c === '/' || c === '|' || c === '{' || c === '}' || c === '(' || c === ')' ? `\\${c}` : c;
      j++;
    }
    first = false;
  }
  if (src[j] !== ']') throw new Error('unterminated character class');
  const base = `[${negate ? '^' : ''}${body}]`;
  return { js: subtract ? `(?:(?!${subtract})${base})` : base, end: j + 1 };
}

/** XSD regular expression → anchored JS RegExp (`u` flag). Throws an Error describing the fault. */
export function xsdToRegExp(pattern: string): RegExp {
  let js = '';
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i];
    if (c === '\\') {
      const e = xsdEscape(pattern, i);
      js += e.outside;
      i += e.len;
    } else if (c === '[') {
      const cc = charClass(pattern, i, 0);
      js += cc.js;
      i = cc.end;
    } else if (c === '^' || c === '$' || c === '/') {
      js += `\\${c}`;
      i++;
    } else if (c === '(' && pattern[i + 1] === '?') {
      throw new Error('"(?" is not XSD syntax');
    } else {
      js += c;
      i++;
    }
  }
  return new RegExp(`^(?:${js})$`, 'u');
}

const POSIX_CLASSES: Record<string, string> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: 'A-Za-z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  xdigit: '0-9A-Fa-f',
  punct: '!-\\/:-@\\[-`{-~',
  blank: ' \\t',
  cntrl: '\\x00-\\x1F\\x7F',
  print: ' -~',
  graph: '!-~',
};

/** POSIX ERE (as OpenConfig writes them, anchors included) → JS RegExp (`u` flag). */
export function posixToRegExp(pattern: string): RegExp {
  let js = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (inClass) {
      const m = /^\[:([a-z]+):\]/.exec(pattern.slice(i));
      if (m) {
        const cls = POSIX_CLASSES[m[1]];
        if (!cls) throw new Error(`unknown POSIX class "${m[1]}"`);
        js += cls;
        i += m[0].length - 1;
        continue;
      }
      if (c === ']' && !/\[\^?$/.test(js)) inClass = false;
      js += c === '\\' ? '\\\\' : c === '[' || c === '/' || c === '{' || c === '}' || c === '(' || c === ')' || c === '|' ? `\\${c}` : c;
      if (c === '-' && pattern[i + 1] === ']') js = `${js.slice(0, -1)}\\-`;
      continue;
    }
    if (c === '[') inClass = true;
    js += c;
    if (c === '\\' && i + 1 < pattern.length) {
      const n = pattern[++i];
      // In a `u` RegExp only syntax characters and letters may follow a backslash.
      if (/[A-Za-z0-9^$\\.*+?()[\]{}|/]/.test(n)) js += n;
      else js = js.slice(0, -1) + n;
    }
  }
  if (!js.startsWith('^')) js = `^(?:${js})`;
  if (!js.endsWith('$') || js.endsWith('\\$')) js = `(?:${js})$`;
  return new RegExp(js, 'u');
}
