import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { BASE_10, BASE_11, type Capabilities, parseCapabilities } from './capabilities.js';
import { NetconfError, NetconfRpcError } from './errors.js';
import { DEFAULT_MAX_MESSAGE_BYTES, FrameDecoder, type Framing, encodeFrame } from './framing.js';
import { parseRpcErrors } from './reply.js';
import {
  NS_BASE,
  NS_NOTIFICATION,
  type XmlElement,
  attribute,
  element,
  elements,
  escapeText,
  parseXml,
  serializeXml,
  textOf,
} from './xml.js';

export interface SessionOptions {
  /** Bound on waiting for the peer's hello. Default 10 s. */
  helloTimeoutMs?: number;
  /** Default bound on each RPC. Default 30 s. */
  rpcTimeoutMs?: number;
  /** Cap on one incoming message. Default 64 MiB. */
  maxMessageBytes?: number;
  /** Capabilities to announce besides base:1.0 and base:1.1. */
  capabilities?: string[];
  /** Offer base:1.1 (chunked framing). Default true. */
  offerBase11?: boolean;
}

export interface RpcOptions {
  timeoutMs?: number;
}

export interface Notification {
  eventTime: string;
  /** The event: the first child of <notification> after <eventTime>. */
  event: XmlElement | undefined;
  /** The event serialised on its own, namespaces declared. */
  xml: string;
  element: XmlElement;
}

interface Pending {
  operation: string;
  resolve: (reply: XmlElement) => void;
  reject: (err: NetconfError) => void;
  timer: NodeJS.Timeout;
}

const MAX_REMEMBERED_TIMEOUTS = 1024;

function operationName(xml: string): string {
  const m = /^\s*<(?:[\w.-]+:)?([\w.-]+)/.exec(xml);
  return m ? m[1] : 'rpc';
}

/**
 * One NETCONF session (RFC 6241) over any byte stream: the hello exchange, framing,
 * message-id tracking with many RPCs in flight, per-RPC timeouts and notifications.
 * Events: 'notification' (Notification), 'close' (NetconfError | undefined).
 */
export class NetconfSession extends EventEmitter {
  sessionId = 0;
  capabilities: Capabilities = parseCapabilities([]);
  private framing: Framing = 'eom';
  private readonly decoder: FrameDecoder;
  private readonly pending = new Map<string, Pending>();
  private readonly timedOut = new Set<string>();
  private nextId = 1;
  private helloDone = false;
  private helloWaiter: { resolve: () => void; reject: (e: NetconfError) => void } | undefined;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private reason: NetconfError | undefined;
  private readonly rpcTimeoutMs: number;

  private constructor(
    private readonly stream: Duplex,
    private readonly opts: SessionOptions,
  ) {
    super();
    this.rpcTimeoutMs = opts.rpcTimeoutMs ?? 30_000;
    this.decoder = new FrameDecoder(opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES);
    stream.on('data', (chunk: Buffer | string) => this.onData(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    stream.on('error', (err: Error) =>
      this.fail(new NetconfError('NETCONF_CLOSED', `transport error: ${err.message}`, { cause: err })),
    );
    stream.on('end', () => this.onEnd());
    stream.on('close', () => this.onEnd());
  }

  /** Sends our hello, waits for the peer's, and settles the framing. */
  static async establish(stream: Duplex, opts: SessionOptions = {}): Promise<NetconfSession> {
    const s = new NetconfSession(stream, opts);
    await s.hello();
    return s;
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** Why the session ended, when it ended on an error. */
  get closeReason(): NetconfError | undefined {
    return this.reason;
  }

  get currentFraming(): Framing {
    return this.framing;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  private hello(): Promise<void> {
    const caps = [BASE_10];
    if (this.opts.offerBase11 !== false) caps.push(BASE_11);
    caps.push(...(this.opts.capabilities ?? []));
    const xml =
      `<?xml version="1.0" encoding="UTF-8"?><hello xmlns="${NS_BASE}"><capabilities>` +
      caps.map((c) => `<capability>${escapeText(c)}</capability>`).join('') +
      '</capabilities></hello>';
    const timeoutMs = this.opts.helloTimeoutMs ?? 10_000;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(new NetconfError('NETCONF_TIMEOUT', `no hello from the device within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.helloWaiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.send(xml);
    });
  }

  private onHello(msg: Buffer): void {
    let doc: XmlElement;
    try {
      doc = parseXml(msg);
    } catch (err) {
      throw new NetconfError('NETCONF_HELLO', `the device sent no valid hello: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (doc.name !== 'hello' || doc.ns !== NS_BASE) {
      throw new NetconfError('NETCONF_HELLO', `expected <hello> in ${NS_BASE}, got <${doc.name}> in "${doc.ns}"`);
    }
    const capsEl = element(doc, 'capabilities', NS_BASE);
    const uris = capsEl ? elements(capsEl, 'capability', NS_BASE).map((c) => textOf(c).trim()) : [];
    const caps = parseCapabilities(uris);
    if (!caps.base10 && !caps.base11) {
      throw new NetconfError('NETCONF_HELLO', 'the device hello offers neither base:1.0 nor base:1.1');
    }
    const idEl = element(doc, 'session-id', NS_BASE);
    const idText = idEl ? textOf(idEl).trim() : '';
    if (!/^[1-9]\d{0,9}$/.test(idText) || Number(idText) > 4294967295) {
      throw new NetconfError('NETCONF_HELLO', `the device hello has no valid session-id (got "${idText}")`);
    }
    this.sessionId = Number(idText);
    this.capabilities = caps;
    const useBase11 = caps.base11 && this.opts.offerBase11 !== false;
    if (!useBase11 && !caps.base10) {
      throw new NetconfError('NETCONF_HELLO', 'no common base capability (the device offers only base:1.1)');
    }
    this.framing = useBase11 ? 'chunked' : 'eom';
    this.decoder.setFraming(this.framing);
    this.helloDone = true;
    this.helloWaiter?.resolve();
    this.helloWaiter = undefined;
  }

  /**
   * Sends `<rpc>` around an operation and resolves with the <rpc-reply> element.
   * An <rpc-error> of severity error rejects with NetconfRpcError.
   */
  rpc(operationXml: string, opts: RpcOptions = {}): Promise<XmlElement> {
    return this.call(operationXml, opts, this.state === 'open');
  }

  private call(operationXml: string, opts: RpcOptions, allowed: boolean): Promise<XmlElement> {
    const operation = operationName(operationXml);
    if (!allowed || this.state === 'closed' || !this.helloDone) {
      return Promise.reject(
        this.reason ?? new NetconfError('NETCONF_CLOSED', `cannot send ${operation}: the session is closed`),
      );
    }
    const id = String(this.nextId++);
    const timeoutMs = opts.timeoutMs ?? this.rpcTimeoutMs;
    return new Promise<XmlElement>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.pending.delete(id)) return;
        this.timedOut.add(id);
        if (this.timedOut.size > MAX_REMEMBERED_TIMEOUTS) {
          this.timedOut.delete(this.timedOut.values().next().value as string);
        }
        reject(
          new NetconfError('NETCONF_TIMEOUT', `no reply to ${operation} (message-id ${id}) within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.pending.set(id, { operation, resolve, reject, timer });
      this.send(`<rpc xmlns="${NS_BASE}" message-id="${id}">${operationXml}</rpc>`);
    });
  }

  private send(xml: string): void {
    if (this.state === 'closed') return;
    try {
      this.stream.write(encodeFrame(this.framing, xml));
    } catch (err) {
      this.fail(
        err instanceof NetconfError ? err : new NetconfError('NETCONF_CLOSED', `write failed: ${(err as Error).message}`),
      );
    }
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'closed') return;
    this.decoder.push(chunk);
    try {
      for (let msg = this.decoder.next(); msg !== undefined; msg = this.decoder.next()) {
        if (this.helloDone) this.onMessage(msg);
        else this.onHello(msg);
        if (this.closed) return;
      }
    } catch (err) {
      this.fail(err instanceof NetconfError ? err : new NetconfError('NETCONF_PROTOCOL', String(err)));
    }
  }

  private onMessage(msg: Buffer): void {
    const doc = parseXml(msg);
    if (doc.name === 'rpc-reply' && doc.ns === NS_BASE) {
      this.onReply(doc);
    } else if (doc.name === 'notification' && doc.ns === NS_NOTIFICATION) {
      this.emit('notification', toNotification(doc));
    } else {
      throw new NetconfError('NETCONF_PROTOCOL', `unexpected message <${doc.name}> in "${doc.ns}"`);
    }
  }

  private onReply(doc: XmlElement): void {
    const id = attribute(doc, 'message-id');
    if (id === undefined) {
      const errors = parseRpcErrors(doc);
      const detail = errors.length > 0 ? `: ${new NetconfRpcError('rpc', errors).message}` : '';
      throw new NetconfError('NETCONF_PROTOCOL', `rpc-reply without message-id${detail}`);
    }
    const p = this.pending.get(id);
    if (!p) {
      if (this.timedOut.delete(id)) return;
      throw new NetconfError('NETCONF_PROTOCOL', `rpc-reply with unknown message-id "${id}"`);
    }
    this.pending.delete(id);
    clearTimeout(p.timer);
    const errors = parseRpcErrors(doc);
    if (errors.some((e) => e.severity !== 'warning')) {
      const xml = elements(doc, 'rpc-error', NS_BASE).map(serializeXml).join('');
      p.reject(new NetconfRpcError(p.operation, errors, xml));
    }
    else p.resolve(doc);
  }

  private onEnd(): void {
    if (this.state === 'closed') return;
    if (this.state === 'closing') {
      this.finish(undefined);
      return;
    }
    if (this.decoder.inMessage) {
      this.fail(new NetconfError('NETCONF_FRAMING', 'the device closed the session inside an unterminated message'));
    } else {
      this.fail(new NetconfError('NETCONF_CLOSED', 'the device closed the session'));
    }
  }

  /** Ends the session on an error: every pending RPC is rejected with it. */
  fail(err: NetconfError): void {
    if (this.state === 'closed') return;
    this.finish(err);
  }

  private finish(err: NetconfError | undefined): void {
    this.state = 'closed';
    this.reason = err;
    const rejection = err ?? new NetconfError('NETCONF_CLOSED', 'the session was closed');
    this.helloWaiter?.reject(rejection);
    this.helloWaiter = undefined;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(rejection);
    }
    this.pending.clear();
    this.stream.destroy();
    this.emit('close', err);
  }

  /**
   * Sends <close-session/> (bounded wait), then closes the stream. Idempotent.
   * `strict`: a refusal or no answer is thrown (after the stream is closed all the same).
   */
  async close(timeoutMs = 2000, strict = false): Promise<void> {
    if (this.state !== 'open') {
      if (strict) throw this.reason ?? new NetconfError('NETCONF_CLOSED', 'cannot send close-session: the session is closed');
      return;
    }
    this.state = 'closing';
    let failure: unknown;
    if (this.helloDone) {
      try {
        const reply = await this.call('<close-session/>', { timeoutMs }, true);
        if (!element(reply, 'ok', NS_BASE)) failure = new NetconfError('NETCONF_PROTOCOL', 'rpc-reply to close-session without <ok/>');
      } catch (err) {
        // The stream is closed below either way.
        failure = err;
      }
    }
    if (!this.closed) {
      this.stream.end();
      this.finish(undefined);
    }
    if (strict && failure) throw failure;
  }
}

function toNotification(doc: XmlElement): Notification {
  const timeEl = element(doc, 'eventTime', NS_NOTIFICATION);
  const event = elements(doc).find((c) => c !== timeEl);
  return {
    eventTime: timeEl ? textOf(timeEl).trim() : '',
    event,
    xml: event ? serializeXml(event) : '',
    element: doc,
  };
}
