import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCapabilities } from '../protocols/netconf/index.js';
import { announcedModelsOf, gnmiAnnouncedModels, netconfAnnouncedModels } from './announced-models.js';
import type { Driver } from './api.js';
import { EmulatedDriver } from './emulated.js';

test('gNMI supported_models map to announced models; empty names and duplicates dropped', () => {
  const out = gnmiAnnouncedModels([
    { name: 'openconfig-interfaces', organization: 'OpenConfig working group', version: '3.0.0' },
    { name: '', organization: 'x', version: '1' },
    { name: 'openconfig-interfaces', organization: 'OpenConfig working group', version: '3.0.0' },
    { name: 'nokia-conf', organization: '', version: '' },
  ]);
  assert.deepEqual(out, [{ name: 'openconfig-interfaces', organization: 'OpenConfig working group', version: '3.0.0' }, { name: 'nokia-conf' }]);
});

test('NETCONF hello module capabilities map to name, namespace, revision, features, deviations', () => {
  const caps = parseCapabilities([
    'urn:ietf:params:netconf:base:1.1',
    'urn:ietf:params:xml:ns:yang:ietf-interfaces?module=ietf-interfaces&revision=2018-02-20&features=arbitrary-names,pre-provisioning',
    'urn:ietf:params:xml:ns:yang:ietf-ip?module=ietf-ip&revision=2018-02-22&deviations=acme-ip-dev',
    'http://example.com/x?module=x',
  ]);
  assert.deepEqual(netconfAnnouncedModels(caps.modules), [
    { name: 'ietf-interfaces', namespace: 'urn:ietf:params:xml:ns:yang:ietf-interfaces', revision: '2018-02-20', features: ['arbitrary-names', 'pre-provisioning'] },
    { name: 'ietf-ip', namespace: 'urn:ietf:params:xml:ns:yang:ietf-ip', revision: '2018-02-22', deviations: ['acme-ip-dev'] },
    { name: 'x', namespace: 'http://example.com/x' },
  ]);
});

test('the emulated driver announces no models; a driver without the SPI member counts as none', async () => {
  const d = new EmulatedDriver({ deviceUuid: 'u', deviceName: 'e', address: '127.0.0.1', port: 0, settings: {} });
  await assert.rejects(d.announcedModels(), /not connected|DEVICE_UNREACHABLE/i);
  await d.connect();
  assert.deepEqual(await announcedModelsOf(d), []);
  assert.deepEqual(await announcedModelsOf({} as Driver), []);
  await d.disconnect();
});
