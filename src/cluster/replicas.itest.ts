/**
 * Three (then four) replicas in this process on PostgreSQL + NATS, with devices whose driver
 * counts the sessions open on each device across all replicas: every device owned once, a killed
 * replica's devices taken over, a joining one takes its share, a drained one hands everything
 * over, configuration sent to a non-owner is carried out by the owner — and no device ever has
 * two sessions at once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startController, type RunningController } from '../app/index.js';
import { uuidFromText } from '../model/index.js';
import type { ClusterView } from './api.js';
import { rendezvous } from './hrw.js';
import { COUNTING_DRIVER, DeviceSide, describeReplicas, sharedReplicaOptions, waitFor } from './testing.js';

const DEVICES = 24;
const TTL_MS = 3000;

function descriptor(names: string[]) {
  const endpoints = [{ uuid: 'eth1', type: 'copper', sample_types: [101, 102, 201, 202] }];
  return {
    devices: names.map((name) => ({
      device_id: { device_uuid: { uuid: name } },
      name,
      device_type: 'emu-packet-router',
      device_drivers: [COUNTING_DRIVER],
      device_operational_status: 'DEVICEOPERATIONALSTATUS_UNDEFINED',
      device_config: {
        config_rules: [
          { action: 'CONFIGACTION_SET', custom: { resource_key: '_connect/address', resource_value: '127.0.0.1' } },
          { action: 'CONFIGACTION_SET', custom: { resource_key: '_connect/port', resource_value: '0' } },
          { action: 'CONFIGACTION_SET', custom: { resource_key: '_connect/settings', resource_value: JSON.stringify({ endpoints }) } },
        ],
      },
      device_endpoints: [],
    })),
  };
}

async function json<T>(res: Promise<Response>): Promise<T> {
  const r = await res;
  const text = await r.text();
  assert.ok(r.ok, `${r.status} ${text}`);
  return JSON.parse(text) as T;
}

await describeReplicas('cluster of replicas (PostgreSQL + NATS)', (databaseUrl) => {
  describe('cluster of replicas (PostgreSQL + NATS)', () => {
    const shared = sharedReplicaOptions(databaseUrl);
    const side = new DeviceSide();
    const names = Array.from({ length: DEVICES }, (_, i) => `r${String(i + 1).padStart(2, '0')}`);
    const replicas = new Map<string, RunningController>();
    const common = {
      ...shared.options,
      drivers: [side.factory()],
    };
    const start = async (id: string) => {
      const c = await startController({ ...common, dataDir: mkdtempSync(join(tmpdir(), `cnsdn-${id}-`)), cluster: { memberId: id, leaseTtlMs: TTL_MS } });
      replicas.set(id, c);
      return c;
    };
    const url = (id: string) => replicas.get(id)!.url;
    const view = (id: string) => json<ClusterView>(fetch(`${url(id)}/cluster`));
    /** Every device owned by one of `members`, its session open once and subscribed for telemetry. */
    let managed = DEVICES;
    const settled = async (members: string[], on: string) => {
      // A replica busy starting may shed a request (503): polling asks again.
      const v = await view(on).catch(() => undefined);
      if (!v) return undefined;
      const owners = v.leases.filter((l) => l.valid).map((l) => l.owner!);
      if (owners.length !== managed || owners.some((o) => !members.includes(o))) return undefined;
      if (names.some((n) => side.open.get(n) !== 1 || !side.subscribed.has(n))) return undefined;
      return v;
    };

    before(async () => {
      for (const id of ['a', 'b', 'c']) await start(id);
    });
    after(async () => {
      for (const c of replicas.values()) await c.close().catch(() => {});
      await shared.cleanUp();
    });

    it('owns every device exactly once, spread over the three members', async () => {
      await json(fetch(`${url('a')}/tfs-api/descriptors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(descriptor(names)) }));
      const v = await waitFor('every device owned and streaming', () => settled(['a', 'b', 'c'], 'b'), 30_000);
      assert.deepEqual(v.members.map((m) => m.id).sort(), ['a', 'b', 'c']);
      for (const id of ['a', 'b', 'c']) assert.ok((v.ownership[id] ?? 0) >= 3, `member ${id} owns ${v.ownership[id]} of ${DEVICES}: ${JSON.stringify(v.ownership)}`);
      assert.equal(v.unowned, 0);
      assert.deepEqual(side.overlaps(), []);
      const viaApi = await json<ClusterView>(fetch(`${url('c')}/api/cluster?leases=false`));
      assert.deepEqual(viaApi.leases, []);
      assert.deepEqual(viaApi.ownership, v.ownership);
      assert.equal(viaApi.mode, 'cluster');
      assert.equal(viaApi.self, 'c');
      const metrics = await (await fetch(`${url('a')}/metrics`)).text();
      assert.match(metrics, new RegExp(`^cnsdn_cluster_owned_devices ${v.ownership.a}$`, 'm'));
      assert.match(metrics, /^cnsdn_cluster_members\{state="alive"\} 3$/m);
    });

    it('carries out a configuration request sent to a non-owner on the owner, and returns the device refusal', async () => {
      const v = await view('a');
      const lease = v.leases.find((l) => l.valid && l.owner !== 'a')!;
      const { name: device } = await json<{ name: string }>(fetch(`${url('a')}/tfs-api/device/${lease.device}`));
      const rule = (key: string, value: unknown) => ({ action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: JSON.stringify(value) } });
      const ok = await json<{ owner: string; applied: boolean }>(
        fetch(`${url('a')}/api/devices/${device}/configure`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ config_rules: [rule('/interface[eth1]', { name: 'eth1', mtu: 9000 })] }) }),
      );
      assert.equal(ok.owner, lease.owner);
      assert.equal(ok.applied, true);
      assert.deepEqual(side.config.get(device)?.get('/interface[eth1]'), { name: 'eth1', mtu: 9000 });

      const refused = await fetch(`${url('a')}/api/devices/${device}/configure`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ config_rules: [rule('/refuse[this]', { x: 1 })] }) });
      const problem = (await refused.json()) as { code: string; detail: string };
      assert.equal(refused.status, 502, JSON.stringify(problem));
      assert.equal(problem.code, 'CNSDN_DRIVER_ERROR');
      assert.match(problem.detail, /refuses \/refuse\[this\]/);
    });

    it('activates a service on a member that owns none of its devices: the owners configure them', async () => {
      const endpoints = [
        { uuid: 'eth1', type: 'copper', sample_types: [101, 102] },
        { uuid: 'eth2', type: 'copper', sample_types: [101, 102] },
      ];
      const rule = (key: string, value: unknown) => ({ action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: typeof value === 'string' ? value : JSON.stringify(value) } });
      // The counting driver runs the session; the emulated driver's name picks the OpenConfig service handler.
      const devices = ['s1', 's2'].map((name) => ({
        device_id: { device_uuid: { uuid: name } },
        name,
        device_type: 'emu-packet-router',
        device_drivers: [COUNTING_DRIVER, 'DEVICEDRIVER_UNDEFINED'],
        device_operational_status: 'DEVICEOPERATIONALSTATUS_UNDEFINED',
        device_config: { config_rules: [rule('_connect/address', '127.0.0.1'), rule('_connect/port', '0'), rule('_connect/settings', { endpoints })] },
        device_endpoints: [],
      }));
      const ep = (d: string, e: string) => ({ device_id: { device_uuid: { uuid: d } }, endpoint_uuid: { uuid: e } });
      const contexts = [{ context_id: { context_uuid: { uuid: 'admin' } } }];
      const topologies = [{ topology_id: { context_id: { context_uuid: { uuid: 'admin' } }, topology_uuid: { uuid: 'admin' } } }];
      const links = [{ link_id: { link_uuid: { uuid: 's1-s2' } }, link_endpoint_ids: [ep('s1', 'eth2'), ep('s2', 'eth2')] }];
      await json(fetch(`${url('a')}/tfs-api/descriptors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contexts, topologies, devices, links }) }));
      managed += 2;
      const uuids = ['s1', 's2'].map((n) => uuidFromText(n));
      const owners = await waitFor('s1 and s2 owned and connected', async () => {
        const v = await view('a').catch(() => undefined);
        const o = uuids.map((u) => v?.leases.find((l) => l.device === u && l.valid)?.owner);
        return o.every((x) => x) && side.open.get('s1') === 1 && side.open.get('s2') === 1 ? (o as string[]) : undefined;
      });
      // A service whose coordinator (rendezvous over the members) holds neither device.
      const name = Array.from({ length: 50 }, (_, i) => `svc-${i}`).find((n) => !owners.includes(rendezvous(uuidFromText(n, uuidFromText('admin')), ['a', 'b', 'c'])!))!;
      assert.ok(name, 'some service name lands on a member owning neither device');
      const service = {
        service_id: { context_id: { context_uuid: { uuid: 'admin' } }, service_uuid: { uuid: name } },
        service_type: 'SERVICETYPE_L2NM',
        service_status: { service_status: 'SERVICESTATUS_PLANNED' },
        service_endpoint_ids: [ep('s1', 'eth1'), ep('s2', 'eth1')],
        service_config: { config_rules: [{ action: 'CONFIGACTION_SET', custom: { resource_key: '/settings', resource_value: { vlan_id: 125 } } }] },
      };
      await json(fetch(`${url('a')}/tfs-api/context/admin/services`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ services: [service] }) }));
      const status = await waitFor('the service ACTIVE', async () => {
        const r = await fetch(`${url('b')}/tfs-api/context/admin/service/${name}`);
        const svc = r.ok ? ((await r.json()) as { service_status: { service_status: string }; service_config: { config_rules: Array<{ custom?: { resource_key: string; resource_value: string } }> } }) : undefined;
        const failure = svc?.service_config.config_rules.find((c) => c.custom?.resource_key === '/cnsdn/failure');
        if (failure) assert.fail(`activation failed: ${failure.custom!.resource_value}`);
        return svc?.service_status.service_status === 'SERVICESTATUS_ACTIVE' ? svc.service_status.service_status : undefined;
      }, 30_000);
      assert.equal(status, 'SERVICESTATUS_ACTIVE');
      for (const d of ['s1', 's2']) {
        const keys = [...(side.config.get(d)?.keys() ?? [])];
        assert.ok(keys.some((k) => k.startsWith('/network_instance[')), `${d} got the service's network instance: ${keys.join(', ')}`);
      }
      assert.deepEqual(side.overlaps(), []);
    });

    it('a write on one replica is read on another within a bound (event-driven cache invalidation)', async () => {
      await json(fetch(`${url('c')}/tfs-api/devices`)); // fills c's cached list
      const t0 = Date.now();
      await json(fetch(`${url('a')}/tfs-api/devices`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ devices: [{ device_id: { device_uuid: { uuid: 'probe' } }, name: 'probe', device_type: 'emu-datacenter', device_drivers: [], device_operational_status: 'DEVICEOPERATIONALSTATUS_UNDEFINED', device_config: { config_rules: [] }, device_endpoints: [] }] }) }));
      const acked = Date.now();
      managed += 1;
      await waitFor('the new device in c\'s list', async () => ((await json<{ devices: Array<{ name: string }> }>(fetch(`${url('c')}/tfs-api/devices`))).devices.some((d) => d.name === 'probe') ? true : undefined), 10_000, 5);
      const bound = Date.now() - acked;
      console.log(`# read-your-writes across replicas: write acked after ${acked - t0} ms, visible on another replica ${bound} ms later`);
      assert.ok(bound < 10_000);
    });

    it('takes a killed replica\'s devices over within the TTL bound, with sessions and telemetry up', async () => {
      const before = await view('a');
      const lost = before.ownership.c ?? 0;
      assert.ok(lost > 0);
      const t0 = Date.now();
      await replicas.get('c')!.halt!();
      replicas.delete('c');
      const v = await waitFor('the killed replica\'s devices owned and streaming again', () => settled(['a', 'b'], 'a'), 30_000, 50).catch(async (e) => {
        console.log(JSON.stringify({ view: await view('a'), open: [...side.open], subscribed: [...side.subscribed] }));
        throw e;
      });
      const took = Date.now() - t0;
      console.log(`# kill: ${lost} devices of the killed replica streaming again after ${took} ms (TTL ${TTL_MS} ms)`);
      assert.equal((v.ownership.a ?? 0) + (v.ownership.b ?? 0), managed);
      assert.deepEqual(side.overlaps(), []);
    });

    it('gives a joining member a fair share', async () => {
      await start('d');
      const v = await waitFor('d owning devices', async () => {
        const s = await settled(['a', 'b', 'd'], 'd');
        return s && (s.ownership.d ?? 0) >= 3 ? s : undefined;
      }, 30_000);
      assert.ok((v.ownership.a ?? 0) >= 3 && (v.ownership.b ?? 0) >= 3, JSON.stringify(v.ownership));
      assert.deepEqual(side.overlaps(), []);
    });

    it('drains a member: it hands every device over and takes no new ones', async () => {
      const r = await fetch(`${url('b')}/cluster/members/a/drain`, { method: 'POST' });
      assert.equal(r.status, 200, await r.clone().text());
      assert.equal(((await r.json()) as { draining: boolean }).draining, true);
      const v = await waitFor('a drained', async () => {
        const s = await settled(['b', 'd'], 'a');
        return s && !s.ownership.a ? s : undefined;
      }, 30_000);
      assert.equal(v.members.find((m) => m.id === 'a')?.draining, true);
      assert.equal((v.ownership.b ?? 0) + (v.ownership.d ?? 0), managed);
      assert.equal((await fetch(`${url('b')}/cluster/members/nobody/drain`, { method: 'POST' })).status, 404);
      assert.deepEqual(side.overlaps(), []);
    });

    it('a gracefully stopped member hands its devices over at once', async () => {
      await replicas.get('d')!.close();
      replicas.delete('d');
      const v = await waitFor('b owning everything', async () => {
        const s = await settled(['b'], 'b');
        return s;
      }, 30_000);
      assert.equal(v.ownership.b, managed);
      assert.deepEqual(side.overlaps(), []);
    });
  });
});
