/** A simulated device told to announce its models only through the YANG library (1.0 and 1.1 forms). */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { NS_YANG_LIBRARY, NetconfClient, parseYangLibrary, readYangLibrary } from '../../protocols/netconf/index.js';
import { libraryCapability, libraryId, libraryModules } from './library.js';
import { type NetconfSim, startNetconfSim } from './run.js';
import { MODULES } from './schema.js';

const USER = { username: 'admin', password: 'S1m-pass' };
const sims: NetconfSim[] = [];
const clients: NetconfClient[] = [];
after(async () => {
  for (const c of clients) await c.close();
  for (const s of sims) await s.close();
});

async function open(yangLibrary: '1.0' | '1.1' | undefined): Promise<NetconfClient> {
  const sim = await startNetconfSim({ port: 0, users: [USER], interfaces: ['Ethernet1'], ...(yangLibrary ? { yangLibrary } : {}) });
  sims.push(sim);
  const c = await NetconfClient.connect({
    host: '127.0.0.1',
    port: sim.devices[0].port,
    username: USER.username,
    password: USER.password,
    hostKey: { fingerprint: sim.hostKey.fingerprint },
    timeoutMs: 10_000,
  });
  clients.push(c);
  return c;
}

for (const version of ['1.0', '1.1'] as const) {
  describe(`--yang-library ${version}`, () => {
    test('the hello carries the yang-library capability and no module capability', async () => {
      const c = await open(version);
      assert.deepEqual(c.capabilities.modules, []);
      assert.equal(c.capabilities.yangLibrary?.version, version);
      const id = version === '1.1' ? c.capabilities.yangLibrary?.contentId : c.capabilities.yangLibrary?.moduleSetId;
      assert.equal(id, libraryId(version));
      assert.ok(c.capabilities.uris.includes(libraryCapability(version)));
    });

    test('<get> with the library filter answers every served module, readYangLibrary parses it', async () => {
      const c = await open(version);
      const lib = await readYangLibrary(c);
      assert.ok(lib);
      assert.equal(lib.version, version);
      assert.equal(lib.id, libraryId(version));
      assert.deepEqual(
        lib.modules.map((m) => [m.name, m.revision, m.namespace, m.conformance]),
        libraryModules(version).map((m) => [m.name, m.revision, m.namespace, m.conformance]),
      );
      for (const m of MODULES) assert.ok(lib.modules.some((x) => x.name === m.module && x.revision === m.revision && x.namespace === m.ns), m.module);
      // The other form is not served.
      const other = version === '1.1' ? 'modules-state' : 'yang-library';
      const { xml } = await c.get({ filter: { subtree: `<${other} xmlns="${NS_YANG_LIBRARY}"/>` } });
      assert.equal(xml, '');
    });

    test('the library is state: not in get-config, in an unfiltered <get>', async () => {
      const c = await open(version);
      const cfg = await c.getConfig('running');
      assert.ok(!cfg.xml.includes(NS_YANG_LIBRARY));
      const all = await c.get();
      assert.equal(parseYangLibrary(all.element, version).modules.length, libraryModules(version).length);
    });
  });
}

test('without --yang-library: module capabilities in the hello, no library', async () => {
  const c = await open(undefined);
  assert.equal(c.capabilities.yangLibrary, undefined);
  assert.deepEqual(
    c.capabilities.modules.map((m) => m.module),
    MODULES.map((m) => m.module),
  );
  assert.equal(await readYangLibrary(c), undefined);
  const { xml } = await c.get({ filter: { subtree: `<modules-state xmlns="${NS_YANG_LIBRARY}"/>` } });
  assert.equal(xml, '');
});
