import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CnsdnError } from '../../common/errors.js';
import { SHARED_DIR } from '../../common/fixtures.js';
import { GnmiOpenconfigDriver } from './index.js';
import { startTestTargets, type TestTargets } from './testing.js';

const OC = join(SHARED_DIR, 'fixtures', 'yang', 'openconfig');

describe('gnmi-openconfig: configuration validated against the announced YANG models before it is sent', { skip: existsSync(OC) ? false : `no OpenConfig models at ${OC}` }, () => {
  let t: TestTargets;
  let d: GnmiOpenconfigDriver;
  let sets = 0;
  const saved = process.env.CNSDN_YANG_PATH;

  before(async () => {
    process.env.CNSDN_YANG_PATH = [join(OC, 'models'), join(OC, 'third_party', 'ietf')].join(':');
    t = await startTestTargets({ tls: false, interfaces: ['Ethernet1', 'Ethernet2'] });
    const target = t.sim.targets[0].target;
    const set = target.set.bind(target);
    target.set = (req, user) => {
      sets++;
      return set(req, user);
    };
    d = new GnmiOpenconfigDriver(t.config(0, t.settings({ timeout: 60 })));
    await d.connect();
  });
  after(async () => {
    await d?.disconnect();
    await t?.close();
    if (saved === undefined) delete process.env.CNSDN_YANG_PATH;
    else process.env.CNSDN_YANG_PATH = saved;
  });

  test('an address that is not an IPv4 address is refused with its data path and nothing is sent', async () => {
    const results = await d.setConfig([['/interface[Ethernet1]/subinterface[0]', { name: 'Ethernet1', index: 0, address_ip: '10.0.0.300', address_prefix: 24 }]]);
    const e = results[0];
    assert.ok(e instanceof CnsdnError, String(e));
    assert.equal(e.code, 'INVALID_ARGUMENT');
    assert.match(e.message, /not sent to .*YANG models/);
    assert.ok(
      e.details.some((x) => x.path === "/openconfig-interfaces:interfaces/interface[name='Ethernet1']/subinterfaces/subinterface[index='0']/openconfig-if-ip:ipv4/addresses/address[ip='10.0.0.300']/config/ip" && /PATTERN/.test(x.message)),
      JSON.stringify(e.details),
    );
    assert.equal(sets, 0, 'the simulator received no SetRequest');
  });

  test('an MTU out of range is refused before the device sees it', async () => {
    const results = await d.setConfig([['/interface[Ethernet2]', { name: 'Ethernet2', mtu: 70000 }]]);
    assert.ok(results[0] instanceof CnsdnError && results[0].code === 'INVALID_ARGUMENT', String(results[0]));
    assert.equal(sets, 0, 'the simulator received no SetRequest');
  });

  test('a valid configuration is sent', async () => {
    assert.deepEqual(await d.setConfig([['/interface[Ethernet2]/subinterface[0]', { name: 'Ethernet2', index: 0, address_ip: '10.0.0.1', address_prefix: 24 }]]), [true]);
    assert.equal(sets, 1);
  });
});
