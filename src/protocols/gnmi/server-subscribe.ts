import type { ServerDuplexStream } from '@grpc/grpc-js';
import { decodePath } from './codec.js';
import { nowNs, valueSignature } from './notify.js';
import { isPrefixOf, joinPath, pathToString } from './path.js';
import { encodePackedUpdates, SYNC_RESPONSE } from './pb-encode.js';
import { SendQueue } from './send-queue.js';
import { toServiceError } from './status.js';
import { type GnmiEncoding, type GnmiPath, GnmiStatusError, type GnmiTarget, type GnmiUpdate } from './target.js';
import type { SubscribeRequestPb, SubscribeResponsePb, SubscriptionListPb } from './wire.js';

export interface SubscribeContext {
  /** Resolves and authenticates the target named in the request prefix. */
  resolve(targetName: string | undefined): { target: GnmiTarget };
  defaultSampleIntervalMs: number;
  minSampleIntervalMs: number;
  queueLimit: number;
  onDrop(count: number): void;
}

interface ActiveSubscription {
  path: GnmiPath;
  mode: 'ON_CHANGE' | 'SAMPLE';
  sampleMs: number;
  suppressRedundant: boolean;
  heartbeatMs: number;
  lastSent?: Map<string, string>;
  lastFull: number;
}

/** Responses are written as encoded SubscribeResponse bytes (the service's serializer passes Buffers through). */
type Call = ServerDuplexStream<SubscribeRequestPb, Buffer | SubscribeResponsePb>;

const isNotification = (msg: Buffer) => msg !== SYNC_RESPONSE;

const nsToMs = (v: string | number | undefined): number => Number(BigInt(v ?? 0) / 1_000_000n);

/** One Subscribe RPC on the server: STREAM, ONCE or POLL over a GnmiTarget. */
export class SubscribeSession {
  private queue: SendQueue<Buffer>;
  private subs: ActiveSubscription[] = [];
  private target?: GnmiTarget;
  private encoding: GnmiEncoding = 'JSON';
  private mode: 'STREAM' | 'ONCE' | 'POLL' = 'STREAM';
  private targetName?: string;
  private timers: NodeJS.Timeout[] = [];
  private unlisten?: () => void;
  private started = false;
  /** SAMPLE ticks skipped because earlier samples were still waiting to be sent (a tenth of the queue). */
  skippedSamples = 0;
  /** SAMPLE ticks that came more than a period late and were left out. */
  lateTicks = 0;
  private done = false;

  constructor(
    private readonly call: Call,
    private readonly ctx: SubscribeContext,
  ) {
    this.queue = new SendQueue<Buffer>(call, ctx.queueLimit, ctx.onDrop, isNotification);
    call.on('data', (req: SubscribeRequestPb) => this.onRequest(req));
    call.on('end', () => {
      if (this.mode === 'POLL' || !this.started) this.finish();
    });
    call.on('cancelled', () => this.stop());
    call.on('error', () => this.stop());
    call.on('close', () => this.stop());
  }

  private onRequest(req: SubscribeRequestPb): void {
    if (this.done) return;
    try {
      if (req.subscribe) {
        if (this.started) throw new GnmiStatusError('INVALID_ARGUMENT', 'a Subscribe stream takes one SubscriptionList');
        this.started = true;
        this.start(req.subscribe);
      } else if (req.poll) {
        if (!this.started || this.mode !== 'POLL') throw new GnmiStatusError('INVALID_ARGUMENT', 'poll is only valid on a POLL subscription');
        this.sendCurrent(this.subs);
        this.queue.push(SYNC_RESPONSE);
      } else {
        throw new GnmiStatusError('INVALID_ARGUMENT', 'SubscribeRequest holds neither subscribe nor poll');
      }
    } catch (err) {
      this.fail(err);
    }
  }

  private start(list: SubscriptionListPb): void {
    const prefix = decodePath(list.prefix);
    this.targetName = prefix.target;
    this.target = this.ctx.resolve(prefix.target).target;
    this.mode = (list.mode as typeof this.mode | undefined) ?? 'STREAM';
    this.encoding = (list.encoding as GnmiEncoding | undefined) ?? 'JSON';
    if (!this.target.capabilities().encodings.includes(this.encoding)) {
      throw new GnmiStatusError('UNIMPLEMENTED', `encoding ${this.encoding} is not supported by the target`);
    }
    const raw = list.subscription ?? [];
    if (raw.length === 0) throw new GnmiStatusError('INVALID_ARGUMENT', 'SubscriptionList has no subscription');
    this.subs = raw.map((s) => {
      const path = joinPath(prefix, decodePath(s.path));
      let mode = s.mode ?? 'TARGET_DEFINED';
      if (mode === 'TARGET_DEFINED') mode = pathToString(path).includes('/state/counters') ? 'SAMPLE' : 'ON_CHANGE';
      let sampleMs = nsToMs(s.sample_interval);
      if (s.sample_interval !== undefined && BigInt(s.sample_interval) > 0n && sampleMs < this.ctx.minSampleIntervalMs) {
        throw new GnmiStatusError('INVALID_ARGUMENT', `sample_interval ${s.sample_interval}ns is below the target minimum of ${this.ctx.minSampleIntervalMs}ms`);
      }
      if (sampleMs === 0) sampleMs = this.ctx.defaultSampleIntervalMs;
      return {
        path,
        mode: mode as 'ON_CHANGE' | 'SAMPLE',
        sampleMs,
        suppressRedundant: s.suppress_redundant ?? false,
        heartbeatMs: nsToMs(s.heartbeat_interval),
        lastFull: Date.now(),
      };
    });
    if (!list.updates_only) this.sendCurrent(this.subs, true);
    this.queue.push(SYNC_RESPONSE);
    if (this.mode === 'ONCE') {
      this.finish();
      return;
    }
    if (this.mode === 'STREAM') this.startStreaming();
  }

  private leaves(sub: ActiveSubscription): GnmiUpdate[] {
    try {
      return this.target!.leaves(sub.path, this.encoding);
    } catch (err) {
      if (err instanceof GnmiStatusError && err.grpcCode === 'NOT_FOUND' && this.started && this.mode !== 'ONCE') return [];
      throw err;
    }
  }

  private sendCurrent(subs: ActiveSubscription[], remember = false): void {
    const ts = nowNs();
    for (const sub of subs) {
      const updates = this.leaves(sub);
      if (remember && sub.suppressRedundant) sub.lastSent = new Map(updates.map((u) => [pathToString(u.path), valueSignature(u.value)]));
      this.send(updates, ts);
    }
  }

  private send(updates: GnmiUpdate[], ts: bigint, deletes: GnmiPath[] = []): void {
    if (updates.length === 0 && deletes.length === 0) return;
    for (const msg of encodePackedUpdates(updates, ts, this.targetName, deletes)) this.queue.push(msg);
  }

  private startStreaming(): void {
    const onChange = this.subs.filter((s) => s.mode === 'ON_CHANGE');
    if (onChange.length > 0) {
      this.unlisten = this.target!.onChange((updates, deletes) => {
        if (this.done) return;
        const ups = updates.filter((u) => onChange.some((s) => isPrefixOf(s.path, u.path)));
        const dels = deletes.filter((d) => onChange.some((s) => isPrefixOf(s.path, d) || isPrefixOf(d, s.path)));
        this.send(ups, nowNs(), dels);
      });
    }
    const byPeriod = new Map<number, ActiveSubscription[]>();
    for (const sub of this.subs) {
      if (sub.mode === 'SAMPLE') {
        const group = byPeriod.get(sub.sampleMs);
        if (group) group.push(sub);
        else byPeriod.set(sub.sampleMs, [sub]);
      } else if (sub.heartbeatMs > 0) this.timers.push(setInterval(() => this.guard(() => this.sendCurrent([sub])), sub.heartbeatMs));
    }
    for (const [periodMs, group] of byPeriod) this.every(periodMs, () => this.guard(() => { for (const sub of group) this.sample(sub); }));
  }

  /**
   * Runs fn every periodMs on absolute deadlines (start + k·period), so a late tick does not
   * push the later ones back as setInterval does: a busy process still samples at the asked
   * rate. Ticks more than a period late are skipped (counted in lateTicks), not run in a burst.
   */
  private every(periodMs: number, fn: () => void): void {
    const slot = this.timers.length;
    let due = performance.now() + periodMs;
    const tick = () => {
      if (this.done) return;
      fn();
      if (this.done) return;
      const now = performance.now();
      due += periodMs;
      if (due <= now) {
        const missed = Math.floor((now - due) / periodMs) + 1;
        this.lateTicks += missed;
        due += missed * periodMs;
      }
      this.timers[slot] = setTimeout(tick, due - now);
    };
    this.timers.push(setTimeout(tick, periodMs));
  }

  private sample(sub: ActiveSubscription): void {
    if (this.queue.length > this.ctx.queueLimit / 10) {
      this.skippedSamples++;
      return;
    }
    const updates = this.leaves(sub);
    if (!sub.suppressRedundant) {
      this.send(updates, nowNs());
      return;
    }
    const now = Date.now();
    const heartbeat = sub.heartbeatMs > 0 && now - sub.lastFull >= sub.heartbeatMs;
    if (heartbeat) sub.lastFull = now;
    const last = sub.lastSent ?? new Map<string, string>();
    sub.lastSent = last;
    const changed: GnmiUpdate[] = [];
    for (const u of updates) {
      const key = pathToString(u.path);
      const sig = valueSignature(u.value);
      if (heartbeat || last.get(key) !== sig) changed.push(u);
      last.set(key, sig);
    }
    this.send(changed, nowNs());
  }

  private guard(fn: () => void): void {
    if (this.done) return;
    try {
      fn();
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    if (this.done) return;
    this.stop();
    this.call.emit('error', toServiceError(err));
  }

  private finish(): void {
    if (this.done) return;
    this.stopTimers();
    this.done = true;
    this.queue.whenFlushed(() => this.call.end());
  }

  private stopTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    this.unlisten?.();
    this.unlisten = undefined;
  }

  private stop(): void {
    this.stopTimers();
    this.done = true;
    this.queue.close();
  }

  get dropped(): number {
    return this.queue.dropped;
  }
}
