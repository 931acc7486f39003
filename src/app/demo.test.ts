import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startController, type RunningController } from './index.js';
import { DEMO_GNMI_ROUTERS } from './demo-gnmi.js';

interface Dev {
  name: string;
  device_operational_status: string;
  device_endpoints: Array<{ name: string; endpoint_type: string }>;
}

describe('demo (npm start)', () => {
  let c: RunningController;
  const dataDir = mkdtempSync(join(tmpdir(), 'cnsdn-demo-'));
  before(async () => {
    c = await startController({ host: '127.0.0.1', port: 0, dataDir, demo: true, logLevel: 'silent', southboundAllow: '127.0.0.0/8' });
  });
  after(async () => {
    await c?.close();
  });

  it('runs emulated devices and live gNMI routers over TLS, all ENABLED with discovered endpoints', async () => {
    const deadline = Date.now() + 15_000;
    let devices: Dev[] = [];
    while (Date.now() < deadline) {
      devices = ((await (await fetch(`${c.url}/tfs-api/devices`)).json()) as { devices: Dev[] }).devices;
      if (devices.length >= 9 && devices.every((d) => d.device_operational_status === 'DEVICEOPERATIONALSTATUS_ENABLED')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(
      devices.filter((d) => d.device_operational_status !== 'DEVICEOPERATIONALSTATUS_ENABLED').map((d) => d.name),
      [],
    );
    for (const name of DEMO_GNMI_ROUTERS) {
      const d = devices.find((x) => x.name === name);
      assert.ok(d, `${name} present`);
      assert.deepEqual(d.device_endpoints.map((e) => [e.name, e.endpoint_type]), [1, 2, 3, 4].map((i) => [`Ethernet${i}`, 'copper']));
    }
  });

  it('a restart on the same data directory points the routers at the new run', async () => {
    const port = async () => {
      const d = (await (await fetch(`${c.url}/tfs-api/device/GNMI-R1`)).json()) as { device_config: { config_rules: Array<{ custom?: { resource_key: string; resource_value: string } }> } };
      return d.device_config.config_rules.find((r) => r.custom?.resource_key === '_connect/port')!.custom!.resource_value;
    };
    const before = await port();
    await c.close();
    c = await startController({ host: '127.0.0.1', port: 0, dataDir, demo: true, logLevel: 'silent', southboundAllow: '127.0.0.0/8' });
    assert.notEqual(await port(), before, 'the router was moved to this run\'s port');
    // Sessions of this process (the stored status may still say ENABLED from the last run).
    const deadline = Date.now() + 15_000;
    for (;;) {
      const metrics = await (await fetch(`${c.url}/metrics`)).text();
      const connected = Number(/cnsdn_device_sessions\{state="connected"\} (\d+)/.exec(metrics)?.[1] ?? 0);
      if (connected === 9) break;
      if (Date.now() > deadline) assert.fail(`only ${connected} of 9 device sessions connected after restart`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });
});
