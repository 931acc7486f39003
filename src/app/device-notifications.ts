/**
 * Device notifications (NETCONF RFC 5277, from drivers that offer onNotification) as bus events
 * of kind `notification`: published by the replica that holds the device's session (only the
 * owner does, in a cluster), so each notification is on the bus once and reaches every
 * replica's SSE stream (GET /api/events?kinds=notification). Bounded: the XML is capped, and
 * while too many publishes are pending new notifications are dropped and counted.
 */
import { Counter, type Registry } from 'prom-client';
import type { Bus, BusEvent, DeviceNotificationBody } from '../bus/api.js';
import type { Driver } from '../device/index.js';
import type { SessionListener } from '../device/session-manager.js';

/** Default cap on the XML kept per notification (bytes of UTF-8). */
export const DEFAULT_NOTIFICATION_XML_BYTES = 16 * 1024;

/** The XML kept for an event: whole when within maxBytes, else '' and xmlTruncated (never a cut, unparseable half). */
export function boundedXml(xml: string, maxBytes: number): { xml: string; xmlTruncated: boolean } {
  // UTF-8 takes at most 3 bytes per UTF-16 unit: count exactly only near the bound.
  if (xml.length * 3 <= maxBytes || Buffer.byteLength(xml, 'utf8') <= maxBytes) return { xml, xmlTruncated: false };
  return { xml: '', xmlTruncated: true };
}

/** What a driver hands over (the NETCONF driver's DeviceNotification has this shape). */
export interface DriverNotification {
  eventTime: string;
  name: string;
  namespace: string;
  xml: string;
  stream: string;
  summary: Record<string, unknown>;
}

interface NotifyingDriver extends Driver {
  onNotification(listener: (n: DriverNotification) => void): () => void;
}

const notifies = (d: Driver): d is NotifyingDriver => typeof (d as Partial<NotifyingDriver>).onNotification === 'function';

export interface DeviceNotificationOptions {
  bus: Bus;
  sessions: { onSession(listener: SessionListener): () => void };
  /** The device's name for the event (looked up once per session). */
  deviceName: (uuid: string) => Promise<string | undefined>;
  registry?: Registry;
  /** Cap on the XML kept per event (bytes); larger XML is left out (xmlTruncated). Default 16 KiB. */
  maxXmlBytes?: number;
  /** Whether this replica owns the device (cluster lease); a session left over from a handover publishes nothing. Default: always. */
  owns?: (uuid: string) => boolean;
  /** Publishes in flight before new notifications are dropped. Default 1000. */
  maxPending?: number;
  log?: { warn(obj: object, msg: string): void };
}

/** Maps one driver notification to its bus event. */
export function notificationEvent(uuid: string, name: string, n: DriverNotification, maxXmlBytes: number, now = Date.now()): BusEvent {
  const body: DeviceNotificationBody = {
    protocol: 'netconf',
    stream: n.stream,
    eventTime: n.eventTime,
    name: n.name,
    namespace: n.namespace,
    ...boundedXml(n.xml, maxXmlBytes),
    summary: n.summary,
  };
  return { kind: 'notification', uuid, name, parent: null, op: 'CREATE', revision: 0, ts: now, notification: body };
}

export interface DeviceNotifications {
  /** Resolves once no publish is pending. */
  idle(): Promise<void>;
  stop(): void;
  readonly stats: { received: number; published: number; dropped: number; truncated: number };
}

export function startDeviceNotifications(opts: DeviceNotificationOptions): DeviceNotifications {
  const maxXml = opts.maxXmlBytes ?? DEFAULT_NOTIFICATION_XML_BYTES;
  const maxPending = opts.maxPending ?? 1000;
  const stats = { received: 0, published: 0, dropped: 0, truncated: 0 };
  const registers = opts.registry ? [opts.registry] : [];
  const received = new Counter({ name: 'cnsdn_device_notifications_total', help: 'Device notifications received (NETCONF), by device', labelNames: ['device'], registers });
  const dropped = new Counter({
    name: 'cnsdn_device_notifications_dropped_total',
    help: 'Device notifications not published (backlog: too many publishes pending; publish_failed: the bus refused; not_owner: lease lost) or published without their XML (xml_over_cap)',
    labelNames: ['reason'],
    registers,
  });
  const offs = new Map<string, () => void>();
  const pending = new Set<Promise<void>>();

  const publish = (uuid: string, name: string, n: DriverNotification): void => {
    stats.received++;
    received.inc({ device: uuid });
    if (opts.owns && !opts.owns(uuid)) {
      stats.dropped++;
      dropped.inc({ reason: 'not_owner' });
      return;
    }
    if (pending.size >= maxPending) {
      stats.dropped++;
      dropped.inc({ reason: 'backlog' });
      return;
    }
    const event = notificationEvent(uuid, name, n, maxXml);
    if (event.notification?.xmlTruncated) {
      stats.truncated++;
      dropped.inc({ reason: 'xml_over_cap' });
    }
    const p: Promise<void> = opts.bus
      .publish([event])
      .then(
        () => {
          stats.published++;
        },
        (err: unknown) => {
          stats.dropped++;
          dropped.inc({ reason: 'publish_failed' });
          opts.log?.warn({ device: uuid, err }, 'device notification not published');
        },
      )
      .finally(() => pending.delete(p));
    pending.add(p);
  };

  const attach = (uuid: string, driver: NotifyingDriver): void => {
    let name = uuid;
    void opts.deviceName(uuid).then(
      (n) => {
        if (n) name = n;
      },
      () => undefined,
    );
    offs.set(
      uuid,
      driver.onNotification((n) => publish(uuid, name, n)),
    );
  };

  const offSession = opts.sessions.onSession((uuid, driver) => {
    offs.get(uuid)?.();
    offs.delete(uuid);
    if (driver && notifies(driver)) attach(uuid, driver);
  });

  return {
    stats,
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    stop() {
      offSession();
      for (const off of offs.values()) off();
      offs.clear();
    },
  };
}
