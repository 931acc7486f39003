import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GnmiClient, parsePath, typedValueToJs } from '../protocols/gnmi/index.js';
import { startGnmiSim, type GnmiSim } from '../sim/gnmi/run.js';
import { startController, type RunningController } from './index.js';

interface Rule {
  action: string;
  custom: { resource_key: string; resource_value: unknown };
}
interface Dev {
  device_operational_status: string;
  device_config: { config_rules: Rule[] };
  cnsdn?: { config_error?: string };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('configuration pushed to devices (TFS ConfigureDevice through PUT /tfs-api/device)', () => {
  let sim: GnmiSim;
  let c: RunningController;
  let client: GnmiClient;
  const url = (p: string) => `${c.url}/tfs-api${p}`;
  const getDevice = async () => (await (await fetch(url('/device/r1'))).json()) as Dev;
  const description = async () => {
    try {
      const [n] = await client.get({ paths: [parsePath('/interfaces/interface[name=Ethernet1]/config/description')], encoding: 'JSON_IETF' });
      const u = n?.update[0];
      return u ? typedValueToJs(u.value) : undefined;
    } catch (e) {
      if ((e as { code?: string }).code === 'NOT_FOUND') return undefined;
      throw e;
    }
  };
  const put = async (rules: Rule[]) => {
    const d = await getDevice();
    const res = await fetch(url('/device/r1'), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ device_id: { device_uuid: { uuid: 'r1' } }, device_config: { config_rules: rules } }),
    });
    assert.equal(res.status, 200, await res.text());
    return d;
  };

  before(async () => {
    sim = await startGnmiSim({ port: 0, count: 1, tls: 'insecure', interfaces: ['Ethernet1', 'Ethernet2'] });
    c = await startController({ host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'cnsdn-cfg-')), logLevel: 'silent', southboundAllow: '127.0.0.0/8' });
    client = await GnmiClient.connect({ address: sim.targets[0]!.address, tls: 'insecure' });
    const rule = (k: string, v: unknown) => ({ action: 'CONFIGACTION_SET', custom: { resource_key: k, resource_value: v } });
    const res = await fetch(url('/devices'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        device_id: { device_uuid: { uuid: 'r1' } },
        device_drivers: ['DEVICEDRIVER_GNMI_OPENCONFIG'],
        device_config: {
          config_rules: [
            rule('_connect/address', '127.0.0.1'),
            rule('_connect/port', String(sim.targets[0]!.port)),
            rule('_connect/settings', { use_tls: false, username: 'admin', password: 'x' }),
            rule('/interface[Ethernet1]', { description: 'from the descriptor' }),
          ],
        },
      }),
    });
    assert.equal(res.status, 200, await res.text());
  });
  after(async () => {
    client?.close();
    await c?.close();
    await sim?.close();
  });

  it('pushes the rules a device was added with once it connects', async () => {
    await until('ENABLED', async () => ((await getDevice()).device_operational_status === 'DEVICEOPERATIONALSTATUS_ENABLED' ? true : undefined));
    await until('description on the device', async () => ((await description()) === 'from the descriptor' ? true : undefined));
  });

  it('pushes a changed rule, reports a refused one with the device words, and leaves the device as it was', async () => {
    await put([{ action: 'CONFIGACTION_SET', custom: { resource_key: '/interface[Ethernet1]', resource_value: { description: 'changed' } } }]);
    await until('changed description', async () => ((await description()) === 'changed' ? true : undefined));
    await put([{ action: 'CONFIGACTION_SET', custom: { resource_key: '/interface[Ethernet2]', resource_value: { mtu: 70000 } } }]);
    const err = await until('config_error', async () => (await getDevice()).cnsdn?.config_error);
    assert.match(err, /mtu|70000/);
    assert.equal(await description(), 'changed');
  });

  it('deletes on the device what a DELETE rule removes from the context', async () => {
    await put([{ action: 'CONFIGACTION_DELETE', custom: { resource_key: '/interface[Ethernet2]', resource_value: '' } }]);
    await until('error cleared', async () => ((await getDevice()).cnsdn?.config_error === undefined ? true : undefined));
    await put([{ action: 'CONFIGACTION_DELETE', custom: { resource_key: '/interface[Ethernet1]', resource_value: '' } }]);
    await until('description removed', async () => ((await description()) === undefined ? true : undefined));
  });
});
