import { Duplex } from 'node:stream';
import { FrameDecoder, type Framing, encodeChunked, encodeEom } from './framing.js';
import { NS_BASE, attribute, parseXml, type XmlElement } from './xml.js';

export const FULL_CAPS = [
  'urn:ietf:params:netconf:base:1.0',
  'urn:ietf:params:netconf:base:1.1',
  'urn:ietf:params:netconf:capability:candidate:1.0',
  'urn:ietf:params:netconf:capability:confirmed-commit:1.1',
  'urn:ietf:params:netconf:capability:validate:1.1',
  'urn:ietf:params:netconf:capability:xpath:1.0',
  'urn:ietf:params:netconf:capability:notification:1.0',
  'urn:ietf:params:netconf:capability:rollback-on-error:1.0',
  'urn:ietf:params:netconf:capability:with-defaults:1.0?basic-mode=explicit&amp;also-supported=report-all,trim',
  'urn:ietf:params:netconf:capability:yang-library:1.0?revision=2016-06-21&amp;module-set-id=abc',
  'urn:ietf:params:xml:ns:yang:ietf-interfaces?module=ietf-interfaces&amp;revision=2014-05-08&amp;features=arbitrary-names,pre-provisioning',
];

export function helloXml(caps: string[] = FULL_CAPS, sessionId: string | undefined = '42'): string {
  return (
    `<hello xmlns="${NS_BASE}"><capabilities>${caps.map((c) => `<capability>${c}</capability>`).join('')}</capabilities>` +
    (sessionId === undefined ? '' : `<session-id>${sessionId}</session-id>`) +
    '</hello>'
  );
}

export interface Request {
  messageId: string;
  /** Local name of the operation element. */
  op: string;
  xml: string;
  rpc: XmlElement;
}

/**
 * A scripted NETCONF peer on an in-memory stream, for protocol edge cases.
 * `onRpc` answers each request; by default nothing is answered.
 */
export class FakeDevice {
  readonly stream: Duplex;
  readonly requests: Request[] = [];
  clientHello: XmlElement | undefined;
  framing: Framing = 'eom';
  onRpc: (req: Request, dev: FakeDevice) => void = () => {};
  private readonly decoder = new FrameDecoder();
  ended = false;

  constructor() {
    this.stream = new Duplex({
      read() {},
      write: (chunk: Buffer, _enc, cb) => {
        this.receive(chunk);
        cb();
      },
      final: (cb) => {
        this.ended = true;
        cb();
      },
    });
  }

  /** Raw bytes to the client. */
  sendRaw(data: string | Buffer): void {
    this.stream.push(typeof data === 'string' ? Buffer.from(data) : data);
  }

  /** A message framed the way the session currently frames. */
  send(xml: string): void {
    this.sendRaw(this.framing === 'eom' ? encodeEom(xml) : encodeChunked(xml, 97));
  }

  hello(caps?: string[], sessionId?: string): void {
    this.sendRaw(encodeEom(helloXml(caps, sessionId)));
    const offers11 = (caps ?? FULL_CAPS).includes('urn:ietf:params:netconf:base:1.1');
    this.pendingFraming = offers11 ? 'chunked' : 'eom';
  }

  private pendingFraming: Framing = 'eom';

  reply(req: Request, body: string, attrs = ''): void {
    this.send(`<rpc-reply xmlns="${NS_BASE}" message-id="${req.messageId}"${attrs}>${body}</rpc-reply>`);
  }

  end(): void {
    this.stream.push(null);
  }

  private receive(chunk: Buffer): void {
    this.decoder.push(chunk);
    for (let msg = this.decoder.next(); msg !== undefined; msg = this.decoder.next()) {
      const doc = parseXml(msg);
      if (!this.clientHello) {
        this.clientHello = doc;
        const clientOffers11 = msg.toString().includes('urn:ietf:params:netconf:base:1.1');
        this.framing = clientOffers11 ? this.pendingFraming : 'eom';
        this.decoder.setFraming(this.framing);
        continue;
      }
      const op = doc.children.find((c) => typeof c !== 'string') as XmlElement | undefined;
      const req: Request = {
        messageId: attribute(doc, 'message-id') ?? '',
        op: op?.name ?? '',
        xml: msg.toString(),
        rpc: doc,
      };
      this.requests.push(req);
      this.onRpc(req, this);
    }
  }
}
