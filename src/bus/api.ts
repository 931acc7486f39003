/**
 * The event bus SPI. Every committed write is published as an event; consumers may resume
 * from a sequence number. Implementations: in-process (default) and NATS JetStream.
 */
import type { ChangeOp, EntityKind } from '../store/api.js';

export interface BusEvent {
  kind: EntityKind;
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
}

export interface DeliveredEvent extends BusEvent {
  /** Monotonic per bus (stream), starting at 1. */
  seq: number;
}

export interface SubscribeOptions {
  /** Deliver from this sequence on (inclusive). Default: only new events. */
  fromSeq?: number;
  /** Only these kinds. Default: all. */
  kinds?: readonly EntityKind[];
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
