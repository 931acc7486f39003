import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { Ingest } from './ingest.js';
import { registerTelemetryMetrics } from './metrics.js';
import { SeriesStore } from './series-store.js';

const lines = (text: string, prefix: string) => text.split('\n').filter((l) => l.startsWith(prefix));

describe('telemetry metrics: cnsdn_kpi_value', () => {
  it('exports the newest value of each live series, follows a device rename, leaves out inactive series, counts the omitted in the same scrape', async () => {
    const store = new SeriesStore();
    const a = store.ensure({ deviceUuid: 'u1', deviceName: 'R1', endpoint: 'eth1', kpi: 101 })!;
    const b = store.ensure({ deviceUuid: 'u1', deviceName: 'R1', endpoint: 'eth2', kpi: 102 })!;
    const c = store.ensure({ deviceUuid: 'u2', deviceName: 'R2', endpoint: 'eth1', kpi: 101 })!;
    store.ensure({ deviceUuid: 'u2', deviceName: 'R2', endpoint: 'eth9', kpi: 101 }); // no point yet: not exported
    store.append(a, 1000, 5);
    store.append(a, 2000, 7);
    store.append(b, 1000, 11);
    store.append(c, 1000, 13);
    const registry = new Registry();
    registerTelemetryMetrics(registry, { ingest: new Ingest(store), maxSeries: 2 });

    let text = await registry.metrics();
    assert.deepEqual(lines(text, 'cnsdn_kpi_value{'), [
      'cnsdn_kpi_value{device="R1",endpoint="eth1",kpi="KPISAMPLETYPE_PACKETS_TRANSMITTED"} 7',
      'cnsdn_kpi_value{device="R1",endpoint="eth2",kpi="KPISAMPLETYPE_PACKETS_RECEIVED"} 11',
    ]);
    assert.deepEqual(lines(text, 'cnsdn_telemetry_metrics_omitted '), ['cnsdn_telemetry_metrics_omitted 1']);

    store.ensure({ deviceUuid: 'u1', deviceName: 'R1-renamed', endpoint: 'eth1', kpi: 101 });
    store.setDeviceActive('u2', false);
    store.append(b, 3000, 12);
    text = await registry.metrics();
    assert.deepEqual(lines(text, 'cnsdn_kpi_value{'), [
      'cnsdn_kpi_value{device="R1-renamed",endpoint="eth1",kpi="KPISAMPLETYPE_PACKETS_TRANSMITTED"} 7',
      'cnsdn_kpi_value{device="R1-renamed",endpoint="eth2",kpi="KPISAMPLETYPE_PACKETS_RECEIVED"} 12',
    ]);
    assert.deepEqual(lines(text, 'cnsdn_telemetry_metrics_omitted '), ['cnsdn_telemetry_metrics_omitted 0']);
  });
});
