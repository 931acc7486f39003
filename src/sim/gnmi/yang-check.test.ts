import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SHARED_DIR } from '../../common/fixtures.js';
import { GnmiClient, GnmiError, type GnmiUpdate } from '../../protocols/gnmi/index.js';
import { backgroundModels } from '../../protocols/yang/index.js';
import { MODELS } from './openconfig.js';
import { type GnmiSim, startGnmiSim } from './run.js';
import { simSetModels } from './yang-check.js';

const OC = join(SHARED_DIR, 'fixtures', 'yang', 'openconfig');
const ifPath = (name: string) => ({ elem: [{ name: 'interfaces' }, { name: 'interface', key: { name } }] });

describe('gNMI simulator: Set validated against the announced models (CNSDN_YANG_PATH)', { skip: existsSync(OC) ? false : `no OpenConfig models at ${OC}`, timeout: 120_000 }, () => {
  let sim: GnmiSim;
  let c: GnmiClient;
  const saved = process.env.CNSDN_YANG_PATH;
  before(async () => {
    process.env.CNSDN_YANG_PATH = [join(OC, 'models'), join(OC, 'third_party', 'ietf')].join(':');
    sim = await startGnmiSim({ host: '127.0.0.1', port: 0, tls: 'insecure', interfaces: ['Ethernet1'] });
    // The simulator compiles its models in the background: wait until it checks Sets.
    const { announced, tops } = simSetModels(MODELS, [{ path: ifPath('Ethernet1') } as GnmiUpdate]);
    assert.ok((await backgroundModels(process.env.CNSDN_YANG_PATH.split(':')).get(announced, tops)).schema);
    c = await GnmiClient.connect({ address: sim.targets[0].address, tls: 'insecure', timeoutMs: 60_000 });
  });
  after(async () => {
    c?.close();
    await sim?.close();
    if (saved === undefined) delete process.env.CNSDN_YANG_PATH;
    else process.env.CNSDN_YANG_PATH = saved;
  });

  test('an out-of-range MTU is answered with INVALID_ARGUMENT naming its path, and nothing changes', async () => {
    const before = JSON.stringify(sim.targets[0].target.datastore.configJson());
    const err = await c
      .set({ update: [{ path: ifPath('Ethernet1'), value: { kind: 'json_ietf', value: { name: 'Ethernet1', config: { name: 'Ethernet1', mtu: 70000 } } } }], timeoutMs: 60_000 })
      .then(
        () => assert.fail('expected a refusal'),
        (e: unknown) => e,
      );
    assert.ok(err instanceof GnmiError, String(err));
    assert.equal(err.code, 'INVALID_ARGUMENT');
    assert.match(err.message, /\/openconfig-interfaces:interfaces\/interface\[name='Ethernet1'\]\/config\/mtu: .*YANG_DATA_RANGE/);
    assert.equal(JSON.stringify(sim.targets[0].target.datastore.configJson()), before);
  });

  test('a valid Set is applied', async () => {
    await c.set({ update: [{ path: ifPath('Ethernet1'), value: { kind: 'json_ietf', value: { name: 'Ethernet1', config: { name: 'Ethernet1', mtu: 9000 } } } }], timeoutMs: 60_000 });
    assert.match(JSON.stringify(sim.targets[0].target.datastore.configJson()), /9000/);
  });
});
