import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixturesMissing } from '../common/fixtures.js';
import { dig, fixture, type Lab, ruleValue, startLab, until, whileRefusing } from './testing.js';

const SVC = 'tfs-l3vpn-svc';
const ni = (path = '') => `/network-instances/network-instance[name=${SVC}]${path}`;
const route = (prefix: string) => ni(`/protocols/protocol[identifier=STATIC][name=STATIC]/static-routes/static[prefix=${prefix}]`);
const addressOf = async (lab: Lab, i: number, itf: string) =>
  dig(await lab.routerGet(i, `/interfaces/interface[name=${itf}]/subinterfaces/subinterface[index=0]`), 'openconfig-if-ip:ipv4', 'addresses', 'address', 0, 'ip');
const nextHop = async (lab: Lab, i: number, prefix: string) => dig(await lab.routerGet(i, route(prefix)), 'next-hops', 'next-hop', 0, 'config', 'next-hop');
const ep = (device: string, endpoint: string) => ({ device_id: { device_uuid: { uuid: device } }, endpoint_uuid: { uuid: endpoint } });

function l3Service(name: string, endpoints: unknown[], extra: Record<string, unknown> = {}) {
  return {
    service_id: { context_id: { context_uuid: { uuid: 'admin' } }, service_uuid: { uuid: name } },
    service_type: 'SERVICETYPE_L3NM',
    service_status: { service_status: 'SERVICESTATUS_PLANNED' },
    service_endpoint_ids: endpoints,
    service_config: { config_rules: [] },
    ...extra,
  };
}

describe('L3NM over the eucnc24 fixture (3 gNMI routers, emulated DCs)', { skip: fixturesMissing }, () => {
  let lab: Lab;
  let pristine: unknown[];
  const configs = () => Promise.all([0, 1, 2].map((i) => lab.routerConfig(i)));
  before(async () => {
    lab = await startLab('eucnc24/tfs-topology.json');
    pristine = await configs();
  });
  after(async () => lab?.close());

  it('dry run (service in the body) returns the per-device diffs and changes nothing, stores nothing', async () => {
    const svc = dig(fixture('eucnc24/tfs-service.json'), 'services', 0);
    const r = await lab.call('POST', '/api/services/admin/dry-run', svc);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const diffs = dig(r.body, 'diffs') as Array<{ deviceName: string; set: Array<{ key: string }>; delete: unknown[] }>;
    assert.deepEqual(diffs.map((d) => d.deviceName), ['dc1', 'r1', 'r2', 'r3', 'dc2']);
    const r2 = diffs[2]!.set.map((s) => s.key);
    assert.ok(r2.includes(`/network_instance[${SVC}]`));
    assert.ok(r2.includes(`/network_instance[${SVC}]/protocols[STATIC]/static_route[172.16.1.0/24]`));
    assert.ok(diffs.every((d) => d.delete.length === 0));
    assert.deepEqual(await configs(), pristine);
    assert.equal((await lab.call('GET', `/tfs-api/context/admin/service/${SVC}`)).status, 404);
  });

  it('the fixture service becomes ACTIVE: VRF, addresses (settings, derived, /30s from the pool) and static routes; check-sync finds drift, re-sync repairs; delete restores every router', async () => {
    assert.equal((await lab.call('POST', '/tfs-api/context/admin/services', fixture('eucnc24/tfs-service.json'))).status, 200);
    await lab.waitStatus(SVC, 'SERVICESTATUS_ACTIVE');
    for (const i of [0, 1, 2]) assert.match(String(dig(await lab.routerGet(i, ni()), 'config', 'type')), /L3VRF$/);
    assert.equal(await addressOf(lab, 0, 'Ethernet10'), '172.16.1.1', 'r1 takes a host of the DC subnet the settings gave');
    assert.equal(await addressOf(lab, 0, 'Ethernet2'), '10.255.0.1');
    assert.equal(await addressOf(lab, 1, 'Ethernet1'), '10.255.0.2');
    assert.equal(await addressOf(lab, 1, 'Ethernet3'), '10.255.0.5');
    assert.equal(await addressOf(lab, 2, 'Ethernet2'), '10.255.0.6');
    assert.equal(await addressOf(lab, 2, 'Ethernet10'), '172.16.2.1');
    assert.equal(await nextHop(lab, 0, '172.16.2.0/24'), '10.255.0.2');
    assert.equal(await nextHop(lab, 1, '172.16.1.0/24'), '10.255.0.1');
    assert.equal(await nextHop(lab, 1, '172.16.2.0/24'), '10.255.0.6');
    assert.equal(await nextHop(lab, 2, '172.16.1.0/24'), '10.255.0.5');
    assert.equal(await lab.routerGet(0, route('172.16.1.0/24')), undefined, 'no route to a connected subnet');

    assert.equal(dig((await lab.call('GET', `/api/services/admin/${SVC}/check-sync`)).body, 'in_sync'), true);
    await lab.clients[1]!.set({ delete: [route('172.16.2.0/24')] });
    const drift = (await lab.call('GET', `/api/services/admin/${SVC}/check-sync`)).body;
    assert.equal(dig(drift, 'in_sync'), false);
    const r2 = (dig(drift, 'devices') as Array<{ device: string; drift: Array<{ key: string; state: string }> }>).find((d) => d.device === 'r2')!;
    assert.deepEqual(r2.drift.map((d) => [d.key, d.state]), [[`/network_instance[${SVC}]/protocols[STATIC]/static_route[172.16.2.0/24]`, 'missing']]);
    const fixed = await lab.call('POST', `/api/services/admin/${SVC}/re-sync`);
    assert.equal(dig(fixed.body, 'in_sync'), true, JSON.stringify(fixed.body));
    assert.equal(await nextHop(lab, 1, '172.16.2.0/24'), '10.255.0.6');

    assert.equal((await lab.call('DELETE', `/tfs-api/context/admin/service/${SVC}`)).status, 200);
    assert.deepEqual(await configs(), pristine);
  });

  it('a refusal on the third device of the path puts the others back exactly; the service is not ACTIVE and says why', async () => {
    await whileRefusing(lab, 2, 'FAILED_PRECONDITION', 'r3 is in maintenance', async () => {
        const svc = l3Service('via-r3', [ep('r1', 'Ethernet1'), ep('dc2', 'int')], {
          service_config: { config_rules: [{ action: 'CONFIGACTION_SET', custom: { resource_key: '/device[r1]/endpoint[Ethernet1]/settings', resource_value: { address_ip: '192.168.7.1', address_prefix: 24 } } }] },
        });
        assert.equal((await lab.call('POST', '/tfs-api/context/admin/services', svc)).status, 200);
        const failed = await lab.waitStatus('via-r3', 'SERVICESTATUS_PLANNED', true);
        const why = ruleValue(failed, '/cnsdn/failure');
        assert.equal(dig(why, 'device'), 'r3');
        assert.equal(dig(why, 'code'), 'CNSDN_DRIVER_ERROR');
        assert.match(String(dig(why, 'message')), /FAILED_PRECONDITION.*maintenance/);
        assert.deepEqual(dig(why, 'restored'), ['dc2', 'r2', 'r1'], 'devices change together: every one that did is put back, last first');
        assert.deepEqual(await configs(), pristine, 'r1, r2 (and dc2) restored, r3 refused');
        assert.deepEqual(dig((await lab.call('GET', '/tfs-api/context/admin/service/via-r3/connections')).body, 'connections'), []);

        const again = await lab.call('POST', '/api/services/admin/via-r3/activate');
        assert.equal(again.status, 502);
        assert.deepEqual(await configs(), pristine);
    });
    const ok = await lab.call('POST', '/api/services/admin/via-r3/activate');
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    await lab.waitStatus('via-r3', 'SERVICESTATUS_ACTIVE');
    assert.equal((await lab.call('DELETE', '/tfs-api/context/admin/service/via-r3')).status, 200);
    assert.deepEqual(await configs(), pristine);
  });

  it('a device refusing the removal keeps the service whole: the routers already deconfigured get the service back', async () => {
    assert.equal((await lab.call('POST', '/tfs-api/context/admin/services', fixture('eucnc24/tfs-service.json'))).status, 200);
    await lab.waitStatus(SVC, 'SERVICESTATUS_ACTIVE');
    const active = await configs();
    await whileRefusing(lab, 2, 'ABORTED', 'r3 configuration is locked by another session', async () => {
        const del = await lab.call('DELETE', `/tfs-api/context/admin/service/${SVC}`);
        assert.equal(del.status, 502, JSON.stringify(del.body));
        assert.match(String(dig(del.body, 'detail')), /r3.*locked by another session/);
        const kept = await lab.service(SVC);
        assert.equal(kept.service_status.service_status, 'SERVICESTATUS_ACTIVE');
        assert.deepEqual(dig(ruleValue(kept, '/cnsdn/failure'), 'restored'), ['dc2', 'r2', 'r1', 'dc1']);
        assert.deepEqual(await configs(), active);
    });
    assert.equal((await lab.call('DELETE', `/tfs-api/context/admin/service/${SVC}`)).status, 200);
    assert.deepEqual(await configs(), pristine);
  });

  it('bad input is a coded 4xx and changes no device: unknown endpoint, no path under the constraints, no handler for a driver, a conflicting service', async () => {
    const unknown = await lab.call('POST', '/api/services/admin/dry-run', l3Service('x', [ep('r1', 'Ethernet99'), ep('dc2', 'int')]));
    assert.equal(unknown.status, 404, JSON.stringify(unknown.body));
    assert.equal(dig(unknown.body, 'code'), 'CNSDN_NOT_FOUND');

    const excluded = l3Service('no-path', [ep('dc1', 'int'), ep('dc2', 'int')], {
      service_constraints: [{ action: 'CONSTRAINTACTION_SET', exclusions: { device_ids: [{ device_uuid: { uuid: 'r2' } }] } }],
    });
    assert.equal((await lab.call('POST', '/tfs-api/context/admin/services', excluded)).status, 200);
    const stuck = await lab.waitStatus('no-path', 'SERVICESTATUS_PLANNED', true);
    assert.equal(dig(ruleValue(stuck, '/cnsdn/failure'), 'code'), 'CNSDN_INVALID_ARGUMENT');
    const noPath = await lab.call('POST', '/api/services/admin/no-path/activate');
    assert.equal(noPath.status, 400);
    assert.match(String(dig(noPath.body, 'detail') ?? JSON.stringify(noPath.body)), /exclusions/);

    const added = await lab.call('POST', '/tfs-api/descriptors', {
      devices: [
        {
          device_id: { device_uuid: { uuid: 'x1' } },
          device_type: 'packet-router',
          device_drivers: ['DEVICEDRIVER_IETF_L2VPN'],
          device_config: { config_rules: [{ action: 'CONFIGACTION_SET', custom: { resource_key: '_connect/address', resource_value: '127.0.0.1' } }] },
        },
      ],
      links: [{ link_id: { link_uuid: { uuid: 'x1/p1==r1/Ethernet3' } }, link_endpoint_ids: [ep('x1', 'p1'), ep('r1', 'Ethernet3')] }],
    });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    const noHandler = await lab.call('POST', '/api/services/admin/dry-run', l3Service('x', [ep('x1', 'p1'), ep('dc2', 'int')]));
    assert.equal(noHandler.status, 400, JSON.stringify(noHandler.body));
    assert.equal(dig(noHandler.body, 'code'), 'CNSDN_DRIVER_NOT_FOUND');
    assert.match(String(dig(noHandler.body, 'detail')), /x1/);

    assert.equal((await lab.call('POST', '/tfs-api/context/admin/services', fixture('eucnc24/tfs-service.json'))).status, 200);
    await lab.waitStatus(SVC, 'SERVICESTATUS_ACTIVE');
    const withSvc = await configs();
    const clash = l3Service('clash', [ep('dc1', 'int'), ep('dc2', 'int')], { service_config: { config_rules: [{ action: 'CONFIGACTION_SET', custom: { resource_key: '/settings', resource_value: { ni_name: SVC } } }] } });
    assert.equal((await lab.call('POST', '/tfs-api/context/admin/services', clash)).status, 200);
    const refused = await lab.call('POST', '/api/services/admin/clash/activate');
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(dig(refused.body, 'code'), 'CNSDN_IN_USE');
    assert.deepEqual(await configs(), withSvc);
    for (const s of ['clash', 'no-path', SVC]) assert.equal((await lab.call('DELETE', `/tfs-api/context/admin/service/${s}`)).status, 200);
    await until('pristine', async () => (JSON.stringify(await configs()) === JSON.stringify(pristine) ? true : undefined), 2000);
  });
});
