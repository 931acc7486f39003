import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixturesMissing } from '../common/fixtures.js';
import { dig, fixture, type Lab, startLab } from './testing.js';

const SVC = 'dc-2-dc-l3-svc';
const ni = (path = '') => `/network-instances/network-instance[name=${SVC}]${path}`;

describe('the hackfest-containerlab DC-to-DC L3 service (TFS numeric enums, ipv4_* settings, given static routes) on two gNMI routers', { skip: fixturesMissing }, () => {
  let lab: Lab;
  before(async () => {
    lab = await startLab('hackfest-containerlab/topology.json', { routers: ['SRL1', 'SRL2'], interfaces: ['ethernet-1/1', 'ethernet-1/2'] });
  });
  after(async () => lab?.close());

  it('is ACTIVE with the addresses and routes the descriptor gives; delete restores both routers', async () => {
    const before = await Promise.all([0, 1].map((i) => lab.routerConfig(i)));
    const r = await lab.call('POST', '/tfs-api/context/admin/services', fixture('hackfest-containerlab/dc-2-dc-l3-service.json'));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await lab.waitStatus(SVC, 'SERVICESTATUS_ACTIVE');
    const address = async (i: number, itf: string) =>
      dig(await lab.routerGet(i, `/interfaces/interface[name=${itf}]/subinterfaces/subinterface[index=0]`), 'openconfig-if-ip:ipv4', 'addresses', 'address', 0, 'ip');
    assert.equal(await address(0, 'ethernet-1/1'), '172.0.0.1');
    assert.equal(await address(0, 'ethernet-1/2'), '172.16.1.1');
    assert.equal(await address(1, 'ethernet-1/1'), '172.0.0.2');
    assert.equal(await address(1, 'ethernet-1/2'), '172.16.2.1');
    const hop = async (i: number, prefix: string) =>
      dig(await lab.routerGet(i, ni(`/protocols/protocol[identifier=STATIC][name=STATIC]/static-routes/static[prefix=${prefix}]`)), 'next-hops', 'next-hop', 0, 'config', 'next-hop');
    assert.equal(await hop(0, '172.16.2.0/24'), '172.0.0.2');
    assert.equal(await hop(1, '172.16.1.0/24'), '172.0.0.1');
    assert.equal((await lab.call('DELETE', `/tfs-api/context/admin/service/${SVC}`)).status, 200);
    assert.deepEqual(await Promise.all([0, 1].map((i) => lab.routerConfig(i))), before);
  });
});
