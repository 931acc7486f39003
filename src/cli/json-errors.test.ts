import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findJsonSyntaxError, lineColumn } from './json-errors.js';

describe('findJsonSyntaxError', () => {
  it('accepts valid JSON of every kind', () => {
    for (const text of ['{}', '[]', ' 0 ', '-1.5e+3', '"a\\u00e9\\n"', 'true', 'null', '{"a":[1,{"b":false}],"c":""}\n']) {
      assert.equal(findJsonSyntaxError(text), undefined, text);
    }
  });

  it('locates errors V8 reports without a position', () => {
    const p = findJsonSyntaxError('{\n  "a": 1,\n  "b": x\n}');
    assert.deepEqual(p && { line: p.line, column: p.column, offset: p.offset }, { line: 3, column: 8, offset: 19 });
    assert.match(p!.message, /unexpected character "x"/);
    const q = findJsonSyntaxError('[1,2,,3]');
    assert.equal(q?.offset, 5);
  });

  it('names trailing commas, missing commas, bad literals and premature ends', () => {
    assert.match(findJsonSyntaxError('{"a": 1,}')!.message, /trailing comma/);
    assert.match(findJsonSyntaxError('[1,]')!.message, /trailing comma/);
    assert.match(findJsonSyntaxError('{"a": 1 "b": 2}')!.message, /expected "," or "}"/);
    assert.match(findJsonSyntaxError('{"a": tru}')!.message, /expected "true"/);
    assert.match(findJsonSyntaxError('{"a": 1')!.message, /end of input/);
    assert.match(findJsonSyntaxError('')!.message, /end of input/);
    assert.match(findJsonSyntaxError('{} x')!.message, /after the JSON value/);
    assert.match(findJsonSyntaxError('"a\tb"')!.message, /control character/);
    assert.match(findJsonSyntaxError('01')!.message, /after the JSON value/);
    assert.match(findJsonSyntaxError('"\\x"')!.message, /invalid escape/);
  });

  it('agrees with the position V8 gives where it gives one', () => {
    for (const text of ['{"a": 1,}', '{"a":\n 1 \n "b": 2}', '{} x', '{"a":"b\tc"}', '{"a" 1}']) {
      let v8: number | undefined;
      try {
        JSON.parse(text);
      } catch (e) {
        const m = /at position (\d+)/.exec((e as Error).message);
        v8 = m ? Number(m[1]) : undefined;
      }
      assert.ok(v8 !== undefined, `V8 gave no position for ${text}`);
      assert.equal(findJsonSyntaxError(text)?.offset, v8, text);
    }
  });

  it('converts offsets to 1-based line and column', () => {
    assert.deepEqual(lineColumn('ab\ncd\nef', 0), { line: 1, column: 1 });
    assert.deepEqual(lineColumn('ab\ncd\nef', 4), { line: 2, column: 2 });
    assert.deepEqual(lineColumn('ab\n', 3), { line: 2, column: 1 });
  });
});
