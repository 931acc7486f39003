import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, type Store } from '../store/index.js';
import { openBus, type Bus, type DeliveredEvent } from '../bus/index.js';
import { isCnsdnError } from '../common/errors.js';
import { uuidFromText } from '../model/ids.js';
import { ContextManager } from './manager.js';
import { exportDescriptor } from './export.js';

const small = () => JSON.parse(readFileSync(new URL('./testdata/small-topology.json', import.meta.url), 'utf8'));
import { TFS_FIXTURES as FIXTURES } from '../common/fixtures.js';

async function snapshot(store: Store) {
  const out: Record<string, unknown> = {};
  for (const k of ['context', 'topology', 'device', 'link', 'service', 'slice', 'connection'] as const) {
    out[k] = (await store.list(k)).map((e) => ({ uuid: e.uuid, name: e.name, revision: e.revision, body: e.body }));
  }
  return out;
}

async function rejects(p: Promise<unknown>, code: string, path?: string | RegExp) {
  try {
    await p;
  } catch (e) {
    assert.ok(isCnsdnError(e), `expected CnsdnError, got ${e}`);
    assert.equal(e.code, code, e.message);
    if (path !== undefined) {
      const paths = e.details.map((d) => d.path);
      assert.ok(paths.some((p) => (typeof path === 'string' ? p === path : path.test(p))), `no error at ${path}: ${JSON.stringify(e.details)}`);
    }
    return e;
  }
  assert.fail('expected a rejection');
}

/** The context manager's behaviour, run against every store backend. openStoreUrl gives a fresh, empty store URL. */
export function runContextSuite(name: string, freshStoreUrl: () => Promise<string>): void {
describe(`ContextManager on ${name}`, () => {
  let store: Store;
  let bus: Bus;
  let ctx: ContextManager;
  beforeEach(async () => {
    store = await openStore({ url: await freshStoreUrl() });
    bus = await openBus({ url: 'inprocess' });
    ctx = new ContextManager(store, bus);
  });
  afterEach(async () => {
    await bus.close();
    await store.close();
  });

  it('imports a descriptor: names become TFS uuids, endpoints from settings, topology membership', async () => {
    const r = await ctx.apply(small());
    assert.deepEqual(r.summary, { created: 6, updated: 0, unchanged: 0 });
    const dc1 = await ctx.getDevice('dc1');
    assert.equal(dc1.device_id.device_uuid.uuid, uuidFromText('dc1'));
    assert.equal(dc1.name, 'dc1');
    assert.deepEqual(dc1.device_endpoints.map((e) => [e.name, e.endpoint_type]), [['eth1', 'copper'], ['int', 'copper']]);
    assert.deepEqual(dc1.device_endpoints[0]!.kpi_sample_types, ['KPISAMPLETYPE_PACKETS_TRANSMITTED', 'KPISAMPLETYPE_PACKETS_RECEIVED']);
    assert.equal(dc1.device_config.config_rules[2]!.custom!.resource_value, JSON.stringify({ endpoints: [{ uuid: 'eth1', type: 'copper', sample_types: [101, 102] }, { uuid: 'int', type: 'copper' }] }));
    const r1 = await ctx.getDevice(uuidFromText('r1'));
    assert.deepEqual(r1.device_drivers, ['DEVICEDRIVER_GNMI_OPENCONFIG']);
    // r1 has not reported its endpoints: the link's endpoint is recorded as undiscovered.
    assert.deepEqual(r1.device_endpoints.map((e) => [e.name, e.endpoint_type]), [['Ethernet1', 'undiscovered']]);
    const details = await ctx.getTopologyDetails('admin', 'admin');
    assert.deepEqual(details.devices.map((d) => d.name), ['dc1', 'r1']);
    assert.deepEqual(details.links.map((l) => l.name), ['r1/Ethernet1==dc1/eth1']);
    const c = await ctx.getContext('admin');
    assert.equal(c.topology_ids.length, 1);
    assert.equal(c.service_ids.length, 1);
    const svc = await ctx.getService('admin', 'svc1');
    assert.equal(svc.service_type, 'SERVICETYPE_L2NM');
    assert.equal(svc.service_status.service_status, 'SERVICESTATUS_PLANNED');
    assert.equal(svc.service_constraints[1]!.custom!.constraint_value, '10');
  });

  it('publishes one event per committed write', async () => {
    const got: DeliveredEvent[] = [];
    await bus.subscribe((e) => {
      got.push(e);
    });
    await ctx.apply(small());
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(got.length, 6);
    assert.ok(got.every((e) => e.op === 'CREATE' && e.revision === 1));
    assert.deepEqual(new Set(got.map((e) => e.kind)), new Set(['context', 'topology', 'device', 'link', 'service']));
  });

  it('re-import is unchanged; export re-imports to the identical state', async () => {
    await ctx.apply(small());
    const again = await ctx.apply(small());
    assert.deepEqual(again.summary, { created: 0, updated: 0, unchanged: 6 });
    const before = await snapshot(store);
    const exported = await exportDescriptor(store);
    const store2 = await openStore({ url: await freshStoreUrl() });
    const ctx2 = new ContextManager(store2, bus);
    await ctx2.apply(JSON.parse(JSON.stringify(exported)));
    const a = await snapshot(store2);
    const strip = (s: Record<string, unknown>) => JSON.parse(JSON.stringify(s, (k, v) => (k === 'revision' ? undefined : v)));
    assert.deepEqual(strip(a), strip(before));
    assert.deepEqual((await ctx.apply(exported)).summary.updated, 0);
    await store2.close();
  });

  it('export leaves out a service\'s failure report but keeps its other rules', async () => {
    const d = small();
    const svc = d.services[0];
    svc.service_config = { config_rules: [
      { action: 'CONFIGACTION_SET', custom: { resource_key: '/settings', resource_value: { mtu: 1500 } } },
      { action: 'CONFIGACTION_SET', custom: { resource_key: '/cnsdn/failure', resource_value: { code: 'X', at: '2026-01-01T00:00:00Z' } } },
    ] };
    await ctx.apply(d);
    const keys = (await exportDescriptor(store)).services[0]!.service_config.config_rules.map((r) => r.custom?.resource_key);
    assert.deepEqual(keys, ['/settings']);
  });

  it('discovered endpoints reconcile undiscovered ones without changing uuids', async () => {
    await ctx.apply(small());
    const r1 = uuidFromText('r1');
    const placeholderUuid = (await ctx.getDevice('r1')).device_endpoints[0]!.endpoint_id.endpoint_uuid.uuid;
    await ctx.setEndpoints(r1, [
      { name: 'Ethernet1', type: 'copper', sampleTypes: [101] },
      { name: 'Ethernet2', type: 'copper', sampleTypes: [] },
    ]);
    await ctx.setStatus(r1, 'DEVICEOPERATIONALSTATUS_ENABLED');
    const dev = await ctx.getDevice('r1');
    assert.equal(dev.device_operational_status, 'DEVICEOPERATIONALSTATUS_ENABLED');
    assert.deepEqual(dev.device_endpoints.map((e) => [e.name, e.endpoint_type]), [['Ethernet1', 'copper'], ['Ethernet2', 'copper']]);
    assert.equal(dev.device_endpoints[0]!.endpoint_id.endpoint_uuid.uuid, placeholderUuid);
    // Now the list is known: a link to a missing endpoint is an error.
    const bad = small();
    bad.links[0].link_endpoint_ids[0].endpoint_uuid.uuid = 'Ethernet9';
    bad.links[0].link_id.link_uuid.uuid = 'other';
    await rejects(ctx.apply({ links: bad.links }), 'DANGLING_REFERENCE', '/links/0/link_endpoint_ids/0/endpoint_uuid');
  });

  it('rejects a descriptor with any error, lists every error, and writes nothing', async () => {
    await ctx.apply(small());
    const before = await snapshot(store);
    const bad = small();
    bad.devices[0].device_drivers = ['DEVICEDRIVER_NOPE'];
    bad.links.push({ link_id: { link_uuid: { uuid: 'L2' } }, link_endpoint_ids: [{ device_id: { device_uuid: { uuid: 'ghost' } }, endpoint_uuid: { uuid: 'x' } }] });
    await rejects(ctx.apply(bad), 'VALIDATION_FAILED', '/devices/0/device_drivers/0');
    bad.devices[0].device_drivers = [0];
    bad.devices.push(structuredClone(bad.devices[1]));
    const e = await rejects(ctx.apply(bad), 'VALIDATION_FAILED', '/devices/2/device_id');
    assert.ok(e.details.some((d) => d.path === '/links/1/link_endpoint_ids/0/device_id' && /ghost/.test(d.message)));
    assert.deepEqual(await snapshot(store), before);
  });

  it('rejects references to missing contexts, devices, endpoints and services', async () => {
    await rejects(
      ctx.apply({ topologies: [{ topology_id: { context_id: { context_uuid: { uuid: 'nope' } }, topology_uuid: { uuid: 't' } } }] }),
      'DANGLING_REFERENCE',
      '/topologies/0/topology_id/context_id',
    );
    await ctx.apply(small());
    await rejects(
      ctx.apply({ links: [{ link_id: { link_uuid: { uuid: 'x' } }, link_endpoint_ids: [{ device_id: { device_uuid: { uuid: 'dc1' } }, endpoint_uuid: { uuid: 'nope' } }] }] }),
      'DANGLING_REFERENCE',
      '/links/0/link_endpoint_ids/0/endpoint_uuid',
    );
    await rejects(
      ctx.apply({ slices: [{ slice_id: { slice_uuid: { uuid: 's' } }, slice_service_ids: [{ service_uuid: { uuid: 'missing' } }] }] }),
      'DANGLING_REFERENCE',
      '/slices/0/slice_service_ids/0',
    );
    assert.equal((await store.list('slice')).length, 0);
  });

  it('createOnly refuses existing entities; removal checks users', async () => {
    await ctx.apply(small());
    await rejects(ctx.apply({ devices: [small().devices[0]] }, { createOnly: true }), 'ALREADY_EXISTS', '/devices/0/device_id');
    await rejects(ctx.removeDevice('dc1'), 'IN_USE');
    await rejects(ctx.removeContext('admin'), 'IN_USE');
    await ctx.removeService('admin', 'svc1');
    await ctx.removeLink('r1/Ethernet1==dc1/eth1');
    await ctx.removeDevice('dc1');
    const t = await ctx.getTopology('admin', 'admin');
    assert.deepEqual(t.device_ids.map((d) => d.device_uuid.uuid), [uuidFromText('r1')]);
    assert.deepEqual(t.link_ids, []);
    await rejects(ctx.getDevice('dc1'), 'NOT_FOUND');
  });

  it('config rules merge as TFS does (SET replaces by key, DELETE removes)', async () => {
    await ctx.apply(small());
    await ctx.apply({
      devices: [
        {
          device_id: { device_uuid: { uuid: 'dc1' } },
          device_config: {
            config_rules: [
              { action: 2, custom: { resource_key: '_connect/port', resource_value: '' } },
              { action: 1, custom: { resource_key: '/interface[eth1]', resource_value: { enabled: true } } },
            ],
          },
        },
      ],
    });
    const keys = (await ctx.getDevice('dc1')).device_config.config_rules.map((r) => r.custom!.resource_key);
    assert.deepEqual(keys, ['_connect/address', '_connect/settings', '/interface[eth1]']);
  });

  it('list responses are the stored JSON, cached until a change of their kind', async () => {
    await ctx.apply(small());
    const names = async () => (JSON.parse((await ctx.listResponse('device')).toString()) as { devices: Array<{ name: string }> }).devices.map((d) => d.name);
    assert.deepEqual(await names(), ['dc1', 'r1']);
    assert.equal(await ctx.listResponse('device'), await ctx.listResponse('device'), 'served from the cache');
    await ctx.apply({ devices: [{ device_id: { device_uuid: { uuid: 'r9' } }, device_drivers: [0] }] });
    assert.deepEqual(await names(), ['dc1', 'r1', 'r9'], 'a local commit invalidates at once');
    // A write by another replica (here: straight to the store) is seen once its event invalidates.
    await store.transaction((tx) => tx.delete('device', uuidFromText('r9')));
    assert.deepEqual(await names(), ['dc1', 'r1', 'r9']);
    ctx.invalidate('device');
    assert.deepEqual(await names(), ['dc1', 'r1']);
    const links = JSON.parse((await ctx.listResponse('link')).toString()) as { links: unknown[] };
    assert.equal(links.links.length, 1);
  });

  it('one device\'s answer is cached until that device changes, locally or by another replica\'s event', async () => {
    await ctx.apply(small());
    const r1 = uuidFromText('r1');
    const nameOf = async (ref: string) => (JSON.parse((await ctx.getJson('device', ref)).toString()) as { name: string }).name;
    assert.equal(await nameOf('r1'), 'r1');
    assert.equal(await ctx.getJson('device', 'r1'), await ctx.getJson('device', r1), 'by name and by uuid: the same cached bytes');
    await ctx.apply({ devices: [{ device_id: { device_uuid: { uuid: 'r1' } }, name: 'r1', device_type: 'changed-here', device_drivers: [0] }] });
    const afterLocal = JSON.parse((await ctx.getJson('device', 'r1')).toString()) as { device_type: string };
    assert.equal(afterLocal.device_type, 'changed-here', 'a local commit invalidates at once');
    // Another replica's write (straight to the store) is served stale until its event arrives.
    const dc1 = uuidFromText('dc1');
    await ctx.getJson('device', 'dc1');
    await store.transaction(async (tx) => {
      const e = (await tx.get<Record<string, unknown>>('device', dc1))!;
      await tx.put({ kind: 'device', uuid: dc1, parent: e.parent, name: e.name, body: { ...e.body, device_type: 'changed-elsewhere' } }, e.revision);
    });
    assert.notEqual(JSON.parse((await ctx.getJson('device', 'dc1')).toString()).device_type, 'changed-elsewhere');
    ctx.invalidate('link', dc1);
    assert.notEqual(JSON.parse((await ctx.getJson('device', 'dc1')).toString()).device_type, 'changed-elsewhere', 'another kind\'s event leaves it');
    ctx.invalidate('device', dc1);
    assert.equal(JSON.parse((await ctx.getJson('device', 'dc1')).toString()).device_type, 'changed-elsewhere');
    await rejects(ctx.getJson('device', 'nope'), 'NOT_FOUND');
  });

  it('a dry run of a sequence plans each descriptor on what the ones before it would leave, writes nothing, stops at the first rejected', async () => {
    const d = small();
    const topology = { ...d, services: [] };
    const services = { services: d.services };
    assert.ok('error' in (await ctx.dryRunSequence([services]))[0]!, 'alone, the services name devices that do not exist');
    const seq = await ctx.dryRunSequence([topology, services, { devices: [{ device_id: 3 }] }, topology]);
    assert.equal(seq.length, 3, 'stops at the first rejected');
    assert.equal((seq[0] as { summary: { created: number } }).summary.created, 5);
    assert.deepEqual((seq[1] as { summary: unknown }).summary, { created: 1, updated: 0, unchanged: 0 });
    const rejected = (seq[2] as { error: unknown }).error;
    assert.ok(isCnsdnError(rejected) && rejected.code === 'VALIDATION_FAILED', String(rejected));
    for (const k of ['context', 'topology', 'device', 'link', 'service'] as const) assert.equal(await store.count(k), 0, `${k} written`);
    assert.deepEqual((await store.outboxPending(new Date(Date.now() + 60_000).toISOString(), 10)).length, 0, 'no outbox entry');
  });

  it('dry run reports without writing', async () => {
    const r = await ctx.apply(small(), { dryRun: true });
    assert.equal(r.dryRun, true);
    assert.equal(r.summary.created, 6);
    assert.equal(await store.count('device'), 0);
  });

  it('dummy_mode marks devices unmanaged; export keeps it', async () => {
    await ctx.apply({ ...small(), dummy_mode: true });
    assert.equal((await ctx.getDevice('dc1')).cnsdn?.managed, false);
    const exported = await exportDescriptor(store);
    assert.equal(exported.dummy_mode, true);
    assert.equal('cnsdn' in exported.devices[0]!, false);
  });

  const fixtureSets = [
    ['ofc22/descriptors_emulated.json'],
    ['ecoc22/descriptors_emulated.json'],
    ['l2_vpn_gnmi_oc/tfs-topology.json', 'l2_vpn_gnmi_oc/tfs-service-vlan-125-tagged.json', 'l2_vpn_gnmi_oc/tfs-service-vlan-125-untagged.json'],
    ['eucnc24/tfs-topology.json', 'eucnc24/tfs-service.json'],
    ['hackfest-containerlab/topology.json', 'hackfest-containerlab/dc-2-dc-l3-service.json'],
  ];
  for (const files of fixtureSets) {
    it(`loads the TFS fixture ${files.join(' + ')} unchanged and round-trips it`, { skip: !existsSync(FIXTURES) && 'shared fixtures not present' }, async () => {
      for (const f of files) {
        const r = await ctx.apply(JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')));
        assert.ok(r.summary.created + r.summary.updated > 0, f);
      }
      const before = await snapshot(store);
      const exported = await exportDescriptor(store);
      const r = await ctx.apply(exported);
      assert.equal(r.summary.created + r.summary.updated, 0);
      assert.deepEqual(await snapshot(store), before);
      // Into an empty store: the export of the copy is the export of the original.
      const store2 = await openStore({ url: await freshStoreUrl() });
      try {
        await new ContextManager(store2, bus).apply(JSON.parse(JSON.stringify(exported)));
        assert.deepEqual(await exportDescriptor(store2), exported);
      } finally {
        await store2.close();
      }
    });
  }

  it('covers every descriptor in the shared fixtures', { skip: !existsSync(FIXTURES) && 'shared fixtures not present' }, () => {
    const listed = new Set(fixtureSets.flat());
    for (const dir of readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const f of readdirSync(join(FIXTURES, dir.name)).filter((f) => f.endsWith('.json') && !f.startsWith('ietf-'))) {
        assert.ok(listed.has(`${dir.name}/${f}`), `fixture ${dir.name}/${f} is not loaded by any test`);
      }
    }
  });
});
}
