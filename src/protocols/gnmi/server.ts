import { Server as NetServer, type Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { decodePath, decodeUpdate, encodeNotification, encodePath } from './codec.js';
import { joinPath } from './path.js';
import { type PemSource, pemOrFile } from './pem.js';
import { gnmiProto } from './proto.js';
import { SubscribeSession } from './server-subscribe.js';
import { toServiceError } from './status.js';
import { type GnmiDataType, type GnmiEncoding, GnmiStatusError, type GnmiTarget, type TargetUser } from './target.js';
import type {
  CapabilityRequestPb,
  CapabilityResponsePb,
  GetRequestPb,
  GetResponsePb,
  SetRequestPb,
  SetResponsePb,
  SubscribeRequestPb,
  SubscribeResponsePb,
  UpdateResultPb,
} from './wire.js';

export type { PemSource } from './pem.js';

export interface GnmiServerTls {
  cert: PemSource;
  key: PemSource;
  /** CA bundle that client certificates must chain to. */
  ca?: PemSource;
  requireClientCert?: boolean;
}

export interface GnmiServerOptions {
  /** Address to bind; 127.0.0.1 unless given. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** One target, or a function from the request's `prefix.target` to a target. */
  target: GnmiTarget | ((targetName?: string) => GnmiTarget);
  /** Required: certificate and key, or 'insecure' for plaintext. */
  tls: GnmiServerTls | 'insecure';
  /** SAMPLE interval used when a subscription asks for 0 (default 1000 ms). */
  defaultSampleIntervalMs?: number;
  /** Smallest SAMPLE interval accepted (default 1 ms); smaller ones are INVALID_ARGUMENT. */
  minSampleIntervalMs?: number;
  /** Notifications waiting per Subscribe stream before the oldest are dropped (default 10,000). */
  sendQueueLimit?: number;
  /** Extra grpc-js server options. */
  grpcOptions?: grpc.ServerOptions;
}

export interface GnmiServer {
  readonly port: number;
  /** Notifications dropped because a subscriber did not read fast enough. */
  readonly droppedNotifications: number;
  /** Stops accepting calls and cancels the ones in flight. */
  close(): Promise<void>;
}

function credentials(tls: GnmiServerOptions['tls'] | undefined): grpc.ServerCredentials {
  if (tls === 'insecure') return grpc.ServerCredentials.createInsecure();
  if (!tls) throw new Error("startGnmiServer: tls is required (certificate and key, or 'insecure' for plaintext)");
  if (tls.requireClientCert && !tls.ca) throw new Error('startGnmiServer: requireClientCert needs a ca to verify client certificates');
  return grpc.ServerCredentials.createSsl(
    tls.ca ? pemOrFile(tls.ca) : null,
    [{ cert_chain: pemOrFile(tls.cert), private_key: pemOrFile(tls.key) }],
    tls.requireClientCert ?? false,
  );
}

const first = (md: grpc.Metadata, key: string): string | undefined => {
  const v = md.get(key)[0];
  return v === undefined ? undefined : v.toString();
};

/** The gNMI service with a Subscribe serializer that passes SubscribeResponse bytes encoded by pb-encode through. */
function serverService(): grpc.ServiceDefinition {
  const service = gnmiProto().service;
  const subscribe = service.Subscribe;
  const serialize = subscribe.responseSerialize;
  return {
    ...service,
    Subscribe: { ...subscribe, responseSerialize: (msg: unknown) => (Buffer.isBuffer(msg) ? msg : serialize(msg)) },
  };
}

/** Starts a gNMI server on `host:port` in front of one or several targets. */
export async function startGnmiServer(opts: GnmiServerOptions): Promise<GnmiServer> {
  const creds = credentials(opts.tls);
  const pick = typeof opts.target === 'function' ? opts.target : () => opts.target as GnmiTarget;
  let dropped = 0;

  const resolve = (md: grpc.Metadata, targetName: string | undefined): { target: GnmiTarget; user: TargetUser } => {
    const target = pick(targetName || undefined);
    const user = target.authenticate(first(md, 'username'), first(md, 'password'));
    if (!user) throw new GnmiStatusError('UNAUTHENTICATED', 'invalid username or password');
    return { target, user };
  };

  function unary<Req, Res>(fn: (req: Req, md: grpc.Metadata) => Res): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
      try {
        callback(null, fn(call.request, call.metadata));
      } catch (err) {
        callback(toServiceError(err));
      }
    };
  }

  const handlers: grpc.UntypedServiceImplementation = {
    Capabilities: unary<CapabilityRequestPb, CapabilityResponsePb>((_req, md) => {
      const caps = resolve(md, undefined).target.capabilities();
      return { supported_models: caps.models, supported_encodings: caps.encodings, gNMI_version: caps.gnmiVersion };
    }),
    Get: unary<GetRequestPb, GetResponsePb>((req, md) => {
      const prefix = decodePath(req.prefix);
      const { target, user } = resolve(md, prefix.target);
      const encoding = (req.encoding ?? 'JSON') as GnmiEncoding;
      if (!target.capabilities().encodings.includes(encoding)) {
        throw new GnmiStatusError('UNIMPLEMENTED', `encoding ${encoding} is not supported by the target`);
      }
      const paths = (req.path?.length ? req.path : [undefined]).map((p) => joinPath(prefix, decodePath(p)));
      const notifications = target.get(paths, (req.type ?? 'ALL') as GnmiDataType, encoding, user);
      return { notification: notifications.map(encodeNotification) };
    }),
    Set: unary<SetRequestPb, SetResponsePb>((req, md) => {
      const prefix = decodePath(req.prefix);
      const { target, user } = resolve(md, prefix.target);
      if (req.union_replace?.length) throw new GnmiStatusError('UNIMPLEMENTED', 'union_replace is not supported');
      const del = req.delete ?? [];
      const rep = req.replace ?? [];
      const upd = req.update ?? [];
      const absolute = (u: ReturnType<typeof decodeUpdate>) => ({ ...u, path: joinPath(prefix, u.path) });
      const timestamp = target.set(
        {
          delete: del.map((p) => joinPath(prefix, decodePath(p))),
          replace: rep.map(decodeUpdate).map(absolute),
          update: upd.map(decodeUpdate).map(absolute),
        },
        user,
      );
      const response: UpdateResultPb[] = [
        ...del.map((p) => ({ path: p, op: 'DELETE' })),
        ...rep.map((u) => ({ path: u.path, op: 'REPLACE' })),
        ...upd.map((u) => ({ path: u.path, op: 'UPDATE' })),
      ];
      return { prefix: encodePath(prefix.elem.length || prefix.origin || prefix.target ? prefix : undefined), response, timestamp: timestamp.toString() };
    }),
    Subscribe: (call: grpc.ServerDuplexStream<SubscribeRequestPb, Buffer | SubscribeResponsePb>) => {
      const session = new SubscribeSession(call, {
        resolve: (name) => resolve(call.metadata, name),
        defaultSampleIntervalMs: opts.defaultSampleIntervalMs ?? 1000,
        minSampleIntervalMs: opts.minSampleIntervalMs ?? 1,
        queueLimit: opts.sendQueueLimit ?? 10_000,
        onDrop: (n) => {
          dropped += n;
        },
      });
      void session;
    },
  };

  const server = new grpc.Server({
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 5000,
    ...opts.grpcOptions,
  });
  server.addService(serverService(), handlers);
  const host = opts.host ?? '127.0.0.1';
  const bindHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const port = await new Promise<number>((ok, fail) => {
    server.bindAsync(`${bindHost}:${opts.port}`, creds, (err, p) => (err ? fail(err) : ok(p)));
  });
  noDelay(server);
  return {
    port,
    get droppedNotifications() {
      return dropped;
    },
    close: async () => {
      server.forceShutdown();
    },
  };
}

/**
 * TCP_NODELAY on the accepted connections (grpc-js sets it on client sockets only): with Nagle
 * on, a response's last small frame can wait for the client's delayed ACK, 40 ms on Linux —
 * the tail of Set round trips on loopback. grpc-js has no option for it, so its HTTP/2 servers
 * (a private field) get a connection listener; if that field ever changes shape nothing happens.
 */
function noDelay(server: grpc.Server): void {
  const servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(servers instanceof Map)) return;
  for (const h of servers.keys()) {
    if (h instanceof NetServer) h.on('connection', (socket: Socket) => socket.setNoDelay(true));
  }
}
