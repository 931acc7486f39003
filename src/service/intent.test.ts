import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type * as T from '../model/types.js';
import { at, device, link } from '../pathcomp/testing.js';
import { CnsdnError } from '../common/errors.js';
import { defaultHandlers, HandlerRegistry, renderOpenConfig } from './handlers.js';
import { LinkPool } from './pool.js';
import { prepareActivation } from './prepare.js';
import { Claims } from './record.js';

// a:1 - a:2 == b:1 - b:2 == c:1 - c:2 == d:1 - d:2 (four routers in a chain, no DCs)
const snapshot = {
  devices: ['a', 'b', 'c', 'd'].map((n) => device(n, ['1', '2'])),
  links: [link('ab', ['a:2', 'b:1']), link('bc', ['b:2', 'c:1']), link('cd', ['c:2', 'd:1'])],
};

/** Canonical ids as the pathcomp test topology writes them (plain names, not name-derived uuids). */
function service(name: string, type: string, settings: Array<[string, unknown]>): T.Service {
  return {
    service_id: { context_id: { context_uuid: { uuid: 'admin' } }, service_uuid: { uuid: `${name}-uuid` } },
    name,
    service_type: type,
    service_endpoint_ids: [at('a:1'), at('d:2')],
    service_constraints: [],
    service_status: { service_status: 'SERVICESTATUS_PLANNED' },
    service_config: { config_rules: settings.map(([k, v]) => ({ action: 'CONFIGACTION_SET', custom: { resource_key: k, resource_value: JSON.stringify(v) } })) },
    timestamp: { timestamp: 0 },
  };
}

const l3 = (name: string) =>
  service(name, 'SERVICETYPE_L3NM', [
    ['/device[a]/endpoint[1]/settings', { address_ip: '192.168.1.1', address_prefix: 24 }],
    ['/device[d]/endpoint[2]/settings', { address_ip: '192.168.2.1', address_prefix: 24 }],
  ]);

const valueAt = (rules: Array<{ key: string; value: unknown }>, key: string) => rules.find((r) => r.key === key)?.value;

describe('L3NM intent on a chain of four routers', () => {
  it('numbers every link from the pool, routes each access subnet via the next router towards it', () => {
    const p = prepareActivation(l3('s1'), snapshot, defaultHandlers(), new LinkPool('10.9.0.0/24'), new Claims(), undefined);
    assert.deepEqual([...p.links], [['ab', '10.9.0.0/30'], ['bc', '10.9.0.4/30'], ['cd', '10.9.0.8/30']]);
    const [a, b, , d] = p.desired;
    assert.deepEqual(valueAt(a!.rules, '/interface[2]/subinterface[0]'), { name: '2', index: 0, address_ip: '10.9.0.1', address_prefix: 30 });
    assert.equal((valueAt(a!.rules, '/network_instance[s1]/protocols[STATIC]/static_route[192.168.2.0/24]') as { next_hop: string }).next_hop, '10.9.0.2');
    assert.equal(valueAt(a!.rules, '/network_instance[s1]/protocols[STATIC]/static_route[192.168.1.0/24]'), undefined);
    assert.equal((valueAt(b!.rules, '/network_instance[s1]/protocols[STATIC]/static_route[192.168.1.0/24]') as { next_hop: string }).next_hop, '10.9.0.1');
    assert.equal((valueAt(b!.rules, '/network_instance[s1]/protocols[STATIC]/static_route[192.168.2.0/24]') as { next_hop: string }).next_hop, '10.9.0.6');
    assert.equal((valueAt(d!.rules, '/network_instance[s1]/protocols[STATIC]/static_route[192.168.1.0/24]') as { next_hop: string }).next_hop, '10.9.0.9');
  });

  it('a second service takes other /30s; a re-activation keeps its own; an exhausted pool is refused', () => {
    const claims = new Claims();
    const pool = new LinkPool('10.9.0.0/27');
    const first = prepareActivation(l3('s1'), snapshot, defaultHandlers(), pool, claims, undefined);
    claims.set('s1-uuid', { fingerprint: '', links: Object.fromEntries(first.links), devices: [] });
    const second = prepareActivation(l3('s2'), snapshot, defaultHandlers(), pool, claims, undefined);
    assert.deepEqual([...second.links.values()], ['10.9.0.12/30', '10.9.0.16/30', '10.9.0.20/30']);
    const again = prepareActivation(l3('s2'), snapshot, defaultHandlers(), pool, claims, { fingerprint: '', links: Object.fromEntries(second.links), devices: [] });
    assert.deepEqual([...again.links], [...second.links]);
    claims.set('s2-uuid', { fingerprint: '', links: Object.fromEntries(second.links), devices: [] });
    assert.throws(() => prepareActivation(l3('s3'), snapshot, defaultHandlers(), pool, claims, undefined), /exhausted/);
  });
});

describe('L2NM intent', () => {
  it('needs a vlan_id; trunks are tagged, access ports only when asked', () => {
    assert.throws(() => prepareActivation(service('v', 'SERVICETYPE_L2NM', []), snapshot, defaultHandlers(), new LinkPool(), new Claims(), undefined), /needs a vlan_id/);
    const p = prepareActivation(service('v', 'SERVICETYPE_L2NM', [['/settings', { vlan_id: 42 }]]), snapshot, defaultHandlers(), new LinkPool(), new Claims(), undefined);
    const [a, b] = p.desired;
    assert.deepEqual(valueAt(a!.rules, '/interface[1]/subinterface[0]'), { name: '1', index: 0 }, 'access, untagged');
    assert.deepEqual(valueAt(b!.rules, '/interface[2]/subinterface[42]'), { name: '2', index: 42, vlan_id: 42 }, 'trunk, tagged');
    assert.deepEqual(valueAt(b!.rules, '/network_instance[v]'), { name: 'v', type: 'L2VSI' });
  });
});

describe('handler registry', () => {
  it('picks the first of a device driver list that has a handler and names the device when none does', () => {
    const r = new HandlerRegistry().register('SERVICETYPE_L2NM', 'DEVICEDRIVER_OPENCONFIG', renderOpenConfig);
    assert.equal(r.find('SERVICETYPE_L2NM', ['DEVICEDRIVER_P4', 'DEVICEDRIVER_OPENCONFIG']), renderOpenConfig);
    assert.equal(r.find('SERVICETYPE_L3NM', ['DEVICEDRIVER_OPENCONFIG']), undefined);
    const e = (() => {
      try {
        r.require('SERVICETYPE_L3NM', { name: 'x1', device_drivers: ['DEVICEDRIVER_OPENCONFIG'] });
      } catch (err) {
        return err;
      }
    })();
    assert.ok(e instanceof CnsdnError && e.code === 'DRIVER_NOT_FOUND' && /x1/.test(e.message));
    assert.throws(() => prepareActivation(service('t', 'SERVICETYPE_TAPI_CONNECTIVITY_SERVICE', []), snapshot, defaultHandlers(), new LinkPool(), new Claims(), undefined), /only SERVICETYPE_L2NM and SERVICETYPE_L3NM/);
  });
});
