import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { YangError } from './errors.js';
import { parseYang, subArg } from './parser.js';
import { parseLeafrefPath, parseXPath, XPathSyntaxError } from './xpath.js';

const QUOTES = new URL('./testdata/good/quotes.yang', import.meta.url).pathname;

describe('statement parser', () => {
  it('applies quoting rules, escapes, indentation stripping and concatenation', () => {
    const m = parseYang(readFileSync(QUOTES, 'utf8'), 'quotes.yang');
    assert.equal(subArg(m, 'description'), 'first line\nsecond line\tTab "quoted"');
    assert.equal(subArg(m, 'contact'), 'single \\n kept and joined');
    assert.equal(m.subs.find((s) => s.keyword === 'leaf')?.loc.line, 10);
  });

  it('keeps extension statements with their prefix', () => {
    const m = parseYang('module m { namespace "u"; prefix m; oc-ext:posix-pattern "^a$"; }', 'm.yang');
    const ext = m.subs[2];
    assert.equal(ext.prefix, 'oc-ext');
    assert.equal(ext.arg, '^a$');
  });

  it('rejects bad escapes in YANG 1.1 only', () => {
    assert.throws(() => parseYang('module m { yang-version 1.1; description "a\\qb"; }', 'm.yang'), /invalid escape/);
    assert.equal(subArg(parseYang('module m { description "a\\qb"; }', 'm.yang'), 'description'), 'a\\qb');
  });

  it('names file, line, column and statement in errors', () => {
    try {
      parseYang('module m {\n  leaf x {\n    type string\n  }\n}\n', 'x.yang');
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof YangError);
      assert.equal(e.message, 'x.yang:4:3: expected ";" or "{", found "}" (in statement "type")');
    }
  });

  it('bounds nesting depth and size', { timeout: 5000 }, () => {
    const deep = `module m { ${'container c { '.repeat(10000)}${'}'.repeat(10000)} }`;
    assert.throws(() => parseYang(deep, 'deep.yang'), /nested deeper than 256/);
    assert.throws(() => parseYang('module m {}', 'big.yang', { maxDepth: 10, maxChars: 5, maxStatements: 10 }), /file too large/);
  });

  it('rejects content that is not a module', () => {
    assert.throws(() => parseYang('container c {}', 'c.yang'), /expected "module" or "submodule"/);
    assert.throws(() => parseYang('module m {} extra;', 'c.yang'), /unexpected content/);
    assert.throws(() => parseYang('module m { /* open', 'c.yang'), /unterminated comment/);
  });
});

describe('XPath parser', () => {
  it('parses paths, predicates, functions and operator precedence', () => {
    const e = parseXPath("../a:b[name = current()/../c] and count(x/*) > 2 * 3 or not(derived-from-or-self(t, 'p:id'))");
    assert.equal(e.kind, 'binary');
    if (e.kind !== 'binary') return;
    assert.equal(e.op, 'or');
    assert.equal(e.left.kind === 'binary' && e.left.op, 'and');
    const path = parseXPath('/if:interfaces/if:interface[if:name=current()]/if:mtu');
    assert.ok(path.kind === 'path' && path.absolute && path.steps.length === 3);
    if (path.kind === 'path') assert.deepEqual(path.steps[1].test, { kind: 'name', prefix: 'if', local: 'interface' });
    assert.deepEqual(parseXPath('a div b mod 2'), {
      kind: 'binary',
      op: 'mod',
      left: { kind: 'binary', op: 'div', left: pathOf('a'), right: pathOf('b') },
      right: { kind: 'number', value: 2 },
    });
  });

  it('knows the YANG function library and checks arity', () => {
    for (const f of ['re-match(., "a")', 'deref(.)/../x', 'bit-is-set(., "b")', 'enum-value(.)', 'local-name()', 'name(..)', 'contains(a, "b")']) parseXPath(f);
    assert.throws(() => parseXPath('frobnicate(.)'), /unknown function "frobnicate\(\)"/);
    assert.throws(() => parseXPath('not()'), /wrong number of arguments/);
  });

  it('reports the offset of a syntax error and bounds depth', () => {
    try {
      parseXPath('a = = b');
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof XPathSyntaxError);
      assert.equal(e.offset, 4);
    }
    assert.throws(() => parseXPath(`${'('.repeat(500)}1${')'.repeat(500)}`), /nested deeper/);
  });

  it('accepts only the leafref path subset for path', () => {
    parseLeafrefPath('../../server[name = current()/../peer]/port');
    assert.throws(() => parseLeafrefPath('count(a)'), /not a leafref path/);
    assert.throws(() => parseLeafrefPath('a/../b'), /not a leafref path/);
  });
});

function pathOf(name: string) {
  return { kind: 'path', absolute: false, steps: [{ axis: 'child', test: { kind: 'name', local: name }, predicates: [] }] };
}
