import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Bus, openBus } from '../bus/index.js';
import type { SessionTarget } from '../cluster/index.js';
import { ContextManager } from '../context/index.js';
import type { ManagedDevice } from '../device/index.js';
import { uuidFromText } from '../model/index.js';
import { openStore, type Store } from '../store/index.js';
import { startDeviceSync } from './device-sync.js';

const device = (name: string) => ({
  device_id: { device_uuid: { uuid: name } },
  device_type: 'emu-packet-router',
  device_drivers: ['DEVICEDRIVER_UNDEFINED'],
  device_operational_status: 'DEVICEOPERATIONALSTATUS_DISABLED',
  device_config: {
    config_rules: [
      { action: 'CONFIGACTION_SET', custom: { resource_key: '_connect/address', resource_value: '127.0.0.1' } },
      { action: 'CONFIGACTION_SET', custom: { resource_key: '_connect/port', resource_value: '0' } },
    ],
  },
  device_endpoints: [],
});

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('device sync', () => {
  let store: Store;
  let bus: Bus;
  let ctx: ContextManager;
  const sessions = new Map<string, ManagedDevice>();
  const calls: string[] = [];
  const target: SessionTarget = {
    add: async (d) => {
      calls.push(`add ${d.name}`);
      sessions.set(d.uuid, d);
    },
    remove: async (uuid) => {
      calls.push(`remove ${uuid}`);
      sessions.delete(uuid);
    },
  };
  let reads = 0;

  before(async () => {
    store = await openStore({ url: 'sqlite::memory:' });
    const getMany = store.getMany.bind(store);
    store.getMany = (async (kind: Parameters<Store['getMany']>[0], uuids: readonly string[]) => {
      if (kind === 'device') reads++;
      return getMany(kind, uuids);
    }) as Store['getMany'];
    bus = await openBus({ url: 'inprocess' });
    ctx = new ContextManager(store, bus);
  });
  after(async () => {
    await bus.close();
    await store.close();
  });

  it('gives every managed device of a large import its session, reading the devices in batches', async () => {
    const sync = await startDeviceSync(store, bus, target);
    try {
      const names = Array.from({ length: 1200 }, (_, i) => `sync-${i}`);
      await ctx.apply({ devices: names.map((n) => device(n)) });
      await until(() => sessions.size === 1200, 'all 1200 sessions');
      // Events that arrive while a read is running are read together by the next one.
      assert.ok(reads <= 600, `${reads} store reads for 1200 device events`);
      for (const n of names) assert.equal(sessions.get(uuidFromText(n))?.name, n);
    } finally {
      await sync.unsubscribe();
    }
  });

  it('follows later changes: a removed device loses its session, one loaded again gets it back', async () => {
    const sync = await startDeviceSync(store, bus, target);
    try {
      const uuid = uuidFromText('sync-7');
      await ctx.removeDevice('sync-7');
      await until(() => !sessions.has(uuid), 'session removed');
      await ctx.apply({ devices: [device('sync-7')] });
      await until(() => sessions.has(uuid), 'session back');
    } finally {
      await sync.unsubscribe();
    }
  });

  it('reads again a batch the store could not read', async () => {
    const failing = store.getMany;
    let failures = 1;
    store.getMany = (async (kind: Parameters<Store['getMany']>[0], uuids: readonly string[]) => {
      if (failures-- > 0) throw new Error('connection lost');
      return failing(kind, uuids);
    }) as Store['getMany'];
    const warnings: string[] = [];
    const sync = await startDeviceSync(store, bus, target, { warn: (_o, msg) => warnings.push(msg) });
    try {
      await ctx.apply({ devices: [device('sync-retry')] });
      await until(() => sessions.has(uuidFromText('sync-retry')), 'session after the retry');
      assert.equal(warnings.length, 1);
    } finally {
      store.getMany = failing;
      await sync.unsubscribe();
    }
  });
});
