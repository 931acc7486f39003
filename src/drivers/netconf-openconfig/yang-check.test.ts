/** The driver refuses an edit-config that does not fit the modules the device announced, before sending it. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CnsdnError } from '../../common/errors.js';
import { SHARED_DIR } from '../../common/fixtures.js';
import { type NetconfSim, startNetconfSim } from '../../sim/netconf/run.js';
import { NetconfOpenconfigDriver } from './index.js';

const OC = join(SHARED_DIR, 'fixtures', 'yang', 'openconfig');
const USER = { username: 'oc-admin', password: 'oc-S1m-pass' };

// The models announced in the hello (RFC 6020 module capabilities), or only through the YANG library.
for (const yangLibrary of [undefined, '1.1'] as const) {
  describe(`netconf-openconfig: configuration validated against the announced YANG modules before edit-config (${yangLibrary ? `yang-library:${yangLibrary}` : 'hello modules'})`, { skip: existsSync(OC) ? false : `no OpenConfig models at ${OC}`, timeout: 120_000 }, () => {
    let sim: NetconfSim;
    let d: NetconfOpenconfigDriver;
    let writes = 0;
    const saved = process.env.CNSDN_YANG_PATH;

    before(async () => {
      process.env.CNSDN_YANG_PATH = [join(OC, 'models'), join(OC, 'third_party', 'ietf')].join(':');
      sim = await startNetconfSim({ port: 0, count: 1, users: [USER], interfaces: ['Ethernet1', 'Ethernet2'], ...(yangLibrary ? { yangLibrary } : {}) });
      const dev = sim.devices[0].device;
      const check = dev.checkWritable.bind(dev);
      dev.checkWritable = (...args: Parameters<typeof check>) => {
        writes++;
        return check(...args);
      };
      const s = sim.devices[0];
      d = new NetconfOpenconfigDriver({
        deviceUuid: `uuid-yang-check-${yangLibrary ?? 'hello'}`,
        deviceName: s.name,
        address: s.host,
        port: s.port,
        settings: { username: USER.username, password: USER.password, hostkey_fingerprint: sim.hostKey.fingerprint, timeout: 60 },
      });
      await d.connect();
    });
    after(async () => {
      await d?.disconnect();
      await sim?.close();
      if (saved === undefined) delete process.env.CNSDN_YANG_PATH;
      else process.env.CNSDN_YANG_PATH = saved;
    });

    test('an address that is not an IPv4 address is refused with its data path and no edit-config is sent', async () => {
      const results = await d.setConfig([['/interface[Ethernet1]/subinterface[0]', { name: 'Ethernet1', index: 0, address_ip: '10.0.0.300', address_prefix: 24 }]]);
      const e = results[0];
      assert.ok(e instanceof CnsdnError, String(e));
      assert.equal(e.code, 'INVALID_ARGUMENT');
      assert.ok(
        e.details.some((x) => x.path === "/openconfig-interfaces:interfaces/interface[name='Ethernet1']/subinterfaces/subinterface[index='0']/openconfig-if-ip:ipv4/addresses/address[ip='10.0.0.300']/config/ip"),
        JSON.stringify(e.details),
      );
      assert.equal(writes, 0, 'the simulator received no edit-config');
    });

    test('a valid configuration is sent', async () => {
      assert.deepEqual(await d.setConfig([['/interface[Ethernet2]/subinterface[0]', { name: 'Ethernet2', index: 0, address_ip: '10.0.0.1', address_prefix: 24 }]]), [true]);
      assert.ok(writes > 0);
    });
  });
}
