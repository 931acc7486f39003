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

  build(): grpc.ChannelCredentials {
    const s = this.setting;
    if (s === 'insecure') return grpc.credentials.createInsecure();
    if ((s.cert === undefined) !== (s.key === undefined)) throw new Error('TLS client certificate needs both cert and key');
    const verify: grpc.VerifyOptions = s.skipVerify ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {};
    return grpc.credentials.createSsl(
      s.ca ? pemOrFile(s.ca) : null,
      s.key ? pemOrFile(s.key) : null,
      s.cert ? pemOrFile(s.cert) : null,
      verify,
    );
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
        sock.on('error', (e) => done(`cannot connect to ${host}:${port}: ${e.message}`, sock));
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
