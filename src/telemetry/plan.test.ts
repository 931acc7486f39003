import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Device } from '../model/index.js';
import { defaultInterval, planDevice, subscriptionsOf } from './plan.js';

function device(settings: unknown, endpoints: Array<[string, string[]]>): Device {
  return {
    device_id: { device_uuid: { uuid: 'u1' } },
    name: 'R1',
    device_type: 'emu-packet-router',
    device_config: {
      config_rules: settings === undefined ? [] : [{ action: 'CONFIGACTION_SET', custom: { resource_key: '_connect/settings', resource_value: JSON.stringify(settings) } }],
    },
    device_operational_status: 'DEVICEOPERATIONALSTATUS_ENABLED',
    device_drivers: ['DEVICEDRIVER_UNDEFINED'],
    device_endpoints: endpoints.map(([name, kpis]) => ({
      endpoint_id: {
        topology_id: { context_id: { context_uuid: { uuid: 'c' } }, topology_uuid: { uuid: 't' } },
        device_id: { device_uuid: { uuid: 'u1' } },
        endpoint_uuid: { uuid: `uuid-${name}` },
      },
      name,
      endpoint_type: 'copper',
      kpi_sample_types: kpis,
      endpoint_location: {},
      capabilities: {},
    })),
    components: [],
  };
}

describe('planDevice', () => {
  it('subscribes each endpoint with counter KPIs, once, at the default interval', () => {
    const plan = planDevice(
      'u1',
      device({}, [
        ['eth1', ['KPISAMPLETYPE_BYTES_RECEIVED', 'KPISAMPLETYPE_PACKETS_TRANSMITTED', 'KPISAMPLETYPE_BYTES_RECEIVED']],
        ['eth2', ['KPISAMPLETYPE_LINK_USED_CAPACITY_GBPS']],
        ['eth3', []],
      ]),
      10,
    );
    assert.deepEqual(plan.endpoints, [{ name: 'eth1', kpis: [101, 202] }]);
    assert.deepEqual(subscriptionsOf(plan), [['/interface[eth1]', 0, 10]]);
    assert.equal(plan.deviceName, 'R1');
  });

  it('takes telemetry_interval_s from _connect/settings when valid', () => {
    const eps: Array<[string, string[]]> = [['eth1', ['KPISAMPLETYPE_PACKETS_DROPPED']]];
    assert.equal(planDevice('u1', device({ telemetry_interval_s: 2.5 }, eps), 10).intervalS, 2.5);
    assert.equal(planDevice('u1', device({ telemetry_interval_s: '30' }, eps), 10).intervalS, 30);
    assert.equal(planDevice('u1', device({ telemetry_interval_s: -1 }, eps), 10).intervalS, 10);
    assert.equal(planDevice('u1', device({ telemetry_interval_s: 'soon' }, eps), 10).intervalS, 10);
    assert.equal(planDevice('u1', device(undefined, eps), 7).intervalS, 7);
  });

  it('an interval of 0 turns telemetry off, per device or for all', () => {
    const eps: Array<[string, string[]]> = [['eth1', ['KPISAMPLETYPE_PACKETS_DROPPED']]];
    assert.deepEqual(subscriptionsOf(planDevice('u1', device({ telemetry_interval_s: 0 }, eps), 10)), []);
    assert.deepEqual(subscriptionsOf(planDevice('u1', device(undefined, eps), 0)), []);
    assert.equal(defaultInterval({ CNSDN_TELEMETRY_INTERVAL_S: '0' }), 0);
  });

  it('reads the default interval from the environment, ignoring invalid values', () => {
    assert.equal(defaultInterval({ CNSDN_TELEMETRY_INTERVAL_S: '0.5' }), 0.5);
    assert.equal(defaultInterval({ CNSDN_TELEMETRY_INTERVAL_S: 'x' }), 10);
    assert.equal(defaultInterval({}), 10);
  });
});
