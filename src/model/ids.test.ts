import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseUuid, uuidFromText, uuidv5 } from './ids.js';

describe('ids', () => {
  it('computes RFC 4122 v5 uuids (DNS namespace vector from RFC 4122 errata / Python docs)', () => {
    assert.equal(uuidv5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), '886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });
  it('keeps UUIDs, normalising case and braces', () => {
    assert.equal(parseUuid('{886313E1-3B8A-5372-9B90-0C9AEE199E5D}'), '886313e1-3b8a-5372-9b90-0c9aee199e5d');
    assert.equal(uuidFromText('886313e13b8a53729b900c9aee199e5d'), '886313e1-3b8a-5372-9b90-0c9aee199e5d');
    assert.equal(parseUuid('r1'), undefined);
  });
  it('derives stable name uuids, scoped by prefix', () => {
    const a = uuidFromText('admin');
    assert.equal(a, uuidFromText('admin'));
    assert.notEqual(uuidFromText('admin', a), a);
    assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
