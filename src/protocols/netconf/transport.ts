import type { Duplex } from 'node:stream';
import { Client, type ConnectConfig } from 'ssh2';
import { NetconfError } from './errors.js';
import { fingerprintSha256, knownHostsVerifier, normaliseFingerprint } from './hostkeys.js';

export type HostKeyPolicy = { fingerprint: string } | { knownHostsFile: string } | 'insecure-accept-any';

export interface SshOptions {
  host: string;
  port?: number;
  username: string;
  password?: string;
  privateKey?: string | Buffer;
  passphrase?: string;
  /** Path of an ssh-agent socket whose keys may authenticate (e.g. SSH_AUTH_SOCK). */
  agent?: string;
  hostKey: HostKeyPolicy;
  /** Bound on TCP connect, SSH handshake, authentication and opening the subsystem. Default 10 s. */
  timeoutMs?: number;
  /** SSH keepalive interval; 0 disables. Default 10 s. */
  keepaliveIntervalMs?: number;
  /** Unanswered keepalives before the connection is dropped. Default 3. */
  keepaliveCountMax?: number;
}

export interface SshTransport {
  stream: Duplex;
  /** SHA256 fingerprint of the key the device presented. */
  hostKeyFingerprint: string;
  close(): void;
}

/** Opens SSH to a device and its "netconf" subsystem (RFC 6242). Secrets never appear in errors. */
export function openSsh(opts: SshOptions): Promise<SshTransport> {
  const port = opts.port ?? 830;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  if (opts.password === undefined && opts.privateKey === undefined && opts.agent === undefined) {
    return Promise.reject(new NetconfError('NETCONF_INVALID_ARGUMENT', 'a password, a private key or an ssh-agent is needed'));
  }
  let verify: (blob: Buffer) => boolean;
  const config: ConnectConfig = {
    host: opts.host,
    port,
    username: opts.username,
    readyTimeout: timeoutMs,
    keepaliveInterval: opts.keepaliveIntervalMs ?? 10_000,
    keepaliveCountMax: opts.keepaliveCountMax ?? 3,
    tryKeyboard: false,
  };
  if (opts.password !== undefined) config.password = opts.password;
  if (opts.privateKey !== undefined) config.privateKey = opts.privateKey;
  if (opts.passphrase !== undefined) config.passphrase = opts.passphrase;
  if (opts.agent !== undefined) config.agent = opts.agent;
  try {
    const policy = opts.hostKey;
    if (policy === 'insecure-accept-any') {
      verify = () => true;
    } else if (policy && typeof policy === 'object' && 'fingerprint' in policy) {
      const want = normaliseFingerprint(policy.fingerprint);
      verify = (blob) => fingerprintSha256(blob) === want;
    } else if (policy && typeof policy === 'object' && 'knownHostsFile' in policy) {
      const kh = knownHostsVerifier(policy.knownHostsFile, opts.host, port);
      verify = kh.verify;
      config.algorithms = { serverHostKey: kh.algorithms as never };
    } else {
      throw new NetconfError(
        'NETCONF_INVALID_ARGUMENT',
        "hostKey must be {fingerprint}, {knownHostsFile} or 'insecure-accept-any'",
      );
    }
  } catch (err) {
    return Promise.reject(err);
  }

  return new Promise<SshTransport>((resolve, reject) => {
    const client = new Client();
    let presented = '';
    let hostKeyRejected = false;
    let settled = false;
    const timer = setTimeout(
      () => settle(new NetconfError('NETCONF_TIMEOUT', `no NETCONF session with ${opts.host}:${port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const settle = (err: NetconfError | undefined, value?: SshTransport): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        client.end();
        client.destroy();
        reject(err);
      } else if (value) {
        resolve(value);
      }
    };
    config.hostVerifier = (blob: Buffer): boolean => {
      presented = fingerprintSha256(blob);
      const ok = verify(blob);
      hostKeyRejected = !ok;
      return ok;
    };
    let channel: Duplex | undefined;
    let failed = false;
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      // Once the session is up (e.g. unanswered keepalives): the channel fails with the reason.
      // (ssh2's channel.destroy() takes no error and emits nothing when the socket is gone.)
      if (settled && channel && !failed && channel.listenerCount('error') > 0) {
        failed = true;
        const reason = /keepalive/i.test(err.message) ? `${err.message} (${opts.keepaliveCountMax ?? 3} SSH keepalives unanswered)` : err.message;
        channel.emit('error', new Error(`SSH connection to ${opts.host}:${port} failed: ${reason}`));
      }
      settle(classify(err, opts.host, port, hostKeyRejected, presented, timeoutMs));
    });
    client.on('close', () => {
      // The TCP connection went away under an open session: ssh2 tells the channel nothing.
      if (settled && channel && !failed && channel.listenerCount('error') > 0) {
        failed = true;
        channel.emit('error', new Error(`SSH connection to ${opts.host}:${port} closed`));
      }
      settle(new NetconfError('NETCONF_CONNECT', `${opts.host}:${port} closed the connection`));
    });
    client.on('ready', () => {
      client.subsys('netconf', (err, ch) => {
        if (err) {
          settle(new NetconfError('NETCONF_CONNECT', `${opts.host}:${port} refused the netconf subsystem: ${err.message}`));
          return;
        }
        channel = ch;
        ch.on('close', () => client.end());
        settle(undefined, {
          stream: ch,
          hostKeyFingerprint: presented,
          close: () => {
            ch.destroy();
            client.end();
          },
        });
      });
    });
    try {
      client.connect(config);
    } catch (err) {
      settle(classify(err as Error, opts.host, port, false, presented, timeoutMs));
    }
  });
}

function classify(
  err: Error & { level?: string; code?: string },
  host: string,
  port: number,
  hostKeyRejected: boolean,
  presented: string,
  timeoutMs: number,
): NetconfError {
  const where = `${host}:${port}`;
  if (hostKeyRejected) {
    return new NetconfError('NETCONF_HOSTKEY', `host key of ${where} (${presented}) does not match the expected key`);
  }
  if (err.level === 'client-authentication') {
    return new NetconfError('NETCONF_AUTH', `authentication to ${where} failed: ${err.message}`);
  }
  if (err.level === 'client-timeout' || /timed out/i.test(err.message)) {
    return new NetconfError('NETCONF_TIMEOUT', `no SSH handshake with ${where} within ${timeoutMs} ms`);
  }
  if (/private key|passphrase|unsupported key/i.test(err.message)) {
    return new NetconfError('NETCONF_INVALID_ARGUMENT', `private key unusable: ${err.message}`);
  }
  return new NetconfError('NETCONF_CONNECT', `cannot connect to ${where}: ${err.message}${err.code ? ` (${err.code})` : ''}`);
}
