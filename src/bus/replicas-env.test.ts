import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { streamReplicasFromEnv } from './nats.js';

describe('CNSDN_NATS_REPLICAS', () => {
  it('defaults to 1 and takes 1 to 5', () => {
    assert.equal(streamReplicasFromEnv({}), 1);
    assert.equal(streamReplicasFromEnv({ CNSDN_NATS_REPLICAS: '' }), 1);
    assert.equal(streamReplicasFromEnv({ CNSDN_NATS_REPLICAS: '3' }), 3);
  });
  it('refuses anything else with BUS_ERROR naming the variable', () => {
    for (const bad of ['0', '6', 'three', '3.0', ' 3'])
      assert.throws(() => streamReplicasFromEnv({ CNSDN_NATS_REPLICAS: bad }), (e: Error & { code?: string }) => e.code === 'BUS_ERROR' && /CNSDN_NATS_REPLICAS/.test(e.message), bad);
  });
});
