import {
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamClient,
  JetStreamApiError,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type ConsumerMessages,
  type Consumer,
  type OrderedConsumerOptions,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import {
  connect,
  type NatsConnection,
  nanos,
  NoRespondersError,
  RequestError,
  TimeoutError,
} from '@nats-io/transport-node';
import { CnsdnError } from '../common/errors.js';
import { AckPipeline } from './acks.js';
import type { Bus, BusEvent, BusOptions, BusSubscription, DeliveredEvent, SubscribeOptions } from './api.js';
import { type Handler, invokeHandler, isInsideHandlerOf } from './dispatch.js';
import { checkEvents, checkSubscribeOptions, pickEvent } from './events.js';
import { type BusLogger, type BusRuntimeOptions, stderrLogger } from './log.js';

export interface NatsBusOptions extends BusOptions, BusRuntimeOptions {
  /** How long JetStream calls are retried while the cluster cannot answer (no meta leader, reconnecting): default 30000 ms. */
  retryBudgetMs?: number;
  /** Stream replicas, set when the stream is created or updated (default CNSDN_NATS_REPLICAS, else 1; 3 on a 3-node cluster). */
  replicas?: number;
  /** How long events are kept (default 7 days). */
  maxAgeMs?: number;
  /** Client ping interval (default 5000 ms): a cut-off server is noticed after maxPingOut (3) missed pongs. */
  pingIntervalMs?: number;
}

export const DEFAULT_STREAM = 'CNSDN_EVENTS';
export const DEFAULT_SUBJECT_PREFIX = 'cnsdn.events';
const DAY_MS = 24 * 3600 * 1000;
const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;
/** Publishes in flight at once; acks are awaited per window, not per message. */
const PUBLISH_WINDOW = 4096;
const ACK_TIMEOUT_MS = 5000;

/** CNSDN_NATS_REPLICAS: JetStream replicas of the event stream (1–5, default 1; 3 on a 3-server cluster). */
export function streamReplicasFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.CNSDN_NATS_REPLICAS;
  if (raw === undefined || raw === '') return 1;
  if (!/^[1-5]$/.test(raw)) throw new CnsdnError('BUS_ERROR', `CNSDN_NATS_REPLICAS must be 1 to 5, got "${raw}"`);
  return Number(raw);
}

/** Splits `nats://a:4222,nats://b:4223` into the client's servers list. */
export function parseNatsUrls(url: string): string[] {
  const servers = url
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (servers.length === 0) throw new CnsdnError('BUS_ERROR', `no NATS server in "${url}"`);
  for (const s of servers) {
    if (!/^(nats|tls):\/\/[^\s/]+\/?$/.test(s)) throw new CnsdnError('BUS_ERROR', `not a NATS URL: "${s}"`);
  }
  return servers;
}

/**
 * One subject token for an entity uuid. Tokens made only of [A-Za-z0-9_-] are used as they are;
 * anything else (dots, wildcards, spaces, non-ASCII) becomes `~` + base64url of its UTF-8 bytes,
 * which cannot collide with a plain token because `~` is not in the plain alphabet.
 */
export function subjectToken(uuid: string): string {
  return /^[A-Za-z0-9_-]+$/.test(uuid) ? uuid : `~${Buffer.from(uuid, 'utf8').toString('base64url')}`;
}

/**
 * The message id for JetStream de-duplication. It includes ts because revisions restart at 1
 * when an entity is removed and created again: without ts, a re-create within the duplicate
 * window would carry the id of the first create and be dropped as a duplicate.
 */
export function messageId(e: BusEvent): string {
  return `${e.kind}:${e.uuid}:${e.revision}:${e.op}:${e.ts}`;
}

export function isTransient(err: unknown): boolean {
  if (err instanceof TimeoutError || err instanceof NoRespondersError) return true;
  if (err instanceof RequestError && err.isNoResponders()) return true;
  if (err instanceof JetStreamApiError) return err.status === 503 || err.status === 408 || err.code === 10008;
  const message = err instanceof Error ? err.message : String(err);
  return /no responders|not enabled|timeout|timed out|temporarily unavailable|no leader|leader not/i.test(message);
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function backoffMs(attempt: number): number {
  const base = Math.min(2000, 100 * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}

/**
 * Runs a JetStream call, retrying with backoff while the failure is transient (no meta leader,
 * no responders, timeouts). Gives up with UNAVAILABLE when the budget is spent, and with
 * BUS_ERROR at once on any other failure.
 */
export async function withRetry<T>(what: string, budgetMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof CnsdnError) throw err;
      if (!isTransient(err)) throw new CnsdnError('BUS_ERROR', `${what}: ${(err as Error).message}`, [], { cause: err });
      const wait = backoffMs(attempt);
      if (Date.now() + wait > deadline) {
        throw new CnsdnError('UNAVAILABLE', `${what}: NATS JetStream unavailable for ${budgetMs} ms (${(err as Error).message})`, [], { cause: err });
      }
      await delay(wait);
    }
  }
}

function serverAtLeast(nc: NatsConnection, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(nc.info?.version ?? '');
  if (!m) return false;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj > major || (maj === major && min >= minor);
}

function checkNames(stream: string, prefix: string): void {
  if (!/^[A-Za-z0-9_-]+$/.test(stream)) throw new CnsdnError('BUS_ERROR', `invalid stream name "${stream}"`);
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(prefix)) throw new CnsdnError('BUS_ERROR', `invalid subject prefix "${prefix}"`);
}

export function decodeEvent(data: Uint8Array, seq: number): DeliveredEvent {
  const raw = JSON.parse(Buffer.from(data).toString('utf8')) as BusEvent;
  checkEvents([raw]);
  return { ...pickEvent(raw), seq };
}

class NatsSubscription implements BusSubscription {
  private active = true;
  private consumer: Consumer | null = null;
  private messages: ConsumerMessages | null = null;
  private loop: Promise<void> | null = null;
  private next: number;

  constructor(
    private readonly bus: NatsBus,
    private readonly handler: Handler,
    private readonly filter: string | string[] | undefined,
    private readonly kinds: Set<string> | null,
    start: number,
    private readonly logger: BusLogger,
  ) {
    this.next = start;
  }

  /** Creates the consumer (so events published after subscribe() resolves are seen) and starts delivery. */
  async start(): Promise<void> {
    await this.open(true);
    this.loop = this.run();
  }

  /** With retry, JetStream calls are retried within the bus budget; without, the caller's loop retries. */
  private async open(retry: boolean): Promise<void> {
    const opts: Partial<OrderedConsumerOptions> = { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.next };
    if (this.filter !== undefined) opts.filter_subjects = this.filter;
    const create = () => this.bus.js.consumers.get(this.bus.stream, opts);
    const consumer = retry ? await this.bus.retry('create consumer', create) : await create();
    if (!this.active) {
      consumer.delete().catch(() => {});
      return;
    }
    this.consumer = consumer;
    this.messages = await consumer.consume({ max_messages: 512 });
  }

  private async run(): Promise<void> {
    for (let failures = 0; this.active; ) {
      const messages = this.messages;
      if (messages !== null) {
        try {
          for await (const m of messages) {
            if (!this.active) break;
            this.next = m.seq + 1;
            failures = 0;
            let event: DeliveredEvent;
            try {
              event = decodeEvent(m.data, m.seq);
            } catch (err) {
              this.logger.error({ err, subject: m.subject, seq: m.seq }, 'malformed event on the bus skipped');
              continue;
            }
            if (this.kinds !== null && !this.kinds.has(event.kind)) continue;
            await invokeHandler(this, this.handler, event, this.logger);
          }
        } catch (err) {
          if (this.active) this.logger.warn({ err, next: this.next }, 'bus consumer stopped; re-creating it');
        }
      }
      if (!this.active) break;
      this.messages = null;
      this.consumer?.delete().catch(() => {});
      this.consumer = null;
      await delay(backoffMs(failures++));
      try {
        await this.open(false);
      } catch (err) {
        this.logger.warn({ err, next: this.next }, 'bus consumer re-creation failed; retrying');
      }
    }
  }

  async unsubscribe(): Promise<void> {
    if (this.active) {
      this.active = false;
      this.bus.forget(this);
      // Not awaited: close() settles only once the iterator is done, which a running handler holds up.
      this.messages?.close().catch(() => {});
      await this.consumer?.delete().catch(() => {});
    }
    if (this.loop !== null && !isInsideHandlerOf(this)) await this.loop;
  }
}

/**
 * Events in one durable JetStream stream on subjects `<prefix>.<kind>.<uuid>`; the stream's
 * sequence is the event seq. One entity's events share a subject, so they keep publish order.
 */
export class NatsBus implements Bus {
  readonly backend = 'nats' as const;
  readonly stream: string;
  readonly prefix: string;
  private readonly subs = new Set<NatsSubscription>();
  private closed = false;
  private readonly encoder = new TextEncoder();
  private readonly acks: AckPipeline;

  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    stream: string,
    prefix: string,
    private readonly budgetMs: number,
    private readonly logger: BusLogger,
  ) {
    this.stream = stream;
    this.prefix = prefix;
    this.acks = new AckPipeline(nc);
  }

  static async open(options: NatsBusOptions): Promise<NatsBus> {
    const servers = parseNatsUrls(options.url);
    const stream = options.stream ?? DEFAULT_STREAM;
    const prefix = options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
    checkNames(stream, prefix);
    const budgetMs = options.retryBudgetMs ?? 30_000;
    const logger = options.logger ?? stderrLogger;
    const nc = await withRetry('connect to NATS', budgetMs, async () => {
      try {
        return await connect({
          servers,
          name: 'cnsdn',
          pingInterval: options.pingIntervalMs ?? 5000,
          maxPingOut: 3,
          reconnect: true,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 1000,
          timeout: 5000,
        });
      } catch (err) {
        // A refused connection at start-up is as transient as a missing meta leader.
        throw new TimeoutError({ cause: err });
      }
    });
    try {
      const jsm = await withRetry('JetStream manager', budgetMs, () => jetstreamManager(nc, { timeout: 5000 }));
      const js = jetstream(nc, { timeout: ACK_TIMEOUT_MS });
      const bus = new NatsBus(nc, js, jsm, stream, prefix, budgetMs, logger);
      await bus.ensureStream(options);
      bus.watchStatus();
      return bus;
    } catch (err) {
      await nc.close().catch(() => {});
      throw err;
    }
  }

  retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(what, this.budgetMs, fn);
  }

  private async ensureStream(options: NatsBusOptions): Promise<void> {
    const want = {
      name: this.stream,
      subjects: [`${this.prefix}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: nanos(options.maxAgeMs ?? 7 * DAY_MS),
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      num_replicas: options.replicas ?? streamReplicasFromEnv(),
    } satisfies Partial<StreamConfig>;
    let info: StreamInfo | null = await this.retry('stream info', async () => {
      try {
        return await this.jsm.streams.info(this.stream);
      } catch (err) {
        if (err instanceof JetStreamApiError && err.code === 10059) return null;
        throw err;
      }
    });
    if (info === null) {
      info = await this.retry('create stream', async () => {
        try {
          return await this.jsm.streams.add(want);
        } catch (err) {
          // Another replica created it between our info and add.
          if (err instanceof JetStreamApiError && err.code === 10058) return null;
          throw err;
        }
      });
      if (info !== null) return;
      info = await this.retry('stream info', () => this.jsm.streams.info(this.stream));
    }
    const have = info.config;
    if (have.storage !== want.storage) {
      this.logger.warn({ stream: this.stream, storage: have.storage }, 'event stream exists with another storage type; left as it is');
    }
    const differs =
      have.subjects?.length !== 1 ||
      have.subjects[0] !== want.subjects[0] ||
      have.max_age !== want.max_age ||
      have.duplicate_window !== want.duplicate_window ||
      have.num_replicas !== want.num_replicas ||
      have.discard !== want.discard;
    if (differs) {
      const { storage: _s, retention: _r, name: _n, ...update } = want;
      await this.retry('update stream', () => this.jsm.streams.update(this.stream, update));
    }
  }

  private watchStatus(): void {
    (async () => {
      for await (const s of this.nc.status()) {
        if (s.type === 'disconnect' || s.type === 'reconnect' || s.type === 'error' || s.type === 'staleConnection') {
          this.logger.warn({ status: s.type, server: 'server' in s ? s.server : undefined }, 'NATS connection status');
        }
      }
    })().catch(() => {});
  }

  private assertOpen(): void {
    if (this.closed || this.nc.isClosed()) throw new CnsdnError('UNAVAILABLE', 'bus is closed');
  }

  subject(e: BusEvent): string {
    return `${this.prefix}.${e.kind}.${subjectToken(e.uuid)}`;
  }

  async publish(events: readonly BusEvent[]): Promise<void> {
    this.assertOpen();
    checkEvents(events);
    const deadline = Date.now() + this.budgetMs;
    for (let start = 0; start < events.length; start += PUBLISH_WINDOW) {
      const window = events.slice(start, start + PUBLISH_WINDOW).map((e) => ({
        subject: this.subject(e),
        data: this.encoder.encode(JSON.stringify(pickEvent(e))),
        msgID: messageId(e),
      }));
      // A failed publish is sent again, in order, with the same message id; JetStream drops the
      // copies of those that were stored after all (when only the ack was lost).
      let pending = window;
      for (let attempt = 0; pending.length > 0; attempt++) {
        const results = await this.acks.publishAll(pending, ACK_TIMEOUT_MS);
        const failures = results.filter((r) => !r.ok);
        if (failures.length === 0) break;
        const hard = failures.find((r) => !r.transient);
        if (hard !== undefined) throw new CnsdnError('BUS_ERROR', `publish: ${hard.message}`);
        const wait = backoffMs(attempt);
        if (Date.now() + wait > deadline) {
          throw new CnsdnError('UNAVAILABLE', `publish: NATS JetStream unavailable for ${this.budgetMs} ms (${failures[0].message})`);
        }
        this.logger.warn({ failed: failures.length, reason: failures[0].message }, 'publish to JetStream failed; retrying');
        await delay(wait);
        this.assertOpen();
        pending = pending.filter((_, i) => !results[i].ok);
      }
    }
  }

  async subscribe(handler: Handler, options?: SubscribeOptions): Promise<BusSubscription> {
    this.assertOpen();
    if (typeof handler !== 'function') throw new CnsdnError('BUS_ERROR', 'subscribe() needs a handler function');
    const { fromSeq, kinds } = checkSubscribeOptions(options);
    if (kinds !== null && kinds.size === 0) return { unsubscribe: async () => {} };
    let filter: string | string[] | undefined;
    if (kinds !== null) {
      const subjects = [...kinds].map((k) => `${this.prefix}.${k}.>`);
      // Several filter subjects need nats-server 2.10; older servers get all and we filter here.
      if (subjects.length === 1) filter = subjects[0];
      else if (serverAtLeast(this.nc, 2, 10)) filter = subjects;
    }
    const start = fromSeq ?? (await this.lastSeq()) + 1;
    const sub = new NatsSubscription(this, handler, filter, kinds, start, this.logger);
    this.subs.add(sub);
    try {
      await sub.start();
    } catch (err) {
      await sub.unsubscribe();
      throw err;
    }
    return sub;
  }

  forget(sub: NatsSubscription): void {
    this.subs.delete(sub);
  }

  async lastSeq(): Promise<number> {
    this.assertOpen();
    const info = await this.retry('stream info', () => this.jsm.streams.info(this.stream));
    return info.state.last_seq;
  }

  async ping(): Promise<boolean> {
    if (this.closed || this.nc.isClosed()) return false;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.nc.flush().then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), 2000);
        }),
      ]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subs].map((s) => s.unsubscribe()));
    this.acks.close();
    await this.nc.close();
  }
}
