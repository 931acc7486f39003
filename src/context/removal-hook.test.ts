import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openBus } from '../bus/index.js';
import { CnsdnError } from '../common/errors.js';
import { openStore } from '../store/index.js';
import { ContextManager } from './manager.js';

const service = {
  services: [{ service_id: { context_id: { context_uuid: { uuid: 'admin' } }, service_uuid: { uuid: 's1' } }, service_type: 'SERVICETYPE_L2NM' }],
};

async function manager() {
  const store = await openStore({ url: 'sqlite::memory:' });
  const bus = await openBus({ url: 'inprocess' });
  const ctx = new ContextManager(store, bus);
  await ctx.apply({ contexts: [{ context_id: { context_uuid: { uuid: 'admin' } } }] });
  await ctx.apply(service);
  const close = async () => {
    await bus.close();
    await store.close();
  };
  return { ctx, close };
}

describe('ContextManager.beforeServiceRemoval', () => {
  it('runs the hooks with the service uuids before removing; a hook that throws keeps the service', async () => {
    const { ctx, close } = await manager();
    try {
      const { service_id } = await ctx.getService('admin', 's1');
      const seen: string[][] = [];
      let refuse = true;
      const off = ctx.beforeServiceRemoval(async (c, s) => {
        seen.push([c, s, (await ctx.getService(c, s)).name]);
        if (refuse) throw new CnsdnError('DRIVER_ERROR', 'device said no');
      });
      await assert.rejects(ctx.removeService('admin', 's1'), /device said no/);
      assert.equal((await ctx.getService('admin', 's1')).name, 's1');
      refuse = false;
      await ctx.removeService('admin', 's1');
      assert.deepEqual(seen, [
        [service_id.context_id.context_uuid.uuid, service_id.service_uuid.uuid, 's1'],
        [service_id.context_id.context_uuid.uuid, service_id.service_uuid.uuid, 's1'],
      ]);
      await assert.rejects(ctx.getService('admin', 's1'), /does not exist/);
      off();
      await ctx.apply(service);
      await ctx.removeService('admin', 's1');
      assert.equal(seen.length, 2, 'an unregistered hook is not called');
    } finally {
      await close();
    }
  });
});
