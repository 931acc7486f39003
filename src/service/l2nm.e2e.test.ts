import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixturesMissing } from '../common/fixtures.js';
import { dig, fixture, l2Service, type Lab, startLab, until } from './testing.js';

const NI = 'tfs-l2vpn-svc-125';
const ni = (name: string) => `/network-instances/network-instance[name=${name}]`;

describe('L2NM over the l2_vpn_gnmi_oc fixture (3 gNMI routers, emulated DCs)', { skip: fixturesMissing }, () => {
  let lab: Lab;
  before(async () => {
    lab = await startLab('l2_vpn_gnmi_oc/tfs-topology.json');
  });
  after(async () => lab?.close());

  for (const variant of ['tagged', 'untagged'] as const) {
    it(`VLAN 125 ${variant}: ACTIVE with L2VSI and VLAN on every router of the path; delete takes it all away`, async () => {
      const before = await Promise.all([0, 1, 2].map((i) => lab.routerConfig(i)));
      const created = await lab.call('POST', '/tfs-api/context/admin/services', fixture(`l2_vpn_gnmi_oc/tfs-service-vlan-125-${variant}.json`));
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const svc = await lab.waitStatus(NI, 'SERVICESTATUS_ACTIVE');
      assert.equal(svc.service_status.service_status, 'SERVICESTATUS_ACTIVE');

      const conns = dig((await lab.call('GET', `/tfs-api/context/admin/service/${NI}/connections`)).body, 'connections') as unknown[];
      assert.equal(conns.length, 1);
      assert.equal((dig(conns[0], 'path_hops_endpoint_ids') as unknown[]).length, 10, 'dc1, r1, r2, r3, dc2 with ingress and egress each');
      assert.ok(dig(conns[0], 'settings', 'cnsdn', 'devices'), 'the applied record lives in the connection settings');

      for (const i of [0, 1, 2]) {
        const inst = await lab.routerGet(i, ni(NI));
        assert.ok(inst, `r${i + 1} has the network instance`);
        assert.match(String(dig(inst, 'config', 'type')), /L2VSI$/);
        assert.equal(dig(inst, 'vlans', 'vlan', 0, 'vlan-id'), 125);
        assert.equal((dig(inst, 'interfaces', 'interface') as unknown[]).length, 2);
      }
      // Trunks (r1-r2, r2-r3) carry VLAN 125 on subinterface 125; the DC-facing ports only when tagged.
      const sub = async (i: number, itf: string, index: number) => lab.routerGet(i, `/interfaces/interface[name=${itf}]/subinterfaces/subinterface[index=${index}]`);
      assert.equal(dig(await sub(1, 'Ethernet1', 125), 'openconfig-vlan:vlan', 'config', 'vlan-id'), 125);
      const access = await sub(0, 'Ethernet10', variant === 'tagged' ? 125 : 0);
      assert.ok(access, 'r1 access subinterface');
      assert.equal(dig(access, 'openconfig-vlan:vlan', 'config', 'vlan-id'), variant === 'tagged' ? 125 : undefined);

      const sync = await lab.call('GET', `/api/services/admin/${NI}/check-sync`);
      assert.equal(sync.status, 200);
      assert.equal(dig(sync.body, 'in_sync'), true, JSON.stringify(sync.body));
      assert.deepEqual((dig(sync.body, 'devices') as Array<{ device: string }>).map((d) => d.device).sort(), ['dc1', 'dc2', 'r1', 'r2', 'r3']);

      const del = await lab.call('DELETE', `/tfs-api/context/admin/service/${NI}`);
      assert.equal(del.status, 200, JSON.stringify(del.body));
      assert.equal((await lab.call('GET', `/tfs-api/context/admin/service/${NI}`)).status, 404);
      for (const i of [0, 1, 2]) assert.deepEqual(await lab.routerConfig(i), before[i], `r${i + 1} is back to what it had`);
    });
  }

  it('updating the service (another VLAN) re-activates with the difference only', async () => {
    const body = fixture('l2_vpn_gnmi_oc/tfs-service-vlan-125-tagged.json');
    assert.equal((await lab.call('POST', '/tfs-api/context/admin/services', body)).status, 200);
    await lab.waitStatus(NI, 'SERVICESTATUS_ACTIVE');
    const svc = dig(body, 'services', 0) as { service_config: { config_rules: Array<{ custom: { resource_value: unknown } }> } };
    svc.service_config.config_rules[0]!.custom.resource_value = { vlan_id: 300, access_vlan_tagged: true };
    const put = await lab.call('PUT', `/tfs-api/context/admin/service/${NI}`, svc);
    assert.equal(put.status, 200, JSON.stringify(put.body));
    await until('VLAN 300 on r2', async () => ((await lab.routerGet(1, `${ni(NI)}/vlans/vlan[vlan-id=300]`)) ? true : undefined));
    assert.equal(await lab.routerGet(1, `${ni(NI)}/vlans/vlan[vlan-id=125]`), undefined, 'VLAN 125 removed');
    assert.equal(await lab.routerGet(1, '/interfaces/interface[name=Ethernet1]/subinterfaces/subinterface[index=125]'), undefined);
    await lab.waitStatus(NI, 'SERVICESTATUS_ACTIVE');
    assert.equal((await lab.call('DELETE', `/tfs-api/context/admin/service/${NI}`)).status, 200);
    assert.equal(await lab.routerGet(1, ni(NI)), undefined);
  });

  it('what a service applied survives a controller restart: deleting it afterwards removes exactly that', async () => {
    const before = await Promise.all([0, 1, 2].map((i) => lab.routerConfig(i)));
    assert.equal((await lab.call('POST', '/tfs-api/context/admin/services', fixture('l2_vpn_gnmi_oc/tfs-service-vlan-125-tagged.json'))).status, 200);
    await lab.waitStatus(NI, 'SERVICESTATUS_ACTIVE');
    await lab.restart();
    type Report = { in_sync: boolean; devices: Array<{ device: string; drift: unknown[]; error?: string }> };
    const report = await until('every device readable', async () => {
      const r = (await lab.call('GET', `/api/services/admin/${NI}/check-sync`)).body as Report;
      return r.devices.every((d) => d.error === undefined) ? r : undefined;
    });
    // Emulated devices live in the controller's memory: a new process starts them empty.
    assert.deepEqual(report.devices.filter((d) => d.drift.length > 0).map((d) => d.device), ['dc1', 'dc2']);
    assert.equal(((await lab.call('POST', `/api/services/admin/${NI}/re-sync`)).body as Report).in_sync, true);
    assert.equal((await lab.call('DELETE', `/tfs-api/context/admin/service/${NI}`)).status, 200);
    for (const i of [0, 1, 2]) assert.deepEqual(await lab.routerConfig(i), before[i]);
  });

  it('deactivate takes the configuration off without removing the service, which stays PLANNED until activated again', async () => {
    const before = await Promise.all([0, 1, 2].map((i) => lab.routerConfig(i)));
    assert.equal((await lab.call('POST', '/tfs-api/context/admin/services', fixture('l2_vpn_gnmi_oc/tfs-service-vlan-125-untagged.json'))).status, 200);
    await lab.waitStatus(NI, 'SERVICESTATUS_ACTIVE');
    assert.equal((await lab.call('POST', `/api/services/admin/${NI}/deactivate`)).status, 200);
    for (const i of [0, 1, 2]) assert.deepEqual(await lab.routerConfig(i), before[i]);
    assert.equal((await lab.service(NI)).service_status.service_status, 'SERVICESTATUS_PLANNED');
    assert.deepEqual(dig((await lab.call('GET', `/tfs-api/context/admin/service/${NI}/connections`)).body, 'connections'), []);
    assert.equal((await lab.call('GET', `/api/services/admin/${NI}/check-sync`)).status, 400, 'nothing applied to check');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await lab.routerGet(1, ni(NI)), undefined, 'not re-activated by its own status change');
    const again = await lab.call('POST', `/api/services/admin/${NI}/activate`);
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(dig(again.body, 'status'), 'SERVICESTATUS_ACTIVE');
    assert.ok(await lab.routerGet(1, ni(NI)));
    assert.equal((await lab.call('DELETE', `/tfs-api/context/admin/service/${NI}`)).status, 200);
    for (const i of [0, 1, 2]) assert.deepEqual(await lab.routerConfig(i), before[i]);
  });

  it('five services created and deleted at once share the routers without stepping on each other', async () => {
    const before = await Promise.all([0, 1, 2].map((i) => lab.routerConfig(i)));
    const vlans = [201, 202, 203, 204, 205];
    const body = (vlan: number) => l2Service(`vlan-${vlan}`, { vlan_id: vlan, access_vlan_tagged: true });
    const created = await Promise.all(vlans.map((v) => lab.call('POST', '/tfs-api/context/admin/services', body(v))));
    assert.deepEqual(created.map((r) => r.status), vlans.map(() => 200));
    for (const v of vlans) await lab.waitStatus(`vlan-${v}`, 'SERVICESTATUS_ACTIVE');
    for (const v of vlans) {
      assert.equal(dig(await lab.routerGet(1, `${ni(`vlan-${v}`)}/vlans/vlan[vlan-id=${v}]`), 'vlan-id'), v);
      assert.equal(dig((await lab.call('GET', `/api/services/admin/vlan-${v}/check-sync`)).body, 'in_sync'), true);
    }
    const deleted = await Promise.all(vlans.map((v) => lab.call('DELETE', `/tfs-api/context/admin/service/vlan-${v}`)));
    assert.deepEqual(deleted.map((r) => r.status), vlans.map(() => 200));
    for (const i of [0, 1, 2]) assert.deepEqual(await lab.routerConfig(i), before[i]);
  });
});
