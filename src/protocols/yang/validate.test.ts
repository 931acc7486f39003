import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compileModules } from './compiler.js';
import { toJson, toXml } from './data-write.js';
import { ModuleLoader } from './loader.js';
import { validateInstance } from './validate.js';

const DATA = new URL('./testdata/instances/', import.meta.url).pathname;
const schema = compileModules(new ModuleLoader([DATA]), [{ file: join(DATA, 'vt.yang') }]);
const okJson = readFileSync(join(DATA, 'ok.json'), 'utf8');

describe('instance validation', () => {
  it('accepts the valid document in JSON and in XML', () => {
    assert.deepEqual(validateInstance(schema, okJson, { format: 'json', type: 'config' }).errors, []);
    assert.deepEqual(validateInstance(schema, readFileSync(join(DATA, 'ok.xml'), 'utf8'), { format: 'xml', type: 'config' }).errors, []);
  });

  it('reports every error with its data path and code', () => {
    const d = JSON.parse(okJson);
    d['vt:top'].level = 25;
    d['vt:top'].mode = 'medium';
    d['vt:server'][1].name = 'a';
    d['vt:refs']['server-name'] = 'zz';
    const r = validateInstance(schema, JSON.stringify(d), { format: 'json', type: 'config' });
    assert.equal(r.valid, false);
    const got = r.errors.map((e) => `${e.code} ${e.path}`);
    for (const want of [
      'YANG_DATA_RANGE /vt:top/level',
      'YANG_DATA_ENUM /vt:top/mode',
      "YANG_DATA_DUPLICATE_KEY /vt:server[name='a'][port='1']",
      'YANG_DATA_LEAFREF /vt:refs/server-name',
    ]) {
      assert.ok(got.includes(want), `${want} not in ${got.join('; ')}`);
    }
  });

  it('a JSON member named twice in one object is an error (JSON.parse alone would keep the last)', () => {
    const text = '{"vt:top": {"level": 15, "mode": "slow", "le\\u0076el": 20}, "vt:server": [{"name": "a", "port": 1}, {"name": "b", "port": 2, "port": 3}]}';
    const r = validateInstance(schema, text, { format: 'json', type: 'edit' });
    assert.deepEqual(
      r.errors.map((e) => `${e.code} ${e.path}`),
      ['YANG_DATA_DUPLICATE /vt:top/level', 'YANG_DATA_DUPLICATE /vt:server/port'],
    );
    // The same names in different objects are no duplicates; names inside string values do not count.
    const other = validateInstance(schema, '{"vt:top": {"level": 15, "host": "level\\", \\"level"}, "vt:server": [{"name": "a", "port": 1}, {"name": "b", "port": 2}]}', { format: 'json', type: 'edit' });
    assert.deepEqual(
      other.errors.filter((e) => e.code === 'YANG_DATA_DUPLICATE'),
      [],
    );
  });

  it('an XML edit: what it deletes has no value to check, a container named twice is merged', () => {
    const nc = 'urn:ietf:params:xml:ns:netconf:base:1.0';
    const del = `<top xmlns="urn:cnsdn:test:vt" xmlns:nc="${nc}"><level nc:operation="delete"/><mode nc:operation="remove"/></top>`;
    assert.deepEqual(validateInstance(schema, del, { format: 'xml', type: 'edit' }).errors, []);
    const twice = '<top xmlns="urn:cnsdn:test:vt"><level>15</level></top><top xmlns="urn:cnsdn:test:vt"><mode>slow</mode></top>';
    assert.deepEqual(validateInstance(schema, twice, { format: 'xml', type: 'edit' }).errors, []);
    assert.ok(validateInstance(schema, twice, { format: 'xml', type: 'config' }).errors.some((e) => e.code === 'YANG_DATA_DUPLICATE' && e.path === '/vt:top'));
    // Without the operation, an empty level is still a fault.
    const bad = validateInstance(schema, '<top xmlns="urn:cnsdn:test:vt"><level/></top>', { format: 'xml', type: 'edit' });
    assert.deepEqual(bad.errors.map((e) => `${e.code} ${e.path}`), ['YANG_DATA_TYPE /vt:top/level']);
  });

  it('refuses state data in a configuration but accepts it as data', () => {
    const d = JSON.parse(okJson);
    d['vt:top'].state = { counter: '7' };
    const text = JSON.stringify(d);
    assert.deepEqual(
      validateInstance(schema, text, { format: 'json', type: 'config' }).errors.map((e) => e.code),
      ['YANG_DATA_CONFIG_FALSE'],
    );
    assert.deepEqual(validateInstance(schema, text, { format: 'json', type: 'data' }).errors, []);
  });

  it('checks only node-local rules in an edit (no mandatory, no references)', () => {
    const r = validateInstance(schema, JSON.stringify({ 'vt:refs': { 'server-name': 'nowhere' }, 'vt:server': [{ name: 'x', port: 1 }] }), { format: 'json', type: 'edit' });
    assert.deepEqual(r.errors, []);
    const bad = validateInstance(schema, JSON.stringify({ 'vt:server': [{ name: 'x', port: 70000 }] }), { format: 'json', type: 'edit' });
    assert.deepEqual(bad.errors.map((e) => [e.code, e.path]), [['YANG_DATA_RANGE', "/vt:server[name='x'][port='70000']/port"]]);
  });

  it('gives clear errors for text that is not JSON or XML and for absurd nesting', () => {
    assert.equal(validateInstance(schema, '{"vt:top": ', { format: 'json', type: 'config' }).errors[0].code, 'YANG_DATA_SYNTAX');
    assert.equal(validateInstance(schema, '<top', { format: 'xml', type: 'config' }).errors[0].code, 'YANG_DATA_SYNTAX');
    const deep = `<top xmlns="urn:cnsdn:test:vt">${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</top>`;
    const r = validateInstance(schema, deep, { format: 'xml', type: 'config' });
    assert.equal(r.valid, false);
    assert.ok(r.errors.some((e) => e.code === 'YANG_DATA_LIMIT' || e.code === 'YANG_DATA_UNKNOWN_NODE'), JSON.stringify(r.errors.slice(0, 2)));
    const deepJson = `{"vt:top":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`;
    assert.equal(validateInstance(schema, deepJson, { format: 'json', type: 'config' }).valid, false);
  });

  it('stops at the time limit with a clear error', () => {
    const r = validateInstance(schema, okJson, { format: 'json', type: 'config', timeLimitMs: -1 });
    assert.deepEqual(r.errors.map((e) => e.code), ['YANG_DATA_LIMIT']);
  });

  it('converts JSON to XML and back to the same document', () => {
    const r = validateInstance(schema, okJson, { format: 'json', type: 'config' });
    const xml = toXml(r.root, schema);
    const back = validateInstance(schema, xml, { format: 'xml', type: 'config' });
    assert.deepEqual(back.errors, []);
    const again = JSON.parse(toJson(back.root));
    assert.equal(again['vt:top'].ratio, '1.5');
    assert.equal(again['vt:top'].flags, 'a b');
    assert.deepEqual(again['vt:top'].marker, [null]);
    assert.equal(again['vt:top'].target, "/vt:server[name='a'][port='1']/weight");
    assert.deepEqual(again['vt:server'], JSON.parse(okJson)['vt:server']);
  });
});
