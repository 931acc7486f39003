/** The server side of one NETCONF session (RFC 6241/6242) over any byte stream. */
import type { Duplex } from 'node:stream';
import { BASE_10, BASE_11 } from '../../protocols/netconf/capabilities.js';
import { NetconfError } from '../../protocols/netconf/errors.js';
import { FrameDecoder, type Framing, encodeFrame } from '../../protocols/netconf/framing.js';
import { NS_BASE, type XmlElement, element, elements, escapeAttr, escapeText, isElement, parseXml, textOf } from '../../protocols/netconf/xml.js';
import type { SessionHandle, SimDevice } from './device.js';
import { RpcFault, RpcFaultList, rpcErrorXml } from './errors.js';
import { runOperation } from './rpc.js';

export interface ServerSessionOptions {
  username: string;
  sourceHost: string;
  /** Cap on one incoming message: larger ones end the session with a too-big error. */
  maxMessageBytes: number;
  /** Bound on waiting for the client's hello. Default 60 s. */
  helloTimeoutMs?: number;
  /** Notifications are dropped while more than this many reply bytes wait unsent. Default 4 MiB. */
  maxQueuedBytes?: number;
  /** Ends the transport under the session (the SSH connection); the stream is destroyed when absent. */
  closeTransport?: () => void;
  /** Called once when the session has ended. */
  onEnd?: () => void;
}

export class ServerSession implements SessionHandle {
  readonly sessionId: number;
  readonly username: string;
  readonly sourceHost: string;
  subscription?: { filter?: XmlElement[] };
  /** Notifications not sent because the client did not read fast enough. */
  droppedNotifications = 0;
  private framing: Framing = 'eom';
  private readonly decoder: FrameDecoder;
  private helloDone = false;
  private ended = false;
  private paused = false;
  private readonly helloTimer: NodeJS.Timeout;

  constructor(
    private readonly stream: Duplex,
    private readonly device: SimDevice,
    private readonly opts: ServerSessionOptions,
  ) {
    this.sessionId = device.allocateSessionId();
    this.username = opts.username;
    this.sourceHost = opts.sourceHost;
    this.decoder = new FrameDecoder(opts.maxMessageBytes);
    stream.on('data', (chunk: Buffer | string) => this.onData(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    stream.on('error', () => this.end('dropped'));
    stream.on('close', () => this.end('dropped'));
    stream.on('end', () => this.end('dropped'));
    this.helloTimer = setTimeout(() => this.end('dropped'), opts.helloTimeoutMs ?? 60_000);
    this.helloTimer.unref();
    const caps = device.capabilities().map((c) => `<capability>${escapeText(c)}</capability>`).join('');
    this.write(`<?xml version="1.0" encoding="UTF-8"?><hello xmlns="${NS_BASE}"><capabilities>${caps}</capabilities><session-id>${this.sessionId}</session-id></hello>`);
  }

  get currentFraming(): Framing {
    return this.framing;
  }

  private write(xml: string): void {
    if (this.ended) return;
    const ok = this.stream.write(encodeFrame(this.framing, xml));
    if (!ok && !this.paused) {
      // The client is not reading its replies: stop reading its requests until it does.
      this.paused = true;
      this.stream.pause();
      this.stream.once('drain', () => {
        this.paused = false;
        this.stream.resume();
      });
    }
  }

  sendNotification(xml: string): void {
    if (!this.helloDone || this.ended) return;
    if (this.stream.writableLength > (this.opts.maxQueuedBytes ?? 4 * 1024 * 1024)) {
      this.droppedNotifications++;
      return;
    }
    this.write(xml);
  }

  /** kill-session from another session; the device detaches this session itself. */
  terminate(): void {
    if (this.ended) return;
    this.ended = true;
    this.shutdown();
  }

  private shutdown(): void {
    clearTimeout(this.helloTimer);
    this.stream.removeAllListeners('data');
    if (this.opts.closeTransport) this.opts.closeTransport();
    else this.stream.destroy();
    this.opts.onEnd?.();
  }

  private end(reason: 'closed' | 'dropped'): void {
    if (this.ended) return;
    this.ended = true;
    this.device.detach(this, reason);
    this.shutdown();
  }

  private onData(chunk: Buffer): void {
    if (this.ended) return;
    this.decoder.push(chunk);
    try {
      for (let msg = this.decoder.next(); msg !== undefined && !this.ended; msg = this.decoder.next()) {
        if (this.helloDone) this.onRpc(msg);
        else this.onHello(msg);
      }
    } catch (err) {
      if (err instanceof NetconfError && err.code === 'NETCONF_MESSAGE_TOO_LARGE') {
        this.reply('', new RpcFault('rpc', 'too-big', `${err.message}; the session is closed`));
      }
      this.end('dropped');
    }
  }

  private onHello(msg: Buffer): void {
    let hello: XmlElement;
    try {
      hello = parseXml(msg);
    } catch {
      this.end('dropped');
      return;
    }
    const caps = element(hello, 'capabilities', NS_BASE);
    const uris = caps ? elements(caps, 'capability', NS_BASE).map((c) => textOf(c).trim()) : [];
    // RFC 6241 §8.1: a client hello carrying a session-id, or without a base capability, ends the session.
    if (hello.name !== 'hello' || hello.ns !== NS_BASE || element(hello, 'session-id', NS_BASE) || !uris.some((u) => u === BASE_10 || u === BASE_11)) {
      this.end('dropped');
      return;
    }
    clearTimeout(this.helloTimer);
    this.framing = uris.includes(BASE_11) ? 'chunked' : 'eom';
    this.decoder.setFraming(this.framing);
    this.helloDone = true;
    this.device.attach(this);
  }

  private reply(attrs: string, outcome: string | RpcFault | RpcFaultList): void {
    let body: string;
    if (typeof outcome === 'string') body = outcome;
    else if (outcome instanceof RpcFaultList) body = outcome.faults.map(rpcErrorXml).join('');
    else body = rpcErrorXml(outcome);
    this.write(`<rpc-reply xmlns="${NS_BASE}"${attrs}>${body}</rpc-reply>`);
  }

  private onRpc(msg: Buffer): void {
    let doc: XmlElement;
    try {
      doc = parseXml(msg);
    } catch (err) {
      const tag = this.framing === 'chunked' ? 'malformed-message' : 'operation-failed';
      this.reply('', new RpcFault('rpc', tag, `the message is not well-formed XML: ${(err as Error).message}`));
      return;
    }
    if (doc.name !== 'rpc' || doc.ns !== NS_BASE) {
      this.reply('', new RpcFault('rpc', 'unknown-element', `expected <rpc> in "${NS_BASE}", got <${doc.name}>`, { info: { 'bad-element': doc.name } }));
      return;
    }
    const attrs = doc.attrs
      .filter((a) => a.prefix === '')
      .map((a) => ` ${a.name}="${escapeAttr(a.value)}"`)
      .join('');
    if (!doc.attrs.some((a) => a.name === 'message-id' && a.prefix === '')) {
      this.reply(attrs, new RpcFault('rpc', 'missing-attribute', '<rpc> without a message-id', { info: { 'bad-attribute': 'message-id', 'bad-element': 'rpc' } }));
      return;
    }
    const ops = doc.children.filter(isElement);
    if (ops.length !== 1) {
      this.reply(attrs, new RpcFault('rpc', ops.length === 0 ? 'missing-element' : 'unknown-element', '<rpc> must hold exactly one operation', { info: { 'bad-element': 'rpc' } }));
      return;
    }
    try {
      const result = runOperation(this.device, this, ops[0]);
      this.reply(attrs, result.body);
      if (result.close) this.closeAfterReply();
    } catch (err) {
      if (err instanceof RpcFault || err instanceof RpcFaultList) this.reply(attrs, err);
      else this.reply(attrs, new RpcFault('application', 'operation-failed', `internal error: ${(err as Error).message}`));
    }
  }

  private closeAfterReply(): void {
    this.ended = true;
    clearTimeout(this.helloTimer);
    this.device.detach(this, 'closed');
    this.stream.end(() => this.shutdown());
  }
}
