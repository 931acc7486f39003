import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixturesMissing } from '../common/fixtures.js';
import { dig, l2Service, type Lab, ruleValue, startLab, whileRefusing } from './testing.js';

const mtuOf = async (lab: Lab, i: number, itf: string) => dig(await lab.routerGet(i, `/interfaces/interface[name=${itf}]/config`), 'mtu');

const l2 = (name: string, vlan: number, mtu: number) => l2Service(name, { vlan_id: vlan, access_vlan_tagged: true, mtu });

describe('service MTU (an interface attribute) comes off with the service', { skip: fixturesMissing }, () => {
  let lab: Lab;
  let pristine: unknown[];
  const configs = () => Promise.all([0, 1, 2].map((i) => lab.routerConfig(i)));
  before(async () => {
    lab = await startLab('l2_vpn_gnmi_oc/tfs-topology.json');
    pristine = await configs();
  });
  after(async () => lab?.close());

  it('delete returns every router to exactly its previous configuration, MTU included', async () => {
    assert.equal(await mtuOf(lab, 1, 'Ethernet1'), 1500, 'the simulator starts at 1500');
    assert.equal((await lab.call('POST', '/tfs-api/context/admin/services', l2('mtu-a', 310, 9000))).status, 200);
    await lab.waitStatus('mtu-a', 'SERVICESTATUS_ACTIVE');
    for (const [i, itf] of [[0, 'Ethernet10'], [0, 'Ethernet2'], [1, 'Ethernet1'], [2, 'Ethernet10']] as const) assert.equal(await mtuOf(lab, i, itf), 9000, `r${i + 1} ${itf}`);
    assert.equal(dig((await lab.call('GET', '/api/services/admin/mtu-a/check-sync')).body, 'in_sync'), true);
    assert.equal((await lab.call('DELETE', '/tfs-api/context/admin/service/mtu-a')).status, 200);
    assert.deepEqual(await configs(), pristine);
  });

  it('a refusal on the third router puts the others back, MTU included', async () => {
    await whileRefusing(lab, 2, 'FAILED_PRECONDITION', 'r3 is in maintenance', async () => {
        assert.equal((await lab.call('POST', '/tfs-api/context/admin/services', l2('mtu-b', 311, 9100))).status, 200);
        const failed = await lab.waitStatus('mtu-b', 'SERVICESTATUS_PLANNED', true);
        assert.deepEqual(dig(ruleValue(failed, '/cnsdn/failure'), 'restored'), ['dc2', 'r2', 'r1', 'dc1']);
        assert.deepEqual(await configs(), pristine);
    });
    assert.equal((await lab.call('DELETE', '/tfs-api/context/admin/service/mtu-b')).status, 200);
    assert.deepEqual(await configs(), pristine);
  });

  it('services sharing interfaces share an equal MTU (the last one out restores it) and refuse a different one', async () => {
    assert.equal((await lab.call('POST', '/tfs-api/context/admin/services', l2('mtu-c', 320, 9000))).status, 200);
    await lab.waitStatus('mtu-c', 'SERVICESTATUS_ACTIVE');
    assert.equal((await lab.call('POST', '/tfs-api/context/admin/services', l2('mtu-d', 321, 9000))).status, 200);
    await lab.waitStatus('mtu-d', 'SERVICESTATUS_ACTIVE');
    const withBoth = await configs();
    assert.equal((await lab.call('POST', '/tfs-api/context/admin/services', l2('mtu-e', 322, 1600))).status, 200);
    const refused = await lab.waitStatus('mtu-e', 'SERVICESTATUS_PLANNED', true);
    assert.equal(dig(ruleValue(refused, '/cnsdn/failure'), 'code'), 'CNSDN_IN_USE');
    assert.deepEqual(await configs(), withBoth, 'the refused service changed nothing');
    assert.equal((await lab.call('DELETE', '/tfs-api/context/admin/service/mtu-c')).status, 200);
    assert.equal(await mtuOf(lab, 1, 'Ethernet1'), 9000, 'still held by mtu-d');
    assert.equal(dig((await lab.call('GET', '/api/services/admin/mtu-d/check-sync')).body, 'in_sync'), true);
    for (const s of ['mtu-d', 'mtu-e']) assert.equal((await lab.call('DELETE', `/tfs-api/context/admin/service/${s}`)).status, 200);
    assert.deepEqual(await configs(), pristine);
  });
});
