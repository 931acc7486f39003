/**
 * The event bus SPI. Every committed write is published as an event; consumers may resume
 * from a sequence number. Implementations: in-process (default) and NATS JetStream.
 */
import type { ChangeOp, EntityKind } from '../store/api.js';

/** Entity change kinds, plus `notification`: a device's own event (e.g. a NETCONF notification), not a stored change. */
export type BusEventKind = EntityKind | 'notification';

/** What a `notification` event carries (kind `notification`, uuid = the device's uuid, op CREATE, revision 0). */
export interface DeviceNotificationBody {
  /** Southbound protocol, e.g. `netconf`. */
  protocol: string;
  /** The stream it came from (NETCONF: RFC 5277 stream name, `NETCONF` by default). */
  stream: string;
  /** The device's eventTime (RFC 3339 text as the device sent it). */
  eventTime: string;
  /** Local name and namespace of the event element, e.g. netconf-config-change. */
  name: string;
  namespace: string;
  /** The notification's XML, cut at a bound (xmlTruncated then true). */
  xml: string;
  xmlTruncated: boolean;
  /** Parsed summary (e.g. edit targets and operations of a netconf-config-change). */
  summary: Record<string, unknown>;
}

export interface BusEvent {
  kind: BusEventKind;
  /** The entity's uuid. */
  uuid: string;
  /** The entity's name (TFS keeps both). */
  name: string;
  /** Parent uuid (context for topologies/services/slices), or null. */
  parent: string | null;
  op: ChangeOp;
  revision: number;
  /** Milliseconds since the epoch when the event was published. */
  ts: number;
  /** Only on kind `notification`. */
  notification?: DeviceNotificationBody;
}

export interface DeliveredEvent extends BusEvent {
  /** Monotonic per bus (stream), starting at 1. */
  seq: number;
}

export interface SubscribeOptions {
  /** Deliver from this sequence on (inclusive). Default: only new events. */
  fromSeq?: number;
  /** Only these kinds. Default: all. */
  kinds?: readonly BusEventKind[];
}

export interface BusSubscription {
  /** Stops delivery; resolves once no handler call is running. */
  unsubscribe(): Promise<void>;
}

export interface Bus {
  readonly backend: 'inprocess' | 'nats';
  /**
   * Publishes events durably (JetStream acks) in the given order; events of one entity are
   * delivered to every subscriber in publish order. Resolves once stored.
   */
  publish(events: readonly BusEvent[]): Promise<void>;
  /** Handler calls are sequential per subscription (never concurrent), in sequence order. */
  subscribe(handler: (event: DeliveredEvent) => void | Promise<void>, options?: SubscribeOptions): Promise<BusSubscription>;
  /** The sequence of the last stored event (0 when none). */
  lastSeq(): Promise<number>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface BusOptions {
  /** `inprocess` or a `nats://host:port[,nats://...]` URL list. */
  url: string;
  /** JetStream stream name (default CNSDN_EVENTS). Tests use unique names. */
  stream?: string;
  /** Subject prefix (default cnsdn.events). */
  subjectPrefix?: string;
  /** In-process bus: events kept for resume (default 100000). */
  retain?: number;
}
