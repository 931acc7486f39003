import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningController, startController } from '../app/index.js';
import { seededRandom } from '../common/random.js';
import { CnsdnClient } from './client.js';
import { exponential, percentiles, runLoad } from './loadgen.js';
import { edgeEndpoints, serviceBody, sliceBody, subnetsOf } from './loadgen-requests.js';
import { run } from './program.js';
import { captureIO } from './testing.js';

const rule = (key: string, value: unknown) => ({ action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: value } });
const ep = (d: string, e: string) => ({ device_id: { device_uuid: { uuid: d } }, endpoint_uuid: { uuid: e } });

/** Four emulated routers in a ring (1/1 → next 1/2), each with two free ports 1/4 and 1/5; a DC on R1 1/3. */
function ring(): Record<string, unknown> {
  const routers = ['R1', 'R2', 'R3', 'R4'];
  const device = (name: string, endpoints: string[]) => ({
    device_id: { device_uuid: { uuid: name } },
    device_type: 'emu-packet-router',
    device_drivers: ['DEVICEDRIVER_UNDEFINED'],
    device_config: { config_rules: [rule('_connect/address', '127.0.0.1'), rule('_connect/port', '0'), rule('_connect/settings', { endpoints: endpoints.map((uuid) => ({ uuid, type: 'copper' })) })] },
  });
  return {
    contexts: [{ context_id: { context_uuid: { uuid: 'admin' } } }],
    topologies: [{ topology_id: { context_id: { context_uuid: { uuid: 'admin' } }, topology_uuid: { uuid: 'admin' } } }],
    devices: [...routers.map((r) => device(r, ['1/1', '1/2', '1/3', '1/4', '1/5'])), device('DC1', ['eth1'])],
    links: [
      ...routers.map((r, i) => ({ link_id: { link_uuid: { uuid: `${r}-ring` } }, link_endpoint_ids: [ep(r, '1/1'), ep(routers[(i + 1) % 4]!, '1/2')] })),
      { link_id: { link_uuid: { uuid: 'dc1' } }, link_endpoint_ids: [ep('DC1', 'eth1'), ep('R1', '1/3')] },
    ],
  };
}

describe('load generator: arrivals, holding times, endpoints, bodies', () => {
  it('exponential samples have the asked mean (seeded)', () => {
    const random = seededRandom(7);
    const xs = Array.from({ length: 20_000 }, () => exponential(random, 250));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok(Math.abs(mean - 250) < 10, `mean ${mean}`);
    assert.ok(xs.every((x) => x >= 0));
  });

  it('percentiles by nearest rank', () => {
    const p = percentiles(Array.from({ length: 100 }, (_, i) => i + 1));
    assert.deepEqual([p.p50, p.p90, p.p99, p.max, p.n], [50, 90, 99, 100, 100]);
    assert.equal(percentiles([]).n, 0);
  });

  it('edge endpoints are the free ports of linked devices with a service handler', () => {
    const d = ring() as { devices: Array<Record<string, unknown>>; links: Array<Record<string, unknown>> };
    const devices: Array<Record<string, unknown>> = d.devices.map((x) => ({
      ...x,
      name: (x.device_id as { device_uuid: { uuid: string } }).device_uuid.uuid,
      device_endpoints: ['1/1', '1/2', '1/3', '1/4', '1/5', 'eth1'].map((e) => ({ endpoint_id: { endpoint_uuid: { uuid: e } }, name: e })),
    }));
    devices.push({ ...devices[0]!, name: 'lonely', device_id: { device_uuid: { uuid: 'lonely' } } });
    devices.push({ ...devices[1]!, name: 'P4', device_id: { device_uuid: { uuid: 'P4' } }, device_drivers: ['DEVICEDRIVER_P4'] });
    const edges = edgeEndpoints(devices, d.links);
    assert.ok(!edges.some((e) => e.device === 'lonely' || e.device === 'P4'), 'unlinked devices and devices without a handler are left out');
    assert.ok(!edges.some((e) => e.device === 'R1' && (e.endpoint === '1/1' || e.endpoint === '1/3')), 'link ends are not edges');
    assert.ok(edges.some((e) => e.device === 'R3' && e.endpoint === '1/4'));
  });

  it('each request has its own VLAN and /24s; bodies are TFS services and IETF slices', () => {
    assert.notDeepEqual(subnetsOf(100), subnetsOf(101));
    assert.notEqual(subnetsOf(356)[0], subnetsOf(100)[0]);
    const a = { device: 'R1', endpoint: '1/4' };
    const b = { device: 'R3', endpoint: '1/5' };
    const l3 = serviceBody('l3nm', 'admin', 'x', a, b, 300) as { service_type: string; service_config: { config_rules: unknown[] } };
    assert.equal(l3.service_type, 'SERVICETYPE_L3NM');
    assert.equal(l3.service_config.config_rules.length, 3);
    const s = sliceBody('slice-l3', 'y', a, b, 300) as { 'slice-service': Array<{ sdps: { sdp: Array<Record<string, unknown>> } }> };
    assert.deepEqual(s['slice-service'][0]!.sdps.sdp.map((x) => x['sdp-ip-address']), [[subnetsOf(300)[0]], [subnetsOf(300)[1]]]);
  });
});

describe('load generator against a controller (emulated ring)', () => {
  let c: RunningController;
  let client: CnsdnClient;
  before(async () => {
    // The test process is both controller and load: its own lag must not shed the requests it counts.
    c = await startController({ host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'cnsdn-loadgen-')), logLevel: 'silent', guard: { shedLagMs: 0 } });
    client = new CnsdnClient({ url: c.url });
    await client.loadDescriptors(ring());
  });
  after(async () => c?.close());

  it('every kind of request is accepted at a light load, and nothing is left afterwards', async () => {
    const report = await runLoad(client, { erlang: 3, holdingMs: 400, durationMs: 2500, maxRequests: 40, kinds: ['l2nm', 'l3nm', 'slice-l2', 'slice-l3'], seed: 3, context: 'admin', prefix: 'lgt-' });
    assert.ok(report.arrivals >= 5, `arrivals ${report.arrivals}`);
    assert.equal(report.blocked, 0, JSON.stringify(report.blocked_by));
    assert.equal(report.accepted, report.arrivals);
    assert.equal(report.setup_ms.n, report.accepted);
    assert.equal(report.teardown_ms.n, report.accepted);
    assert.equal(report.edge_endpoints, 11, 'R1: 1/4, 1/5; R2-R4: 1/3, 1/4, 1/5');
    assert.ok(Object.keys(report.by_kind).length >= 2);
    assert.deepEqual(await client.listServices('admin'), []);
    assert.deepEqual((await client.get<{ slices: unknown[] }>('/tfs-api/context/admin/slices')).slices, []);
  });

  it('a request the controller refuses is blocked with its code, and the run goes on', async () => {
    // A slice whose realising service name is taken: the slice NBI refuses it (409).
    const svc = serviceBody('l2nm', 'admin', 'lgb-1', { device: 'R1', endpoint: '1/4' }, { device: 'R2', endpoint: '1/4' }, 4000);
    await client.request('POST', '/tfs-api/context/admin/services', { body: svc });
    const report = await runLoad(client, { erlang: 2, holdingMs: 200, durationMs: 5000, maxRequests: 1, kinds: ['slice-l2'], seed: 1, context: 'admin', prefix: 'lgb-' });
    assert.equal(report.arrivals, 1);
    assert.equal(report.blocked, 1);
    assert.deepEqual(report.blocked_by, { CNSDN_IN_USE: 1 });
    await client.request('DELETE', '/tfs-api/context/admin/service/lgb-1');
  });

  it('`cnsdn loadgen -o json` runs against --url and prints the report', async () => {
    const io = captureIO();
    const code = await run(['--url', c.url, 'loadgen', '--erlang', '2', '--holding', '300ms', '--duration', '1s', '--requests', '3', '--kinds', 'l2nm', '--prefix', 'lgc-', '-o', 'json'], io);
    assert.equal(code, 0, io.err());
    const report = JSON.parse(io.out()) as { arrivals: number; accepted: number; offered_erlang: number };
    assert.equal(report.offered_erlang, 2);
    assert.equal(report.accepted, report.arrivals);
    const bad = captureIO();
    assert.equal(await run(['--url', c.url, 'loadgen', '--kinds', 'l2nm,bgp'], bad), 2);
    assert.match(bad.err(), /l2nm, l3nm, slice-l2, slice-l3/);
  });
});
