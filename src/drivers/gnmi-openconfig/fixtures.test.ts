/**
 * TFS descriptors with gNMI routers (../shared fixtures, read in place) load with each router's
 * `_connect/*` rewritten to a simulated target on 127.0.0.1; every router must end ENABLED
 * with the endpoints its links name discovered as copper ports.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { startDeviceSync } from '../../app/device-sync.js';
import { openBus } from '../../bus/index.js';
import { ContextManager } from '../../context/index.js';
import { Allowlist, DriverRegistry, emulatedDriverFactory, SessionManager } from '../../device/index.js';
import { openStore } from '../../store/index.js';
import { gnmiOpenconfigDriverFactory } from './index.js';
import { startTestTargets, type TestTargets, until } from './testing.js';

import { TFS_FIXTURES as FIXTURES } from '../../common/fixtures.js';
const GNMI_DRIVER = new Set<unknown>(['DEVICEDRIVER_GNMI_OPENCONFIG', 8]);

interface ConfigRule {
  custom?: { resource_key: string; resource_value: unknown };
}
interface FixtureDevice {
  device_id: { device_uuid: { uuid: string } };
  device_drivers: unknown[];
  device_config: { config_rules: ConfigRule[] };
}
interface Fixture {
  devices: FixtureDevice[];
  links: Array<{ link_endpoint_ids: Array<{ device_id: { device_uuid: { uuid: string } }; endpoint_uuid: { uuid: string } }> }>;
}

const ruleValue = (d: FixtureDevice, key: string): unknown => {
  const v = d.device_config.config_rules.find((r) => r.custom?.resource_key === key)?.custom?.resource_value;
  return typeof v === 'string' && v.startsWith('{') ? JSON.parse(v) : v;
};

/** Points every gNMI router at its own simulated target, with the router's credentials and TLS choice. */
async function rewrite(fixture: Fixture): Promise<{ routers: Map<string, string[]>; targets: TestTargets[] }> {
  const routers = new Map<string, string[]>();
  const targets: TestTargets[] = [];
  for (const d of fixture.devices.filter((x) => x.device_drivers.some((n) => GNMI_DRIVER.has(n)))) {
    const name = d.device_id.device_uuid.uuid;
    const interfaces = [
      ...new Set(fixture.links.flatMap((l) => l.link_endpoint_ids.filter((e) => e.device_id.device_uuid.uuid === name).map((e) => e.endpoint_uuid.uuid))),
    ];
    const original = (ruleValue(d, '_connect/settings') ?? {}) as Record<string, unknown>;
    const useTls = original.use_tls !== false && original.use_tls !== 'false';
    const users = typeof original.username === 'string' ? [{ username: original.username, password: String(original.password ?? ''), role: 'rw' as const }] : [];
    const t = await startTestTargets({ tls: useTls, interfaces, users, hostnamePrefix: name });
    targets.push(t);
    routers.set(name, interfaces);
    const rewritten: Record<string, unknown> = {
      '_connect/address': '127.0.0.1',
      '_connect/port': String(t.sim.targets[0].port),
      '_connect/settings': useTls ? { ...original, ca_pem: t.caPem } : original,
    };
    for (const rule of d.device_config.config_rules) {
      const c = rule.custom;
      if (c && c.resource_key in rewritten) {
        const v = rewritten[c.resource_key];
        c.resource_value = typeof c.resource_value === 'string' && typeof v !== 'string' ? JSON.stringify(v) : v;
      }
    }
  }
  return { routers, targets };
}

for (const file of ['l2_vpn_gnmi_oc/tfs-topology.json', 'hackfest-containerlab/topology.json']) {
  const path = `${FIXTURES}/${file}`;
  describe(`fixture ${file}`, { skip: existsSync(path) ? false : `${path} is absent` }, () => {
    test('every gNMI router ends ENABLED with the endpoints its links name discovered', { timeout: 60_000 }, async () => {
      const fixture = JSON.parse(readFileSync(path, 'utf8')) as Fixture;
      const { routers, targets } = await rewrite(fixture);
      assert.ok(routers.size >= 2, `the fixture has gNMI routers (${[...routers.keys()]})`);
      const addresses = JSON.stringify(fixture.devices.map((d) => ruleValue(d, '_connect/address')));
      assert.doesNotMatch(addresses, /172\.|10\.\d/, 'no router keeps a lab address');

      const store = await openStore({ url: 'sqlite::memory:' });
      const bus = await openBus({ url: 'inprocess' });
      const ctx = new ContextManager(store, bus);
      const sessions = new SessionManager({
        registry: new DriverRegistry().register(emulatedDriverFactory).register(gnmiOpenconfigDriverFactory),
        allowlist: new Allowlist(['127.0.0.0/8']),
        sink: ctx,
        backoff: { initialMs: 100, maxMs: 1000 },
        connectTimeoutMs: 5000,
      });
      const sync = await startDeviceSync(store, bus, sessions);
      try {
        await ctx.apply(fixture);
        const settled = await until(
          'every router ENABLED with its link endpoints discovered',
          async () => {
            const devices = await ctx.listDevices();
            const done = [...routers].every(([name, interfaces]) => {
              const d = devices.find((x) => x.name === name);
              if (d?.device_operational_status !== 'DEVICEOPERATIONALSTATUS_ENABLED') return false;
              const types = new Map(d.device_endpoints.map((e) => [e.name, e.endpoint_type]));
              return interfaces.every((i) => types.get(i) === 'copper') && d.device_endpoints.every((e) => e.endpoint_type !== 'undiscovered');
            });
            return done ? devices : undefined;
          },
          20_000,
        );
        for (const [name, interfaces] of routers) {
          const d = settled.find((x) => x.name === name)!;
          assert.deepEqual(d.device_endpoints.map((e) => e.name).sort(), [...interfaces].sort(), `${name} endpoints`);
          assert.equal(sessions.status(d.device_id.device_uuid.uuid)?.driver, 'DEVICEDRIVER_GNMI_OPENCONFIG');
        }
        const links = await ctx.listLinks();
        assert.equal(links.length, fixture.links.length);
      } finally {
        await sync.unsubscribe();
        await sessions.close();
        await bus.close();
        await store.close();
        for (const t of targets) await t.close();
      }
    });
  });
}
