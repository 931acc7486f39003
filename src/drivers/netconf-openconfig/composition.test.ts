/**
 * Both netconfd devices onboarded from a TFS-style descriptor through the real composition
 * (store, bus, context, session manager, device sync); then interfaces are created, changed
 * and deleted through the session manager and checked with an independent NETCONF read.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDeviceSync } from '../../app/device-sync.js';
import type { BusSubscription } from '../../bus/api.js';
import { openBus } from '../../bus/index.js';
import { ContextManager } from '../../context/index.js';
import { Allowlist, DriverRegistry, emulatedDriverFactory, SessionManager } from '../../device/index.js';
import type * as T from '../../model/types.js';
import { openStore } from '../../store/index.js';
import { type DeviceNotification, NetconfOpenconfigDriver, netconfOpenconfigDriverFactory } from './index.js';
import { CANDIDATE_PORT, deviceSettings, devicesMissing, independentClient, RUNNING_PORT, removeInterfaces, runningInterfaces, until } from './testing.js';

const missing = await devicesMissing();
const tag = `${process.pid % 100000}`;
const DEVICES = [
  { name: `nc-cand-${tag}`, port: CANDIDATE_PORT },
  { name: `nc-run-${tag}`, port: RUNNING_PORT },
];

function descriptor(): unknown {
  return {
    contexts: [{ context_id: { context_uuid: { uuid: 'admin' } } }],
    topologies: [{ topology_id: { context_id: { context_uuid: { uuid: 'admin' } }, topology_uuid: { uuid: 'admin' } } }],
    devices: DEVICES.map(({ name, port }) => ({
      device_id: { device_uuid: { uuid: name } },
      device_type: 'packet-router',
      device_drivers: ['DEVICEDRIVER_OPENCONFIG'],
      device_operational_status: 'DEVICEOPERATIONALSTATUS_UNDEFINED',
      device_endpoints: [],
      device_config: {
        config_rules: [
          { action: 'CONFIGACTION_SET', custom: { resource_key: '_connect/address', resource_value: '127.0.0.1' } },
          { action: 'CONFIGACTION_SET', custom: { resource_key: '_connect/port', resource_value: String(port) } },
          { action: 'CONFIGACTION_SET', custom: { resource_key: '_connect/settings', resource_value: deviceSettings({ message_renderer: 'pyangbind', commit_per_rule: false }) } },
        ],
      },
    })),
  };
}

describe('netconf-openconfig through the composition (store, bus, context, sessions, device sync)', { skip: missing, timeout: 60_000 }, () => {
  let store: Awaited<ReturnType<typeof openStore>>;
  let bus: Awaited<ReturnType<typeof openBus>>;
  let ctx: ContextManager;
  let sessions: SessionManager;
  let sync: BusSubscription;
  const uuids = new Map<string, string>();

  before(async () => {
    store = await openStore({ url: 'sqlite::memory:' });
    bus = await openBus({ url: 'inprocess' });
    ctx = new ContextManager(store, bus);
    sessions = new SessionManager({
      registry: new DriverRegistry().register(emulatedDriverFactory).register(netconfOpenconfigDriverFactory),
      allowlist: new Allowlist(['127.0.0.0/8']),
      sink: ctx,
      backoff: { initialMs: 100, maxMs: 1000 },
      connectTimeoutMs: 10_000,
    });
    sync = await startDeviceSync(store, bus, sessions);
    await ctx.apply(descriptor());
  });

  after(async () => {
    await sync?.unsubscribe();
    await sessions?.close();
    await bus?.close();
    await store?.close();
    if (!missing) for (const { port } of DEVICES) await removeInterfaces(port, [`cnsdn-comp${tag}`]);
  });

  test('both devices become ENABLED with their interfaces discovered as endpoints', async () => {
    const devices = await until(
      'both netconfd devices ENABLED with endpoints',
      async () => {
        const all = await ctx.listDevices();
        const ours = DEVICES.map(({ name }) => all.find((d) => d.name === name));
        return ours.every((d) => d?.device_operational_status === 'DEVICEOPERATIONALSTATUS_ENABLED' && d.device_endpoints.length > 0) ? (ours as T.Device[]) : undefined;
      },
      20_000,
    );
    for (const d of devices) {
      uuids.set(d.name, d.device_id.device_uuid.uuid);
      const types = new Map(d.device_endpoints.map((e) => [e.name, e.endpoint_type]));
      assert.equal(types.get('lo'), 'loopback', `${d.name}: lo is the loopback`);
      assert.ok([...types.values()].every((t) => t === 'loopback' || t === 'copper'));
      const lo = d.device_endpoints.find((e) => e.name === 'lo')!;
      assert.deepEqual([...lo.kpi_sample_types].sort(), ['KPISAMPLETYPE_BYTES_RECEIVED', 'KPISAMPLETYPE_BYTES_TRANSMITTED', 'KPISAMPLETYPE_PACKETS_RECEIVED', 'KPISAMPLETYPE_PACKETS_TRANSMITTED'].sort());
      assert.equal(sessions.status(d.device_id.device_uuid.uuid)?.driver, 'DEVICEDRIVER_OPENCONFIG');
    }
  });

  for (const { name: device, port } of DEVICES) {
    test(`create, change and delete an interface on ${device} through the session manager; notification after commit`, async () => {
      const uuid = uuids.get(device);
      assert.ok(uuid, 'onboarded by the previous test');
      const ifName = `cnsdn-comp${tag}`;
      const key = `/interface[${ifName}]`;
      const reader = await independentClient(port);
      const notes: DeviceNotification[] = [];
      const off = await sessions.withDriver(uuid, async (d) => {
        assert.ok(d instanceof NetconfOpenconfigDriver);
        return d.onNotification((n) => notes.push(n));
      });
      try {
        assert.deepEqual(await sessions.withDriver(uuid, (d) => d.setConfig([[key, { description: 'created', enabled: true }]])), [true]);
        assert.deepEqual((await runningInterfaces(reader)).get(key), { name: ifName, type: 'ethernetCsmacd', description: 'created', enabled: true });
        // netconfd names the highest node the edit created: the interface, or /interfaces itself
        // when the device had no interfaces configured yet (a freshly started device).
        const change = await until(
          'netconf-config-change naming the interface (or the interfaces container it created)',
          () => notes.find((n) => n.name === 'netconf-config-change' && (n.xml.includes(ifName) || /if:interfaces<\/target>|:interfaces<\/target>/.test(n.xml))),
          5000,
        );
        assert.match(change.eventTime, /^\d{4}-\d{2}-\d{2}T/);

        assert.deepEqual(await sessions.withDriver(uuid, (d) => d.setConfig([[key, { description: 'changed', mtu: 1450 }]])), [true]);
        assert.deepEqual((await runningInterfaces(reader)).get(key), { name: ifName, type: 'ethernetCsmacd', description: 'changed', enabled: true, mtu: 1450 });
        const read = await sessions.withDriver(uuid, (d) => d.getConfig([key]));
        assert.deepEqual(read, [[key, { name: ifName, type: 'ethernetCsmacd', description: 'changed', enabled: true, mtu: 1450 }]]);

        assert.deepEqual(await sessions.withDriver(uuid, (d) => d.deleteConfig([[key, {}]])), [true]);
        assert.equal((await runningInterfaces(reader)).has(key), false);
      } finally {
        off();
        await reader.close();
      }
    });
  }
});
