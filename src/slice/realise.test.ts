import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalize } from '../model/index.js';
import { realisingServiceId, serviceForSlice, serviceTypeOf, sliceFingerprint } from './realise.js';

const rule = (key: string, value: unknown) => ({ action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: value } });
const ep = (device: string, endpoint: string) => ({ device_id: { device_uuid: { uuid: device } }, endpoint_uuid: { uuid: endpoint } });
const slice = (rules: unknown[]) =>
  normalize.slice({
    slice_id: { context_id: { context_uuid: { uuid: 'admin' } }, slice_uuid: { uuid: 's1' } },
    slice_endpoint_ids: [ep('r1', 'Ethernet10'), ep('r3', 'Ethernet10')],
    slice_constraints: [{ action: 'CONSTRAINTACTION_SET', sla_latency: { e2e_latency_ms: 10 } }],
    slice_config: { config_rules: rules },
  } as never);

describe('slice → service (TFS semantics)', () => {
  it('is L3NM when an endpoint carries an IPv4 address, else L2NM', () => {
    assert.equal(serviceTypeOf(slice([rule('/device[r1]/endpoint[Ethernet10]/settings', { address_ip: '10.0.0.1', address_prefix: 24 })])), 'SERVICETYPE_L3NM');
    assert.equal(serviceTypeOf(slice([rule('/device[r1]/endpoint[Ethernet10]/settings', { ipv4_address: '10.0.0.1' })])), 'SERVICETYPE_L3NM');
    assert.equal(serviceTypeOf(slice([rule('/settings', { address_ip: '10.0.0.1' }), rule('/device[r1]/endpoint[Ethernet10]/settings', { vlan_id: 7 })])), 'SERVICETYPE_L2NM', 'only endpoint settings count');
    assert.equal(serviceTypeOf(slice([])), 'SERVICETYPE_L2NM');
  });

  it('the service has the slice uuid, endpoints, constraints and rules, without cnsdn bookkeeping; dropped keys are deleted', () => {
    const s = slice([rule('/settings', { vlan_id: 7 }), rule('/cnsdn/failure', { code: 'x' }), rule('/cnsdn/ietf-slice-service', { id: 's1' })]);
    assert.deepEqual(realisingServiceId(s).service_uuid.uuid, s.slice_id.slice_uuid.uuid);
    const existing = normalize.service({ service_id: realisingServiceId(s), service_config: { config_rules: [rule('/settings', {}), rule('/device[r9]/settings', {}), rule('/cnsdn/failure', {})] } } as never);
    const svc = serviceForSlice(s, existing) as unknown as { service_type: string; service_endpoint_ids: unknown[]; service_constraints: unknown[]; service_config: { config_rules: Array<{ action: string; custom: { resource_key: string } }> } };
    assert.equal(svc.service_type, 'SERVICETYPE_L2NM');
    assert.equal(svc.service_endpoint_ids.length, 2);
    assert.equal(svc.service_constraints.length, 1);
    assert.deepEqual(svc.service_config.config_rules.map((r) => `${r.action} ${r.custom.resource_key}`), ['CONFIGACTION_SET /settings', 'CONFIGACTION_DELETE /device[r9]/settings']);
  });

  it('the fingerprint follows endpoints, constraints and user rules, not cnsdn bookkeeping', () => {
    const a = slice([rule('/settings', { vlan_id: 7 })]);
    assert.equal(sliceFingerprint(a), sliceFingerprint(slice([rule('/settings', { vlan_id: 7 }), rule('/cnsdn/failure', { code: 'x' })])));
    assert.notEqual(sliceFingerprint(a), sliceFingerprint(slice([rule('/settings', { vlan_id: 8 })])));
  });
});
