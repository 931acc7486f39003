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
import type { BusEvent } from '../bus/api.js';
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
    it(`${d.name}: a change made through the NBI comes back as the device's netconf-config-change on the SSE event stream`, async () => {
      const uuid = ((await (await fetch(url(`/device/${d.name}`))).json()) as { device_id: { device_uuid: { uuid: string } } }).device_id.device_uuid.uuid;
      const stream = new AbortController();
      const res = await fetch(`${c.url}/api/events?kinds=notification`, { headers: { accept: 'text/event-stream' }, signal: stream.signal });
      assert.equal(res.status, 200);
      // Others may change the same netconfd meanwhile: wait for the event naming this device and this interface.
      const seen = (async () => {
        const decoder = new TextDecoder();
        let buffer = '';
        for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
            const data = block.split('\n').find((l) => l.startsWith('data: '));
            if (!block.includes('event: notification') || !data) continue;
            const e = JSON.parse(data.slice(6)) as BusEvent;
            const targets = ((e.notification?.summary.edits ?? []) as Array<{ target?: string }>).map((x) => x.target ?? '');
            if (e.uuid === uuid && e.notification?.name === 'netconf-config-change' && targets.some((t) => t.includes(IFACE))) return e;
          }
        }
        throw new Error('event stream ended');
      })();
      seen.catch(() => undefined);
      try {
        await put(d.name, [rule(`/interface[${IFACE}]`, { description: 'notify through the NBI', type: 'ianaift:ethernetCsmacd' })]);
        const timer = setTimeout(() => stream.abort(), 30_000);
        const e = await seen.finally(() => clearTimeout(timer));
        assert.equal(e.kind, 'notification');
        assert.equal(e.name, d.name);
        assert.equal(e.notification?.namespace, 'urn:ietf:params:xml:ns:yang:ietf-netconf-notifications');
        assert.equal(e.notification?.stream, 'NETCONF');
        assert.match(e.notification?.eventTime ?? '', /^\d{4}-\d{2}-\d{2}T/);
        assert.equal(e.notification?.xmlTruncated, false);
        assert.match(e.notification?.xml ?? '', new RegExp(IFACE));
        const metrics = await (await fetch(`${c.url}/metrics`)).text();
        assert.match(metrics, new RegExp(`cnsdn_device_notifications_total\\{device="${uuid}"\\} [1-9]`));
      } finally {
        stream.abort();
        await put(d.name, [rule(`/interface[${IFACE}]`, '', 'CONFIGACTION_DELETE')]);
        await until('interface deleted', async () => !(await onDevice(d.port)).has(`/interface[${IFACE}]`));
      }
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
