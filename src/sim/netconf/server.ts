/** An SSH server (RFC 6242) carrying the "netconf" subsystem of one simulated device. */
import ssh2 from 'ssh2';
import type { SimDevice } from './device.js';
import type { HostKey } from './hostkey.js';
import { ServerSession } from './session.js';
import { type NetconfUser, checkPassword } from './users.js';

export interface NetconfServerOptions {
  host: string;
  /** 0: a free port. */
  port: number;
  hostKey: HostKey;
  users: readonly NetconfUser[];
  maxMessageBytes: number;
  helloTimeoutMs?: number;
}

export interface NetconfServer {
  readonly port: number;
  /** Open NETCONF sessions. */
  readonly sessions: number;
  close(): Promise<void>;
}

const MAX_AUTH_ATTEMPTS = 6;

export async function startNetconfServer(device: SimDevice, opts: NetconfServerOptions): Promise<NetconfServer> {
  if (opts.users.length === 0) throw new Error('no users: give at least one NAME:PASS (there is no default password)');
  const connections = new Set<ssh2.Connection>();
  let sessions = 0;
  const server = new ssh2.Server({ hostKeys: [opts.hostKey.privateKey] }, (conn, info) => {
    connections.add(conn);
    let username = '';
    let failures = 0;
    conn.on('authentication', (ctx) => {
      if (ctx.method === 'password' && checkPassword(opts.users, ctx.username, ctx.password)) {
        username = ctx.username;
        ctx.accept();
        return;
      }
      if (ctx.method !== 'none' && ++failures >= MAX_AUTH_ATTEMPTS) {
        conn.end();
        return;
      }
      ctx.reject(['password']);
    });
    conn.on('ready', () => {
      conn.on('session', (accept) => {
        const session = accept();
        session.on('subsystem', (acceptSub, rejectSub, sub) => {
          if (sub.name !== 'netconf') {
            rejectSub();
            return;
          }
          const channel = acceptSub();
          sessions++;
          new ServerSession(channel, device, {
            username,
            sourceHost: info.ip,
            maxMessageBytes: opts.maxMessageBytes,
            helloTimeoutMs: opts.helloTimeoutMs,
            closeTransport: () => {
              channel.destroy();
              conn.end();
            },
            onEnd: () => {
              sessions--;
            },
          });
        });
      });
    });
    conn.on('error', () => {
      // A client that goes away mid-handshake; its session, if any, ends on the channel's close.
    });
    conn.on('close', () => connections.delete(conn));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    port,
    get sessions() {
      return sessions;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of connections) c.end();
        server.close(() => resolve());
      }),
  };
}
