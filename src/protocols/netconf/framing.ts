import { NetconfError } from './errors.js';

/** RFC 6242: base:1.0 end-of-message framing, base:1.1 chunked framing. */
export type Framing = 'eom' | 'chunked';

export const EOM = ']]>]]>';
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
const MAX_CHUNK_SIZE = 4294967295;
const EOM_BYTES = Buffer.from(EOM, 'latin1');
const LF = 0x0a;
const HASH = 0x23;

export function encodeEom(message: string | Buffer): Buffer {
  const body = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  if (body.includes(EOM_BYTES)) {
    throw new NetconfError('NETCONF_FRAMING', 'message contains the base:1.0 delimiter ]]>]]> and cannot be framed');
  }
  return Buffer.concat([body, EOM_BYTES]);
}

export function encodeChunked(message: string | Buffer, maxChunkBytes = 65536): Buffer {
  const body = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  if (maxChunkBytes < 1 || maxChunkBytes > MAX_CHUNK_SIZE) {
    throw new NetconfError('NETCONF_INVALID_ARGUMENT', `chunk size ${maxChunkBytes} outside 1..${MAX_CHUNK_SIZE}`);
  }
  const parts: Buffer[] = [];
  for (let off = 0; off < body.length; off += maxChunkBytes) {
    const chunk = body.subarray(off, Math.min(body.length, off + maxChunkBytes));
    parts.push(Buffer.from(`\n#${chunk.length}\n`, 'latin1'), chunk);
  }
  parts.push(Buffer.from('\n##\n', 'latin1'));
  return Buffer.concat(parts);
}

export function encodeFrame(framing: Framing, message: string | Buffer): Buffer {
  return framing === 'eom' ? encodeEom(message) : encodeChunked(message);
}

/** KMP failure table of "]]>]]>": after a mismatch, how much of the delimiter still matches. */
const EOM_FAIL = (() => {
  const fail = new Array<number>(EOM_BYTES.length).fill(0);
  for (let i = 1, k = 0; i < EOM_BYTES.length; i++) {
    while (k > 0 && EOM_BYTES[i] !== EOM_BYTES[k]) k = fail[k - 1];
    if (EOM_BYTES[i] === EOM_BYTES[k]) k++;
    fail[i] = k;
  }
  return fail;
})();

type ChunkState = 'lf' | 'hash' | 'first' | 'size' | 'data' | 'end-lf';

/**
 * Streaming decoder for both framings. Bytes go in with push(); complete messages come
 * out of next() one by one, so a caller can switch framing right after the hello and the
 * bytes that followed it are decoded with the new framing.
 */
export class FrameDecoder {
  private framing: Framing = 'eom';
  private readonly queue: Buffer[] = [];
  private parts: Buffer[] = [];
  private size = 0;
  // end-of-message state
  private matched = 0;
  // chunked state
  private state: ChunkState = 'lf';
  private chunkLeft = 0;
  private sizeDigits = '';
  private failed: NetconfError | undefined;

  constructor(private readonly maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES) {}

  get currentFraming(): Framing {
    return this.framing;
  }

  /** True while part of a message has been read but not its end. */
  get inMessage(): boolean {
    return this.size > 0 || this.matched > 0 || this.state !== 'lf';
  }

  setFraming(framing: Framing): void {
    if (this.inMessage) throw new NetconfError('NETCONF_FRAMING', 'framing changed in the middle of a message');
    this.framing = framing;
  }

  push(data: Buffer): void {
    if (data.length > 0) this.queue.push(data);
  }

  /** The next complete message, or undefined when more bytes are needed. Throws NetconfError. */
  next(): Buffer | undefined {
    if (this.failed) throw this.failed;
    try {
      while (this.queue.length > 0) {
        const buf = this.queue[0];
        const { used, done } = this.framing === 'eom' ? this.feedEom(buf) : this.feedChunked(buf);
        if (used >= buf.length) this.queue.shift();
        else this.queue[0] = buf.subarray(used);
        if (done) return this.take();
      }
      return undefined;
    } catch (err) {
      this.failed = err instanceof NetconfError ? err : new NetconfError('NETCONF_FRAMING', String(err));
      this.queue.length = 0;
      this.parts = [];
      throw this.failed;
    }
  }

  private take(): Buffer {
    const msg = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    return msg;
  }

  private tooLarge(): NetconfError {
    return new NetconfError(
      'NETCONF_MESSAGE_TOO_LARGE',
      `message larger than the limit of ${this.maxMessageBytes} bytes`,
    );
  }

  private feedEom(buf: Buffer): { used: number; done: boolean } {
    let k = this.matched;
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i];
      while (k > 0 && b !== EOM_BYTES[k]) k = EOM_FAIL[k - 1];
      if (b === EOM_BYTES[k]) k++;
      if (k === EOM_BYTES.length) {
        // The message is everything before the delimiter, which may have begun in earlier reads.
        const carried = Math.max(0, EOM_BYTES.length - (i + 1));
        this.addEomBytes(buf.subarray(0, i + 1 - EOM_BYTES.length + carried));
        this.dropCarried(carried);
        this.matched = 0;
        return { used: i + 1, done: true };
      }
    }
    this.matched = k;
    this.addEomBytes(buf);
    return { used: buf.length, done: false };
  }

  private addEomBytes(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.parts.push(Buffer.from(bytes));
    this.size += bytes.length;
    if (this.size - this.matched > this.maxMessageBytes) throw this.tooLarge();
  }

  /** Removes the first bytes of a delimiter that were stored as message bytes in earlier reads. */
  private dropCarried(n: number): void {
    let left = n;
    while (left > 0) {
      const last = this.parts[this.parts.length - 1];
      if (last.length <= left) {
        this.parts.pop();
        left -= last.length;
        this.size -= last.length;
      } else {
        this.parts[this.parts.length - 1] = last.subarray(0, last.length - left);
        this.size -= left;
        left = 0;
      }
    }
  }

  private feedChunked(buf: Buffer): { used: number; done: boolean } {
    let i = 0;
    while (i < buf.length) {
      const b = buf[i];
      switch (this.state) {
        case 'lf':
          if (b !== LF) throw this.bad(`expected LF starting a chunk header, got ${show(b)}`);
          this.state = 'hash';
          i++;
          break;
        case 'hash':
          if (b !== HASH) throw this.bad(`expected # in a chunk header, got ${show(b)}`);
          this.state = 'first';
          i++;
          break;
        case 'first':
          if (b === HASH) {
            if (this.size === 0) throw this.bad('end-of-chunks marker before any chunk');
            this.state = 'end-lf';
          } else if (b >= 0x31 && b <= 0x39) {
            this.sizeDigits = String.fromCharCode(b);
            this.state = 'size';
          } else {
            throw this.bad(`chunk size must start with a digit 1-9, got ${show(b)}`);
          }
          i++;
          break;
        case 'size':
          if (b === LF) {
            const n = Number(this.sizeDigits);
            if (n > MAX_CHUNK_SIZE) throw this.bad(`chunk size ${this.sizeDigits} exceeds ${MAX_CHUNK_SIZE}`);
            if (this.size + n > this.maxMessageBytes) throw this.tooLarge();
            this.chunkLeft = n;
            this.state = 'data';
          } else if (b >= 0x30 && b <= 0x39 && this.sizeDigits.length < 10) {
            this.sizeDigits += String.fromCharCode(b);
          } else {
            throw this.bad(`invalid chunk size "${this.sizeDigits}${show(b)}"`);
          }
          i++;
          break;
        case 'data': {
          const n = Math.min(this.chunkLeft, buf.length - i);
          this.parts.push(Buffer.from(buf.subarray(i, i + n)));
          this.size += n;
          this.chunkLeft -= n;
          i += n;
          if (this.chunkLeft === 0) this.state = 'lf';
          break;
        }
        case 'end-lf':
          if (b !== LF) throw this.bad(`expected LF after ##, got ${show(b)}`);
          this.state = 'lf';
          return { used: i + 1, done: true };
      }
    }
    return { used: i, done: false };
  }

  private bad(message: string): NetconfError {
    return new NetconfError('NETCONF_FRAMING', `chunked framing: ${message}`);
  }
}

function show(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `0x${b.toString(16).padStart(2, '0')}`;
}
