/**
 * The web tier's first wall, on the bare node:http server in front of Fastify: connection caps
 * (total, per client address, idle per address) at the socket level, header/request/keep-alive
 * timeouts, per-client request budgets (a separate one for logged-in clients), load shedding
 * on event-loop lag, and a fast path for static answers that skips Fastify entirely.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Counter, Gauge, type Registry } from 'prom-client';
import { CnsdnError } from '../common/errors.js';
import { clientKey, resolveClientIp, type TrustFunction, trustFunction } from './guard-address.js';
import { DEFAULT_GUARD_OPTIONS, type GuardOptions } from './guard-config.js';
import { LagMonitor, RateBuckets } from './guard-limits.js';
import { MemorySaver } from './guard-memory.js';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem.js';

/** Answers a request itself (returning true) or leaves the response untouched (false). */
export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

interface PeerEntry {
  conns: number;
  probation: number;
  /** Refusals in the current second (from refusedSecond). */
  refused: number;
  refusedSecond: number;
  /** Connections with no request in progress, oldest first. */
  idle: Set<Socket>;
}

interface ConnState {
  key: string;
  entry: PeerEntry;
  idleSince: number;
  probation: boolean;
  /** The peer is a trusted proxy: its connections are not capped per address. */
  viaProxy: boolean;
}

const STATE = Symbol('cnsdn.guard');
type GuardedSocket = Socket & { [STATE]?: ConnState };

/**
 * node:net's accepted-connection handle before it becomes a Socket (a TCPWrap), and the
 * listening handle's accept callback `server._handle.onconnection(status, clientHandle)`: an
 * internal of node:net (the same in a cluster worker's round-robin handle). The guard wraps it to
 * close connections it would drop anyway before node:net builds a Socket for them (see #hookAccept).
 */
interface AcceptedHandle {
  getpeername(out: { address?: string }): number;
  close(): void;
}
type OnConnection = (this: unknown, status: number, client?: AcceptedHandle) => void;
const HOOKED = Symbol('cnsdn.guard.accept');

/** An idle connection younger than this is never evicted (a new connection sends its request at once). */
const MIN_IDLE_AGE_MS = 1000;
/** Over-cap connections per address and second answered with a 503 before closing; the rest are just closed. */
const GRACEFUL_REFUSALS_PER_SECOND = 20;
/** New connections per second (admitted or refused) that count as a flood for the memory saver. */
const FLOOD_CONNECTIONS_PER_SECOND = 200;
/** Refused sockets still open (draining); beyond it they are destroyed at once. */
const MAX_DRAINING = 2000;

function problemBody(code: 'RATE_LIMITED' | 'UNAVAILABLE', detail: string, path: string): string {
  return JSON.stringify(toProblem(new CnsdnError(code, detail), path));
}

function rawResponse(status: number, reason: string, body: string): Buffer {
  return Buffer.from(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `retry-after: 1\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${body}`,
  );
}

const CONNECTION_REFUSED = rawResponse(503, 'Service Unavailable', problemBody('UNAVAILABLE', 'Too many connections from this address; retry shortly', '/'));

/** The path of a request URL, without the query. */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** HTTP/1.0 without keep-alive, or Connection: close: the connection ends with this response. */
function closesAfter(req: IncomingMessage): boolean {
  const c = req.headers.connection;
  if (req.httpVersionMinor === 0 && req.httpVersionMajor === 1) return c === undefined || !/keep-alive/i.test(c);
  return c !== undefined && /(^|,)\s*close\s*(,|$)/i.test(c);
}

type Outcome = '200' | '304' | '404' | '429' | '503';

export interface GuardStats {
  connections: number;
  refusedConnections: number;
  /** Of refusedConnections: closed at accept, before node:net made a Socket of them (no answer). */
  refusedAtAccept: number;
  evictedIdle: number;
  lagMs: number;
}

export class WebTierGuard {
  readonly options: Omit<GuardOptions, 'isTrusted'> & Pick<GuardOptions, 'isTrusted'>;
  readonly lag: LagMonitor;
  readonly memory: MemorySaver;
  readonly #peers = new Map<string, PeerEntry>();
  readonly #anon: RateBuckets | undefined;
  readonly #trusted: RateBuckets | undefined;
  readonly #static: RateBuckets | undefined;
  readonly #trust: TrustFunction;
  readonly #exempt: Set<string>;
  #fastPath: FastPath | undefined;
  #apiFastPath: FastPath | undefined;
  #connections = 0;
  #probation = 0;
  #draining = 0;
  #refused = 0;
  #refusedAtAccept = 0;
  #admitted = 0;
  #evicted = 0;
  readonly #startedAt = Date.now();
  #sweeper: NodeJS.Timeout | undefined;
  /** Responses the guard gave, by "client status"; connections by outcome (exported by collect()). */
  readonly #responses = new Map<string, number>();
  readonly #connOutcomes = new Map<string, number>();

  constructor(options: Partial<GuardOptions> = {}, registry?: Registry) {
    this.options = { ...DEFAULT_GUARD_OPTIONS, ...options };
    const o = this.options;
    this.#anon = o.rateLimit ? new RateBuckets(o.rateLimit) : undefined;
    this.#trusted = o.trustedRateLimit ? new RateBuckets(o.trustedRateLimit) : undefined;
    this.#static = o.staticRateLimit ? new RateBuckets(o.staticRateLimit) : undefined;
    this.#trust = trustFunction(o.trustProxy);
    this.#exempt = new Set(o.exemptPaths);
    this.lag = new LagMonitor();
    // A flood: more new connections in the last second than a browser or script would open.
    let seen = 0;
    const flooded = () => {
      const total = this.#admitted + this.#refused;
      const fresh = total - seen;
      seen = total;
      return fresh >= FLOOD_CONNECTIONS_PER_SECOND;
    };
    this.memory = new MemorySaver({ onAboveMiB: o.memorySaverMiB, flooded });
    if (registry) this.#registerMetrics(registry);
  }

  /** Static answers (e.g. the WebUI from memory) given before Fastify; settable once the app is ready. */
  setFastPath(fastPath: FastPath | undefined): void {
    this.#fastPath = fastPath;
  }

  /** API answers given before Fastify (after the same admission, shedding and rate limits); settable once the app is ready. */
  setApiFastPath(fastPath: FastPath | undefined): void {
    this.#apiFastPath = fastPath;
  }

  /**
   * A node:http server with the guard in front of `handler` (Fastify's, via serverFactory).
   * The server's own 'connection' listener runs only for connections the guard admits.
   */
  createServer(handler: RequestListener): Server {
    const o = this.options;
    const server = createServer(
      {
        headersTimeout: o.headersTimeoutMs,
        requestTimeout: o.requestTimeoutMs,
        keepAliveTimeout: o.keepAliveTimeoutMs,
        connectionsCheckingInterval: o.timeoutCheckMs,
      },
      (req, res) => this.#onRequest(req, res, handler),
    );
    const httpListeners = server.listeners('connection') as ((socket: Socket) => void)[];
    server.removeAllListeners('connection');
    server.on('connection', (socket: Socket) => {
      if (this.#admit(socket as GuardedSocket)) for (const l of httpListeners) l.call(server, socket);
    });
    server.on('listening', () => {
      this.#hookAccept(server);
      this.start();
    });
    server.on('close', () => this.stop());
    return server;
  }

  start(): void {
    this.lag.start();
    this.memory.start();
    if (this.#sweeper) return;
    this.#sweeper = setInterval(() => {
      const now = Date.now();
      this.#anon?.sweep(now);
      this.#trusted?.sweep(now);
      this.#static?.sweep(now);
    }, 30_000);
    this.#sweeper.unref();
  }

  stop(): void {
    this.lag.stop();
    this.memory.stop();
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  stats(): GuardStats {
    return {
      connections: this.#connections,
      refusedConnections: this.#refused,
      refusedAtAccept: this.#refusedAtAccept,
      evictedIdle: this.#evicted,
      lagMs: this.lag.lagMs,
    };
  }

  /** The trusted-proxy decision for one hop (Fastify's trustProxy function). */
  trusts(address: string, hop: number): boolean {
    return this.#trust(address, hop);
  }

  /** The client address of a request: the TCP peer unless it is a trusted proxy. */
  clientIp(req: IncomingMessage): string {
    return resolveClientIp(req.socket.remoteAddress ?? '', req.headers['x-forwarded-for'], this.#trust);
  }

  /**
   * Connections the guard drops without an answer (an address over its caps and past its
   * graceful refusals, `ab`/slowloris reconnecting thousands of times a second) are closed on
   * the raw accepted handle, before node:net builds a Socket for them. A Socket (stream states,
   * listeners, the handle's back reference) that lives only until its close callback still
   * survives two scavenges: V8 keeps the handle wrapper, and with it the Socket, until a full
   * collection. Measured under (d): ~7 MB/s promoted to the old generation at ~5k refusals/s,
   * a mark-compact every 1–2 s once the memory saver was on, pauses of 100–300 ms when the
   * machine was busy; closing the raw handle promotes nothing. Without the internal (another
   * runtime, a handle passed in), every connection takes the 'connection' path as before.
   */
  #hookAccept(server: Server): void {
    const handle = (server as unknown as { _handle?: { onconnection?: OnConnection } })._handle;
    const original = handle?.onconnection;
    if (handle == null || typeof original !== 'function' || HOOKED in original) return;
    const peer: { address?: string } = {};
    const guard = this;
    const onconnection: OnConnection = function (status, client) {
      if (status === 0 && client !== undefined) {
        peer.address = undefined;
        if (client.getpeername(peer) === 0 && peer.address !== undefined && guard.#dropAtAccept(peer.address)) {
          client.close();
          return;
        }
      }
      original.call(this, status, client);
    };
    Object.defineProperty(onconnection, HOOKED, { value: true });
    handle.onconnection = onconnection;
  }

  /**
   * Whether #admit would refuse a connection from `peer` and close it without an answer; if
   * so it is counted as refused here. Side-effect free otherwise: anything else (admission,
   * probation, an idle connection evicted in favour of this one, a graceful 503) goes through
   * #admit on the Socket.
   */
  #dropAtAccept(peer: string): boolean {
    const { key, viaProxy } = this.#peerKey(peer);
    const entry = this.#peers.get(key);
    // No entry: the address has no connection, so no refusal this second yet either (graceful).
    if (entry === undefined) return false;
    if (!this.#overCaps(entry, viaProxy, () => this.#evictable(entry) !== undefined) || !this.#reserveFull(entry)) return false;
    if (!this.#nextRefusalSilent(entry)) return false;
    this.#countRefusal(entry);
    this.#refusedAtAccept++;
    return true;
  }

  #admit(socket: GuardedSocket): boolean {
    const o = this.options;
    const { key, viaProxy } = this.#peerKey(socket.remoteAddress ?? '');
    const entry = this.#peers.get(key) ?? this.#addPeer(key);
    let probation = false;
    // At its cap, an address's connection that has sat idle for a while gives way to the new one.
    if (this.#overCaps(entry, viaProxy, () => this.#evictIdle(entry))) {
      if (this.#reserveFull(entry)) {
        this.#refuse(socket, entry);
        if (entry.conns === 0) this.#peers.delete(key);
        return false;
      }
      probation = true;
      this.#probation++;
      entry.probation++;
    }
    if (!viaProxy && entry.idle.size >= o.maxIdlePerIp) this.#evictIdle(entry);
    this.#connections++;
    this.#admitted++;
    entry.conns++;
    const now = Date.now();
    const state: ConnState = { key, entry, idleSince: now, probation, viaProxy };
    socket[STATE] = state;
    entry.idle.add(socket);
    this.#countConnection(probation ? 'probation' : 'admitted');
    socket.once('close', () => {
      this.#connections--;
      entry.conns--;
      entry.idle.delete(socket);
      if (state.probation) this.#endProbation(state);
      if (entry.conns === 0 && this.#peers.get(key) === entry) this.#peers.delete(key);
    });
    return true;
  }

  #endProbation(state: ConnState): void {
    state.probation = false;
    this.#probation--;
    state.entry.probation--;
  }

  #addPeer(key: string): PeerEntry {
    const entry: PeerEntry = { conns: 0, probation: 0, refused: 0, refusedSecond: 0, idle: new Set() };
    this.#peers.set(key, entry);
    return entry;
  }

  /** The entry key of a peer address: a trusted proxy's connections are counted apart from its clients'. */
  #peerKey(peer: string): { key: string; viaProxy: boolean } {
    const viaProxy = this.#trust(peer, 0);
    return { key: viaProxy ? `proxy ${peer}` : clientKey(peer), viaProxy };
  }

  /**
   * Whether one more connection of this address is over the caps: all connections, or the address's
   * own unless `makeRoom` frees one (an idle connection that gives way).
   */
  #overCaps(entry: PeerEntry, viaProxy: boolean, makeRoom: () => boolean): boolean {
    const atCap = !viaProxy && entry.conns >= this.options.maxConnsPerIp && !makeRoom();
    return this.#connections >= this.options.maxConns || atCap;
  }

  /** No probation slot left for the address: the whole trusted reserve or its share of it is taken. */
  #reserveFull(entry: PeerEntry): boolean {
    return this.#probation >= this.options.trustedReserve || entry.probation >= this.options.trustedReservePerIp;
  }

  /** The oldest idle connection of an address, if it has been idle long enough to be closed. */
  #evictable(entry: PeerEntry): GuardedSocket | undefined {
    const oldest = entry.idle.values().next().value as GuardedSocket | undefined;
    if (oldest === undefined) return undefined;
    const st = oldest[STATE];
    return st && Date.now() - st.idleSince < MIN_IDLE_AGE_MS ? undefined : oldest;
  }

  /** Closes the oldest idle connection of an address, if it has been idle long enough. */
  #evictIdle(entry: PeerEntry): boolean {
    const oldest = this.#evictable(entry);
    if (oldest === undefined) return false;
    entry.idle.delete(oldest);
    this.#evicted++;
    this.#countConnection('evicted_idle');
    oldest.destroy();
    return true;
  }

  /**
   * A canned 503 and a graceful close; what the client already sent is read and dropped, so
   * closing does not turn into a reset that some clients treat as fatal.
   */
  /**
   * Whether the address's next refusal gets no answer: an address that keeps reconnecting over its
   * cap gets the cheapest answer, none, past its graceful refusals of this second (or while too many
   * answers are draining).
   */
  #nextRefusalSilent(entry: PeerEntry): boolean {
    const refused = entry.refusedSecond === Math.floor(Date.now() / 1000) ? entry.refused : 0;
    return refused >= GRACEFUL_REFUSALS_PER_SECOND || this.#draining >= MAX_DRAINING;
  }

  #countRefusal(entry: PeerEntry): void {
    this.#refused++;
    this.#countConnection('refused');
    const second = Math.floor(Date.now() / 1000);
    if (entry.refusedSecond !== second) {
      entry.refusedSecond = second;
      entry.refused = 0;
    }
    entry.refused++;
  }

  #refuse(socket: Socket, entry: PeerEntry): void {
    const silent = this.#nextRefusalSilent(entry);
    this.#countRefusal(entry);
    socket.on('error', () => {});
    if (silent) {
      socket.destroy();
      return;
    }
    this.#draining++;
    socket.once('close', () => this.#draining--);
    socket.setTimeout(1000, () => socket.destroy());
    socket.resume();
    socket.end(CONNECTION_REFUSED);
  }

  #onRequest(req: IncomingMessage, res: ServerResponse, handler: RequestListener): void {
    const socket = req.socket as GuardedSocket;
    const st = socket[STATE];
    if (st !== undefined) this.#markBusy(socket, st, req, res);
    const path = pathOf(req.url);
    if (this.#exempt.has(path)) {
      handler(req, res);
      return;
    }

    let trusted: boolean | undefined;
    if (st?.probation) {
      trusted = this.#isTrusted(req);
      if (!trusted) {
        this.#reject(req, res, 503, 'anonymous', 'Too many connections from this address; retry shortly', true);
        return;
      }
      this.#endProbation(st);
    }
    const o = this.options;
    const lag = this.lag.sustainedLagMs;
    if (o.shedLagMs > 0 && lag > o.shedLagMs && Date.now() - this.#startedAt >= o.shedGraceMs) {
      trusted ??= this.#isTrusted(req);
      if (!trusted || (o.shedLagTrustedMs > 0 && lag > o.shedLagTrustedMs)) {
        this.#reject(req, res, 503, trusted ? 'trusted' : 'anonymous', 'Server overloaded; retry shortly', false);
        return;
      }
    }
    const isStatic = (req.method === 'GET' || req.method === 'HEAD') && this.#isStaticPath(path);
    let buckets: RateBuckets | undefined;
    if (isStatic) buckets = this.#static;
    else {
      trusted ??= this.#isTrusted(req);
      buckets = trusted ? this.#trusted : this.#anon;
    }
    if (buckets !== undefined) {
      const key = st?.viaProxy === false ? st.key : clientKey(this.clientIp(req));
      const waitMs = buckets.take(key, Date.now());
      if (waitMs > 0) {
        this.#rateLimited(req, res, buckets, waitMs, trusted === true);
        return;
      }
    }
    if (isStatic ? this.#fastPath?.(req, res) : this.#apiFastPath?.(req, res)) {
      this.#count(trusted === true ? 'trusted' : 'anonymous', String(res.statusCode) as Outcome);
      return;
    }
    handler(req, res);
  }

  /** The connection is busy until this response is done; then idle again if kept alive. */
  #markBusy(socket: GuardedSocket, st: ConnState, req: IncomingMessage, res: ServerResponse): void {
    st.entry.idle.delete(socket);
    if (closesAfter(req)) return;
    res.once('finish', () => {
      if (socket.destroyed || !res.shouldKeepAlive) return;
      st.idleSince = Date.now();
      st.entry.idle.add(socket);
    });
  }

  #isStaticPath(path: string): boolean {
    for (const p of this.options.staticPrefixes) if (path === p || path.startsWith(`${p}/`)) return true;
    return false;
  }

  #isTrusted(req: IncomingMessage): boolean {
    const check = this.options.isTrusted;
    if (check === undefined) return false;
    try {
      return check(req);
    } catch {
      return false;
    }
  }

  #rateLimited(req: IncomingMessage, res: ServerResponse, buckets: RateBuckets, waitMs: number, trusted: boolean): void {
    const { max, windowMs } = buckets.budget;
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    const detail = `Rate limit of ${max} requests per ${Math.round(windowMs / 1000)} s exceeded; retry in ${seconds} s`;
    const body = problemBody('RATE_LIMITED', detail, pathOf(req.url));
    res.writeHead(429, {
      'content-type': PROBLEM_CONTENT_TYPE,
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      'retry-after': String(seconds),
      'x-ratelimit-limit': String(max),
      'x-ratelimit-remaining': '0',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    this.#count(trusted ? 'trusted' : 'anonymous', '429');
  }

  #reject(req: IncomingMessage, res: ServerResponse, status: 503, client: 'trusted' | 'anonymous', detail: string, close: boolean): void {
    const body = problemBody('UNAVAILABLE', detail, pathOf(req.url));
    const headers: Record<string, string | number> = {
      'content-type': PROBLEM_CONTENT_TYPE,
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      'retry-after': '1',
    };
    if (close) headers.connection = 'close';
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
    this.#count(client, '503');
  }

  #count(client: 'trusted' | 'anonymous', status: Outcome): void {
    const k = `${client} ${status}`;
    this.#responses.set(k, (this.#responses.get(k) ?? 0) + 1);
  }

  #countConnection(outcome: string): void {
    this.#connOutcomes.set(outcome, (this.#connOutcomes.get(outcome) ?? 0) + 1);
  }

  #registerMetrics(registry: Registry) {
    const guard = this;
    new Gauge({
      name: 'cnsdn_guard_open_connections',
      help: 'Open client connections (admitted by the web tier guard)',
      registers: [registry],
      collect() {
        this.set(guard.#connections);
      },
    });
    new Gauge({
      name: 'cnsdn_guard_event_loop_lag_seconds',
      help: 'Event-loop lag the guard last measured (longest timer delay over 250 ms)',
      registers: [registry],
      collect() {
        this.set(guard.lag.lagMs / 1000);
      },
    });
    new Gauge({
      name: 'cnsdn_guard_memory_saver_active',
      help: 'V8 runs with memory-saving heap growth (the resident set went over CNSDN_MEMORY_SAVER_MIB)',
      registers: [registry],
      collect() {
        this.set(guard.memory.active ? 1 : 0);
      },
    });
    new Counter({
      name: 'cnsdn_guard_responses_total',
      help: 'Responses the web tier guard gave itself (fast path, rate limited, shed), by client class and status',
      labelNames: ['client', 'status'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [k, n] of guard.#responses) {
          const [client = '', status = ''] = k.split(' ');
          this.inc({ client, status }, n);
        }
      },
    });
    new Counter({
      name: 'cnsdn_guard_connections_total',
      help: 'Connections by what the guard did: admitted, probation (over a cap, must log in), refused, evicted_idle',
      labelNames: ['outcome'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [outcome, n] of guard.#connOutcomes) this.inc({ outcome }, n);
      },
    });
  }
}
