/**
 * The YANG library of the real yuma123 netconfd devices: they announce yang-library:1.0 (with a
 * module-set-id) besides their module capabilities, and answer <get> of /modules-state (RFC 7895).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type LibraryModule, readYangLibrary } from '../../protocols/netconf/index.js';
import { NetconfOpenconfigDriver } from './index.js';
import { CANDIDATE_PORT, deviceConfig, devicesMissing, independentClient } from './testing.js';

const missing = await devicesMissing();

describe('netconfd YANG library', { skip: missing, timeout: 60_000 }, () => {
  test('modules-state is read and parsed; it lists every module of the hello with the same revision, namespace and features', async () => {
    const c = await independentClient(CANDIDATE_PORT);
    try {
      const caps = c.capabilities;
      assert.equal(caps.yangLibrary?.version, '1.0');
      assert.ok(caps.yangLibrary?.moduleSetId, 'the capability carries a module-set-id');
      const lib = await readYangLibrary(c);
      assert.ok(lib);
      assert.equal(lib.version, '1.0');
      assert.equal(lib.id, caps.yangLibrary.moduleSetId, 'the module-set-id of the reply is the one of the capability');
      assert.ok(lib.modules.length >= caps.modules.length && caps.modules.length > 10, `${lib.modules.length} library modules, ${caps.modules.length} in the hello`);
      for (const h of caps.modules) {
        const m: LibraryModule | undefined = lib.modules.find((x) => x.name === h.module && x.revision === h.revision);
        assert.ok(m, `${h.module}@${h.revision} of the hello is in the library`);
        assert.equal(m.namespace, h.namespace, h.module);
        assert.deepEqual([...m.features].sort(), [...h.features].sort(), `features of ${h.module}`);
      }
      const yl = lib.modules.find((m) => m.name === 'ietf-yang-library');
      assert.equal(yl?.conformance, 'implement');
      assert.equal(lib.modules.find((m) => m.name === 'ietf-yang-types')?.conformance, 'import');
    } finally {
      await c.close();
    }
  });

  test("the driver's announcedModels(): hello and library merged, each module once", async () => {
    const d = new NetconfOpenconfigDriver(deviceConfig(CANDIDATE_PORT));
    await d.connect();
    const c = await independentClient(CANDIDATE_PORT);
    try {
      const got = await d.announcedModels();
      const keys = got.map((m) => `${m.name}@${m.revision ?? ''}`);
      assert.equal(new Set(keys).size, keys.length, `duplicates in ${keys.join(', ')}`);
      const lib = await readYangLibrary(c);
      const want = new Set([...c.capabilities.modules.map((m) => `${m.module}@${m.revision ?? ''}`), ...(lib?.modules ?? []).map((m) => `${m.name}@${m.revision ?? ''}`)]);
      assert.deepEqual(new Set(keys), want);
      const ifs = got.find((m) => m.name === 'ietf-interfaces');
      assert.deepEqual([...(ifs?.features ?? [])].sort(), ['arbitrary-names', 'if-mib', 'pre-provisioning']);
      assert.equal(d.models?.interfaces, 'ietf');
    } finally {
      await c.close();
      await d.disconnect();
    }
  });
});
