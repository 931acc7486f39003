/**
 * NETCONF devices onboarded and configured through the NBI, checked against the real netconfd
 * devices of scripts/netconf-devices.sh with an independent session.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CANDIDATE_PORT,
  devicesMissing,
  deviceSettings,
  independentClient,
  removeInterfaces,
  RUNNING_PORT,
  runningInterfaces,
  until,
} from '../drivers/netconf-openconfig/testing.js';
import { startController, type RunningController } from './index.js';

interface Dev {
  name: string;
  device_operational_status: string;
  device_endpoints: Array<{ name: string }>;
  cnsdn?: { config_error?: string; status_reason?: string };
}

const missing = await devicesMissing();
const IFACE = 'cnsdn-nbi0';
const rule = (k: string, v: unknown, action = 'CONFIGACTION_SET') => ({ action, custom: { resource_key: k, resource_value: v } });
const devices = [
  { name: 'nc-candidate', port: CANDIDATE_PORT! },
  { name: 'nc-running', port: RUNNING_PORT! },
];

describe('NETCONF devices through the NBI (real netconfd)', { skip: missing }, () => {
  let c: RunningController;
  const url = (p: string) => `${c.url}/tfs-api${p}`;
  const device = async (name: string) => (await (await fetch(url(`/device/${name}`))).json()) as Dev;
  const put = async (name: string, rules: unknown[]) => {
    const res = await fetch(url(`/device/${name}`), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ device_id: { device_uuid: { uuid: name } }, device_config: { config_rules: rules } }),
    });
    assert.equal(res.status, 200, await res.text());
  };
  // netconfd answers one session at a time; on a loaded machine a read can wait behind the
  // driver's counter polling, so an independent read gets one more chance on a new session.
  const onDevice = async (port: number, attempts = 2): Promise<Awaited<ReturnType<typeof runningInterfaces>>> => {
    const client = await independentClient(port);
    try {
      return await runningInterfaces(client);
    } catch (e) {
      if (attempts > 1 && (e as { code?: string }).code === 'NETCONF_TIMEOUT') return onDevice(port, attempts - 1);
      throw e;
    } finally {
      await client.close();
    }
  };

  before(async () => {
    for (const d of devices) await removeInterfaces(d.port, [IFACE]);
    c = await startController({ host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'cnsdn-nc-')), logLevel: 'silent', southboundAllow: '127.0.0.0/8' });
    const descriptor = {
      devices: devices.map((d) => ({
        device_id: { device_uuid: { uuid: d.name } },
        device_type: 'packet-router',
        device_drivers: ['DEVICEDRIVER_OPENCONFIG'],
        device_config: {
          config_rules: [rule('_connect/address', '127.0.0.1'), rule('_connect/port', String(d.port)), rule('_connect/settings', deviceSettings())],
        },
      })),
    };
    const res = await fetch(url('/descriptors'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(descriptor) });
    assert.equal(res.status, 200, await res.text());
  });
  after(async () => {
    await c?.close();
    if (!missing) for (const d of devices) await removeInterfaces(d.port, [IFACE]);
  });

  for (const d of devices) {
    it(`${d.name}: onboarded ENABLED with the host's interfaces as endpoints`, async () => {
      const dev = await until(`${d.name} ENABLED`, async () => {
        const x = await device(d.name);
        return x.device_operational_status === 'DEVICEOPERATIONALSTATUS_ENABLED' ? x : undefined;
      });
      assert.ok(dev.device_endpoints.some((e) => e.name === 'lo'), JSON.stringify(dev.device_endpoints.map((e) => e.name)));
    });

    it(`${d.name}: creates, changes and deletes an interface, as an independent session sees it`, async () => {
      await put(d.name, [rule(`/interface[${IFACE}]`, { description: 'made by cnsdn', type: 'ianaift:ethernetCsmacd' })]);
      await until('interface created', async () => (await onDevice(d.port)).get(`/interface[${IFACE}]`)?.description === 'made by cnsdn');
      await put(d.name, [rule(`/interface[${IFACE}]`, { description: 'changed by cnsdn' })]);
      await until('interface changed', async () => (await onDevice(d.port)).get(`/interface[${IFACE}]`)?.description === 'changed by cnsdn');
      await put(d.name, [rule(`/interface[${IFACE}]`, '', 'CONFIGACTION_DELETE')]);
      await until('interface deleted', async () => !(await onDevice(d.port)).has(`/interface[${IFACE}]`));
      assert.equal((await device(d.name)).cnsdn?.config_error, undefined);
    });
  }

  for (const d of devices) {
    it(`${d.name}: a refused rule mid-transaction leaves the device as it was, with the device words on the device`, async (t) => {
      // The controller's own YANG check would refuse this batch before sending it: off here, so
      // that the device itself refuses in the middle of the transaction.
      const saved = process.env.CNSDN_YANG_VALIDATE;
      process.env.CNSDN_YANG_VALIDATE = '0';
      t.after(() => {
        if (saved === undefined) delete process.env.CNSDN_YANG_VALIDATE;
        else process.env.CNSDN_YANG_VALIDATE = saved;
      });
      const before = await onDevice(d.port);
      // The first rule alone is valid; the second names an interface type the device does not know.
      await put(d.name, [
        rule(`/interface[${IFACE}]`, { description: 'should not stay', type: 'ianaift:ethernetCsmacd' }),
        rule('/interface[cnsdn-bad0]', { description: 'x', type: 'ianaift:noSuchType' }),
      ]);
      const err = await until('config_error', async () => (await device(d.name)).cnsdn?.config_error);
      // The device's own words, and the valid rule reported as not applied (discarded or rolled back with the batch).
      assert.match(err, /\[NETCONF_RPC_ERROR\]: edit-config failed: protocol\/invalid-value .*\[bad-value=ianaift:noSuchType\]/);
      assert.match(err, new RegExp(`/interface\\[${IFACE}\\] not applied on ${d.name}`));
      assert.deepEqual(await onDevice(d.port), before);
    });
  }
});
