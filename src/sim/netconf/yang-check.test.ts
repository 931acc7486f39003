import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SHARED_DIR } from '../../common/fixtures.js';
import { NetconfClient, NetconfRpcError } from '../../protocols/netconf/index.js';
import type { XmlElement } from '../../protocols/netconf/xml.js';
import { backgroundModels } from '../../protocols/yang/index.js';
import { type NetconfSim, startNetconfSim } from './run.js';
import { MODULES } from './schema.js';
import { simEditModels } from './yang-check.js';

const OC = join(SHARED_DIR, 'fixtures', 'yang', 'openconfig');
const USER = { username: 'oc-admin', password: 'oc-S1m-pass' };
const edit = (mtu: string) =>
  `<interfaces xmlns="http://openconfig.net/yang/interfaces"><interface><name>Ethernet1</name><config><name>Ethernet1</name><mtu>${mtu}</mtu></config></interface></interfaces>`;

describe('NETCONF simulator: edit-config validated against the announced modules (CNSDN_YANG_PATH)', { skip: existsSync(OC) ? false : `no OpenConfig models at ${OC}`, timeout: 120_000 }, () => {
  let sim: NetconfSim;
  let c: NetconfClient;
  const saved = process.env.CNSDN_YANG_PATH;
  before(async () => {
    process.env.CNSDN_YANG_PATH = [join(OC, 'models'), join(OC, 'third_party', 'ietf')].join(':');
    sim = await startNetconfSim({ port: 0, count: 1, users: [USER], interfaces: ['Ethernet1'] });
    // The simulator compiles its modules in the background: wait until it checks edits.
    const { announced, tops } = simEditModels(MODULES, [{ ns: 'http://openconfig.net/yang/interfaces', name: 'interfaces' } as XmlElement]);
    assert.ok((await backgroundModels(process.env.CNSDN_YANG_PATH.split(':')).get(announced, tops)).schema);
    c = await NetconfClient.connect({
      host: '127.0.0.1',
      port: sim.devices[0].port,
      username: USER.username,
      password: USER.password,
      hostKey: { fingerprint: sim.hostKey.fingerprint },
      timeoutMs: 60_000,
      rpcTimeoutMs: 60_000,
    });
  });
  after(async () => {
    await c?.close();
    await sim?.close();
    if (saved === undefined) delete process.env.CNSDN_YANG_PATH;
    else process.env.CNSDN_YANG_PATH = saved;
  });

  test('an MTU that is not a uint16 is answered with rpc-error invalid-value and its error-path', async () => {
    const err = await c.editConfig('candidate', edit('jumbo')).then(
      () => assert.fail('expected an rpc-error'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof NetconfRpcError, String(err));
    assert.equal(err.tag, 'invalid-value');
    assert.equal(err.errors[0].path, "/openconfig-interfaces:interfaces/interface[name='Ethernet1']/config/mtu");
    assert.doesNotMatch((await c.getConfig('candidate')).xml, /jumbo/);
  });

  test('a valid edit-config is applied', async () => {
    await c.editConfig('candidate', edit('9000'));
    assert.match((await c.getConfig('candidate')).xml, /9000/);
  });
});
