import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningController, startController } from '../app/index.js';
import { uuidFromText } from '../model/ids.js';
import { seededRandom as prng } from '../common/random.js';

// biome-ignore lint/suspicious/noExplicitAny: request and response bodies are free-form JSON here
type Json = any;

interface Reply {
  status: number;
  type: string;
  body: Json;
}


const rule = (key: string, value: unknown) => ({ action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: value } });
const ep = (device: string, endpoint: string) => ({
  topology_id: { context_id: { context_uuid: { uuid: 'admin' } }, topology_uuid: { uuid: 'admin' } },
  device_id: { device_uuid: { uuid: device } },
  endpoint_uuid: { uuid: endpoint },
});
const device = (name: string) => ({
  device_id: { device_uuid: { uuid: name } },
  name,
  device_type: 'emu-packet-router',
  device_operational_status: 'DEVICEOPERATIONALSTATUS_UNDEFINED',
  device_drivers: ['DEVICEDRIVER_UNDEFINED'],
  device_config: {
    config_rules: [rule('_connect/address', '127.0.0.1'), rule('_connect/port', '0'), rule('_connect/settings', { endpoints: [{ uuid: 'eth1', type: 'copper' }, { uuid: 'eth2', type: 'copper' }] })],
  },
  device_endpoints: [{ endpoint_id: ep(name, 'eth1'), name: 'eth1', endpoint_type: 'copper', kpi_sample_types: ['KPISAMPLETYPE_PACKETS_RECEIVED'], endpoint_location: { region: 'r', gps_position: { latitude: 1, longitude: 2 } } }],
  components: [{ name: 'chassis', type: 'CHASSIS', attributes: { serial: 'x' }, parent: '' }],
});
const link = (name: string) => ({
  link_id: { link_uuid: { uuid: name } },
  name,
  link_type: 'LINKTYPE_COPPER',
  link_endpoint_ids: [ep('base1', 'eth2'), ep('base2', 'eth2')],
  attributes: { is_bidirectional: true, total_capacity_gbps: 10, used_capacity_gbps: 1 },
});
const service = (name: string) => ({
  service_id: { context_id: { context_uuid: { uuid: 'admin' } }, service_uuid: { uuid: name } },
  name,
  service_type: 'SERVICETYPE_L2NM',
  service_endpoint_ids: [ep('base1', 'eth1'), ep('base2', 'eth1')],
  service_status: { service_status: 'SERVICESTATUS_PLANNED' },
  service_constraints: [{ sla_capacity: { capacity_gbps: 10 } }, { sla_latency: { e2e_latency_ms: 5 } }, { sla_availability: { num_disjoint_paths: 1, all_active: true, availability: 99 } }],
  service_config: { config_rules: [rule('/settings', { vlan_id: 125 })] },
  timestamp: { timestamp: 1 },
});

/** Values that accept any JSON: a mutation under them is not a type fault. */
const FREE_FORM = /\/(resource_value|rule_set|constraint_value|settings|capabilities|cnsdn)(\/|$)/;

/** JSON pointers of every member below the root, except under free-form values. */
function pointers(value: Json, base = ''): string[] {
  const out: string[] = [];
  if (value === null || typeof value !== 'object') return out;
  for (const [k, v] of Object.entries(value)) {
    const p = `${base}/${k}`;
    if (FREE_FORM.test(p)) continue;
    out.push(p, ...pointers(v, p));
  }
  return out;
}

/** A value no schema position of the original's type accepts (enums take names or numbers, so no numbers for strings). */
function wrongValue(original: unknown, pick: () => number): unknown {
  const choices: unknown[] =
    typeof original === 'string' ? [true, null, [], {}]
    : typeof original === 'number' ? ['7', true, null, []]
    : typeof original === 'boolean' ? ['true', 1, null, {}]
    : Array.isArray(original) ? ['[]', 3, {}, null]
    : ['{}', 3, [], null, false];
  return choices[Math.floor(pick() * choices.length)];
}

function setAt(root: Json, ptr: string, value: unknown): void {
  const keys = ptr.split('/').slice(1);
  let node = root;
  for (const k of keys.slice(0, -1)) node = node[k];
  node[keys[keys.length - 1]!] = value;
}

const related = (a: string, b: string) => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`) || (a === '' && b !== '') || (b === '' && a !== '');

describe('bad input never changes the store', () => {
  let c: RunningController;
  let dataDir: string;
  let snapshot: Json;

  const send = async (method: string, path: string, body: string | undefined, contentType = 'application/json'): Promise<Reply> => {
    const res = await fetch(c.url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': contentType },
      body,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, type, body: type.includes('json') && text ? JSON.parse(text) : text };
  };
  const exported = async () => {
    const r = await send('GET', '/tfs-api/descriptors', undefined);
    assert.equal(r.status, 200);
    return r.body;
  };
  /** Sends a request that must fail with status and code, and checks that nothing was written. */
  const reject = async (method: string, path: string, body: string | undefined, status: number, code: string, contentType?: string): Promise<Reply> => {
    const r = await send(method, path, body, contentType);
    const label = `${method} ${path} ${body?.slice(0, 200)}`;
    assert.equal(r.status, status, `${label} → ${JSON.stringify(r.body).slice(0, 500)}`);
    assert.match(r.type, /^application\/problem\+json/, label);
    assert.equal(r.body.code, code, label);
    assert.deepEqual(await exported(), snapshot, `store changed after ${label}`);
    return r;
  };
  const paths = (r: Reply): string[] => r.body.errors.map((e: Json) => e.path);

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cnsdn-bad-input-'));
    c = await startController({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent', southboundAllow: '127.0.0.0/8' });
    const deadline = Date.now() + 5000;
    while ((await fetch(`${c.url}/readyz`).then((r) => r.status)) !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const base = {
      contexts: [{ context_id: { context_uuid: { uuid: 'admin' } } }],
      topologies: [{ topology_id: { context_id: { context_uuid: { uuid: 'admin' } }, topology_uuid: { uuid: 'admin' } } }],
      devices: [device('base1'), device('base2')],
      links: [link('base-link')],
      services: [service('base-svc')],
    };
    const r = await send('POST', '/tfs-api/descriptors', JSON.stringify(base));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    // Emulated devices connect in the background; fuzzing starts once their status is final.
    const settle = Date.now() + 5000;
    for (;;) {
      const devices = (await send('GET', '/tfs-api/devices', undefined)).body.devices as Json[];
      if (devices.every((d) => d.device_operational_status === 'DEVICEOPERATIONALSTATUS_ENABLED') || Date.now() > settle) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 100));
    snapshot = await exported();
    assert.equal(snapshot.devices.length, 2);
    assert.ok(snapshot.devices.every((d: Json) => d.device_operational_status === 'DEVICEOPERATIONALSTATUS_ENABLED'));
  });
  after(async () => {
    await c.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('malformed JSON → 400 CNSDN_MALFORMED_JSON', async () => {
    const rnd = prng(7);
    const valid = JSON.stringify(device('fresh'));
    const cases = ['hello', 'True', 'undefined', 'NaN', "{'a': 1}", '{"a":1,}', '[1,2', '{"a" 1}', `${valid}x`, `${valid}}`, `${valid},{}`, `${valid} ${valid}`];
    while (cases.length < 60) {
      const cut = valid.slice(0, 1 + Math.floor(rnd() * (valid.length - 2)));
      cases.push(cut);
    }
    for (const body of cases) {
      assert.throws(() => JSON.parse(body));
      const r = await reject('POST', '/tfs-api/devices', body, 400, 'CNSDN_MALFORMED_JSON');
      assert.match(r.body.detail, /JSON/);
    }
    await reject('POST', '/tfs-api/descriptors', `{"devices": [${valid}`, 400, 'CNSDN_MALFORMED_JSON');
  });

  it('wrong types at random places → 400 CNSDN_VALIDATION_FAILED pointing at the mutation', async () => {
    const rnd = prng(20261127);
    const targets = [
      { path: '/tfs-api/devices', kind: 'devices', make: () => device('fuzz-dev') },
      { path: '/tfs-api/links', kind: 'links', make: () => link('fuzz-link') },
      { path: '/tfs-api/context/admin/services', kind: 'services', make: () => service('fuzz-svc') },
    ];
    for (let i = 0; i < 150; i++) {
      const t = targets[i % targets.length]!;
      const entity = t.make();
      const candidates = pointers(entity);
      const at = candidates[Math.floor(rnd() * candidates.length)]!;
      const original = at.split('/').slice(1).reduce((n: Json, k) => n[k], entity);
      setAt(entity, at, wrongValue(original, rnd));
      const shape = Math.floor(rnd() * 3);
      const body = shape === 0 ? entity : shape === 1 ? [entity] : { [t.kind]: [entity] };
      const expected = shape === 0 ? at : shape === 1 ? `/0${at}` : `/${t.kind}/0${at}`;
      const r = await reject('POST', t.path, JSON.stringify(body), 400, 'CNSDN_VALIDATION_FAILED');
      assert.ok(r.body.errors.length > 0);
      for (const p of paths(r)) assert.ok(related(p, expected) && p !== '', `case ${i}: error at ${p}, mutation at ${expected}`);
    }
  });

  it('wrong types in PUT bodies and descriptors point at the mutation too', async () => {
    const rnd = prng(99);
    for (let i = 0; i < 30; i++) {
      const entity = device('base1');
      const candidates = pointers(entity).filter((p) => !p.startsWith('/device_id'));
      const at = candidates[Math.floor(rnd() * candidates.length)]!;
      const original = at.split('/').slice(1).reduce((n: Json, k) => n[k], entity);
      setAt(entity, at, wrongValue(original, rnd));
      const put = await reject('PUT', '/tfs-api/device/base1', JSON.stringify(entity), 400, 'CNSDN_VALIDATION_FAILED');
      for (const p of paths(put)) assert.ok(related(p, at) && p !== '', `PUT case ${i}: ${p} vs ${at}`);
      const desc = await reject('POST', '/tfs-api/descriptors', JSON.stringify({ devices: [device('ok-dev'), entity] }), 400, 'CNSDN_VALIDATION_FAILED');
      for (const p of paths(desc)) assert.ok(related(p, `/devices/1${at}`) && p !== '', `descriptor case ${i}: ${p} vs /devices/1${at}`);
    }
  });

  it('unknown enum names → 400 with the path', async () => {
    const cases: Array<[string, string, Json, string]> = [
      ['POST', '/tfs-api/devices', { ...device('e1'), device_drivers: ['DEVICEDRIVER_NOPE'] }, '/device_drivers/0'],
      ['POST', '/tfs-api/devices', [{ ...device('e1'), device_operational_status: 'ENABLED' }], '/0/device_operational_status'],
      ['POST', '/tfs-api/devices', { devices: [{ ...device('e1'), device_config: { config_rules: [{ action: 'CONFIGACTION_MERGE', custom: { resource_key: 'k', resource_value: 'v' } }] } }] }, '/devices/0/device_config/config_rules/0/action'],
      ['POST', '/tfs-api/links', { ...link('e2'), link_type: 'LINKTYPE_WIFI' }, '/link_type'],
      ['POST', '/tfs-api/context/admin/services', { ...service('e3'), service_type: 'SERVICETYPE_MAGIC' }, '/service_type'],
      ['POST', '/tfs-api/context/admin/services', { ...service('e3'), service_status: { service_status: 99 } }, '/service_status/service_status'],
      ['PUT', '/tfs-api/device/base1', { ...device('base1'), device_endpoints: [{ endpoint_id: ep('base1', 'eth1'), kpi_sample_types: ['KPISAMPLETYPE_NOPE'] }] }, '/device_endpoints/0/kpi_sample_types/0'],
      ['POST', '/tfs-api/descriptors', { slices: [{ slice_id: { slice_uuid: { uuid: 'x' } }, slice_status: { slice_status: 'SLICESTATUS_NOPE' } }] }, '/slices/0/slice_status/slice_status'],
    ];
    for (const [method, path, body, at] of cases) {
      const r = await reject(method, path, JSON.stringify(body), 400, 'CNSDN_VALIDATION_FAILED');
      assert.ok(paths(r).includes(at), `${path}: ${paths(r)} should include ${at}`);
      assert.match(r.body.errors.find((e: Json) => e.path === at).message, /one of/);
    }
  });

  it('unknown fields → 400 with the path', async () => {
    const cases: Array<[string, string, Json, string]> = [
      ['POST', '/tfs-api/devices', { ...device('u1'), colour: 'red' }, '/colour'],
      ['POST', '/tfs-api/devices', [{ ...device('u1'), device_id: { device_uuid: { uuid: 'u1', extra: 1 } } }], '/0/device_id/device_uuid/extra'],
      ['POST', '/tfs-api/devices', { devices: [device('u1')], more: [] }, '/more'],
      ['POST', '/tfs-api/links', { ...link('u2'), attributes: { is_bidirectional: true, latency: 3 } }, '/attributes/latency'],
      ['PUT', '/tfs-api/context/admin/service/base-svc', { ...service('base-svc'), owner: 'me' }, '/owner'],
      ['POST', '/tfs-api/descriptors', { devices: [device('u3')], device: [] }, '/device'],
      ['POST', '/tfs-api/contexts', { context_id: { context_uuid: { uuid: 'u4' } }, description: 'x' }, '/description'],
    ];
    for (const [method, path, body, at] of cases) {
      const r = await reject(method, path, JSON.stringify(body), 400, 'CNSDN_VALIDATION_FAILED');
      assert.ok(paths(r).includes(at), `${path}: ${paths(r)} should include ${at}`);
    }
  });

  it('dangling references → 422 CNSDN_DANGLING_REFERENCE with the path', async () => {
    const cases: Array<[string, string, Json, string]> = [
      ['POST', '/tfs-api/links', { link_id: { link_uuid: { uuid: 'd1' } }, link_endpoint_ids: [ep('base1', 'eth1'), ep('ghost', 'eth1')] }, '/link_endpoint_ids/1/device_id'],
      ['POST', '/tfs-api/links', [{ link_id: { link_uuid: { uuid: 'd1' } }, link_endpoint_ids: [ep('base1', 'eth1'), ep('base2', 'eth9')] }], '/0/link_endpoint_ids/1/endpoint_uuid'],
      ['POST', '/tfs-api/descriptors', { links: [{ link_id: { link_uuid: { uuid: 'd1' } }, link_endpoint_ids: [ep('base1', 'eth7')] }] }, '/links/0/link_endpoint_ids/0/endpoint_uuid'],
      ['POST', '/tfs-api/context/nowhere/services', { service_id: { service_uuid: { uuid: 's' } } }, '/service_id/context_id'],
      ['POST', '/tfs-api/descriptors', { services: [{ service_id: { context_id: { context_uuid: { uuid: 'nowhere' } }, service_uuid: { uuid: 's' } } }] }, '/services/0/service_id/context_id'],
      ['POST', '/tfs-api/context/admin/slices', { slice_id: { slice_uuid: { uuid: 'sl' } }, slice_service_ids: [{ service_uuid: { uuid: 'base-svc' } }, { service_uuid: { uuid: 'ghost-svc' } }] }, '/slice_service_ids/1'],
      ['PUT', '/tfs-api/context/admin/slice/sl', { slice_id: { slice_uuid: { uuid: 'sl' } }, slice_service_ids: [{ service_uuid: { uuid: 'ghost-svc' } }] }, '/slice_service_ids/0'],
      ['POST', '/tfs-api/context/admin/topologies', { topology_id: { topology_uuid: { uuid: 't' } }, device_ids: [{ device_uuid: { uuid: 'ghost' } }] }, '/device_ids/0'],
    ];
    for (const [method, path, body, at] of cases) {
      const r = await reject(method, path, JSON.stringify(body), 422, 'CNSDN_DANGLING_REFERENCE');
      assert.deepEqual(paths(r), [at], path);
    }
  });

  it('duplicate ids in one request → 400 with the path of the second', async () => {
    const d = { devices: [device('dup'), device('other'), device('dup')] };
    const r = await reject('POST', '/tfs-api/descriptors', JSON.stringify(d), 400, 'CNSDN_VALIDATION_FAILED');
    assert.deepEqual(paths(r), ['/devices/2/device_id']);
    const arr = await reject('POST', '/tfs-api/links', JSON.stringify([link('dup-link'), link('dup-link')]), 400, 'CNSDN_VALIDATION_FAILED');
    assert.deepEqual(paths(arr), ['/1/link_id']);
    const byUuidAndName = { services: [service('s-dup'), { ...service('s-dup'), service_id: { context_id: { context_uuid: { uuid: 'admin' } }, service_uuid: { uuid: uuidFromText('s-dup', uuidFromText('admin')) } } }] };
    const mixed = await reject('POST', '/tfs-api/descriptors', JSON.stringify(byUuidAndName), 400, 'CNSDN_VALIDATION_FAILED');
    assert.deepEqual(paths(mixed), ['/services/1/service_id']);
  });

  it('an entity with neither a uuid nor a name → 400 at its id', async () => {
    const r = await reject('POST', '/tfs-api/devices', JSON.stringify({ device_id: { device_uuid: { uuid: '' } } }), 400, 'CNSDN_VALIDATION_FAILED');
    assert.deepEqual(paths(r), ['/device_id/device_uuid/uuid']);
    const l = await reject('POST', '/tfs-api/links', JSON.stringify([link('ok-link'), { link_id: { link_uuid: { uuid: '' } } }]), 400, 'CNSDN_VALIDATION_FAILED');
    assert.deepEqual(paths(l), ['/1/link_id/link_uuid/uuid']);
    const d = await reject('POST', '/tfs-api/descriptors', JSON.stringify({ slices: [{ slice_id: { slice_uuid: { uuid: '' } } }] }), 400, 'CNSDN_VALIDATION_FAILED');
    assert.deepEqual(paths(d), ['/slices/0/slice_id/slice_uuid/uuid']);
  });

  it('bodies over the size limit → 413 CNSDN_BODY_TOO_LARGE', async () => {
    const big = JSON.stringify({ ...device('huge'), device_type: 'x'.repeat(8 * 1024 * 1024) });
    await reject('POST', '/tfs-api/devices', big, 413, 'CNSDN_BODY_TOO_LARGE');
    await reject('PUT', '/tfs-api/device/huge', big, 413, 'CNSDN_BODY_TOO_LARGE');
  });

  it('deep nesting → 400 and the server keeps serving', async () => {
    for (const depth of [65, 1000, 10_000]) {
      await reject('POST', '/tfs-api/devices', `${'['.repeat(depth)}${']'.repeat(depth)}`, 400, 'CNSDN_VALIDATION_FAILED');
      await reject('POST', '/tfs-api/descriptors', `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`, 400, 'CNSDN_VALIDATION_FAILED');
    }
    await reject('POST', '/tfs-api/devices', `${'['.repeat(10_000)}`, 400, 'CNSDN_MALFORMED_JSON');
    assert.equal((await send('GET', '/tfs-api/device/base1', undefined)).status, 200);
  });

  it('an unknown dry_run value or query parameter → 400, so a mistyped dry run writes nothing', async () => {
    const d = JSON.stringify({ devices: [device('dry')] });
    for (const q of ['dry_run=maybe', 'dry_run=True', 'dry_run=yes', 'dryrun=true', 'dry_run=true&x=1']) {
      const r = await reject('POST', `/tfs-api/descriptors?${q}`, d, 400, 'CNSDN_VALIDATION_FAILED');
      assert.ok(paths(r).some((p) => /^\/(dry_run|dryrun|x)$/.test(p)), `${q}: ${paths(r)}`);
    }
  });

  it('wrong content type → 415', async () => {
    const body = JSON.stringify(device('ct'));
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      await reject('POST', '/tfs-api/devices', body, 415, 'CNSDN_UNSUPPORTED_MEDIA_TYPE', type);
      await reject('PUT', '/tfs-api/device/base1', body, 415, 'CNSDN_UNSUPPORTED_MEDIA_TYPE', type);
      await reject('POST', '/tfs-api/descriptors', JSON.stringify({ devices: [device('ct')] }), 415, 'CNSDN_UNSUPPORTED_MEDIA_TYPE', type);
    }
  });
});
