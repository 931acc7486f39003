import type { Duplex } from 'node:stream';
import type { Capabilities } from './capabilities.js';
import { NetconfError } from './errors.js';
import { NotificationQueue } from './notifications.js';
import {
  type CommitOptions,
  type ConfigSource,
  type ConfigTarget,
  type Datastore,
  type EditConfigOptions,
  type Filter,
  type SubscriptionOptions,
  type WithDefaults,
  buildCancelCommit,
  buildCommit,
  buildCopyConfig,
  buildCreateSubscription,
  buildDeleteConfig,
  buildDiscardChanges,
  buildEditConfig,
  buildGet,
  buildGetConfig,
  buildKillSession,
  buildLock,
  buildValidate,
} from './operations.js';
import { hasOk } from './reply.js';
import { NetconfSession, type Notification, type RpcOptions, type SessionOptions } from './session.js';
import { type HostKeyPolicy, openSsh } from './transport.js';
import { NS_BASE, type XmlElement, element, innerXml } from './xml.js';

export interface ConnectOptions {
  host: string;
  /** Default 830. */
  port?: number;
  username: string;
  password?: string;
  privateKey?: string | Buffer;
  passphrase?: string;
  /** Path of an ssh-agent socket whose keys may authenticate (e.g. SSH_AUTH_SOCK). */
  agent?: string;
  hostKey: HostKeyPolicy;
  /** Bound on connecting, authenticating and the hello exchange. Default 10 s. */
  timeoutMs?: number;
  /** Default bound on each RPC. Default 30 s. */
  rpcTimeoutMs?: number;
  /** Cap on one incoming message. Default 64 MiB. */
  maxMessageBytes?: number;
  /** SSH keepalive interval (default 10 s; 0 disables) and unanswered keepalives before the session is dropped (default 3). */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** Offer base:1.1 (chunked framing). Default true; false keeps base:1.0 end-of-message framing. */
  offerBase11?: boolean;
}

type Listener = ((n: Notification) => void) | ((reason: NetconfError | undefined) => void);

export interface DataReply {
  /** Content of <data> as XML, each top element declaring its namespaces. */
  xml: string;
  /** The <data> element. */
  element: XmlElement;
}

export interface ReadOptions extends RpcOptions {
  filter?: Filter;
  withDefaults?: WithDefaults;
}

/** A NETCONF client session: every RFC 6241 operation and RFC 5277 notifications. */
export class NetconfClient {
  private closeTransport: () => void = () => {};
  hostKeyFingerprint = '';

  private constructor(readonly session: NetconfSession) {}

  /** SSH to a device, open the "netconf" subsystem and exchange hellos. */
  static async connect(opts: ConnectOptions): Promise<NetconfClient> {
    const started = Date.now();
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const transport = await openSsh({ ...opts, timeoutMs });
    try {
      const client = await NetconfClient.over(transport.stream, {
        helloTimeoutMs: Math.max(1, timeoutMs - (Date.now() - started)),
        rpcTimeoutMs: opts.rpcTimeoutMs,
        maxMessageBytes: opts.maxMessageBytes,
        offerBase11: opts.offerBase11,
      });
      client.closeTransport = transport.close;
      client.hostKeyFingerprint = transport.hostKeyFingerprint;
      client.session.once('close', () => transport.close());
      return client;
    } catch (err) {
      transport.close();
      throw err;
    }
  }

  /** A session over any byte stream already connected to a NETCONF server. */
  static async over(stream: Duplex, opts: SessionOptions = {}): Promise<NetconfClient> {
    return new NetconfClient(await NetconfSession.establish(stream, opts));
  }

  get sessionId(): number {
    return this.session.sessionId;
  }

  get capabilities(): Capabilities {
    return this.session.capabilities;
  }

  get closed(): boolean {
    return this.session.closed;
  }

  /** Sends any operation XML inside <rpc>; resolves with the <rpc-reply>. */
  rpc(operationXml: string, opts?: RpcOptions): Promise<XmlElement> {
    return this.session.rpc(operationXml, opts);
  }

  private async data(xml: string, opts: RpcOptions): Promise<DataReply> {
    const reply = await this.session.rpc(xml, opts);
    const data = element(reply, 'data', NS_BASE);
    if (!data) throw new NetconfError('NETCONF_PROTOCOL', 'rpc-reply without <data>');
    return { xml: innerXml(data), element: data };
  }

  private async ok(xml: string, opts: RpcOptions = {}): Promise<void> {
    const reply = await this.session.rpc(xml, opts);
    if (!hasOk(reply)) throw new NetconfError('NETCONF_PROTOCOL', 'rpc-reply without <ok/>');
  }

  async get(opts: ReadOptions = {}): Promise<DataReply> {
    return this.data(buildGet(this.capabilities, opts.filter, opts.withDefaults), opts);
  }

  async getConfig(source: ConfigTarget = 'running', opts: ReadOptions = {}): Promise<DataReply> {
    return this.data(buildGetConfig(this.capabilities, source, opts.filter, opts.withDefaults), opts);
  }

  /** `config` is the content of <config>: XML elements carrying their namespaces. */
  async editConfig(
    target: ConfigTarget,
    config: string | { url: string },
    opts: EditConfigOptions & RpcOptions = {},
  ): Promise<void> {
    return this.ok(buildEditConfig(this.capabilities, target, config, opts), opts);
  }

  async copyConfig(target: ConfigTarget, source: ConfigSource, opts?: RpcOptions): Promise<void> {
    return this.ok(buildCopyConfig(this.capabilities, target, source), opts);
  }

  async deleteConfig(target: ConfigTarget, opts?: RpcOptions): Promise<void> {
    return this.ok(buildDeleteConfig(this.capabilities, target), opts);
  }

  async lock(target: Datastore, opts?: RpcOptions): Promise<void> {
    return this.ok(buildLock(this.capabilities, target, 'lock'), opts);
  }

  async unlock(target: Datastore, opts?: RpcOptions): Promise<void> {
    return this.ok(buildLock(this.capabilities, target, 'unlock'), opts);
  }

  async killSession(sessionId: number, opts?: RpcOptions): Promise<void> {
    return this.ok(buildKillSession(sessionId), opts);
  }

  async commit(opts: CommitOptions & RpcOptions = {}): Promise<void> {
    return this.ok(buildCommit(this.capabilities, opts), opts);
  }

  async cancelCommit(opts: { persistId?: string } & RpcOptions = {}): Promise<void> {
    return this.ok(buildCancelCommit(this.capabilities, opts.persistId), opts);
  }

  async discardChanges(opts?: RpcOptions): Promise<void> {
    return this.ok(buildDiscardChanges(this.capabilities), opts);
  }

  async validate(source: ConfigSource = 'candidate', opts?: RpcOptions): Promise<void> {
    return this.ok(buildValidate(this.capabilities, source), opts);
  }

  /** RFC 5277: notifications then arrive as 'notification' events and through notifications(). */
  async createSubscription(opts: SubscriptionOptions & RpcOptions = {}): Promise<void> {
    return this.ok(buildCreateSubscription(this.capabilities, opts), opts);
  }

  on(event: 'notification', listener: (n: Notification) => void): this;
  on(event: 'close', listener: (reason: NetconfError | undefined) => void): this;
  on(event: 'notification' | 'close', listener: Listener): this {
    this.session.on(event, listener);
    return this;
  }

  off(event: 'notification' | 'close', listener: Listener): this {
    this.session.off(event, listener);
    return this;
  }

  /**
   * Notifications from now on, as an async iterable that ends when the session closes.
   * At most `maxQueued` wait unread; older ones are dropped and counted.
   */
  notifications(maxQueued = 1000): NotificationQueue {
    return new NotificationQueue(this.session, maxQueued);
  }

  /** <close-session/> (RFC 6241 §7.8), then the transport is closed. Idempotent. */
  async close(timeoutMs = 2000): Promise<void> {
    try {
      await this.session.close(timeoutMs);
    } finally {
      this.closeTransport();
    }
  }

  /** <close-session/> like close(), but a refusal or no answer rejects (the transport is closed either way). */
  async closeSession(timeoutMs = 2000): Promise<void> {
    try {
      await this.session.close(timeoutMs, true);
    } finally {
      this.closeTransport();
    }
  }
}
