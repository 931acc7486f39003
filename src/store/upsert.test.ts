import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EntityWrite } from './api.js';
import { chunkWrites, PARAMS_PER_ROW } from './upsert.js';

const w = (uuid: string, kind: EntityWrite['kind'] = 'device'): EntityWrite => ({ kind, uuid, parent: null, name: uuid, body: {} });

describe('chunkWrites', () => {
  it('keeps every statement under the parameter limit, in order', () => {
    const writes = Array.from({ length: 1000 }, (_, i) => w(`d${i}`));
    const chunks = chunkWrites(writes, 100);
    assert.ok(chunks.every((c) => c.length * PARAMS_PER_ROW <= 100));
    assert.deepEqual(chunks.flat(), writes);
  });

  it('never puts one entity twice in a chunk', () => {
    const chunks = chunkWrites([w('a'), w('b'), w('a', 'link'), w('a'), w('c'), w('b')], 65535);
    assert.deepEqual(
      chunks.map((c) => c.map((x) => `${x.kind}:${x.uuid}`)),
      [['device:a', 'device:b', 'link:a'], ['device:a', 'device:c', 'device:b']],
    );
  });
});
