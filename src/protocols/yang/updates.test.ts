import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compileModules } from './compiler.js';
import { ModuleLoader } from './loader.js';
import { documentFromUpdates, hasTopNode, validateUpdates } from './updates.js';

const DATA = new URL('./testdata/instances/', import.meta.url).pathname;
const schema = compileModules(new ModuleLoader([DATA]), [{ file: join(DATA, 'vt.yang') }]);

describe('path-addressed updates as one document', () => {
  it('merges list entries by their keys, as a device applies the updates; leaf-lists are appended', () => {
    const updates = [
      { elems: [], value: { 'vt:server': [{ name: 'a', port: 1, addr: '10.0.0.1' }], 'vt:top': { tags: ['x'] } } },
      { elems: [], value: { 'vt:server': [{ name: 'a', port: 1, weight: 3 }, { name: 'b', port: 2 }], 'vt:top': { tags: ['y'] } } },
      { elems: [{ name: 'vt:server', key: { name: 'b', port: '2' } }], value: { weight: 4 } },
    ];
    assert.deepEqual(documentFromUpdates(schema, updates), {
      'vt:server': [
        { name: 'a', port: 1, addr: '10.0.0.1', weight: 3 },
        { name: 'b', port: 2, weight: 4 },
      ],
      'vt:top': { tags: ['x', 'y'] },
    });
    assert.deepEqual(validateUpdates(schema, updates).errors, []);
  });

  it('the same key twice in one update is still a duplicate', () => {
    const r = validateUpdates(schema, [{ elems: [], value: { 'vt:server': [{ name: 'a', port: 1 }, { name: 'a', port: 1 }] } }]);
    assert.deepEqual(
      r.errors.map((e) => e.code),
      ['YANG_DATA_DUPLICATE_KEY'],
    );
  });

  it('knows the top-level nodes of the schema (by module name or prefix, or by namespace)', () => {
    assert.ok(hasTopNode(schema, 'server'));
    assert.ok(hasTopNode(schema, 'vt:server'));
    assert.ok(!hasTopNode(schema, 'interfaces'));
    assert.ok(hasTopNode(schema, 'top', 'urn:cnsdn:test:vt'));
    assert.ok(!hasTopNode(schema, 'top', 'urn:other'));
  });
});
