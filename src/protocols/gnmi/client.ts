import * as grpc from '@grpc/grpc-js';
import { CredentialSource, type GnmiClientTls } from './client-credentials.js';
import { GnmiSubscription } from './client-subscribe.js';
import { decodeNotification, decodePath, encodePath, encodeUpdate } from './codec.js';
import { GnmiError } from './errors.js';
import { toPath } from './path.js';
import type { LeafSink } from './leaves.js';
import { gnmiProto } from './proto.js';
import type { GnmiDataType, GnmiEncoding, GnmiNotification, GnmiPath, ModelData, TypedValue } from './target.js';
import type {
  CapabilityResponsePb,
  GetResponsePb,
  SetResponsePb,
  SubscribeRequestPb,
  SubscriptionListPb,
} from './wire.js';

export type { GnmiClientTls } from './client-credentials.js';

export interface GnmiClientOptions {
  /** `host:port` (IPv6 as `[::1]:port`). */
  address: string;
  /** TLS settings (verified against `ca` or the system store), or 'insecure' for plaintext. TLS when absent. */
  tls?: GnmiClientTls | 'insecure';
  username?: string;
  password?: string;
  /** Connect timeout and deadline of unary calls (default 10 s). */
  timeoutMs?: number;
  /** HTTP/2 keepalive ping interval (default 10 s) and its ack timeout (default 5 s). */
  keepaliveMs?: number;
  keepaliveTimeoutMs?: number;
  /** Largest message accepted (default 64 MiB). */
  maxReceiveMessageBytes?: number;
  grpcOptions?: grpc.ChannelOptions;
}

export type PathLike = string | GnmiPath;

export interface SetOperation {
  path: PathLike;
  value: TypedValue;
}

export interface SubscriptionSpec {
  path: PathLike;
  mode?: 'TARGET_DEFINED' | 'ON_CHANGE' | 'SAMPLE';
  sampleIntervalNs?: bigint | number;
  suppressRedundant?: boolean;
  heartbeatIntervalNs?: bigint | number;
}

export interface SubscribeOptions {
  prefix?: PathLike;
  subscriptions: SubscriptionSpec[];
  mode?: 'STREAM' | 'ONCE' | 'POLL';
  encoding?: GnmiEncoding;
  updatesOnly?: boolean;
  /** Hand notifications to this sink as leaves (decoded straight from the bytes) instead of as 'notification' events. STREAM and ONCE only. */
  leaves?: LeafSink<unknown>;
}

export interface CapabilitiesResult {
  models: ModelData[];
  encodings: GnmiEncoding[];
  gnmiVersion: string;
}

export interface SetResult {
  timestamp: bigint;
  prefix?: GnmiPath;
  results: { path: GnmiPath; op: string }[];
}

type Generic = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

const splitAddress = (address: string): { host: string; port: number } => {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]+):(\d+)$/.exec(address);
  if (!m) throw new GnmiError('INVALID_ARGUMENT', `address ${JSON.stringify(address)} is not host:port`);
  return { host: m[1], port: Number(m[2]) };
};

const encodeOptional = (p: PathLike | undefined) => (p === undefined ? undefined : encodePath(toPath(p)));

let clientConstructor: grpc.ServiceClientConstructor | undefined;

/** The gNMI client class; Subscribe responses stay bytes, which GnmiSubscription decodes (pb-decode). */
function gnmiClientConstructor(): grpc.ServiceClientConstructor {
  if (!clientConstructor) {
    const service = gnmiProto().service;
    clientConstructor = grpc.makeGenericClientConstructor({ ...service, Subscribe: { ...service.Subscribe, responseDeserialize: (b: Buffer) => b } }, 'gNMI');
  }
  return clientConstructor;
}

/** A gNMI client over one gRPC channel (a new channel after certificate files change). */
export class GnmiClient {
  private client: Generic;
  private retired: grpc.Client[] = [];
  private readonly creds: CredentialSource;
  private readonly metadata = new grpc.Metadata();
  private readonly timeoutMs: number;
  private closed = false;
  private readonly lossListeners = new Set<(reason: string) => void>();

  private constructor(private readonly opts: GnmiClientOptions) {
    this.creds = new CredentialSource(opts.tls ?? {});
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    if (opts.username !== undefined) this.metadata.set('username', opts.username);
    if (opts.password !== undefined) this.metadata.set('password', opts.password);
    this.client = this.newChannel();
  }

  /** Connects and waits until the channel is ready; rejects with the reason (TLS, refused, timeout). */
  static async connect(opts: GnmiClientOptions): Promise<GnmiClient> {
    const { host, port } = splitAddress(opts.address);
    const c = new GnmiClient(opts);
    try {
      await c.waitReady();
    } catch {
      c.close();
      const reason = await c.creds.diagnose(host, port, Math.min(c.timeoutMs, 5000));
      throw new GnmiError('UNAVAILABLE', `cannot connect to ${opts.address}: ${reason}`);
    }
    return c;
  }

  private newChannel(): Generic {
    const Ctor = gnmiClientConstructor();
    const { host } = splitAddress(this.opts.address);
    const channelOptions: grpc.ChannelOptions = {
      'grpc.keepalive_time_ms': this.opts.keepaliveMs ?? 10_000,
      'grpc.keepalive_timeout_ms': this.opts.keepaliveTimeoutMs ?? 5_000,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.max_receive_message_length': this.opts.maxReceiveMessageBytes ?? 64 * 1024 * 1024,
      'grpc.initial_reconnect_backoff_ms': 200,
      // The longest timer node takes (~24.8 days): a channel without calls stays connected, so
      // leaving READY means the connection was lost (onConnectionLost), not that it idled.
      'grpc.client_idle_timeout_ms': 2_147_483_647,
      // No channelz bookkeeping (trackers and closures per channel, subchannel and call).
      'grpc.enable_channelz': 0,
      ...this.creds.channelOptions(host),
      ...this.opts.grpcOptions,
    };
    const client = new Ctor(this.opts.address, this.creds.build(host), channelOptions) as unknown as Generic;
    this.watchLoss(client);
    return client;
  }

  /**
   * Tells the loss listeners once when the channel, after it was READY, leaves READY: the
   * connection closed, or keepalive pings went unanswered. No call is needed for it (one
   * watcher per channel, no timer).
   */
  private watchLoss(client: Generic): void {
    const ch = client.getChannel();
    let wasReady = false;
    const watch = (state: grpc.connectivityState): void => {
      ch.watchConnectivityState(state, Number.POSITIVE_INFINITY, () => {
        if (this.closed || client !== this.client) return;
        const now = ch.getConnectivityState(false);
        if (now === grpc.connectivityState.SHUTDOWN) return;
        if (now === grpc.connectivityState.READY) wasReady = true;
        else if (wasReady) {
          for (const listener of [...this.lossListeners]) listener(grpc.connectivityState[now]);
          return;
        }
        watch(now);
      });
    };
    watch(ch.getConnectivityState(false));
  }

  /**
   * Calls `listener` with the channel's new state (IDLE, TRANSIENT_FAILURE…) when a channel
   * that was connected loses its connection, whether or not a call is running. Returns a
   * function that removes the listener.
   */
  onConnectionLost(listener: (state: string) => void): () => void {
    const wrapped = (state: string) => listener(state);
    this.lossListeners.add(wrapped);
    return () => this.lossListeners.delete(wrapped);
  }

  /** The channel for a new call; rebuilt when certificate files changed on disk. */
  private channel(): Generic {
    if (this.closed) throw new GnmiError('CANCELLED', 'client is closed');
    if (this.creds.changed()) {
      this.retired.push(this.client);
      this.client = this.newChannel();
    }
    return this.client;
  }

  private waitReady(): Promise<void> {
    const ch = this.client.getChannel();
    const deadline = Date.now() + this.timeoutMs;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const state = ch.getConnectivityState(true);
        if (state === grpc.connectivityState.READY) {
          resolve();
        } else if (state === grpc.connectivityState.TRANSIENT_FAILURE || state === grpc.connectivityState.SHUTDOWN) {
          reject(new Error(grpc.connectivityState[state]));
        } else {
          ch.watchConnectivityState(state, deadline, (err) => (err ? reject(err) : check()));
        }
      };
      check();
    });
  }

  private unary<Res>(method: string, request: unknown, timeoutMs?: number): Promise<Res> {
    return new Promise((resolve, reject) => {
      let ch: Generic;
      try {
        ch = this.channel();
      } catch (err) {
        reject(err);
        return;
      }
      const deadline = Date.now() + (timeoutMs ?? this.timeoutMs);
      ch[method](request, this.metadata.clone(), { deadline }, (err: grpc.ServiceError | null, res: Res) =>
        err ? reject(GnmiError.fromService(err)) : resolve(res),
      );
    });
  }

  async capabilities(opts: { timeoutMs?: number } = {}): Promise<CapabilitiesResult> {
    const res = await this.unary<CapabilityResponsePb>('Capabilities', {}, opts.timeoutMs);
    return {
      models: (res.supported_models ?? []).map((m) => ({ name: m.name ?? '', organization: m.organization ?? '', version: m.version ?? '' })),
      encodings: (res.supported_encodings ?? []) as GnmiEncoding[],
      gnmiVersion: res.gNMI_version ?? '',
    };
  }

  async get(req: { prefix?: PathLike; paths: PathLike[]; type?: GnmiDataType; encoding?: GnmiEncoding; timeoutMs?: number }): Promise<GnmiNotification[]> {
    const res = await this.unary<GetResponsePb>(
      'Get',
      {
        prefix: encodeOptional(req.prefix),
        path: req.paths.map((p) => encodePath(toPath(p))),
        type: req.type ?? 'ALL',
        encoding: req.encoding ?? 'JSON_IETF',
      },
      req.timeoutMs,
    );
    if (res.error) throw new GnmiError('UNKNOWN', res.error.message ?? 'error in GetResponse', res.error.code);
    return this.decode(() => (res.notification ?? []).map(decodeNotification));
  }

  /** One SetRequest: deletes, replaces and updates applied by the target as one transaction. */
  async set(req: { prefix?: PathLike; delete?: PathLike[]; replace?: SetOperation[]; update?: SetOperation[]; timeoutMs?: number }): Promise<SetResult> {
    const op = (o: SetOperation) => encodeUpdate({ path: toPath(o.path), value: o.value });
    const res = await this.unary<SetResponsePb>(
      'Set',
      {
        prefix: encodeOptional(req.prefix),
        delete: (req.delete ?? []).map((p) => encodePath(toPath(p))),
        replace: (req.replace ?? []).map(op),
        update: (req.update ?? []).map(op),
      },
      req.timeoutMs,
    );
    if (res.message?.message) throw new GnmiError('UNKNOWN', res.message.message, res.message.code);
    const out: SetResult = {
      timestamp: BigInt(res.timestamp ?? 0),
      results: (res.response ?? []).map((r) => ({ path: decodePath(r.path), op: r.op ?? 'INVALID' })),
    };
    if (res.prefix) out.prefix = decodePath(res.prefix);
    return out;
  }

  subscribe(req: SubscribeOptions): GnmiSubscription {
    if (req.leaves && req.mode === 'POLL') throw new GnmiError('INVALID_ARGUMENT', 'a POLL subscription answers polls with notifications: it takes no leaf sink');
    const list: SubscriptionListPb = {
      prefix: encodeOptional(req.prefix),
      mode: req.mode ?? 'STREAM',
      encoding: req.encoding ?? 'JSON_IETF',
      updates_only: req.updatesOnly ?? false,
      subscription: req.subscriptions.map((s) => ({
        path: encodePath(toPath(s.path)),
        mode: s.mode ?? 'TARGET_DEFINED',
        sample_interval: String(s.sampleIntervalNs ?? 0),
        suppress_redundant: s.suppressRedundant ?? false,
        heartbeat_interval: String(s.heartbeatIntervalNs ?? 0),
      })),
    };
    const call = this.channel().Subscribe(this.metadata.clone()) as grpc.ClientDuplexStream<SubscribeRequestPb, Buffer>;
    const sub = new GnmiSubscription(call, undefined, req.leaves);
    call.write({ subscribe: list });
    return sub;
  }

  private decode<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw new GnmiError('INVALID_ARGUMENT', `malformed response from target: ${(err as Error).message}`);
    }
  }

  close(): void {
    this.closed = true;
    this.lossListeners.clear();
    this.client.close();
    for (const c of this.retired) c.close();
    this.retired = [];
  }
}
