import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CANDIDATE_PORT, devicesMissing, independentClient } from '../../drivers/netconf-openconfig/testing.js';
import { compileModules } from './compiler.js';
import { fetchMissingModules, offersGetSchema } from './get-schema.js';
import { ModuleLoader } from './loader.js';

const missing = await devicesMissing();

describe('YANG modules fetched with get-schema from netconfd', { skip: missing, timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnsdn-get-schema-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the announced modules missing here, and their imports, are fetched and compile', async () => {
    const c = await independentClient(CANDIDATE_PORT);
    try {
      assert.ok(offersGetSchema(c.capabilities), 'netconfd announces ietf-netconf-monitoring');
      const rev = c.capabilities.modules.find((m) => m.module === 'ietf-interfaces')?.revision;
      const r = await fetchMissingModules(c, [{ name: 'ietf-interfaces', revision: rev }, { name: 'no-such-module-here' }], [], dir);
      assert.ok(r.fetched.includes(`ietf-interfaces@${rev}`), r.fetched.join(', '));
      assert.ok(r.fetched.some((f) => f.startsWith('ietf-yang-types@')), 'the import came too');
      assert.equal(r.failed.length, 1);
      assert.match(r.failed[0], /^no-such-module-here@: /);
      assert.ok(existsSync(join(dir, `ietf-interfaces@${rev}.yang`)));
      const schema = compileModules(new ModuleLoader([dir]), [{ name: 'ietf-interfaces' }]);
      assert.ok(schema.modules.get('ietf-interfaces')?.children.some((n) => n.name === 'interfaces'));
      // What is there already is not fetched again.
      assert.deepEqual((await fetchMissingModules(c, [{ name: 'ietf-interfaces', revision: rev }], [], dir)).fetched, []);
    } finally {
      await c.close();
    }
  });
});
