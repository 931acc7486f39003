import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningController, startController } from '../app/index.js';
import { until } from '../drivers/gnmi-openconfig/testing.js';
import { MODELS } from '../sim/gnmi/openconfig.js';
import { type GnmiSim, startGnmiSim } from '../sim/gnmi/run.js';
import type { DeviceModelsAnswer, YangTreeAnswer } from './yang-tree.js';

describe('the models a gNMI device announced, through the NBI', () => {
  let sim: GnmiSim;
  let c: RunningController;
  const yangDir = mkdtempSync(join(tmpdir(), 'cnsdn-models-yang-'));
  const savedPath = process.env.CNSDN_YANG_PATH;
  const rule = (k: string, v: unknown) => ({ action: 'CONFIGACTION_SET', custom: { resource_key: k, resource_value: v } });
  const onboard = async (uuid: string, port: number) => {
    const res = await fetch(`${c.url}/tfs-api/devices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        device_id: { device_uuid: { uuid } },
        device_drivers: ['DEVICEDRIVER_GNMI_OPENCONFIG'],
        device_config: {
          config_rules: [rule('_connect/address', '127.0.0.1'), rule('_connect/port', String(port)), rule('_connect/settings', { use_tls: false, username: 'admin', password: 'x' })],
        },
      }),
    });
    assert.equal(res.status, 200, await res.text());
  };

  before(async () => {
    // One of the announced modules is in the search path; the OpenConfig ones are not.
    writeFileSync(join(yangDir, 'iana-if-type.yang'), 'module iana-if-type { yang-version 1.1; namespace "urn:test:iana-if-type"; prefix ianaift; identity iana-interface-type; }\n');
    process.env.CNSDN_YANG_PATH = yangDir;
    sim = await startGnmiSim({ port: 0, count: 1, tls: 'insecure', interfaces: ['Ethernet1'] });
    c = await startController({ host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'cnsdn-models-')), logLevel: 'silent', southboundAllow: '127.0.0.0/8' });
    await onboard('r1', sim.targets[0]!.port);
  });
  after(async () => {
    await c?.close();
    await sim?.close();
    if (savedPath === undefined) delete process.env.CNSDN_YANG_PATH;
    else process.env.CNSDN_YANG_PATH = savedPath;
    rmSync(yangDir, { recursive: true, force: true });
  });

  it('GET /api/devices/{id}/models answers what the simulator announced in its CapabilityResponse', async () => {
    const body = await until('the models of r1', async () => {
      const res = await fetch(`${c.url}/api/devices/r1/models`);
      return res.status === 200 ? ((await res.json()) as DeviceModelsAnswer) : undefined;
    }, 60_000);
    assert.match(body.device, /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      body.models,
      MODELS.map((m) => ({ name: m.name, organization: m.organization, version: m.version })),
    );
    assert.equal((await fetch(`${c.url}/api/devices/nope/models`)).status, 404);
  });

  it('yang-tree defaults to the announced models and lists the ones the search path lacks as unavailable', async () => {
    const res = await fetch(`${c.url}/api/devices/r1/yang-tree`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as YangTreeAnswer;
    assert.equal(body.source, 'announced');
    assert.deepEqual(body.trees.map((t) => t.module), ['iana-if-type']);
    assert.deepEqual(
      [...(body.unavailable ?? [])].sort(),
      MODELS.map((m) => m.name)
        .filter((n) => n !== 'iana-if-type')
        .sort(),
    );
  });

  it('a device that is not connected answers 503 CNSDN_UNAVAILABLE', async () => {
    await onboard('down', 1);
    const res = await fetch(`${c.url}/api/devices/down/models`);
    const body = (await res.json()) as { code?: string };
    assert.deepEqual([res.status, body.code], [503, 'CNSDN_UNAVAILABLE']);
  });
});
