/** Requests carried out by a device's owner over NATS: driver calls and results (refusals included), configure, a gone or silent owner. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { CnsdnError } from '../common/errors.js';
import { announcedModelsOf, type Driver } from '../device/index.js';
import type { Cluster } from './api.js';
import { OwnerRouter } from './owner-router.js';
import { ClusterRpc, type DriverMethod } from './rpc.js';
import { DeviceSide, natsUnreachable, TEST_NATS_URL } from './testing.js';

const NO_LOG = { debug() {}, info() {}, warn() {}, error() {} };

/** A cluster seen from one member: the device `dev` is held by `owner`. */
function fakeCluster(self: string, owner: () => string | undefined): Cluster {
  return {
    mode: 'cluster',
    memberId: self,
    ownsLocally: (d) => d === 'dev' && owner() === self,
    ownerOf: async (d) => (d === 'dev' ? owner() : undefined),
  } as Partial<Cluster> as Cluster;
}

const reason = await natsUnreachable();
describe('owner router over NATS', { skip: reason && process.env.CI !== 'true' ? `NATS unreachable: ${reason}` : false }, () => {
  const prefix = `t${randomBytes(4).toString('hex')}-cluster`;
  let nc1: NatsConnection;
  let nc2: NatsConnection;
  let rpc1: ClusterRpc;
  let rpc2: ClusterRpc;
  let driver: Driver;
  let owner: string | undefined = 'm1';
  let hang = false;

  before(async () => {
    const servers = TEST_NATS_URL.replace('nats://', '');
    nc1 = await connect({ servers });
    nc2 = await connect({ servers });
    driver = new DeviceSide().factory().create({ deviceUuid: 'dev', deviceName: 'dev', address: '', port: 0, settings: {} });
    await driver.connect();
    const local = { withDriver: <T>(_uuid: string, fn: (d: Driver) => Promise<T>) => fn(driver) };
    rpc1 = new ClusterRpc(
      nc1,
      prefix,
      'm1',
      {
        driver: (_d, method: DriverMethod, args) =>
          local.withDriver('dev', (d) => (method === 'announcedModels' ? announcedModelsOf(d) : (d[method] as (...a: unknown[]) => Promise<unknown>).apply(d, args))),
        configure: async () => {
          if (hang) await new Promise((r) => setTimeout(r, 3000));
          return { applied: true };
        },
      },
      (d) => d === 'dev' && owner === 'm1',
      NO_LOG,
    );
    rpc1.start();
    rpc2 = new ClusterRpc(nc2, prefix, 'm2', { driver: async () => undefined, configure: async () => undefined }, () => false, NO_LOG);
    rpc2.start();
  });
  after(async () => {
    await rpc1?.stop();
    await rpc2?.stop();
    await nc1?.close();
    await nc2?.close();
  });

  const router = (timeoutMs: number) =>
    new OwnerRouter({
      cluster: fakeCluster('m2', () => owner),
      local: { withDriver: () => Promise.reject(new Error('not local')) },
      rpc: rpc2,
      configureHere: async () => ({ applied: true }),
      timeoutMs,
    });

  it('runs driver calls on the owner and brings back per-resource outcomes, refusals as coded errors', async () => {
    const results = await router(5000).withDriver('dev', (d) => d.setConfig([['/interface[eth1]', { mtu: 9000 }], ['/refuse[x]', { a: 1 }]]));
    assert.equal(results[0], true);
    assert.ok(results[1] instanceof CnsdnError);
    assert.equal((results[1] as CnsdnError).code, 'DRIVER_ERROR');
    assert.match((results[1] as CnsdnError).message, /refuses \/refuse\[x\]/);
    const got = await router(5000).withDriver('dev', (d) => d.getConfig(['/interface[eth1]']));
    assert.deepEqual(got, [['/interface[eth1]', { mtu: 9000 }]]);
  });

  it('asks the owner for the models its device announced', async () => {
    assert.deepEqual(await router(5000).withDriver('dev', announcedModelsOf), []);
    const models = [{ name: 'openconfig-interfaces', organization: 'OpenConfig working group', version: '3.7.1' }];
    driver.announcedModels = async () => models;
    try {
      assert.deepEqual(await router(5000).withDriver('dev', announcedModelsOf), models);
    } finally {
      delete driver.announcedModels;
    }
  });

  it('answers configure with the owner and its outcome', async () => {
    assert.deepEqual(await router(5000).configure('dev'), { owner: 'm1', outcome: { applied: true } });
  });

  it('fails with UNAVAILABLE naming the owner when the owner is gone', async () => {
    owner = 'm3';
    try {
      await assert.rejects(router(800).configure('dev'), (e: CnsdnError) => e.code === 'UNAVAILABLE' && /m3/.test(e.message) && e.details.some((d) => d.message === 'm3'));
    } finally {
      owner = 'm1';
    }
  });

  it('fails with UNAVAILABLE naming the owner when the owner does not answer in time', async () => {
    hang = true;
    try {
      await assert.rejects(router(500).configure('dev'), (e: CnsdnError) => e.code === 'UNAVAILABLE' && /m1.*did not answer within/.test(e.message));
    } finally {
      hang = false;
    }
  });

  it('waits for an owner while the device has none, and fails clearly when none comes', async () => {
    owner = undefined;
    try {
      await assert.rejects(router(600).configure('dev'), (e: CnsdnError) => e.code === 'UNAVAILABLE' && /no live replica holds its lease/.test(e.message));
      setTimeout(() => {
        owner = 'm1';
      }, 300);
      assert.equal((await router(5000).configure('dev')).owner, 'm1');
    } finally {
      owner = 'm1';
    }
  });
});
