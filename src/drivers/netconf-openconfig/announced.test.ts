/** The modules a NETCONF device announced in its hello come back from the driver's announcedModels(). */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { type NetconfSim, startNetconfSim } from '../../sim/netconf/run.js';
import { MODULES } from '../../sim/netconf/schema.js';
import { NetconfOpenconfigDriver } from './index.js';

const USER = { username: 'oc-admin', password: 'oc-S1m-pass' };
const sim: NetconfSim = await startNetconfSim({ port: 0, count: 1, users: [USER], interfaces: ['Ethernet1'] });
after(() => sim.close());

test('announcedModels(): the hello modules with namespace and revision; refused while not connected', async () => {
  const d = sim.devices[0]!;
  const driver = new NetconfOpenconfigDriver({
    deviceUuid: 'uuid-announced',
    deviceName: d.name,
    address: d.host,
    port: d.port,
    settings: { username: USER.username, password: USER.password, hostkey_fingerprint: sim.hostKey.fingerprint, timeout: 10 },
  });
  await assert.rejects(driver.announcedModels(), /not connected/);
  await driver.connect();
  try {
    const got = await driver.announcedModels();
    assert.deepEqual(
      got.map((m) => [m.name, m.namespace, m.revision]),
      MODULES.map((m) => [m.module, m.ns, m.revision]),
    );
  } finally {
    await driver.disconnect();
  }
  await assert.rejects(driver.announcedModels(), /not connected/);
});
