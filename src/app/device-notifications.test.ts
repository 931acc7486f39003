import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import type { BusEvent } from '../bus/api.js';
import { checkEvents, MAX_NOTIFICATION_EVENT_BYTES, pickEvent } from '../bus/events.js';
import { InProcessBus } from '../bus/inprocess.js';
import { decodeEvent } from '../bus/nats.js';
import type { Driver } from '../device/index.js';
import type { SessionListener } from '../device/session-manager.js';
import { boundedXml, type DriverNotification, notificationEvent, startDeviceNotifications } from './device-notifications.js';

const note = (xml = '<netconf-session-start xmlns="urn:x"/>'): DriverNotification => ({
  eventTime: '2026-11-28T05:00:00Z',
  name: 'netconf-session-start',
  namespace: 'urn:x',
  xml,
  stream: 'NETCONF',
  summary: { username: 'u' },
});

class FakeDriver {
  readonly listeners = new Set<(n: DriverNotification) => void>();
  onNotification(l: (n: DriverNotification) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  emit(n: DriverNotification): void {
    for (const l of this.listeners) l(n);
  }
}

function fakeSessions() {
  const listeners = new Set<SessionListener>();
  return {
    onSession(l: SessionListener) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit(uuid: string, d: FakeDriver | undefined) {
      for (const l of listeners) l(uuid, d as unknown as Driver | undefined);
    },
  };
}

describe('device notifications → bus events', () => {
  test('mapping: kind notification, the device uuid and name, stream, eventTime, XML and summary', () => {
    const e = notificationEvent('dev-1', 'r1', note(), 1024, 42);
    assert.deepEqual(e, {
      kind: 'notification',
      uuid: 'dev-1',
      name: 'r1',
      parent: null,
      op: 'CREATE',
      revision: 0,
      ts: 42,
      notification: {
        protocol: 'netconf',
        stream: 'NETCONF',
        eventTime: '2026-11-28T05:00:00Z',
        name: 'netconf-session-start',
        namespace: 'urn:x',
        xml: '<netconf-session-start xmlns="urn:x"/>',
        xmlTruncated: false,
        summary: { username: 'u' },
      },
    });
  });

  test('the event passes the bus checks and keeps its payload through the NATS encoding; an oversized one is refused', () => {
    const e = notificationEvent('dev-1', 'r1', note(), 1024, 42);
    checkEvents([e]);
    const wire = new TextEncoder().encode(JSON.stringify(pickEvent(e)));
    assert.deepEqual(decodeEvent(wire, 7), { ...e, seq: 7 });
    const huge = notificationEvent('dev-1', 'r1', note('x'.repeat(MAX_NOTIFICATION_EVENT_BYTES)), MAX_NOTIFICATION_EVENT_BYTES * 3);
    assert.throws(() => checkEvents([huge]), /malformed bus event/);
    const { notification: _, ...bare } = e;
    assert.throws(() => checkEvents([bare]), /malformed bus event/);
    assert.throws(() => checkEvents([{ ...e, kind: 'device' }]), /malformed bus event/);
  });

  test('XML bound: kept up to the cap in UTF-8 bytes, left out (flagged) above it', () => {
    assert.deepEqual(boundedXml('a'.repeat(100), 100), { xml: 'a'.repeat(100), xmlTruncated: false });
    assert.deepEqual(boundedXml('a'.repeat(101), 100), { xml: '', xmlTruncated: true });
    // 34 × 'é' is 68 bytes: over a 64-byte cap although only 34 characters.
    assert.deepEqual(boundedXml('é'.repeat(34), 64), { xml: '', xmlTruncated: true });
    assert.deepEqual(boundedXml('é'.repeat(32), 64), { xml: 'é'.repeat(32), xmlTruncated: false });
  });

  test('published on the bus while the session is up, counted per device; nothing after it goes away', async () => {
    const bus = new InProcessBus();
    const seen: BusEvent[] = [];
    await bus.subscribe((e) => {
      seen.push(e);
    }, { kinds: ['notification'] });
    const sessions = fakeSessions();
    const registry = new Registry();
    const n = startDeviceNotifications({ bus, sessions, deviceName: async () => 'r1', registry, maxXmlBytes: 64 });
    const d = new FakeDriver();
    sessions.emit('dev-1', d);
    await new Promise((r) => setImmediate(r));
    d.emit(note());
    d.emit(note(`<big>${'x'.repeat(100)}</big>`));
    await n.idle();
    await until(() => seen.length === 2);
    assert.deepEqual(seen.map((e) => [e.kind, e.uuid, e.name, e.notification?.xmlTruncated]), [
      ['notification', 'dev-1', 'r1', false],
      ['notification', 'dev-1', 'r1', true],
    ]);
    sessions.emit('dev-1', undefined);
    d.emit(note());
    await n.idle();
    assert.equal(d.listeners.size, 0);
    const text = await registry.metrics();
    assert.match(text, /cnsdn_device_notifications_total\{device="dev-1"\} 2/);
    assert.match(text, /cnsdn_device_notifications_dropped_total\{reason="xml_over_cap"\} 1/);
    assert.deepEqual(n.stats, { received: 2, published: 2, dropped: 0, truncated: 1 });
    n.stop();
    await bus.close();
  });

  test('not the owner, or beyond maxPending publishes in flight: notifications are dropped and counted', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const published: BusEvent[] = [];
    const bus = { publish: async (events: readonly BusEvent[]) => {
      await gate;
      published.push(...events);
    } } as unknown as InProcessBus;
    const sessions = fakeSessions();
    const registry = new Registry();
    let owner = false;
    const n = startDeviceNotifications({ bus, sessions, deviceName: async () => undefined, registry, maxPending: 3, owns: () => owner });
    const d = new FakeDriver();
    sessions.emit('dev-2', d);
    d.emit(note());
    owner = true;
    for (let i = 0; i < 10; i++) d.emit(note());
    release();
    await n.idle();
    assert.equal(published.length, 3);
    assert.equal(published[0].name, 'dev-2', 'the uuid stands in for an unknown name');
    assert.deepEqual(n.stats, { received: 11, published: 3, dropped: 8, truncated: 0 });
    const text = await registry.metrics();
    assert.match(text, /cnsdn_device_notifications_dropped_total\{reason="backlog"\} 7/);
    assert.match(text, /cnsdn_device_notifications_dropped_total\{reason="not_owner"\} 1/);
    n.stop();
  });
});

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(ok());
}
