/**
 * A controller killed in the middle of a network-wide transaction (SIGKILL once the first router
 * has changed, before the outcome is written) puts the routers back when it starts again, from
 * the journal it wrote before touching them; the service ends PLANNED saying why, and can be
 * activated again. The controller runs in a child process (this file with --journal-controller),
 * the three gNMI routers in this one.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GnmiClient, parsePath, typedValueToJs } from '../protocols/gnmi/index.js';
import { type GnmiSim, startGnmiSim } from '../sim/gnmi/run.js';
import { dig, ruleValue, type ServiceBody, until } from './testing.js';

const CHILD_FLAG = '--journal-controller';

if (process.argv.includes(CHILD_FLAG)) {
  const { startController } = await import('../app/index.js');
  const c = await startController({ host: '127.0.0.1', port: 0, dataDir: process.env.JOURNAL_TEST_DATA_DIR!, logLevel: 'silent', southboundAllow: '127.0.0.0/8', guard: { shedLagMs: 0 } });
  process.stdout.write(`controller ${c.url}\n`);
  process.on('SIGTERM', () => void c.close().then(() => process.exit(0)));
} else {
  const rule = (key: string, value: unknown) => ({ action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: value } });
  const ep = (device: string, endpoint: string) => ({ device_id: { device_uuid: { uuid: device } }, endpoint_uuid: { uuid: endpoint } });
  const service = {
    service_id: { context_id: { context_uuid: { uuid: 'admin' } }, service_uuid: { uuid: 'journaled' } },
    service_type: 'SERVICETYPE_L3NM',
    service_status: { service_status: 'SERVICESTATUS_PLANNED' },
    service_endpoint_ids: [ep('r1', 'Ethernet1'), ep('r3', 'Ethernet1')],
    service_config: {
      config_rules: [
        rule('/device[r1]/endpoint[Ethernet1]/settings', { address_ip: '172.16.1.1', address_prefix: 24 }),
        rule('/device[r3]/endpoint[Ethernet1]/settings', { address_ip: '172.16.2.1', address_prefix: 24 }),
      ],
    },
  };

  describe('transaction journal: a controller killed mid-transaction', () => {
    let sim: GnmiSim;
    let clients: GnmiClient[];
    let controller: ChildProcess | undefined;
    let url = '';
    const dataDir = mkdtempSync(join(tmpdir(), 'cnsdn-journal-'));

    const start = async (env: Record<string, string>): Promise<ChildProcess> => {
      const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, CHILD_FLAG], {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, JOURNAL_TEST_DATA_DIR: dataDir, CNSDN_TELEMETRY_INTERVAL_S: '0', CNSDN_YANG_VALIDATE: '0', ...env },
      });
      url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error('controller did not start within 60 s')), 60_000);
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = /controller (http:\/\/\S+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`controller exited (${code ?? signal}) before it started`));
        });
      });
      return child;
    };
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    };
    const configs = () =>
      Promise.all(
        clients.map(async (cl) => {
          const [n] = await cl.get({ paths: [parsePath('/')], type: 'CONFIG', encoding: 'JSON_IETF' });
          return n?.update[0] ? typedValueToJs(n.update[0].value) : undefined;
        }),
      );
    const enabled = () =>
      until(
        'every router ENABLED',
        async () => {
          const devices = dig((await call('GET', '/tfs-api/devices')).body, 'devices') as Array<{ device_operational_status: string }>;
          return devices.length === 3 && devices.every((d) => d.device_operational_status === 'DEVICEOPERATIONALSTATUS_ENABLED') ? true : undefined;
        },
        60_000,
      );

    before(async () => {
      sim = await startGnmiSim({ port: 0, count: 3, tls: 'insecure', interfaces: ['Ethernet1', 'Ethernet2', 'Ethernet3'], hostnamePrefix: 'r' });
      clients = await Promise.all(sim.targets.map((t) => GnmiClient.connect({ address: t.address, tls: 'insecure' })));
    });
    after(async () => {
      if (controller && controller.exitCode === null && controller.signalCode === null) {
        const gone = new Promise((r) => controller!.once('exit', r));
        controller.kill('SIGTERM');
        await gone;
      }
      for (const cl of clients ?? []) cl.close();
      await sim?.close();
    });

    it('the routers changed before the crash are put back at restart; the service ends PLANNED saying why and activates again', { timeout: 240_000 }, async () => {
      controller = await start({ CNSDN_TEST_CRASH_AFTER_DEVICE_CHANGES: '1' });
      const loaded = await call('POST', '/tfs-api/descriptors', {
        contexts: [{ context_id: { context_uuid: { uuid: 'admin' } } }],
        topologies: [{ topology_id: { context_id: { context_uuid: { uuid: 'admin' } }, topology_uuid: { uuid: 'admin' } } }],
        devices: ['r1', 'r2', 'r3'].map((name, i) => ({
          device_id: { device_uuid: { uuid: name } },
          device_type: 'packet-router',
          device_drivers: ['DEVICEDRIVER_GNMI_OPENCONFIG'],
          device_config: { config_rules: [rule('_connect/address', '127.0.0.1'), rule('_connect/port', String(sim.targets[i]!.port)), rule('_connect/settings', { use_tls: false })] },
        })),
        links: [
          { link_id: { link_uuid: { uuid: 'r1-r2' } }, link_endpoint_ids: [ep('r1', 'Ethernet2'), ep('r2', 'Ethernet1')] },
          { link_id: { link_uuid: { uuid: 'r2-r3' } }, link_endpoint_ids: [ep('r2', 'Ethernet3'), ep('r3', 'Ethernet2')] },
        ],
      });
      assert.equal(loaded.status, 200, JSON.stringify(loaded.body));
      await enabled();
      const pristine = await configs();

      const died = new Promise<string | null>((resolve) => controller!.once('exit', (_code, signal) => resolve(signal)));
      assert.equal((await call('POST', '/tfs-api/context/admin/services', service)).status, 200);
      assert.equal(await died, 'SIGKILL', 'the controller killed itself once a router had changed');
      const atCrash = await configs();
      assert.ok(
        atCrash.some((c, i) => JSON.stringify(c) !== JSON.stringify(pristine[i])),
        'at least one router holds part of the service: the crash was in the middle of the transaction',
      );

      controller = await start({});
      const recovered = await until(
        'the service recovered',
        async () => {
          const s = (await call('GET', '/tfs-api/context/admin/service/journaled')).body as ServiceBody;
          return ruleValue(s, '/cnsdn/failure') !== undefined && ruleValue(s, '/cnsdn/transaction') === undefined ? s : undefined;
        },
        180_000,
      );
      assert.equal(recovered.service_status.service_status, 'SERVICESTATUS_PLANNED');
      const why = ruleValue(recovered, '/cnsdn/failure');
      assert.match(String(dig(why, 'message')), /controller stopped while activating.*every device was put back/);
      assert.deepEqual(dig(why, 'restored'), ['r3', 'r2', 'r1']);
      assert.deepEqual(await configs(), pristine, 'every router is back to what it had before the transaction');
      assert.deepEqual(dig((await call('GET', '/tfs-api/context/admin/service/journaled/connections')).body, 'connections'), []);

      await enabled();
      const again = await call('POST', '/api/services/admin/journaled/activate');
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.notDeepEqual(await configs(), pristine);
      assert.equal((await call('DELETE', '/tfs-api/context/admin/service/journaled')).status, 200);
      assert.deepEqual(await configs(), pristine);
    });
  });
}
