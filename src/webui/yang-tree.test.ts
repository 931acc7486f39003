import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Fastify from 'fastify';
import { CnsdnError } from '../common/errors.js';
import type { AnnouncedModel } from '../device/index.js';
import type { Device } from '../model/types.js';
import { type DeviceModelsAnswer, driverModules, modulesToCompile, parseModuleList, type YangTreeAnswer, yangTreeRoutes } from './yang-tree.js';

const dir = mkdtempSync(join(tmpdir(), 'cnsdn-yang-tree-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'ietf-interfaces.yang'),
  `module ietf-interfaces {
  yang-version 1.1;
  namespace "urn:test:if";
  prefix if;
  revision 2014-05-08;
  container interfaces {
    description "Interfaces.";
    list interface {
      key "name";
      leaf name { type string; }
      leaf enabled { type boolean; default true; }
      leaf-list tag { type string; config false; }
    }
  }
  rpc reset { input { leaf name { type string; mandatory true; } } }
}
`,
);
writeFileSync(
  join(dir, 'ietf-ip.yang'),
  `module ietf-ip {
  yang-version 1.1;
  namespace "urn:test:ip";
  prefix ip;
  import ietf-interfaces { prefix if; }
  augment "/if:interfaces/if:interface" { leaf mtu { type uint16; } }
}
`,
);

const device = (drivers: string[]): Device => ({ device_id: { device_uuid: { uuid: 'dev-1' } }, device_drivers: drivers }) as unknown as Device;

async function app(drivers: string[], announced?: (uuid: string) => Promise<AnnouncedModel[]>) {
  const a = Fastify();
  a.setErrorHandler((err, _req, reply) => {
    const code = err instanceof CnsdnError ? ({ UNAVAILABLE: 503, NOT_FOUND: 404 } as Record<string, number>)[err.code] ?? 400 : (err as { statusCode?: number }).statusCode ?? 500;
    void reply.code(code).send({ code: (err as { code?: string }).code });
  });
  const getDevice = async (ref: string) => {
    if (ref !== 'dev-1') throw new CnsdnError('NOT_FOUND', `device ${ref} not found`);
    return device(drivers);
  };
  await a.register(yangTreeRoutes({ getDevice, searchPath: [dir], ...(announced ? { announced } : {}) }));
  return a;
}

describe('device YANG tree', () => {
  it('picks modules by driver', () => {
    assert.deepEqual(driverModules(['DEVICEDRIVER_IETF_NETWORK_TOPOLOGY']), ['ietf-interfaces', 'ietf-ip']);
    assert.ok(driverModules(['DEVICEDRIVER_GNMI_OPENCONFIG']).includes('openconfig-interfaces'));
    assert.ok(!driverModules(['DEVICEDRIVER_GNMI_OPENCONFIG']).includes('ietf-interfaces'));
    assert.deepEqual(driverModules(['DEVICEDRIVER_UNDEFINED']), []);
  });

  it('parses ?modules= and refuses names that are not module names', () => {
    assert.deepEqual(parseModuleList(' a , b@2020-01-02 ,'), [{ name: 'a' }, { name: 'b', revision: '2020-01-02' }]);
    for (const bad of ['../x', 'a@yesterday', 'a b']) assert.throws(() => parseModuleList(bad), (e) => e instanceof CnsdnError && e.code === 'VALIDATION_FAILED', bad);
  });

  it('answers the compiled tree of the driver modules: lists with keys, leaf types, config false, augments from other modules, rpcs; missing modules named', async () => {
    const a = await app(['DEVICEDRIVER_OPENCONFIG']);
    try {
      const res = await a.inject({ method: 'GET', url: '/api/devices/dev-1/yang-tree' });
      assert.equal(res.statusCode, 200);
      const body = res.json() as YangTreeAnswer;
      assert.equal(body.source, 'drivers');
      assert.ok(body.missing.includes('openconfig-interfaces'), 'OpenConfig modules are not in this search path');
      const ietf = body.trees.find((t) => t.module === 'ietf-interfaces')!;
      assert.equal(ietf.revision, '2014-05-08');
      const list = ietf.nodes[0]!.children![0]!;
      assert.deepEqual([list.name, list.kind, list.keys], ['interface', 'list', ['name']]);
      const byName = new Map(list.children!.map((c) => [c.name, c]));
      assert.equal(byName.get('enabled')?.type, 'boolean');
      assert.equal(byName.get('tag')?.config, false);
      assert.equal(byName.get('mtu')?.module, 'ietf-ip', 'augmented in by ietf-ip');
      assert.equal(ietf.rpcs[0]?.name, 'reset');
      assert.equal(ietf.rpcs[0]?.children?.[0]?.children?.[0]?.mandatory, true);
    } finally {
      await a.close();
    }
  });

  it('?modules= names the modules instead; a bad name is a 400', async () => {
    const a = await app([]);
    try {
      const none = (await a.inject({ method: 'GET', url: '/api/devices/dev-1/yang-tree' })).json() as YangTreeAnswer;
      assert.deepEqual([none.modules, none.trees], [[], []]);
      const one = (await a.inject({ method: 'GET', url: '/api/devices/dev-1/yang-tree?modules=ietf-interfaces' })).json() as YangTreeAnswer;
      assert.deepEqual([one.source, one.trees.map((t) => t.module), one.missing], ['query', ['ietf-interfaces'], []]);
      assert.equal((await a.inject({ method: 'GET', url: '/api/devices/dev-1/yang-tree?modules=../etc' })).statusCode, 400);
    } finally {
      await a.close();
    }
  });

  it('compiles announced modules by name, with revisions only where they are YANG revisions; bad names skipped', () => {
    assert.deepEqual(
      modulesToCompile([
        { name: 'ietf-interfaces', revision: '2014-05-08', namespace: 'urn:x' },
        { name: 'openconfig-interfaces', version: '3.0.0' },
        { name: 'ietf-interfaces', revision: '2018-02-20' },
        { name: '../etc' },
      ]),
      [{ name: 'ietf-interfaces', revision: '2014-05-08' }, { name: 'openconfig-interfaces' }],
    );
  });

  it('defaults to the announced models: compiled ones as trees, the ones the search path lacks listed as unavailable', async () => {
    const announced: AnnouncedModel[] = [
      { name: 'ietf-interfaces', namespace: 'urn:test:if', revision: '2014-05-08' },
      { name: 'ietf-ip', namespace: 'urn:test:ip' },
      { name: 'acme-system', namespace: 'urn:acme:sys', revision: '2024-01-01' },
    ];
    const a = await app(['DEVICEDRIVER_GNMI_OPENCONFIG'], async () => announced);
    try {
      const models = await a.inject({ method: 'GET', url: '/api/devices/dev-1/models' });
      assert.equal(models.statusCode, 200);
      assert.deepEqual(models.json() as DeviceModelsAnswer, { device: 'dev-1', models: announced });
      assert.equal((await a.inject({ method: 'GET', url: '/api/devices/nope/models' })).statusCode, 404);
      const body = (await a.inject({ method: 'GET', url: '/api/devices/dev-1/yang-tree' })).json() as YangTreeAnswer;
      assert.equal(body.source, 'announced');
      assert.deepEqual(body.modules, ['ietf-interfaces', 'ietf-ip', 'acme-system']);
      assert.deepEqual(body.unavailable, ['acme-system@2024-01-01']);
      assert.deepEqual(body.announced, announced);
      assert.deepEqual(
        body.trees.map((t) => t.module),
        ['ietf-interfaces', 'ietf-ip'],
      );
    } finally {
      await a.close();
    }
  });

  it('a device that is not connected: /models is 503 UNAVAILABLE, the tree falls back to the drivers\' modules and says why', async () => {
    const a = await app(['DEVICEDRIVER_IETF_NETWORK_TOPOLOGY'], async (uuid) => {
      throw new CnsdnError('DEVICE_UNREACHABLE', `device ${uuid} is not connected (backoff)`);
    });
    try {
      const models = await a.inject({ method: 'GET', url: '/api/devices/dev-1/models' });
      assert.deepEqual([models.statusCode, models.json().code], [503, 'UNAVAILABLE']);
      const body = (await a.inject({ method: 'GET', url: '/api/devices/dev-1/yang-tree' })).json() as YangTreeAnswer;
      assert.equal(body.source, 'drivers');
      assert.match(body.announcedError ?? '', /not connected/);
      assert.deepEqual(body.trees.map((t) => t.module), ['ietf-interfaces', 'ietf-ip']);
    } finally {
      await a.close();
    }
  });
});
