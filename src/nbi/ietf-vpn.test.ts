import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixturesMissing, TFS_FIXTURES } from '../common/fixtures.js';
import { uuidFromText } from '../model/ids.js';
import { type Lab, startLab, until } from '../service/testing.js';

// biome-ignore lint/suspicious/noExplicitAny: request and response bodies are JSON read by shape
type Json = any;

const fixture = (path: string): Json => JSON.parse(readFileSync(join(TFS_FIXTURES, path), 'utf8'));
const L3 = '/restconf/data/ietf-l3vpn-svc:l3vpn-svc';
const L2 = '/restconf/data/ietf-l2vpn-svc:l2vpn-svc';
const L3_ACCESS = '/ietf-l3vpn-svc:l3vpn-svc/sites/site/0/site-network-accesses/site-network-access/0';
const ni = (name: string) => `/network-instances/network-instance[name=${name}]`;
const L2_ACCESS = '/ietf-l2vpn-svc:l2vpn-svc/sites/site/0/site-network-accesses/site-network-access/0';

interface Reply {
  status: number;
  type: string;
  headers: Headers;
  body: Json;
}

class Client {
  constructor(readonly lab: Lab) {}
  async send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const raw = typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body);
    const res = await fetch(this.lab.c.url + path, {
      method,
      headers: { ...(raw === undefined ? {} : { 'content-type': 'application/yang-data+json' }), ...headers },
      body: raw,
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, type, headers: res.headers, body: type.includes('json') && text ? JSON.parse(text) : text };
  }
  async descriptors(): Promise<Json> {
    const r = await this.send('GET', '/tfs-api/descriptors');
    assert.equal(r.status, 200);
    return r.body;
  }
  async service(id: string): Promise<Reply> {
    return this.send('GET', `/tfs-api/context/admin/service/${id}`);
  }
}

/** A controller with the fixture topology, its routers r1..r3 simulated (gNMI) so services activate. */
async function controllerWith(topology: string): Promise<Client> {
  return new Client(await startLab(topology));
}

const epUuid = (device: string, endpoint: string) => ({ device: uuidFromText(device), endpoint: uuidFromText(endpoint, uuidFromText(device)) });
const endpointsOf = (s: Json) => s.service_endpoint_ids.map((e: Json) => ({ device: e.device_id.device_uuid.uuid, endpoint: e.endpoint_uuid.uuid }));
const rules = (s: Json): Map<string, Json> =>
  new Map(s.service_config.config_rules.map((r: Json) => [r.custom.resource_key, typeof r.custom.resource_value === 'string' ? JSON.parse(r.custom.resource_value) : r.custom.resource_value]));
const constraint = (s: Json, kind: string) => s.service_constraints.filter((c: Json) => c[kind]).map((c: Json) => c[kind]);

/** Asserts a refusal: status, code, the pointer of the first fault, and nothing stored. */
async function refused(c: Client, path: string, body: unknown, status: number, code: string, pointer: string): Promise<Reply> {
  const before = await c.descriptors();
  const r = await c.send('POST', path, body);
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.match(r.type, /^application\/problem\+json/);
  assert.equal(r.body.code, code, JSON.stringify(r.body));
  assert.equal(r.body.errors[0]?.path, pointer, JSON.stringify(r.body));
  assert.deepEqual(await c.descriptors(), before, 'a refused request stored something');
  return r;
}

describe('IETF L3VPN (RFC 8299) NBI', { skip: fixturesMissing }, () => {
  let c: Client;
  const body = () => fixture('eucnc24/ietf-l3vpn-service.json');
  before(async () => {
    c = await controllerWith('eucnc24/tfs-topology.json');
  });
  after(async () => c?.lab.close());

  it('accepts the TFS request body unchanged and stores the L3NM service TFS makes of it', async () => {
    const r = await c.send('POST', `${L3}/vpn-services`, body());
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.headers.get('location'), `${L3}/vpn-services/vpn-service=ietf-l3vpn-svc`);

    const s = await c.service('ietf-l3vpn-svc');
    assert.equal(s.status, 200);
    const tfs = fixture('eucnc24/tfs-service.json').services[0];
    assert.equal(s.body.name, 'ietf-l3vpn-svc');
    assert.equal(s.body.service_id.service_uuid.uuid, uuidFromText('ietf-l3vpn-svc', uuidFromText('admin')));
    assert.equal(s.body.service_type, tfs.service_type);
    assert.equal(s.body.service_status.service_status, 'SERVICESTATUS_ACTIVE', 'active when the request is answered');
    // TFS's IETF NBI names the customer-facing access (device-reference, site-network-access-id).
    assert.deepEqual(endpointsOf(s.body), [epUuid('dc1', 'eth1'), epUuid('dc2', 'eth1')]);
    assert.deepEqual(
      endpointsOf(s.body).map((e: Json) => e.device),
      tfs.service_endpoint_ids.map((e: Json) => uuidFromText(e.device_id.device_uuid.uuid)),
    );
    const ours = rules(s.body);
    for (const [key, value] of rules(tfs)) {
      assert.ok(ours.has(key), `rule ${key} missing`);
      for (const field of ['address_ip', 'address_prefix', 'index']) assert.equal(ours.get(key)[field], value[field], `${key} ${field}`);
    }
    assert.equal(ours.get('/device[dc1]/endpoint[eth1]/settings').neighbor_address, '172.16.1.1');
    assert.equal(ours.get('/device[dc2]/endpoint[eth1]/settings').neighbor_address, '172.16.2.1');
    assert.deepEqual(ours.get('/settings'), { mtu: 1500, address_families: ['IPV4'] });
    assert.deepEqual(constraint(s.body, 'sla_capacity'), [{ capacity_gbps: 1 }]);
    assert.deepEqual(constraint(s.body, 'sla_latency'), [{ e2e_latency_ms: 10 }]);
    assert.deepEqual(
      constraint(s.body, 'endpoint_location').map((l: Json) => l.location.region),
      ['site_DC1', 'site_DC2'],
    );
    for (const i of [0, 1, 2]) {
      const vrf: Json = await c.lab.routerGet(i, ni('ietf-l3vpn-svc'));
      assert.match(String(vrf?.config.type), /L3VRF$/, `r${i + 1} has the VRF`);
    }
  });

  it('GET rebuilds the vpn-service, the list and the sites from the stored service', async () => {
    const one = await c.send('GET', `${L3}/vpn-services/vpn-service=ietf-l3vpn-svc`);
    assert.equal(one.status, 200);
    assert.match(one.type, /^application\/yang-data\+json/);
    assert.deepEqual(one.body, { 'ietf-l3vpn-svc:vpn-service': [{ 'vpn-id': 'ietf-l3vpn-svc' }] });
    const list = await c.send('GET', `${L3}/vpn-services`);
    assert.deepEqual(list.body, { 'ietf-l3vpn-svc:vpn-services': { 'vpn-service': [{ 'vpn-id': 'ietf-l3vpn-svc' }] } });

    const tree = await c.send('GET', L3);
    assert.equal(tree.status, 200);
    const sent = body()['ietf-l3vpn-svc:l3vpn-svc'];
    const got = tree.body['ietf-l3vpn-svc:l3vpn-svc'];
    assert.deepEqual(got['vpn-services'], { 'vpn-service': [{ 'vpn-id': 'ietf-l3vpn-svc' }] });
    assert.equal(got.sites.site.length, sent.sites.site.length);
    sent.sites.site.forEach((site: Json, i: number) => {
      const mine = got.sites.site[i];
      assert.equal(mine['site-id'], site['site-id']);
      assert.deepEqual(mine.devices.device.map((d: Json) => d['device-id']), site.devices.device.map((d: Json) => d['device-id']));
      const a = site['site-network-accesses']['site-network-access'][0];
      const b = mine['site-network-accesses']['site-network-access'][0];
      for (const k of ['site-network-access-id', 'device-reference']) assert.equal(b[k], a[k]);
      assert.equal(b['vpn-attachment']['vpn-id'], a['vpn-attachment']['vpn-id']);
      assert.deepEqual(b['ip-connection'].ipv4.addresses, a['ip-connection'].ipv4.addresses);
      assert.equal(b.service['svc-mtu'], a.service['svc-mtu']);
    });
  });

  it('refuses the same VPN twice (409 at its vpn-id), nothing changed', async () => {
    await refused(c, L3, body(), 409, 'CNSDN_ALREADY_EXISTS', '/ietf-l3vpn-svc:l3vpn-svc/vpn-services/vpn-service/0/vpn-id');
  });

  it('an L2VPN path does not show or delete the L3VPN', async () => {
    assert.equal((await c.send('GET', `${L2}/vpn-services/vpn-service=ietf-l3vpn-svc`)).status, 404);
    assert.equal((await c.send('DELETE', `${L2}/vpn-services/vpn-service=ietf-l3vpn-svc`)).status, 404);
    assert.deepEqual((await c.send('GET', `${L2}/vpn-services`)).body, { 'ietf-l2vpn-svc:vpn-services': { 'vpn-service': [] } });
  });

  it('DELETE removes the service; a second DELETE and a GET are 404', async () => {
    const r = await c.send('DELETE', `${L3}/vpn-services/vpn-service=ietf-l3vpn-svc`);
    assert.equal(r.status, 204);
    assert.equal((await c.service('ietf-l3vpn-svc')).status, 404);
    for (const i of [0, 1, 2]) assert.equal(await c.lab.routerGet(i, ni('ietf-l3vpn-svc')), undefined, `r${i + 1} keeps no VRF`);
    const again = await c.send('DELETE', `${L3}/vpn-services/vpn-service=ietf-l3vpn-svc`);
    assert.equal(again.status, 404);
    assert.equal(again.body.code, 'CNSDN_NOT_FOUND');
    assert.equal((await c.send('GET', `${L3}/vpn-services/vpn-service=ietf-l3vpn-svc`)).status, 404);
  });

  describe('bad input: coded, pointed at, nothing stored', () => {
    const edit = (f: (root: Json) => void) => {
      const b = body();
      f(b['ietf-l3vpn-svc:l3vpn-svc']);
      return b;
    };
    const access = (root: Json, site = 0) => root.sites.site[site]['site-network-accesses']['site-network-access'][0];

    it('a wrong type on a node cnsdn reads: 400 at that node', async () => {
      await refused(c, L3, edit((r) => { access(r)['ip-connection'].ipv4.addresses['prefix-length'] = '24'; }), 400, 'CNSDN_VALIDATION_FAILED', `${L3_ACCESS}/ip-connection/ipv4/addresses/prefix-length`);
      await refused(c, L3, edit((r) => { access(r).service['svc-mtu'] = 70000; }), 400, 'CNSDN_VALIDATION_FAILED', `${L3_ACCESS}/service/svc-mtu`);
      await refused(c, L3, edit((r) => { access(r)['ip-connection'].ipv4.addresses['customer-address'] = '172.16.1.300'; }), 400, 'CNSDN_VALIDATION_FAILED', `${L3_ACCESS}/ip-connection/ipv4/addresses/customer-address`);
      await refused(c, L3, edit((r) => { r['vpn-services']['vpn-service'][0]['vpn-id'] = 7; }), 400, 'CNSDN_VALIDATION_FAILED', '/ietf-l3vpn-svc:l3vpn-svc/vpn-services/vpn-service/0/vpn-id');
      await refused(c, L3, edit((r) => { delete access(r)['device-reference']; }), 400, 'CNSDN_VALIDATION_FAILED', `${L3_ACCESS}/device-reference`);
    });

    it('a body of the other model or with a foreign top node: 400', async () => {
      await refused(c, L3, fixture('l2_vpn_gnmi_oc/ietf-l2vpn-service.json'), 400, 'CNSDN_VALIDATION_FAILED', '/ietf-l3vpn-svc:l3vpn-svc');
      await refused(c, L3, { ...body(), extra: 1 }, 400, 'CNSDN_VALIDATION_FAILED', '/extra');
    });

    it('malformed JSON: 400', async () => {
      const before = await c.descriptors();
      const r = await c.send('POST', L3, '{"ietf-l3vpn-svc:l3vpn-svc": {');
      assert.equal(r.status, 400);
      assert.equal(r.body.code, 'CNSDN_MALFORMED_JSON');
      assert.deepEqual(await c.descriptors(), before);
    });

    it('an unknown device or endpoint: 422 at the IETF node that names it', async () => {
      await refused(c, L3, edit((r) => { access(r)['device-reference'] = 'dc9'; }), 422, 'CNSDN_DANGLING_REFERENCE', `${L3_ACCESS}/device-reference`);
      const r = await refused(c, L3, edit((r) => { access(r, 1)['site-network-access-id'] = 'eth9'; }), 422, 'CNSDN_DANGLING_REFERENCE', L3_ACCESS.replace('/site/0/', '/site/1/') + '/site-network-access-id');
      assert.match(r.body.detail, /eth9/);
    });

    it('an access attached to a VPN the request does not create: 422 at its vpn-id', async () => {
      await refused(c, L3, edit((r) => { access(r)['vpn-attachment']['vpn-id'] = 'other'; }), 422, 'CNSDN_DANGLING_REFERENCE', `${L3_ACCESS}/vpn-attachment/vpn-id`);
    });

    it('duplicates: vpn-id, site-id, one endpoint attached twice: 400 at the repeat', async () => {
      await refused(c, L3, edit((r) => { r['vpn-services']['vpn-service'].push({ 'vpn-id': 'ietf-l3vpn-svc' }); }), 400, 'CNSDN_INVALID_ARGUMENT', '/ietf-l3vpn-svc:l3vpn-svc/vpn-services/vpn-service/1/vpn-id');
      await refused(c, L3, edit((r) => { r.sites.site[1]['site-id'] = 'site_DC1'; }), 400, 'CNSDN_INVALID_ARGUMENT', '/ietf-l3vpn-svc:l3vpn-svc/sites/site/1/site-id');
      await refused(c, L3, edit((r) => { access(r, 1)['device-reference'] = 'dc1'; }), 400, 'CNSDN_INVALID_ARGUMENT', L3_ACCESS.replace('/site/0/', '/site/1/') + '/site-network-access-id');
    });

    it('addresses outside one subnet, or without a prefix length: 400', async () => {
      await refused(c, L3, edit((r) => { access(r)['ip-connection'].ipv4.addresses['provider-address'] = '172.16.9.1'; }), 400, 'CNSDN_INVALID_ARGUMENT', `${L3_ACCESS}/ip-connection/ipv4/addresses`);
      await refused(c, L3, edit((r) => { delete access(r)['ip-connection'].ipv4.addresses['prefix-length']; }), 400, 'CNSDN_INVALID_ARGUMENT', `${L3_ACCESS}/ip-connection/ipv4/addresses/prefix-length`);
    });

    it('Accept: application/yang-data+json gets RFC 8040 ietf-restconf:errors', async () => {
      const b = edit((r) => { access(r)['device-reference'] = 'dc9'; });
      const r = await c.send('POST', L3, b, { accept: 'application/yang-data+json' });
      assert.equal(r.status, 422);
      assert.match(r.type, /^application\/yang-data\+json/);
      const [e] = r.body['ietf-restconf:errors'].error;
      assert.equal(e['error-type'], 'application');
      assert.equal(e['error-tag'], 'invalid-value');
      assert.equal(e['error-info']['json-pointer'], `${L3_ACCESS}/device-reference`);
      assert.equal(e['error-info']['cnsdn-code'], 'CNSDN_DANGLING_REFERENCE');
      const malformed = await c.send('POST', L3, '{', { accept: 'application/yang-data+json' });
      assert.equal(malformed.body['ietf-restconf:errors'].error[0]['error-tag'], 'malformed-message');
      assert.equal(malformed.body['ietf-restconf:errors'].error[0]['error-type'], 'protocol');
    });
  });
});

describe('IETF L2VPN (RFC 8466) NBI', { skip: fixturesMissing }, () => {
  let c: Client;
  const body = () => fixture('l2_vpn_gnmi_oc/ietf-l2vpn-service.json');
  const topology = () => fixture('l2_vpn_gnmi_oc/tfs-topology.json');
  before(async () => {
    c = await controllerWith('l2_vpn_gnmi_oc/tfs-topology.json');
  });
  after(async () => c?.lab.close());

  it('accepts the TFS request body unchanged and stores the L2NM service TFS makes of it', async () => {
    const r = await c.send('POST', L2, body());
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const s = await c.service('ietf-l2vpn-svc');
    assert.equal(s.status, 200);
    const tfs = fixture('l2_vpn_gnmi_oc/tfs-service-vlan-125-tagged.json').services[0];
    assert.equal(s.body.service_type, tfs.service_type);
    // TFS maps the bearer "<device>:<endpoint>": the provider edge ports facing the descriptor's data centres.
    assert.deepEqual(endpointsOf(s.body), [epUuid('r1', 'Ethernet10'), epUuid('r3', 'Ethernet10')]);
    const links = topology().links.map((l: Json) => l.link_endpoint_ids.map((e: Json) => `${e.device_id.device_uuid.uuid}/${e.endpoint_uuid.uuid}`));
    const facing = (ep: string) => links.find((l: string[]) => l[0] === ep)?.[1].split('/')[0];
    assert.deepEqual(['r1/Ethernet10', 'r3/Ethernet10'].map(facing), tfs.service_endpoint_ids.map((e: Json) => e.device_id.device_uuid.uuid));
    const ours = rules(s.body);
    assert.deepEqual(ours.get('/settings'), { mtu: 1400, ...rules(tfs).get('/settings') });
    assert.deepEqual(ours.get('/device[r1]/endpoint[Ethernet10]/settings'), { vlan_id: 125, mtu: 1400 });
    assert.deepEqual(ours.get('/device[r3]/endpoint[Ethernet10]/settings'), { vlan_id: 125, mtu: 1400 });
    assert.deepEqual(constraint(s.body, 'endpoint_location').map((l: Json) => l.location.region), ['site_DC1', 'site_DC2']);
    assert.deepEqual(constraint(s.body, 'sla_capacity'), []);
    for (const i of [0, 1, 2]) {
      const inst: Json = await c.lab.routerGet(i, ni('ietf-l2vpn-svc'));
      assert.match(String(inst?.config.type), /L2VSI$/, `r${i + 1} has the L2VSI`);
      assert.equal(inst.vlans.vlan[0]['vlan-id'], 125);
    }
    const access: Json = await c.lab.routerGet(0, '/interfaces/interface[name=Ethernet10]/subinterfaces/subinterface[index=125]');
    assert.equal(access?.['openconfig-vlan:vlan']?.config['vlan-id'], 125, 'r1 access port tagged with the C-VLAN');
  });

  it('GET rebuilds the vpn-service and the sites by their bearers', async () => {
    const one = await c.send('GET', `${L2}/vpn-services/vpn-service=ietf-l2vpn-svc`);
    assert.deepEqual(one.body, { 'ietf-l2vpn-svc:vpn-service': [{ 'vpn-id': 'ietf-l2vpn-svc' }] });
    const tree = await c.send('GET', L2);
    const sites = tree.body['ietf-l2vpn-svc:l2vpn-svc'].sites.site;
    assert.deepEqual(sites.map((s: Json) => s['site-id']), ['site_DC1', 'site_DC2']);
    const sent = body()['ietf-l2vpn-svc:l2vpn-svc'].sites.site;
    sites.forEach((site: Json, i: number) => {
      const a = sent[i]['site-network-accesses']['site-network-access'][0];
      const b = site['site-network-accesses']['site-network-access'][0];
      assert.equal(b.bearer['bearer-reference'], a.bearer['bearer-reference']);
      assert.equal(b.connection['tagged-interface']['dot1q-vlan-tagged']['cvlan-id'], a.connection['tagged-interface']['dot1q-vlan-tagged']['cvlan-id']);
      assert.equal(b.service['svc-mtu'], a.service['svc-mtu']);
      assert.equal(b['vpn-attachment']['vpn-id'], a['vpn-attachment']['vpn-id']);
    });
  });

  describe('bad input: coded, pointed at, nothing stored', () => {
    const edit = (f: (root: Json) => void) => {
      const b = body();
      b['ietf-l2vpn-svc:l2vpn-svc']['vpn-services']['vpn-service'][0]['vpn-id'] = 'fresh';
      for (const s of b['ietf-l2vpn-svc:l2vpn-svc'].sites.site) s['site-network-accesses']['site-network-access'][0]['vpn-attachment']['vpn-id'] = 'fresh';
      f(b['ietf-l2vpn-svc:l2vpn-svc']);
      return b;
    };
    const access = (root: Json) => root.sites.site[0]['site-network-accesses']['site-network-access'][0];

    it('bearers that name no device:endpoint or an unknown device: 422 at the bearer-reference', async () => {
      await refused(c, L2, edit((r) => { access(r).bearer['bearer-reference'] = 'r1'; }), 422, 'CNSDN_DANGLING_REFERENCE', `${L2_ACCESS}/bearer/bearer-reference`);
      await refused(c, L2, edit((r) => { access(r).bearer['bearer-reference'] = 'r9:Ethernet10'; }), 422, 'CNSDN_DANGLING_REFERENCE', `${L2_ACCESS}/bearer/bearer-reference`);
    });

    it('VLANs of the wrong type or range, unsupported encapsulations: 400 at the node', async () => {
      const dot1q = `${L2_ACCESS}/connection/tagged-interface`;
      await refused(c, L2, edit((r) => { access(r).connection['tagged-interface']['dot1q-vlan-tagged']['cvlan-id'] = '125'; }), 400, 'CNSDN_VALIDATION_FAILED', `${dot1q}/dot1q-vlan-tagged/cvlan-id`);
      await refused(c, L2, edit((r) => { access(r).connection['tagged-interface']['dot1q-vlan-tagged']['cvlan-id'] = 4095; }), 400, 'CNSDN_VALIDATION_FAILED', `${dot1q}/dot1q-vlan-tagged/cvlan-id`);
      await refused(c, L2, edit((r) => { access(r).connection['tagged-interface'].type = 'ietf-l2vpn-svc:qinq'; }), 400, 'CNSDN_INVALID_ARGUMENT', `${dot1q}/type`);
      await refused(c, L2, edit((r) => { access(r).connection['encapsulation-type'] = 'ietf-l2vpn-svc:vxlan'; }), 400, 'CNSDN_INVALID_ARGUMENT', `${L2_ACCESS}/connection/encapsulation-type`);
      await refused(c, L2, edit((r) => { delete access(r).connection['tagged-interface']['dot1q-vlan-tagged']; }), 400, 'CNSDN_INVALID_ARGUMENT', `${dot1q}/dot1q-vlan-tagged`);
    });

    it('an access without bearer or device-reference: 400', async () => {
      await refused(c, L2, edit((r) => { delete access(r).bearer; delete access(r)['device-reference']; }), 400, 'CNSDN_INVALID_ARGUMENT', `${L2_ACCESS}/bearer`);
    });

    it('the same VPN again: 409 at its vpn-id', async () => {
      await refused(c, L2, body(), 409, 'CNSDN_ALREADY_EXISTS', '/ietf-l2vpn-svc:l2vpn-svc/vpn-services/vpn-service/0/vpn-id');
    });
  });

  it('DELETE removes the service and its network instance from every router', async () => {
    assert.equal((await c.send('DELETE', `${L2}/vpn-services/vpn-service=ietf-l2vpn-svc`)).status, 204);
    for (const i of [0, 1, 2]) assert.equal(await c.lab.routerGet(i, ni('ietf-l2vpn-svc')), undefined, `r${i + 1} keeps no network instance`);
    assert.equal((await c.service('ietf-l2vpn-svc')).status, 404);
    assert.deepEqual((await c.send('GET', `${L2}/vpn-services`)).body, { 'ietf-l2vpn-svc:vpn-services': { 'vpn-service': [] } });
  });

  it('a router that is down: the activation error is the answer, no VPN stays, no network instance anywhere', async () => {
    await c.lab.sim.stop(2);
    try {
      const r = await c.send('POST', L2, body());
      assert.equal(r.status, 502, JSON.stringify(r.body));
      assert.equal(r.body.code, 'CNSDN_DEVICE_UNREACHABLE');
      assert.match(r.body.detail, /vpn-service ietf-l2vpn-svc was not activated: device r3/);
      assert.equal((await c.service('ietf-l2vpn-svc')).status, 404);
      for (const i of [0, 1]) assert.equal(await c.lab.routerGet(i, ni('ietf-l2vpn-svc')), undefined, `r${i + 1} keeps no network instance`);
    } finally {
      await c.lab.sim.start(2);
      await until('r3 connected again', async () => {
        const r = await c.send('GET', '/tfs-api/device/r3');
        return r.body.device_operational_status === 'DEVICEOPERATIONALSTATUS_ENABLED' ? true : undefined;
      }, 30_000);
    }
  });

  it('without a bearer, device-reference and network-access-id place the access', async () => {
    const b = body();
    const root = b['ietf-l2vpn-svc:l2vpn-svc'];
    root['vpn-services']['vpn-service'][0]['vpn-id'] = 'by-device';
    for (const s of root.sites.site) {
      const a = s['site-network-accesses']['site-network-access'][0];
      a['vpn-attachment']['vpn-id'] = 'by-device';
      delete a.bearer;
    }
    const r = await c.send('POST', `${L2}/vpn-services`, b);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const s = await c.service('by-device');
    assert.deepEqual(endpointsOf(s.body), [epUuid('dc1', 'eth1'), epUuid('dc2', 'eth1')]);
    assert.equal((await c.send('DELETE', `${L2}/vpn-services/vpn-service=by-device`)).status, 204);
  });
});
