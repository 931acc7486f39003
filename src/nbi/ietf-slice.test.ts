import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixturesMissing } from '../common/fixtures.js';
import { dig, type Lab, startLab, until, whileRefusing } from '../service/testing.js';

// biome-ignore lint/suspicious/noExplicitAny: request and response bodies are JSON read by shape
type Json = any;

const ROOT = '/restconf/data/ietf-network-slice-service:network-slice-services';
const ni = (name: string) => `/network-instances/network-instance[name=${name}]`;

/** An SDP on router port `tp` of `node`, with an optional address and VLAN match. */
function sdp(id: string, node: string, tp: string, opts: { ip?: string; vlan?: string; group?: string } = {}): Json {
  return {
    id,
    'node-id': node,
    ...(opts.ip ? { 'sdp-ip-address': [opts.ip] } : {}),
    'service-match-criteria': {
      'match-criterion': [
        {
          index: 1,
          'match-type': opts.vlan ? [{ type: 'ietf-network-slice-service:vlan', value: [opts.vlan] }] : [],
          'target-connection-group-id': opts.group ?? 'line1',
        },
      ],
    },
    'attachment-circuits': { 'attachment-circuit': [{ id: `ac-${id}`, 'ac-node-id': node, 'ac-tp-id': tp }] },
  };
}

function slice(id: string, sdps: Json[], bounds: Json[] = []): Json {
  return {
    id,
    description: `slice ${id}`,
    sdps: { sdp: sdps },
    'connection-groups': {
      'connection-group': [
        {
          id: 'line1',
          'connectivity-type': 'point-to-point',
          'connectivity-construct': [{ id: 1, 'p2p-sender-sdp': sdps[0]?.id, 'p2p-receiver-sdp': sdps[1]?.id, 'service-slo-sle-policy': { 'slo-policy': { 'metric-bound': bounds } } }],
        },
      ],
    },
  };
}

const l3 = (id: string) =>
  slice(id, [sdp('1', 'r1', 'Ethernet10', { ip: '172.16.1.1', vlan: '101' }), sdp('2', 'r3', 'Ethernet10', { ip: '172.16.2.1', vlan: '101' })], [
    { 'metric-type': 'ietf-network-slice-service:one-way-delay-maximum', 'metric-unit': 'milliseconds', bound: '50' },
    { 'metric-type': 'ietf-network-slice-service:one-way-bandwidth', 'metric-unit': 'Mbps', bound: '100' },
  ]);

describe('IETF network slice service NBI (slices realised as services on 3 gNMI routers)', { skip: fixturesMissing }, () => {
  let lab: Lab;
  let pristine: unknown[];
  const configs = () => Promise.all([0, 1, 2].map((i) => lab.routerConfig(i)));
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(lab.c.url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/yang-data+json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text && (res.headers.get('content-type') ?? '').includes('json') ? (JSON.parse(text) as Json) : (text as Json) };
  };
  const descriptors = async () => (await send('GET', '/tfs-api/descriptors')).body;
  before(async () => {
    lab = await startLab('l2_vpn_gnmi_oc/tfs-topology.json');
    pristine = await configs();
  });
  after(async () => lab?.close());

  it('POST (TFS body shape) realises an L3 slice: TFS slice ACTIVE listing its L3NM service, VRF on every router; GET reads it back; DELETE removes everything', async () => {
    const created = await send('POST', ROOT, { 'slice-service': [l3('slice1')] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.headers.get('location'), `${ROOT}/slice-service=slice1`);

    const tfsSlice = (await send('GET', '/tfs-api/context/admin/slice/slice1')).body;
    assert.equal(tfsSlice.slice_status.slice_status, 'SLICESTATUS_ACTIVE');
    assert.equal(tfsSlice.slice_service_ids.length, 1);
    const svc = (await send('GET', `/tfs-api/context/admin/service/${tfsSlice.slice_service_ids[0].service_uuid.uuid}`)).body;
    assert.equal(svc.service_type, 'SERVICETYPE_L3NM');
    assert.equal(svc.service_status.service_status, 'SERVICESTATUS_ACTIVE');
    assert.deepEqual(svc.service_constraints.map((c: Json) => Object.keys(c).filter((k) => k !== 'action')[0]).sort(), ['sla_capacity', 'sla_latency']);
    for (const i of [0, 1, 2]) assert.match(String(dig(await lab.routerGet(i, ni('slice1')), 'config', 'type')), /L3VRF$/, `r${i + 1} has the VRF`);

    const one = await send('GET', `${ROOT}/slice-service=slice1`);
    assert.equal(one.status, 200);
    const got = one.body['ietf-network-slice-service:slice-service'][0];
    assert.equal(got.id, 'slice1');
    assert.equal(got.status['oper-status'].status, 'ietf-vpn-common:op-up');
    assert.equal(got.sdps.sdp.length, 2);
    const all = await send('GET', ROOT);
    assert.deepEqual(all.body['ietf-network-slice-service:network-slice-services']['slice-service'].map((s: Json) => s.id), ['slice1']);
    const sdp2 = await send('GET', `${ROOT}/slice-service=slice1/sdps/sdp=2`);
    assert.equal(sdp2.body['ietf-network-slice-service:sdp'][0]['node-id'], 'r3');
    const groups = await send('GET', `${ROOT}/slice-service=slice1/connection-groups`);
    assert.equal(groups.body['ietf-network-slice-service:connection-groups']['connection-group'][0].id, 'line1');
    assert.equal((await send('GET', `${ROOT}/slice-service=slice1/sdps/sdp=9`)).status, 404);

    const del = await send('DELETE', `${ROOT}/slice-service=slice1`);
    assert.equal(del.status, 204, JSON.stringify(del.body));
    assert.equal((await send('GET', `${ROOT}/slice-service=slice1`)).status, 404);
    assert.equal((await send('GET', '/tfs-api/context/admin/slice/slice1')).status, 404);
    assert.equal((await send('GET', `/tfs-api/context/admin/service/${svc.service_id.service_uuid.uuid}`)).status, 404);
    assert.deepEqual(await configs(), pristine);
    assert.equal((await send('DELETE', `${ROOT}/slice-service=slice1`)).status, 404);
  });

  it('a slice without addresses (module-qualified body, VLAN in ac-tags) is L2: L2VSI with the VLAN on every router', async () => {
    const s = slice('slice-l2', [sdp('a', 'r1', 'Ethernet10'), sdp('b', 'r3', 'Ethernet10')]);
    for (const p of s.sdps.sdp) p['attachment-circuits']['attachment-circuit'][0]['ac-tags'] = { 'ac-tag': [{ 'tag-type': 'ietf-network-slice-service:vlan-id', value: ['120'] }] };
    const created = await send('POST', ROOT, { 'ietf-network-slice-service:network-slice-services': { 'slice-service': [s] } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const svc = (await send('GET', '/tfs-api/context/admin/services')).body.services.find((x: Json) => x.name === 'slice-l2');
    assert.equal(svc.service_type, 'SERVICETYPE_L2NM');
    for (const i of [0, 1, 2]) {
      const inst = await lab.routerGet(i, ni('slice-l2'));
      assert.match(String(dig(inst, 'config', 'type')), /L2VSI$/);
      assert.equal(dig(inst, 'vlans', 'vlan', 0, 'vlan-id'), 120);
    }
    assert.equal((await send('DELETE', `${ROOT}/slice-service=slice-l2`)).status, 204);
    assert.deepEqual(await configs(), pristine);
  });

  it('a slice written through the TFS REST API is realised too, and its removal there takes its service off the devices', async () => {
    const body = {
      slice_id: { context_id: { context_uuid: { uuid: 'admin' } }, slice_uuid: { uuid: 'tfs-slice' } },
      slice_endpoint_ids: [
        { device_id: { device_uuid: { uuid: 'r1' } }, endpoint_uuid: { uuid: 'Ethernet10' } },
        { device_id: { device_uuid: { uuid: 'r3' } }, endpoint_uuid: { uuid: 'Ethernet10' } },
      ],
      slice_status: { slice_status: 'SLICESTATUS_PLANNED' },
      slice_config: { config_rules: [{ action: 'CONFIGACTION_SET', custom: { resource_key: '/settings', resource_value: { vlan_id: 130 } } }] },
    };
    assert.equal((await send('POST', '/tfs-api/context/admin/slices', body)).status, 200);
    const active = await until('slice ACTIVE', async () => {
      const s = (await send('GET', '/tfs-api/context/admin/slice/tfs-slice')).body;
      return s.slice_status?.slice_status === 'SLICESTATUS_ACTIVE' ? s : undefined;
    });
    assert.equal(active.slice_service_ids.length, 1);
    assert.ok(await lab.routerGet(1, ni('tfs-slice')), 'r2 has the L2VSI');
    assert.equal((await send('DELETE', '/tfs-api/context/admin/slice/tfs-slice')).status, 200);
    await until('service removed', async () => ((await send('GET', `/tfs-api/context/admin/service/${active.slice_service_ids[0].service_uuid.uuid}`)).status === 404 ? true : undefined));
    await until('routers pristine', async () => (JSON.stringify(await configs()) === JSON.stringify(pristine) ? true : undefined));
  });

  it('a router that refuses: the answer is its error, no slice or service stays, every router as before', async () => {
    await whileRefusing(lab, 2, 'FAILED_PRECONDITION', 'r3 is in maintenance', async () => {
        const before = await descriptors();
        const r = await send('POST', ROOT, { 'slice-service': [l3('slice-fail')] });
        assert.equal(r.status, 502, JSON.stringify(r.body));
        assert.equal(r.body.code, 'CNSDN_DRIVER_ERROR');
        assert.match(r.body.detail, /r3.*maintenance/);
        assert.deepEqual(await descriptors(), before);
        assert.deepEqual(await configs(), pristine);
    });
  });

  describe('bad input: a coded 4xx at the JSON pointer of the fault, nothing stored', () => {
    const base = '/slice-service/0';
    const refused = async (body: unknown, status: number, code: string, pointer: string) => {
      const before = await descriptors();
      const r = await send('POST', ROOT, body);
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.equal(r.body.code, code, JSON.stringify(r.body));
      assert.equal(r.body.errors[0]?.path, pointer, JSON.stringify(r.body));
      assert.deepEqual(await descriptors(), before, 'a refused request stored something');
      assert.deepEqual(await configs(), pristine);
    };
    const edit = (fn: (s: Json) => void) => {
      const s = l3('bad');
      fn(s);
      return { 'slice-service': [s] };
    };
    it('schema faults: wrong types, a VLAN out of range, a missing ac-tp-id, one SDP only', async () => {
      await refused(edit((s) => { s.sdps.sdp[0]['sdp-ip-address'] = '172.16.1.1'; }), 400, 'CNSDN_VALIDATION_FAILED', `${base}/sdps/sdp/0/sdp-ip-address`);
      await refused(edit((s) => { s.sdps.sdp[1]['service-match-criteria']['match-criterion'][0]['match-type'][0].value = ['4095']; }), 400, 'CNSDN_INVALID_ARGUMENT', `${base}/sdps/sdp/1/service-match-criteria/match-criterion/0/match-type/0/value/0`);
      await refused(edit((s) => { delete s.sdps.sdp[0]['attachment-circuits']['attachment-circuit'][0]['ac-tp-id']; }), 400, 'CNSDN_INVALID_ARGUMENT', `${base}/sdps/sdp/0/attachment-circuits/attachment-circuit/0/ac-tp-id`);
      await refused(edit((s) => { s.sdps.sdp.pop(); }), 400, 'CNSDN_INVALID_ARGUMENT', `${base}/sdps`);
      await refused('{"slice-service": [', 400, 'CNSDN_MALFORMED_JSON', '');
      await refused({ 'slice-service': [] }, 400, 'CNSDN_INVALID_ARGUMENT', '/slice-service');
    });
    it('references: an unknown device or endpoint, connection group or SDP: 422 where it is named', async () => {
      await refused(edit((s) => { s.sdps.sdp[1]['attachment-circuits']['attachment-circuit'][0]['ac-node-id'] = 'r9'; }), 422, 'CNSDN_DANGLING_REFERENCE', `${base}/sdps/sdp/1/attachment-circuits/attachment-circuit/0/ac-node-id`);
      await refused(edit((s) => { s.sdps.sdp[0]['attachment-circuits']['attachment-circuit'][0]['ac-tp-id'] = 'Ethernet99'; }), 422, 'CNSDN_DANGLING_REFERENCE', `${base}/sdps/sdp/0/attachment-circuits/attachment-circuit/0/ac-tp-id`);
      await refused(edit((s) => { s.sdps.sdp[0]['service-match-criteria']['match-criterion'][0]['target-connection-group-id'] = 'nope'; }), 422, 'CNSDN_DANGLING_REFERENCE', `${base}/sdps/sdp/0/service-match-criteria/match-criterion/0/target-connection-group-id`);
      await refused(edit((s) => { s['connection-groups']['connection-group'][0]['connectivity-construct'][0]['p2p-receiver-sdp'] = '7'; }), 422, 'CNSDN_DANGLING_REFERENCE', `${base}/connection-groups/connection-group/0/connectivity-construct/0/p2p-receiver-sdp`);
    });
    it('SLOs and L2 needs: an unknown unit or metric, an L2 slice without VLAN, the same slice twice', async () => {
      const bound = `${base}/connection-groups/connection-group/0/connectivity-construct/0/service-slo-sle-policy/slo-policy/metric-bound`;
      await refused(edit((s) => { s['connection-groups']['connection-group'][0]['connectivity-construct'][0]['service-slo-sle-policy']['slo-policy']['metric-bound'][0]['metric-unit'] = 'fortnights'; }), 400, 'CNSDN_INVALID_ARGUMENT', `${bound}/0/metric-unit`);
      await refused(edit((s) => { s['connection-groups']['connection-group'][0]['connectivity-construct'][0]['service-slo-sle-policy']['slo-policy']['metric-bound'][1]['metric-type'] = 'x:jitter'; }), 400, 'CNSDN_INVALID_ARGUMENT', `${bound}/1/metric-type`);
      await refused({ 'slice-service': [slice('l2-no-vlan', [sdp('a', 'r1', 'Ethernet10'), sdp('b', 'r3', 'Ethernet10')])] }, 400, 'CNSDN_INVALID_ARGUMENT', `${base}/sdps/sdp`);
      await refused({ 'slice-service': [l3('twice'), l3('twice')] }, 400, 'CNSDN_INVALID_ARGUMENT', '/slice-service/1/id');
      assert.equal((await send('POST', ROOT, { 'slice-service': [l3('dup')] })).status, 201);
      const withDup = await configs();
      const again = await send('POST', ROOT, { 'slice-service': [l3('dup')] });
      assert.equal(again.status, 409, JSON.stringify(again.body));
      assert.equal(again.body.code, 'CNSDN_ALREADY_EXISTS');
      assert.equal(again.body.errors[0].path, `${base}/id`);
      assert.deepEqual(await configs(), withDup);
      assert.equal((await send('DELETE', `${ROOT}/slice-service=dup`)).status, 204);
    });
  });
});
