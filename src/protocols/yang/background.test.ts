import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SHARED_DIR } from '../../common/fixtures.js';
import { BackgroundModels, backgroundModels } from './background.js';
import { sharedModelRegistry } from './models.js';
import { type CompiledModule, childrenOf, type SchemaNode } from './schema.js';
import { validateInstance } from './validate.js';

const OC = join(SHARED_DIR, 'fixtures', 'yang', 'openconfig');
const DIRS = [join(OC, 'models'), join(OC, 'third_party', 'ietf')];
const ANNOUNCED = [{ name: 'openconfig-interfaces' }, { name: 'openconfig-if-ip' }, { name: 'iana-if-type' }, { name: 'no-such-module' }];
const BAD = JSON.stringify({ 'openconfig-interfaces:interfaces': { interface: [{ name: 'eth0', config: { name: 'eth0', mtu: 70000, type: 'iana-if-type:ethernetCsmacd' } }] } });

describe('YANG models compiled on a worker thread', { skip: existsSync(OC) ? false : `no OpenConfig models at ${OC}`, timeout: 300_000 }, () => {
  it('compiles off the event loop and gives a schema that validates as one compiled here', async () => {
    const bg = backgroundModels(DIRS);
    assert.equal(bg.peek(ANNOUNCED, ['interfaces']), undefined, 'nothing compiled yet');
    // The event loop keeps turning while the set compiles (a compilation on this thread would stop it).
    let turns = 0;
    let spinning = true;
    const spin = (): void => {
      turns++;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    const set = await bg.get(ANNOUNCED, ['interfaces']);
    spinning = false;
    assert.ok(turns > 10, `event loop turned ${turns} times during the compilation`);
    assert.deepEqual(set.missing, ['no-such-module']);
    assert.ok(set.schema?.modules.has('openconfig-interfaces'));
    assert.equal(bg.peek(ANNOUNCED, ['interfaces']), set, 'kept for the next request');

    const here = sharedModelRegistry(DIRS).schemaForTopNodes(ANNOUNCED, ['interfaces']);
    assert.deepEqual([...set.schema!.modules.keys()].sort(), [...here.schema!.modules.keys()].sort());
    // Schema paths travel empty and are made again on this side: the same as the compiler's.
    const paths = (m: CompiledModule): string[] => {
      const out: string[] = [];
      const walk = (n: SchemaNode): void => {
        out.push(n.path);
        childrenOf(n).forEach(walk);
      };
      m.children.forEach(walk);
      return out.sort();
    };
    const remotePaths = paths(set.schema!.modules.get('openconfig-interfaces')!);
    assert.ok(remotePaths.includes('/openconfig-interfaces:interfaces/openconfig-interfaces:interface/openconfig-interfaces:config/openconfig-interfaces:mtu'));
    assert.deepEqual(remotePaths, paths(here.schema!.modules.get('openconfig-interfaces')!));
    const remote = validateInstance(set.schema!, BAD, { format: 'json', type: 'config' });
    const local = validateInstance(here.schema!, BAD, { format: 'json', type: 'config' });
    assert.equal(remote.valid, false);
    assert.deepEqual(remote.errors, local.errors);
    assert.ok(remote.errors.some((e) => e.code === 'YANG_DATA_RANGE' && e.path === "/openconfig-interfaces:interfaces/interface[name='eth0']/config/mtu"));
  });

  it('a set compiled for more top-level nodes serves fewer (ready or still compiling); one that failed does not', async () => {
    const bg = new BackgroundModels(DIRS);
    const announced = [{ name: 'openconfig-interfaces' }, { name: 'openconfig-if-ip' }, { name: 'openconfig-network-instance' }];
    const both = bg.get(announced, ['interfaces', 'network-instances']);
    // Asked while the larger set compiles: the same compilation answers.
    const fewer = bg.get([...announced], ['interfaces']);
    assert.equal(bg.peek(announced, ['network-instances']), undefined, 'still compiling');
    const set = await both;
    assert.ok(set.schema);
    assert.equal(await fewer, set);
    assert.equal(bg.compiled(announced, ['network-instances']), set);
    assert.equal(bg.peek(announced, ['interfaces']), set);
    // A bad mtu under interfaces is refused against the larger set, with its path.
    const r = validateInstance(set.schema!, BAD, { format: 'json', type: 'config' });
    assert.ok(r.errors.some((e) => e.code === 'YANG_DATA_RANGE' && e.path === "/openconfig-interfaces:interfaces/interface[name='eth0']/config/mtu"));
    // Other modules, or nodes the set was not compiled for: not served by it.
    assert.equal(bg.compiled(announced, ['interfaces', 'system']), undefined);
    assert.equal(bg.compiled([{ name: 'openconfig-interfaces' }], ['interfaces']), undefined);
    assert.equal(bg.compiled(announced, undefined), undefined);
    // A larger set without a schema (nothing found) is not used for a smaller one.
    const none = [{ name: 'no-such-module' }];
    assert.equal((await bg.get(none, ['x', 'y'])).schema, undefined);
    assert.equal(bg.compiled(none, ['x']), undefined);
  });

  it('reports a set whose modules are all missing without a schema', async () => {
    const set = await backgroundModels(DIRS).get([{ name: 'no-such-module' }], ['x']);
    assert.equal(set.schema, undefined);
    assert.deepEqual(set.missing, ['no-such-module']);
  });
});
