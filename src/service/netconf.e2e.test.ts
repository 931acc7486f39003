import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixturesMissing } from '../common/fixtures.js';
import { NetconfClient } from '../protocols/netconf/index.js';
import { dig, fixture, type Lab, NETCONF_USER, ruleValue, startLab } from './testing.js';

const SVC = 'tfs-l3vpn-svc';

describe('L3NM across drivers: r2 is a NETCONF OpenConfig device, r1 and r3 gNMI, the DCs emulated', { skip: fixturesMissing }, () => {
  let lab: Lab;
  let reader: NetconfClient;
  const running = async () => (await reader.getConfig('running')).xml;
  const gnmiRouters = () => Promise.all([0, 2].map((i) => lab.routerConfig(i)));
  before(async () => {
    lab = await startLab('eucnc24/tfs-topology.json', { netconf: ['r2'] });
    const d = lab.netconf!.devices[0]!;
    reader = await NetconfClient.connect({ host: '127.0.0.1', port: d.port, ...NETCONF_USER, hostKey: { fingerprint: lab.netconf!.hostKey.fingerprint }, timeoutMs: 10_000, rpcTimeoutMs: 10_000 });
  });
  after(async () => {
    await reader?.close();
    await lab?.close();
  });

  it('the NETCONF router refuses to give up subinterface 0 (its default instance uses it): the other devices are put back, r2 keeps its config', async () => {
    const [ncBefore, gnmiBefore] = [await running(), await gnmiRouters()];
    assert.equal((await lab.call('POST', '/tfs-api/context/admin/services', fixture('eucnc24/tfs-service.json'))).status, 200);
    const failed = await lab.waitStatus(SVC, 'SERVICESTATUS_PLANNED', true);
    const why = ruleValue(failed, '/cnsdn/failure');
    assert.equal(dig(why, 'device'), 'r2');
    assert.match(String(dig(why, 'message')), /network-instance default refers to subinterface Ethernet1\.0/);
    assert.deepEqual(dig(why, 'restored'), ['dc2', 'r3', 'r1', 'dc1']);
    assert.equal(await running(), ncBefore);
    assert.deepEqual(await gnmiRouters(), gnmiBefore);
  });

  it('with subinterface 10 on r2 the service is ACTIVE: VRF, /30 addresses and both static routes on the NETCONF router; delete restores its running config', async () => {
    const [ncBefore, gnmiBefore] = [await running(), await gnmiRouters()];
    const svc = dig(fixture('eucnc24/tfs-service.json'), 'services', 0) as { service_config: { config_rules: unknown[] } };
    svc.service_config.config_rules.push({ action: 'CONFIGACTION_SET', custom: { resource_key: '/device[r2]/settings', resource_value: { index: 10 } } });
    assert.equal((await lab.call('PUT', `/tfs-api/context/admin/service/${SVC}`, svc)).status, 200);
    const active = await lab.waitStatus(SVC, 'SERVICESTATUS_ACTIVE');
    assert.equal(ruleValue(active, '/cnsdn/failure'), undefined, 'the failure is cleared');
    const xml = await running();
    for (const text of [`<name>${SVC}</name>`, 'L3VRF', 'Ethernet1.10', '10.255.0.2', '10.255.0.5', '172.16.1.0/24', '172.16.2.0/24', '10.255.0.1', '10.255.0.6']) {
      assert.ok(xml.includes(text), `${text} in r2's running config`);
    }
    assert.equal(dig(await lab.routerGet(0, `/network-instances/network-instance[name=${SVC}]/config`), 'name'), SVC, 'r1 (gNMI) has it too');
    const sync = (await lab.call('GET', `/api/services/admin/${SVC}/check-sync`)).body;
    assert.equal(dig(sync, 'in_sync'), true, JSON.stringify(sync));
    assert.equal((await lab.call('DELETE', `/tfs-api/context/admin/service/${SVC}`)).status, 200);
    assert.equal(await running(), ncBefore);
    assert.deepEqual(await gnmiRouters(), gnmiBefore);
  });
});
