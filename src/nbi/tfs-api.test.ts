import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningController, startController } from '../app/index.js';
import { uuidFromText } from '../model/ids.js';

import { TFS_FIXTURES as FIXTURES } from '../common/fixtures.js';
const SMALL = new URL('../context/testdata/small-topology.json', import.meta.url).pathname;

// Every outgoing TCP connection of this process is recorded, so a test can prove that nothing
// went to the lab addresses in the descriptors.
const outgoing: string[] = [];
const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  // net.connect() passes its normalised arguments as one array.
  const given = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  const first = given[0] as { host?: string; path?: string } | number | string;
  const host = typeof first === 'object' && first ? (first.host ?? first.path ?? '') : typeof given[1] === 'string' ? given[1] : String(first);
  outgoing.push(String(host));
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON read by shape in assertions
type Json = any;

interface Reply {
  status: number;
  type: string;
  body: Json;
}

const dirs: string[] = [];
async function start(): Promise<RunningController> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cnsdn-tfs-api-'));
  dirs.push(dataDir);
  const c = await startController({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent', southboundAllow: '127.0.0.0/8' });
  const ready = await until(
    () => fetch(`${c.url}/readyz`, { signal: AbortSignal.timeout(5000) }).then((r) => r.status),
    (s) => s === 200,
  );
  assert.equal(ready, 200, 'controller not ready within 5 s');
  return c;
}

function client(c: () => RunningController) {
  return async (method: string, path: string, body?: unknown): Promise<Reply> => {
    const res = await fetch(c().url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, type, body: type.includes('json') && text ? JSON.parse(text) : text };
  };
}

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await probe();
  while (!ok(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    v = await probe();
  }
  return v;
}

function assertProblem(r: Reply, status: number, code: string): void {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.match(r.type, /^application\/problem\+json/);
  assert.equal(r.body.code, code);
}

const rule = (key: string, value: unknown) => ({ action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: value } });
const emulated = (name: string, endpoints = ['eth1', 'eth2']) => ({
  device_id: { device_uuid: { uuid: name } },
  device_type: 'emu-packet-router',
  device_drivers: ['DEVICEDRIVER_UNDEFINED'],
  device_config: {
    config_rules: [
      rule('_connect/address', '127.0.0.1'),
      rule('_connect/port', '0'),
      rule('_connect/settings', { endpoints: endpoints.map((uuid) => ({ uuid, type: 'copper', sample_types: [101, 102] })) }),
    ],
  },
});
const ep = (device: string, endpoint: string) => ({ device_id: { device_uuid: { uuid: device } }, endpoint_uuid: { uuid: endpoint } });
const link = (name: string, a: [string, string], b: [string, string]) => ({ link_id: { link_uuid: { uuid: name } }, link_endpoint_ids: [ep(...a), ep(...b)] });
const service = (name: string, endpoints: Array<[string, string]>) => ({
  service_id: { context_id: { context_uuid: { uuid: 'admin' } }, service_uuid: { uuid: name } },
  service_type: 'SERVICETYPE_L2NM',
  service_endpoint_ids: endpoints.map((e) => ep(...e)),
});

after(() => {
  net.Socket.prototype.connect = originalConnect;
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('TFS REST API through a real controller', () => {
  let c: RunningController;
  const api = client(() => c);
  const ADMIN = uuidFromText('admin');

  before(async () => {
    c = await start();
    assert.equal((await api('POST', '/tfs-api/contexts', { context_id: { context_uuid: { uuid: 'admin' } } })).status, 200);
    assert.equal((await api('POST', '/tfs-api/context/admin/topologies', { topology_id: { topology_uuid: { uuid: 'admin' } } })).status, 200);
  });
  after(() => c.close());

  it('contexts: POST one, an array and the wrapper; GET by name and uuid; PUT; DELETE', async () => {
    const one = await api('POST', '/tfs-api/contexts', { context_id: { context_uuid: { uuid: 'c1' } } });
    assert.equal(one.status, 200);
    assert.deepEqual(one.body, [{ context_uuid: { uuid: uuidFromText('c1') } }]);
    const many = await api('POST', '/tfs-api/contexts', [{ context_id: { context_uuid: { uuid: 'c2' } } }, { context_id: { context_uuid: { uuid: 'c3' } } }]);
    assert.equal(many.status, 200);
    assert.equal(many.body.length, 2);
    assert.equal((await api('POST', '/tfs-api/contexts', { contexts: [{ context_id: { context_uuid: { uuid: 'c4' } } }] })).status, 200);

    const ids = (await api('GET', '/tfs-api/context_ids')).body.context_ids.map((i: Json) => i.context_uuid.uuid);
    for (const n of ['admin', 'c1', 'c2', 'c3', 'c4']) assert.ok(ids.includes(uuidFromText(n)), n);
    const all = (await api('GET', '/tfs-api/contexts')).body.contexts;
    assert.equal(all.length, 5);
    const admin = all.find((x: Json) => x.name === 'admin');
    assert.deepEqual(admin.topology_ids.map((t: Json) => t.topology_uuid.uuid), [uuidFromText('admin', ADMIN)]);

    const byName = await api('GET', '/tfs-api/context/c1');
    assert.equal(byName.status, 200);
    assert.deepEqual((await api('GET', `/tfs-api/context/${uuidFromText('c1')}`)).body, byName.body);

    const put = await api('PUT', '/tfs-api/context/c1', { context_id: { context_uuid: { uuid: 'c1' } }, name: 'renamed' });
    assert.equal(put.status, 200);
    assert.equal((await api('GET', '/tfs-api/context/c1')).body.name, 'renamed');
    const mismatch = await api('PUT', '/tfs-api/context/c1', { context_id: { context_uuid: { uuid: 'c2' } } });
    assertProblem(mismatch, 400, 'CNSDN_INVALID_ARGUMENT');
    assert.equal(mismatch.body.errors[0].path, '/context_id/context_uuid/uuid');

    for (const n of ['c2', 'c3', 'c4']) assert.equal((await api('DELETE', `/tfs-api/context/${n}`)).status, 200);
    assertProblem(await api('GET', '/tfs-api/context/c2'), 404, 'CNSDN_NOT_FOUND');
    assertProblem(await api('DELETE', '/tfs-api/context/c2'), 404, 'CNSDN_NOT_FOUND');
    assertProblem(await api('POST', '/tfs-api/contexts', { context_id: { context_uuid: { uuid: 'c1' } } }), 409, 'CNSDN_ALREADY_EXISTS');
  });

  it('topologies: POST forms, ids and list, GET by name and uuid, PUT, DELETE', async () => {
    assert.equal((await api('POST', '/tfs-api/context/c1/topologies', { topology_id: { topology_uuid: { uuid: 't1' } } })).status, 200);
    const arr = await api('POST', '/tfs-api/context/c1/topologies', [{ topology_id: { topology_uuid: { uuid: 't2' } } }]);
    assert.equal(arr.status, 200);
    const c1 = uuidFromText('c1');
    assert.deepEqual(arr.body, [{ context_id: { context_uuid: { uuid: c1 } }, topology_uuid: { uuid: uuidFromText('t2', c1) } }]);
    assert.equal((await api('POST', '/tfs-api/context/c1/topologies', { topologies: [{ topology_id: { topology_uuid: { uuid: 't3' } } }] })).status, 200);

    const ids = (await api('GET', '/tfs-api/context/c1/topology_ids')).body.topology_ids;
    assert.deepEqual(new Set(ids.map((t: Json) => t.topology_uuid.uuid)), new Set(['t1', 't2', 't3'].map((t) => uuidFromText(t, c1))));
    assert.equal((await api('GET', '/tfs-api/context/c1/topologies')).body.topologies.length, 3);
    const t1 = await api('GET', '/tfs-api/context/c1/topology/t1');
    assert.equal(t1.body.name, 't1');
    assert.deepEqual((await api('GET', `/tfs-api/context/${c1}/topology/${uuidFromText('t1', c1)}`)).body, t1.body);

    assert.equal((await api('PUT', '/tfs-api/context/c1/topology/t1', { topology_id: { topology_uuid: { uuid: 't1' } }, name: 'first' })).status, 200);
    assert.equal((await api('GET', '/tfs-api/context/c1/topology/t1')).body.name, 'first');
    const mismatch = await api('PUT', '/tfs-api/context/c1/topology/t1', { topology_id: { topology_uuid: { uuid: 't2' } } });
    assertProblem(mismatch, 400, 'CNSDN_INVALID_ARGUMENT');
    assert.equal(mismatch.body.errors[0].path, '/topology_id/topology_uuid/uuid');
    const otherContext = await api('PUT', '/tfs-api/context/c1/topology/t1', { topology_id: { context_id: { context_uuid: { uuid: 'admin' } }, topology_uuid: { uuid: 't1' } } });
    assertProblem(otherContext, 400, 'CNSDN_INVALID_ARGUMENT');
    assert.equal(otherContext.body.errors[0].path, '/topology_id/context_id/context_uuid/uuid');

    for (const t of ['t1', 't2', 't3']) assert.equal((await api('DELETE', `/tfs-api/context/c1/topology/${t}`)).status, 200);
    assertProblem(await api('GET', '/tfs-api/context/c1/topology/t1'), 404, 'CNSDN_NOT_FOUND');
    assertProblem(await api('GET', '/tfs-api/context/c1/topology_details/t1'), 404, 'CNSDN_NOT_FOUND');
    assert.equal((await api('DELETE', '/tfs-api/context/c1')).status, 200);
    assertProblem(await api('GET', '/tfs-api/context/c1/topologies'), 404, 'CNSDN_NOT_FOUND');
  });

  it('devices: a POSTed emulated device connects and reports its declared endpoints', async () => {
    const r = await api('POST', '/tfs-api/devices', emulated('r1'));
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, [{ device_uuid: { uuid: uuidFromText('r1') } }]);
    const dev = await until(
      () => api('GET', '/tfs-api/device/r1'),
      (x) => x.body.device_operational_status === 'DEVICEOPERATIONALSTATUS_ENABLED',
    );
    assert.equal(dev.body.device_operational_status, 'DEVICEOPERATIONALSTATUS_ENABLED');
    assert.deepEqual(dev.body.device_endpoints.map((e: Json) => e.name).sort(), ['eth1', 'eth2']);
    assert.ok(dev.body.device_endpoints.every((e: Json) => e.endpoint_type === 'copper'));
    assert.deepEqual((await api('GET', `/tfs-api/device/${uuidFromText('r1')}`)).body.device_id, dev.body.device_id);
  });

  it('devices: an endpoint declared with a uuid and a name keeps that uuid once the device connects', async () => {
    const named = (n: string) => ({
      ...emulated(n),
      device_config: { config_rules: [rule('_connect/settings', { endpoints: [{ uuid: '1/1', name: 'Ethernet1', type: 'copper' }] })] },
    });
    assert.equal((await api('POST', '/tfs-api/devices', [named('n1'), named('n2')])).status, 200);
    for (const n of ['n1', 'n2']) {
      const dev = await until(() => api('GET', `/tfs-api/device/${n}`), (x) => x.body.device_operational_status === 'DEVICEOPERATIONALSTATUS_ENABLED');
      assert.equal(dev.body.device_operational_status, 'DEVICEOPERATIONALSTATUS_ENABLED');
      assert.deepEqual(
        dev.body.device_endpoints.map((e: Json) => [e.name, e.endpoint_id.endpoint_uuid.uuid]),
        [['Ethernet1', uuidFromText('1/1', uuidFromText(n))]],
      );
    }
    const r = await api('POST', '/tfs-api/links', link('n1-n2', ['n1', '1/1'], ['n2', '1/1']));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal((await api('DELETE', '/tfs-api/link/n1-n2')).status, 200);
    for (const n of ['n1', 'n2']) assert.equal((await api('DELETE', `/tfs-api/device/${n}`)).status, 200);
  });

  it('devices and services with an empty uuid take their id from their name, as in TFS', async () => {
    const r = await api('POST', '/tfs-api/devices', { ...emulated('ignored'), device_id: { device_uuid: { uuid: '' } }, name: 'by-name' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, [{ device_uuid: { uuid: uuidFromText('by-name') } }]);
    assert.equal((await api('GET', '/tfs-api/device/by-name')).body.name, 'by-name');
    const s = await api('POST', '/tfs-api/context/admin/services', { service_id: { service_uuid: { uuid: '' } }, name: 'svc-by-name' });
    assert.deepEqual(s.body, [{ context_id: { context_uuid: { uuid: ADMIN } }, service_uuid: { uuid: uuidFromText('svc-by-name', ADMIN) } }]);
    assert.equal((await api('GET', '/tfs-api/context/admin/service/svc-by-name')).status, 200);
    assert.equal((await api('PUT', '/tfs-api/device/by-name', { device_id: { device_uuid: { uuid: '' } }, name: 'by-name', device_type: 't' })).status, 200);
    assert.equal((await api('DELETE', '/tfs-api/context/admin/service/svc-by-name')).status, 200);
    assert.equal((await api('DELETE', '/tfs-api/device/by-name')).status, 200);
  });

  it('devices: POST as an array and as the {"devices": [...]} wrapper; ids and list; PUT; DELETE', async () => {
    assert.equal((await api('POST', '/tfs-api/devices', [emulated('r2'), emulated('r3')])).status, 200);
    assert.equal((await api('POST', '/tfs-api/devices', { devices: [emulated('r4')] })).status, 200);
    const ids = (await api('GET', '/tfs-api/device_ids')).body.device_ids.map((d: Json) => d.device_uuid.uuid);
    for (const n of ['r2', 'r3', 'r4']) assert.ok(ids.includes(uuidFromText(n)), n);
    const names = (await api('GET', '/tfs-api/devices')).body.devices.map((d: Json) => d.name);
    for (const n of ['r2', 'r3', 'r4']) assert.ok(names.includes(n), n);

    const put = await api('PUT', '/tfs-api/device/r4', { ...emulated('r4'), device_type: 'emu-datacenter' });
    assert.equal(put.status, 200);
    assert.equal((await api('GET', '/tfs-api/device/r4')).body.device_type, 'emu-datacenter');
    const mismatch = await api('PUT', '/tfs-api/device/r4', emulated('r3'));
    assertProblem(mismatch, 400, 'CNSDN_INVALID_ARGUMENT');
    assert.equal(mismatch.body.errors[0].path, '/device_id/device_uuid/uuid');

    assert.equal((await api('DELETE', '/tfs-api/device/r4')).status, 200);
    assertProblem(await api('GET', '/tfs-api/device/r4'), 404, 'CNSDN_NOT_FOUND');
    assertProblem(await api('DELETE', `/tfs-api/device/${uuidFromText('r4')}`), 404, 'CNSDN_NOT_FOUND');
    assertProblem(await api('POST', '/tfs-api/devices', emulated('r2')), 409, 'CNSDN_ALREADY_EXISTS');
  });

  it('a gNMI device on a lab address ends DISABLED with a coded reason and nothing is sent there', async () => {
    const gnmi = {
      device_id: { device_uuid: { uuid: 'lab-r1' } },
      device_type: 'packet-router',
      device_drivers: ['DEVICEDRIVER_GNMI_OPENCONFIG'],
      device_config: { config_rules: [rule('_connect/address', '172.20.20.101'), rule('_connect/port', '6030'), rule('_connect/settings', { username: 'admin', password: 'admin', use_tls: false })] },
    };
    assert.equal((await api('POST', '/tfs-api/devices', gnmi)).status, 200);
    const dev = await until(
      () => api('GET', '/tfs-api/device/lab-r1'),
      (x) => x.body.device_operational_status === 'DEVICEOPERATIONALSTATUS_DISABLED' && !!x.body.cnsdn?.status_reason,
    );
    assert.equal(dev.body.device_operational_status, 'DEVICEOPERATIONALSTATUS_DISABLED');
    assert.match(dev.body.cnsdn.status_reason, /^CNSDN_[A-Z_]+: /);
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(outgoing.includes('127.0.0.1'), `the connection recorder sees this process connect: ${outgoing.slice(0, 5)}`);
    assert.deepEqual(outgoing.filter((h) => h.startsWith('172.20.20.')), []);
    assert.equal((await api('DELETE', '/tfs-api/device/lab-r1')).status, 200);
  });

  it('links: POST forms, GET by name and uuid, PUT, DELETE; a device in use cannot be deleted', async () => {
    const one = await api('POST', '/tfs-api/links', link('r1-r2', ['r1', 'eth1'], ['r2', 'eth1']));
    assert.equal(one.status, 200);
    assert.deepEqual(one.body, [{ link_uuid: { uuid: uuidFromText('r1-r2') } }]);
    assert.equal((await api('POST', '/tfs-api/links', [link('r2-r3', ['r2', 'eth2'], ['r3', 'eth1'])])).status, 200);
    assert.equal((await api('POST', '/tfs-api/links', { links: [link('r3-r1', ['r3', 'eth2'], ['r1', 'eth2'])] })).status, 200);

    const ids = (await api('GET', '/tfs-api/link_ids')).body.link_ids.map((l: Json) => l.link_uuid.uuid);
    assert.deepEqual(new Set(ids), new Set(['r1-r2', 'r2-r3', 'r3-r1'].map((n) => uuidFromText(n))));
    assert.equal((await api('GET', '/tfs-api/links')).body.links.length, 3);
    const l = await api('GET', '/tfs-api/link/r1-r2');
    assert.equal(l.body.name, 'r1-r2');
    assert.deepEqual(l.body.link_endpoint_ids[0].endpoint_uuid.uuid, uuidFromText('eth1', uuidFromText('r1')));
    assert.deepEqual((await api('GET', `/tfs-api/link/${uuidFromText('r1-r2')}`)).body, l.body);

    const put = await api('PUT', '/tfs-api/link/r1-r2', { ...link('r1-r2', ['r1', 'eth1'], ['r2', 'eth1']), attributes: { total_capacity_gbps: 100 } });
    assert.equal(put.status, 200);
    assert.equal((await api('GET', '/tfs-api/link/r1-r2')).body.attributes.total_capacity_gbps, 100);
    const mismatch = await api('PUT', '/tfs-api/link/r1-r2', link('other', ['r1', 'eth1'], ['r2', 'eth1']));
    assertProblem(mismatch, 400, 'CNSDN_INVALID_ARGUMENT');
    assert.equal(mismatch.body.errors[0].path, '/link_id/link_uuid/uuid');

    const details = await api('GET', '/tfs-api/context/admin/topology_details/admin');
    assert.equal(details.status, 200);
    assert.deepEqual(details.body.devices.map((d: Json) => d.name).filter((n: string) => /^r\d$/.test(n)), ['r1', 'r2', 'r3']);
    assert.deepEqual(details.body.links.map((x: Json) => x.name), ['r1-r2', 'r2-r3', 'r3-r1']);
    assert.deepEqual((await api('GET', `/tfs-api/context/${ADMIN}/topology_details/${uuidFromText('admin', ADMIN)}`)).body, details.body);

    const inUse = await api('DELETE', '/tfs-api/device/r3');
    assertProblem(inUse, 409, 'CNSDN_IN_USE');
    assert.equal((await api('GET', '/tfs-api/device/r3')).status, 200);

    assert.equal((await api('DELETE', '/tfs-api/link/r3-r1')).status, 200);
    assertProblem(await api('GET', '/tfs-api/link/r3-r1'), 404, 'CNSDN_NOT_FOUND');
    assert.ok(!(await api('GET', '/tfs-api/context/admin/topology/admin')).body.link_ids.some((x: Json) => x.link_uuid.uuid === uuidFromText('r3-r1')));
  });

  it('services: POST forms, ids and list, GET by name and uuid, PUT, DELETE', async () => {
    const one = await api('POST', '/tfs-api/context/admin/services', service('s1', [['r1', 'eth2'], ['r2', 'eth2']]));
    assert.equal(one.status, 200);
    assert.deepEqual(one.body, [{ context_id: { context_uuid: { uuid: ADMIN } }, service_uuid: { uuid: uuidFromText('s1', ADMIN) } }]);
    const withoutContext = { service_id: { service_uuid: { uuid: 's2' } }, service_endpoint_ids: [ep('r1', 'eth1')] };
    assert.equal((await api('POST', '/tfs-api/context/admin/services', [withoutContext])).status, 200);
    assert.equal((await api('POST', '/tfs-api/context/admin/services', { services: [service('s3', [])] })).status, 200);

    const ids = (await api('GET', '/tfs-api/context/admin/service_ids')).body.service_ids.map((s: Json) => s.service_uuid.uuid);
    assert.deepEqual(new Set(ids), new Set(['s1', 's2', 's3'].map((n) => uuidFromText(n, ADMIN))));
    assert.equal((await api('GET', '/tfs-api/context/admin/services')).body.services.length, 3);
    const s1 = await api('GET', '/tfs-api/context/admin/service/s1');
    assert.equal(s1.body.service_type, 'SERVICETYPE_L2NM');
    assert.deepEqual((await api('GET', `/tfs-api/context/${ADMIN}/service/${uuidFromText('s1', ADMIN)}`)).body, s1.body);

    const put = await api('PUT', '/tfs-api/context/admin/service/s1', { ...service('s1', [['r1', 'eth2'], ['r2', 'eth2']]), service_status: { service_status: 'SERVICESTATUS_ACTIVE' } });
    assert.equal(put.status, 200);
    assert.equal((await api('GET', '/tfs-api/context/admin/service/s1')).body.service_status.service_status, 'SERVICESTATUS_ACTIVE');
    const mismatch = await api('PUT', '/tfs-api/context/admin/service/s1', service('s2', []));
    assertProblem(mismatch, 400, 'CNSDN_INVALID_ARGUMENT');
    assert.equal(mismatch.body.errors[0].path, '/service_id/service_uuid/uuid');
    const elsewhere = { ...service('s1', []), service_id: { context_id: { context_uuid: { uuid: 'other' } }, service_uuid: { uuid: 's1' } } };
    const otherContext = await api('PUT', '/tfs-api/context/admin/service/s1', elsewhere);
    assertProblem(otherContext, 400, 'CNSDN_INVALID_ARGUMENT');
    assert.equal(otherContext.body.errors[0].path, '/service_id/context_id/context_uuid/uuid');
    const postedElsewhere = await api('POST', '/tfs-api/context/admin/services', [service('s4', []), { ...elsewhere, service_id: { ...elsewhere.service_id, service_uuid: { uuid: 's4b' } } }]);
    assertProblem(postedElsewhere, 400, 'CNSDN_INVALID_ARGUMENT');
    assert.equal(postedElsewhere.body.errors[0].path, '/1/service_id/context_id/context_uuid/uuid');
    assertProblem(await api('GET', '/tfs-api/context/admin/service/s4'), 404, 'CNSDN_NOT_FOUND');

    assertProblem(await api('DELETE', '/tfs-api/device/r1'), 409, 'CNSDN_IN_USE');
    assert.equal((await api('DELETE', '/tfs-api/context/admin/service/s3')).status, 200);
    assertProblem(await api('GET', '/tfs-api/context/admin/service/s3'), 404, 'CNSDN_NOT_FOUND');
  });

  it('slices: POST forms, ids and list, GET by name and uuid, PUT, DELETE', async () => {
    const slice = (name: string) => ({
      slice_id: { context_id: { context_uuid: { uuid: 'admin' } }, slice_uuid: { uuid: name } },
      slice_endpoint_ids: [ep('r1', 'eth2')],
      slice_service_ids: [{ context_id: { context_uuid: { uuid: 'admin' } }, service_uuid: { uuid: 's1' } }],
    });
    const one = await api('POST', '/tfs-api/context/admin/slices', slice('sl1'));
    assert.equal(one.status, 200);
    assert.deepEqual(one.body, [{ context_id: { context_uuid: { uuid: ADMIN } }, slice_uuid: { uuid: uuidFromText('sl1', ADMIN) } }]);
    assert.equal((await api('POST', '/tfs-api/context/admin/slices', [slice('sl2')])).status, 200);
    assert.equal((await api('POST', '/tfs-api/context/admin/slices', { slices: [slice('sl3')] })).status, 200);

    const ids = (await api('GET', '/tfs-api/context/admin/slice_ids')).body.slice_ids.map((s: Json) => s.slice_uuid.uuid);
    assert.deepEqual(new Set(ids), new Set(['sl1', 'sl2', 'sl3'].map((n) => uuidFromText(n, ADMIN))));
    assert.equal((await api('GET', '/tfs-api/context/admin/slices')).body.slices.length, 3);
    const sl1 = await api('GET', '/tfs-api/context/admin/slice/sl1');
    assert.deepEqual(sl1.body.slice_service_ids[0].service_uuid.uuid, uuidFromText('s1', ADMIN));
    assert.deepEqual((await api('GET', `/tfs-api/context/${ADMIN}/slice/${uuidFromText('sl1', ADMIN)}`)).body, sl1.body);

    assert.equal((await api('PUT', '/tfs-api/context/admin/slice/sl1', { ...slice('sl1'), name: 'gold' })).status, 200);
    assert.equal((await api('GET', '/tfs-api/context/admin/slice/sl1')).body.name, 'gold');
    const mismatch = await api('PUT', '/tfs-api/context/admin/slice/sl1', slice('sl2'));
    assertProblem(mismatch, 400, 'CNSDN_INVALID_ARGUMENT');
    assert.equal(mismatch.body.errors[0].path, '/slice_id/slice_uuid/uuid');

    assert.equal((await api('DELETE', '/tfs-api/context/admin/slice/sl3')).status, 200);
    assertProblem(await api('GET', '/tfs-api/context/admin/slice/sl3'), 404, 'CNSDN_NOT_FOUND');
  });

  it('connections of a service: ids, list, GET by name and uuid; gone with their service', async () => {
    const conn = {
      connection_id: { connection_uuid: { uuid: 'conn1' } },
      service_id: { context_id: { context_uuid: { uuid: 'admin' } }, service_uuid: { uuid: 's1' } },
      path_hops_endpoint_ids: [ep('r1', 'eth2'), ep('r2', 'eth2')],
    };
    assert.equal((await api('POST', '/tfs-api/descriptors', { connections: [conn] })).status, 200);
    const ids = await api('GET', '/tfs-api/context/admin/service/s1/connection_ids');
    assert.deepEqual(ids.body, { connection_ids: [{ connection_uuid: { uuid: uuidFromText('conn1') } }] });
    const list = await api('GET', '/tfs-api/context/admin/service/s1/connections');
    assert.equal(list.body.connections.length, 1);
    const byName = await api('GET', '/tfs-api/connection/conn1');
    assert.deepEqual(byName.body, list.body.connections[0]);
    assert.deepEqual((await api('GET', `/tfs-api/connection/${uuidFromText('conn1')}`)).body, byName.body);
    assert.deepEqual((await api('GET', '/tfs-api/context/admin/service/s2/connections')).body, { connections: [] });

    // POST under the service (its id filled in from the URL), PUT and DELETE by id, as for the other kinds.
    const conn2 = { connection_id: { connection_uuid: { uuid: 'conn2' } }, service_id: { service_uuid: { uuid: 's1' } }, path_hops_endpoint_ids: [ep('r1', 'eth2')] };
    const posted = await api('POST', '/tfs-api/context/admin/service/s1/connections', { connections: [conn2] });
    assert.equal(posted.status, 200, JSON.stringify(posted.body));
    assert.deepEqual(posted.body, [{ connection_uuid: { uuid: uuidFromText('conn2') } }]);
    assert.equal((await api('GET', '/tfs-api/context/admin/service/s1/connections')).body.connections.length, 2);
    const elsewhere = await api('POST', '/tfs-api/context/admin/service/s2/connections', [conn2]);
    assertProblem(elsewhere, 400, 'CNSDN_INVALID_ARGUMENT');
    assert.equal(elsewhere.body.errors[0].path, '/0/service_id/service_uuid/uuid');
    const dangling = await api('POST', '/tfs-api/context/admin/service/s1/connections', { ...conn2, connection_id: { connection_uuid: { uuid: 'conn3' } }, path_hops_endpoint_ids: [ep('nope', 'eth2')] });
    assertProblem(dangling, 422, 'CNSDN_DANGLING_REFERENCE');
    assert.match(dangling.body.errors[0].path, /^\/path_hops_endpoint_ids\/0/);
    const put = await api('PUT', '/tfs-api/connection/conn2', { ...conn2, path_hops_endpoint_ids: [ep('r1', 'eth2'), ep('r2', 'eth2')] });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal((await api('GET', '/tfs-api/connection/conn2')).body.path_hops_endpoint_ids.length, 2);
    assertProblem(await api('PUT', '/tfs-api/connection/conn9', conn2), 400, 'CNSDN_INVALID_ARGUMENT');
    assert.equal((await api('DELETE', '/tfs-api/connection/conn2')).status, 200);
    assertProblem(await api('GET', '/tfs-api/connection/conn2'), 404, 'CNSDN_NOT_FOUND');
    assertProblem(await api('DELETE', '/tfs-api/connection/conn2'), 404, 'CNSDN_NOT_FOUND');

    assert.equal((await api('DELETE', '/tfs-api/context/admin/service/s1')).status, 200);
    assertProblem(await api('GET', '/tfs-api/connection/conn1'), 404, 'CNSDN_NOT_FOUND');
    assertProblem(await api('GET', '/tfs-api/context/admin/service/s1/connection_ids'), 404, 'CNSDN_NOT_FOUND');
  });

  it('serves the OpenAPI document with the /tfs-api paths and their body schemas, and /docs', async () => {
    const doc = await api('GET', '/openapi.json');
    assert.equal(doc.status, 200);
    const paths = doc.body.paths as Record<string, Json>;
    for (const p of ['/tfs-api/context_ids', '/tfs-api/devices', '/tfs-api/device/{id}', '/tfs-api/links', '/tfs-api/context/{c}/services', '/tfs-api/context/{c}/slice/{s}', '/tfs-api/connection/{id}', '/tfs-api/descriptors']) {
      assert.ok(paths[p], `missing ${p}`);
    }
    const putDevice = paths['/tfs-api/device/{id}'].put.requestBody.content['application/json'].schema;
    assert.ok(JSON.stringify(putDevice).includes('device_id'));
    const postDevices = paths['/tfs-api/devices'].post.requestBody.content['application/json'].schema;
    assert.ok(JSON.stringify(postDevices).includes('device_endpoints'));
    const postServices = JSON.stringify(paths['/tfs-api/context/{c}/services'].post.requestBody.content['application/json'].schema);
    assert.ok(postServices.includes('service_endpoint_ids'));
    const docs = await fetch(`${c.url}/docs`, { signal: AbortSignal.timeout(5000) });
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /swagger/i);
  });

  it('streams a device event on /api/events after POST /tfs-api/devices', async () => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 5000);
    try {
      const res = await fetch(`${c.url}/api/events?kinds=device`, { signal: abort.signal });
      assert.equal(res.status, 200);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      while (!text.includes(': connected')) text += decoder.decode((await reader.read()).value);
      assert.equal((await api('POST', '/tfs-api/devices', emulated('sse-dev'))).status, 200);
      const uuid = uuidFromText('sse-dev');
      while (!text.includes(uuid)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }
      const event = text.split('\n\n').find((block) => block.includes(uuid));
      assert.ok(event, 'no event for the new device');
      assert.match(event, /^event: device$/m);
      const data = JSON.parse(event.split('\n').find((l) => l.startsWith('data: '))!.slice(6));
      assert.equal(data.uuid, uuid);
      assert.equal(data.op, 'CREATE');
      await reader.cancel();
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
  });
});

describe('TFS descriptors through HTTP', () => {
  let c: RunningController;
  let twin: RunningController;
  const api = client(() => c);
  const api2 = client(() => twin);
  const small = JSON.parse(readFileSync(SMALL, 'utf8'));

  before(async () => {
    c = await start();
    twin = await start();
  });
  after(async () => {
    await c.close();
    await twin.close();
  });

  it('dry_run=true reports what would be created and writes nothing', async () => {
    const empty = (await api('GET', '/tfs-api/descriptors')).body;
    const r = await api('POST', '/tfs-api/descriptors?dry_run=true', small);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.dry_run, true);
    assert.deepEqual(r.body.summary, { created: 6, updated: 0, unchanged: 0 });
    assert.deepEqual((await api('GET', '/tfs-api/descriptors')).body, empty);
    assert.deepEqual((await api('GET', '/tfs-api/devices')).body, { devices: [] });
  });

  it('a dry run of several descriptors checks each on what the ones before would leave, and writes nothing', async () => {
    const empty = (await api('GET', '/tfs-api/descriptors')).body;
    const topology = { ...small, services: [] };
    const services = { services: small.services };
    const r = await api('POST', '/tfs-api/descriptors/dry-run', { descriptors: [topology, services] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.results.map((x: Json) => x.summary), [{ created: 5, updated: 0, unchanged: 0 }, { created: 1, updated: 0, unchanged: 0 }]);
    const bad = await api('POST', '/tfs-api/descriptors/dry-run', { descriptors: [services, topology] });
    assert.equal(bad.status, 200);
    assert.equal(bad.body.results.length, 1, 'stops at the first rejected');
    assert.equal(bad.body.results[0].problem.code, 'CNSDN_DANGLING_REFERENCE');
    assert.match(bad.body.results[0].problem.errors[0].path, /^\/services\/0\//);
    assertProblem(await api('POST', '/tfs-api/descriptors/dry-run', [topology]), 400, 'CNSDN_VALIDATION_FAILED');
    assert.deepEqual((await api('GET', '/tfs-api/descriptors')).body, empty);
  });

  it('imports, exports, and the export re-imports into a fresh controller to the identical state', async () => {
    const r = await api('POST', '/tfs-api/descriptors', small);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.dry_run, false);
    assert.equal(r.body.summary.created, 6);
    assert.equal((await api('GET', '/tfs-api/devices')).body.devices.length, 2);

    const settled = (a: typeof api) => until(
      () => a('GET', '/tfs-api/devices'),
      (x) => x.body.devices.length === 2 && x.body.devices.every((d: Json) => d.device_operational_status !== 'DEVICEOPERATIONALSTATUS_UNDEFINED'),
    );
    await settled(api);
    const exported = await api('GET', '/tfs-api/descriptors');
    assert.equal(exported.status, 200);
    const again = await api2('POST', '/tfs-api/descriptors', exported.body);
    assert.equal(again.status, 200, JSON.stringify(again.body));
    await settled(api2);

    const state = async (a: typeof api) => {
      const devices = (await a('GET', '/tfs-api/devices')).body.devices.map(({ cnsdn, ...d }: Json) => ({ ...d, reason: cnsdn?.status_reason }));
      return { devices, links: (await a('GET', '/tfs-api/links')).body, services: (await a('GET', '/tfs-api/context/admin/services')).body };
    };
    const want = await state(api);
    const got = await until(() => state(api2), (s) => JSON.stringify(s) === JSON.stringify(want));
    assert.deepEqual(got, want);
    assert.equal(want.services.services.length, 1);
    assert.deepEqual((await api2('GET', '/tfs-api/descriptors')).body, exported.body);
  });

  it('what GET returns, PUT takes back unchanged', async () => {
    const items = [
      '/tfs-api/context/admin',
      '/tfs-api/context/admin/topology/admin',
      '/tfs-api/device/dc1',
      '/tfs-api/device/r1',
      `/tfs-api/link/${encodeURIComponent('r1/Ethernet1==dc1/eth1')}`,
      '/tfs-api/context/admin/service/svc1',
    ];
    for (const path of items) {
      const got = await api('GET', path);
      assert.equal(got.status, 200, path);
      const put = await api('PUT', path, got.body);
      assert.equal(put.status, 200, `${path}: ${JSON.stringify(put.body)}`);
      assert.deepEqual((await api('GET', path)).body, got.body, path);
    }
  });

  const fixtureSets = [
    ['ofc22/descriptors_emulated.json'],
    ['ecoc22/descriptors_emulated.json'],
    ['l2_vpn_gnmi_oc/tfs-topology.json', 'l2_vpn_gnmi_oc/tfs-service-vlan-125-tagged.json', 'l2_vpn_gnmi_oc/tfs-service-vlan-125-untagged.json'],
    ['eucnc24/tfs-topology.json', 'eucnc24/tfs-service.json'],
    ['hackfest-containerlab/topology.json', 'hackfest-containerlab/dc-2-dc-l3-service.json'],
  ];
  for (const files of fixtureSets) {
    it(`loads the shared fixture ${files.join(' + ')} unchanged through POST /tfs-api/descriptors`, { skip: !existsSync(FIXTURES) && 'shared fixtures not present' }, async () => {
      const fresh = await start();
      const a = client(() => fresh);
      try {
        for (const f of files) {
          const r = await a('POST', '/tfs-api/descriptors', JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')));
          assert.equal(r.status, 200, `${f}: ${JSON.stringify(r.body).slice(0, 500)}`);
          assert.ok(r.body.summary.created + r.body.summary.updated > 0, f);
        }
        const exported = (await a('GET', '/tfs-api/descriptors')).body;
        const again = await a('POST', '/tfs-api/descriptors?dry_run=true', exported);
        assert.equal(again.status, 200);
        assert.equal(again.body.summary.created, 0);
        assert.ok(exported.devices.length > 0);
      } finally {
        await fresh.close();
      }
      assert.deepEqual(outgoing.filter((h) => !/^(127\.|localhost|::1)/.test(h) && h !== ''), []);
    });
  }
});
