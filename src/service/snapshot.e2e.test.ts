import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningController, startController } from '../app/index.js';
import { uuidFromText } from '../model/ids.js';
import { until } from './testing.js';

const rule = (key: string, value: unknown) => ({ action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: value } });
const ep = (device: string, endpoint: string) => ({ device_id: { device_uuid: { uuid: device } }, endpoint_uuid: { uuid: endpoint } });
const device = (name: string) => ({
  device_id: { device_uuid: { uuid: name } },
  device_type: 'emu-packet-router',
  device_drivers: ['DEVICEDRIVER_UNDEFINED'],
  device_config: {
    config_rules: [rule('_connect/address', '127.0.0.1'), rule('_connect/port', '0'), rule('_connect/settings', { endpoints: ['e1', 'e2', 'e3', 'e9'].map((uuid) => ({ uuid, type: 'copper' })) })],
  },
});
const link = (name: string, a: [string, string], b: [string, string]) => ({ link_id: { link_uuid: { uuid: name } }, link_endpoint_ids: [ep(...a), ep(...b)] });
const service = {
  service_id: { context_id: { context_uuid: { uuid: 'admin' } }, service_uuid: { uuid: 'snap' } },
  service_type: 'SERVICETYPE_L2NM',
  service_status: { service_status: 'SERVICESTATUS_PLANNED' },
  service_endpoint_ids: [ep('a', 'e9'), ep('c', 'e9')],
  service_config: { config_rules: [rule('/settings', { vlan_id: 42 })] },
};

describe('topology snapshot kept between activations', () => {
  let c: RunningController;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${c.url}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const activeHops = async () => {
    let last: unknown;
    try {
      await until('ACTIVE', async () => {
        const s = await call('GET', '/tfs-api/context/admin/service/snap');
        last = s.body;
        const status = (s.body.service_status as { service_status: string }).service_status;
        assert.notEqual(status, 'SERVICESTATUS_FAILED', JSON.stringify(s.body));
        return status === 'SERVICESTATUS_ACTIVE' ? true : undefined;
      }, 90_000);
    } catch (e) {
      const devices = (await call('GET', '/tfs-api/devices')).body;
      throw new Error(`${(e as Error).message}; service: ${JSON.stringify(last)}; devices: ${JSON.stringify(devices).slice(0, 2000)}`);
    }
    const conns = (await call('GET', '/tfs-api/context/admin/service/snap/connections')).body.connections as Array<{ path_hops_endpoint_ids: Array<{ device_id: { device_uuid: { uuid: string } } }> }>;
    const names = new Map(['a', 'b', 'c'].map((n) => [uuidFromText(n), n]));
    return [...new Set(conns[0]!.path_hops_endpoint_ids.map((h) => names.get(h.device_id.device_uuid.uuid)))];
  };

  before(async () => {
    c = await startController({ host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'cnsdn-snap-')), logLevel: 'silent', southboundAllow: '127.0.0.0/8' });
    const loaded = await call('POST', '/tfs-api/descriptors', {
      contexts: [{ context_id: { context_uuid: { uuid: 'admin' } } }],
      topologies: [{ topology_id: { context_id: { context_uuid: { uuid: 'admin' } }, topology_uuid: { uuid: 'admin' } } }],
      devices: ['a', 'b', 'c'].map(device),
      links: [link('a-b', ['a', 'e1'], ['b', 'e1']), link('b-c', ['b', 'e2'], ['c', 'e2'])],
    });
    assert.equal(loaded.status, 200, JSON.stringify(loaded.body));
  });
  after(async () => c?.close());

  it('a link added after an activation is used by the next one (the snapshot follows topology changes)', async () => {
    assert.equal((await call('POST', '/tfs-api/context/admin/services', service)).status, 200);
    assert.deepEqual(await activeHops(), ['a', 'b', 'c']);
    assert.equal((await call('DELETE', '/tfs-api/context/admin/service/snap')).status, 200);

    // A direct link a-c: the shortest path no longer goes through b.
    assert.equal((await call('POST', '/tfs-api/links', { links: [link('a-c', ['a', 'e3'], ['c', 'e3'])] })).status, 200);
    assert.equal((await call('POST', '/tfs-api/context/admin/services', service)).status, 200);
    assert.deepEqual(await activeHops(), ['a', 'c']);
    assert.equal((await call('DELETE', '/tfs-api/context/admin/service/snap')).status, 200);

    // And removed again: back through b.
    assert.equal((await call('DELETE', '/tfs-api/link/a-c')).status, 200);
    assert.equal((await call('POST', '/tfs-api/context/admin/services', service)).status, 200);
    assert.deepEqual(await activeHops(), ['a', 'b', 'c']);
  });
});
