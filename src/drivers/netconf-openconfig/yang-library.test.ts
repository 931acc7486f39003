/**
 * A device that announces its models only through its YANG library (RFC 7895 modules-state or
 * RFC 8525 yang-library): the driver reads the library, announcedModels() returns its modules and the
 * models are picked from it (validation against them before edit-config: yang-check.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type DataReply, NetconfRpcError, parseCapabilities, parseXml, type ReadOptions } from '../../protocols/netconf/index.js';
import { libraryModules } from '../../sim/netconf/library.js';
import { type NetconfSim, startNetconfSim } from '../../sim/netconf/run.js';
import { NetconfOpenconfigDriver } from './index.js';
import { clearLibraryCache, deviceLibrary, importOnly, mergeModules } from './library.js';

const USER = { username: 'oc-admin', password: 'oc-S1m-pass' };
const YL = 'urn:ietf:params:xml:ns:yang:ietf-yang-library';

function driverFor(sim: NetconfSim, uuid: string): NetconfOpenconfigDriver {
  const s = sim.devices[0];
  return new NetconfOpenconfigDriver({
    deviceUuid: uuid,
    deviceName: s.name,
    address: s.host,
    port: s.port,
    settings: { username: USER.username, password: USER.password, hostkey_fingerprint: sim.hostKey.fingerprint, timeout: 60 },
  });
}

for (const version of ['1.0', '1.1'] as const) {
  describe(`a simulated device announcing its models only through yang-library:${version}`, () => {
    let sim: NetconfSim;
    before(async () => {
      sim = await startNetconfSim({ port: 0, users: [USER], interfaces: ['Ethernet1', 'Ethernet2'], yangLibrary: version });
    });
    after(() => sim?.close());

    test("announcedModels() returns the library's modules; the models in use come from it", async () => {
      assert.ok(!sim.devices[0].device.capabilities().some((c) => c.includes('?module=')), 'the hello lists no module');
      const d = driverFor(sim, `uuid-yl-${version}`);
      await d.connect();
      try {
        const got = await d.announcedModels();
        assert.deepEqual(
          got.map((m) => [m.name, m.namespace, m.revision]),
          libraryModules(version).map((m) => [m.name, m.namespace, m.revision]),
        );
        assert.equal(d.models?.interfaces, 'openconfig');
        assert.equal(d.models?.networkInstances, true);
        assert.deepEqual(
          (await d.discoverEndpoints()).map((e) => e.name),
          ['Ethernet1', 'Ethernet2'],
        );
      } finally {
        await d.disconnect();
      }
    });
  });
}

describe('merging and reading the library', () => {
  const lm = (name: string, revision: string | undefined, extra: Partial<{ features: string[]; deviations: string[]; conformance: 'implement' | 'import' }> = {}) => ({
    name,
    ...(revision ? { revision } : {}),
    namespace: `urn:x:${name}`,
    features: extra.features ?? [],
    deviations: extra.deviations ?? [],
    submodules: [],
    conformance: extra.conformance ?? ('implement' as const),
  });

  test('hello modules first; the same module (name and revision, or a revision on one side only) once, features and deviations merged', () => {
    const hello = parseCapabilities([
      'urn:x:a?module=a&revision=2020-01-01&features=f1',
      'urn:x:b?module=b',
      'urn:x:c?module=c&revision=2019-01-01',
    ]).modules;
    const merged = mergeModules(hello, [lm('a', '2020-01-01', { features: ['f1', 'f2'], deviations: ['dev'] }), lm('b', '2018-05-05'), lm('c', '2021-01-01'), lm('d', undefined)]);
    assert.deepEqual(
      merged.map((m) => [m.module, m.revision, m.features, m.deviations]),
      [
        ['a', '2020-01-01', ['f1', 'f2'], ['dev']],
        ['b', '2018-05-05', [], []],
        ['c', '2019-01-01', [], []],
        ['c', '2021-01-01', [], []],
        ['d', undefined, [], []],
      ],
    );
    // The hello's own entries are not changed in place.
    assert.deepEqual(hello[0].features, ['f1']);
  });

  test('import-only: a module only imported, unless also implemented', () => {
    assert.deepEqual(
      [...importOnly({ version: '1.0', modules: [lm('t', '2013-07-15', { conformance: 'import' }), lm('u', '2013-07-15', { conformance: 'import' }), lm('u', '2016-01-01')] })],
      ['t'],
    );
    assert.deepEqual([...importOnly(undefined)], []);
  });

  function fakeSession(caps: string[], reply: () => string) {
    let gets = 0;
    return {
      get gets() {
        return gets;
      },
      capabilities: parseCapabilities(caps),
      get: async (_opts?: ReadOptions): Promise<DataReply> => {
        gets++;
        return { xml: '', element: parseXml(reply()) };
      },
    };
  }
  const MS = (id: string) =>
    `<data xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><modules-state xmlns="${YL}"><module-set-id>${id}</module-set-id><module><name>m</name><revision>2020-01-01</revision><namespace>urn:m</namespace><conformance-type>implement</conformance-type></module></modules-state></data>`;

  test('a library is read once per device and module-set-id; a new id is read again', async () => {
    clearLibraryCache();
    const cap = (id: string) => ['urn:ietf:params:netconf:base:1.1', `urn:ietf:params:netconf:capability:yang-library:1.0?revision=2016-06-21&module-set-id=${id}`];
    const s1 = fakeSession(cap('one'), () => MS('one'));
    assert.equal((await deviceLibrary('h:1', s1)).cached, false);
    const s2 = fakeSession(cap('one'), () => MS('one'));
    const again = await deviceLibrary('h:1', s2);
    assert.equal(again.cached, true);
    assert.equal(s2.gets, 0);
    assert.deepEqual(again.library?.modules.map((m) => m.name), ['m']);
    const s3 = fakeSession(cap('two'), () => MS('two'));
    assert.equal((await deviceLibrary('h:1', s3)).cached, false);
    assert.equal(s3.gets, 1);
    const other = fakeSession(cap('one'), () => MS('one'));
    assert.equal((await deviceLibrary('h:2', other)).cached, false, 'another device');
  });

  test('a refused <get> or a garbled library is a problem, not a throw; nothing cached', async () => {
    clearLibraryCache();
    const caps = ['urn:ietf:params:netconf:base:1.1', 'urn:ietf:params:netconf:capability:yang-library:1.1?revision=2019-01-04&content-id=7'];
    const garbled = fakeSession(caps, () => `<data xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><yang-library xmlns="${YL}"><module-set><name>s</name><module><name>x</name></module></module-set></yang-library></data>`);
    const r = await deviceLibrary('h:1', garbled);
    assert.match(String(r.problem), /NETCONF_YANG_LIBRARY|without a <namespace>/);
    assert.equal(r.library, undefined);
    const refused = {
      capabilities: parseCapabilities(caps),
      get: async (): Promise<DataReply> => {
        throw new NetconfRpcError('get', [{ type: 'application', tag: 'access-denied', severity: 'error', info: [] }]);
      },
    };
    const r2 = await deviceLibrary('h:1', refused);
    assert.ok(r2.problem instanceof NetconfRpcError);
    const broken = {
      capabilities: parseCapabilities(caps),
      get: async (): Promise<DataReply> => {
        throw new Error('session closed');
      },
    };
    await assert.rejects(deviceLibrary('h:1', broken), /session closed/);
  });
});
