import { createHash } from 'node:crypto';
import * as net from 'node:net';
import * as tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { filesStamp, isFilePath, pemOrFile, type PemSource } from './pem.js';

export interface GnmiClientTls {
  /** CA bundle the server certificate must chain to (PEM or file path); the system store when absent. */
  ca?: PemSource;
  /** Client certificate and key for mutual TLS (PEM or file paths). */
  cert?: PemSource;
  key?: PemSource;
  /** Encrypt but do not verify the server certificate. */
  skipVerify?: boolean;
  /** Name to verify the server certificate against, instead of the address host. */
  serverName?: string;
}

/**
 * The TLS server name sent to a target addressed by IP address without a configured server
 * name: a name under the reserved `.invalid` TLD (RFC 2606), which no certificate is chosen
 * for, so a server that selects certificates by name answers with its default one, as to a
 * client sending none. The certificate is still verified against the IP address.
 */
export const IP_TARGET_SERVER_NAME = 'ip-address.invalid';

/**
 * TLS contexts by content, shared by the channels that use the same CA, certificate and key
 * (one context holds the parsed CA store: ~tens of KiB of native memory each). Bounded; a
 * rotated file is new content and gets a new context.
 */
const contexts = new Map<string, tls.SecureContext>();
const CONTEXTS_KEPT = 64;

function secureContext(ca: PemSource | undefined, cert: PemSource | undefined, key: PemSource | undefined): tls.SecureContext {
  const pem = [ca, cert, key].map((x) => (x === undefined ? undefined : pemOrFile(x)));
  const id = createHash('sha256')
    .update(pem.map((b) => (b === undefined ? '-' : createHash('sha256').update(b).digest('hex'))).join(':'))
    .digest('hex');
  let ctx = contexts.get(id);
  if (ctx) {
    contexts.delete(id);
  } else {
    ctx = tls.createSecureContext({
      ...(pem[0] ? { ca: pem[0] } : {}),
      ...(pem[1] && pem[2] ? { cert: pem[1], key: pem[2] } : {}),
      ...(process.env.GRPC_SSL_CIPHER_SUITES ? { ciphers: process.env.GRPC_SSL_CIPHER_SUITES } : {}),
    });
    if (contexts.size >= CONTEXTS_KEPT) contexts.delete(contexts.keys().next().value!);
  }
  contexts.set(id, ctx);
  return ctx;
}

/** The channel credentials for a TLS setting, and a way to tell whether the files behind them changed. */
export class CredentialSource {
  private readonly files: string[];
  private stamp: string;

  constructor(private readonly setting: GnmiClientTls | 'insecure') {
    this.files = setting === 'insecure' ? [] : [setting.ca, setting.cert, setting.key].filter(isFilePath);
    this.stamp = filesStamp(this.files);
  }

  /** True once, after any certificate file was rewritten since the last build. */
  changed(): boolean {
    if (this.files.length === 0) return false;
    const now = filesStamp(this.files);
    if (now === this.stamp) return false;
    this.stamp = now;
    return true;
  }

  /**
   * Credentials for a channel to `host`. Without a configured server name an IP address is
   * verified against the certificate's IP addresses, as before, but is not sent as TLS server
   * name (RFC 6066 allows host names only: node warns DEP0123): grpc-js sends the channel
   * option `grpc.ssl_target_name_override` (see channelOptions) instead, and our
   * checkServerIdentity checks the certificate against the IP address.
   */
  build(host: string): grpc.ChannelCredentials {
    const s = this.setting;
    if (s === 'insecure') return grpc.credentials.createInsecure();
    if ((s.cert === undefined) !== (s.key === undefined)) throw new Error('TLS client certificate needs both cert and key');
    const ipTarget = s.serverName === undefined && net.isIP(host) !== 0;
    const verify: grpc.VerifyOptions = s.skipVerify
      ? { rejectUnauthorized: false, checkServerIdentity: () => undefined }
      : ipTarget
        ? { checkServerIdentity: (_name, cert) => tls.checkServerIdentity(host, cert) }
        : {};
    return grpc.credentials.createFromSecureContext(secureContext(s.ca, s.cert, s.key), verify);
  }

  /** Channel options the credentials need: the TLS server name to send for an IP address target. */
  channelOptions(host: string): grpc.ChannelOptions {
    const s = this.setting;
    if (s === 'insecure') return {};
    if (s.serverName) return { 'grpc.ssl_target_name_override': s.serverName, 'grpc.default_authority': s.serverName };
    return net.isIP(host) !== 0 ? { 'grpc.ssl_target_name_override': IP_TARGET_SERVER_NAME } : {};
  }

  get secure(): boolean {
    return this.setting !== 'insecure';
  }

  /**
   * Why a connection could not be made: the TLS handshake (or TCP connect) is repeated with
   * node's own sockets, whose errors name the cause (unknown CA, name mismatch, plaintext peer).
   */
  diagnose(host: string, port: number, timeoutMs: number): Promise<string> {
    const s = this.setting;
    return new Promise((resolve) => {
      let settled = false;
      const done = (msg: string, sock?: net.Socket) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        sock?.destroy();
        resolve(msg);
      };
      const timer = setTimeout(() => done(`no answer from ${host}:${port} within ${timeoutMs} ms`), timeoutMs);
      if (s === 'insecure') {
        const sock = net.connect({ host, port }, () => done(`TCP connection to ${host}:${port} works but gRPC did not start (is the target using TLS?)`, sock));
        sock.on('error', (e) => done(e.message, sock));
        return;
      }
      const servername = s.serverName ?? (net.isIP(host) ? undefined : host);
      const sock = tls.connect(
        {
          host,
          port,
          ...(servername ? { servername } : {}),
          ca: s.ca ? pemOrFile(s.ca) : undefined,
          cert: s.cert ? pemOrFile(s.cert) : undefined,
          key: s.key ? pemOrFile(s.key) : undefined,
          rejectUnauthorized: !s.skipVerify,
          checkServerIdentity: s.skipVerify ? () => undefined : (_h, cert) => tls.checkServerIdentity(s.serverName ?? host, cert),
          ALPNProtocols: ['h2'],
        },
        () => {
          sock.once('error', (e) => done(`TLS session with ${host}:${port} was closed by the server: ${e.message} (is a client certificate required?)`, sock));
          sock.once('close', () => done(`TLS session with ${host}:${port} was closed by the server (is a client certificate required?)`, sock));
          setTimeout(() => done(`TLS handshake with ${host}:${port} succeeded but gRPC did not start`, sock), 300);
        },
      );
      sock.on('error', (e: NodeJS.ErrnoException) => {
        const code = e.code ? ` (${e.code})` : '';
        const reason = /routines:[^:]*:([^:]+)/.exec(e.message)?.[1] ?? e.message.trim();
        const hint = /wrong version number|packet length too long|ECONNRESET|unexpected eof/i.test(`${e.message} ${e.code}`)
          ? ' — the target may be plaintext; use insecure only if that is intended'
          : '';
        done(`TLS handshake with ${host}:${port} failed: ${reason}${code}${hint}`, sock);
      });
    });
  }
}
