/**
 * Cluster mode: this process as one member. Two loops run every TTL/5: the heartbeat keeps the
 * member row (and with it every lease it holds) alive; the ownership pass reads members and
 * leases, gives up devices that rendezvous hashing now places on another live member, and takes
 * devices nobody validly holds that it places here. Only devices it holds get a session.
 *
 * Fencing: the database decides expiry by its own clock, and other members take a device only
 * once its holder's row has expired there. The holder trusts its leases only until
 * (when it sent its last successful heartbeat) + TTL − margin by its monotonic clock, and stops
 * every session when that passes without a renewal, so it has let go before anyone may take over.
 */
import { randomBytes } from 'node:crypto';
import type { DeviceLogger, ManagedDevice } from '../device/index.js';
import { CnsdnError } from '../common/errors.js';
import type { Cluster, ClusterView, LeaseView, MemberView, SessionTarget } from './api.js';
import { RendezvousCache } from './hrw.js';
import { type ClusterState, type LeaseStore, type MemberRow, type Self, validOwner } from './lease-db.js';
import type { ClusterMetrics } from './metrics.js';

export interface CoordinatorOptions {
  leases: LeaseStore;
  sessions: SessionTarget;
  memberId: string;
  leaseTtlMs: number;
  logger: DeviceLogger;
  metrics?: ClusterMetrics;
}

/** Heartbeats in flight at once (each holds a connection of the lease pool). */
const MAX_BEATS = 2;

/** Expired member rows are kept this long for GET /cluster, then removed. */
const REAP_AFTER_MS = 10 * 60_000;

const newIncarnation = () => randomBytes(8).toString('hex');

export class ClusterCoordinator implements Cluster {
  readonly mode = 'cluster' as const;
  readonly memberId: string;
  readonly #leases: LeaseStore;
  readonly #sessions: SessionTarget;
  readonly #ttl: number;
  readonly #interval: number;
  /** Safety margin for clock rate, database clock offsets (CockroachDB: ≤ 500 ms) and late timers. */
  readonly #margin: number;
  readonly #log: DeviceLogger;
  readonly #metrics: ClusterMetrics | undefined;
  readonly #targets = new RendezvousCache();
  readonly #wanted = new Map<string, ManagedDevice>();
  /** Devices whose valid lease this member holds (device → epoch), as of the last pass or claim. */
  #owned = new Map<string, number>();
  /** Devices this member has started a session for. */
  readonly #running = new Set<string>();
  #self: Self | undefined;
  #state: ClusterState | undefined;
  #members = new Map<string, MemberRow>();
  /** performance.now() until which this member trusts its leases. */
  #validUntil = 0;
  #stopped = false;
  #timers: NodeJS.Timeout[] = [];
  /** Heartbeats in flight: a slow one does not hold the next back (at most MAX_BEATS at once). */
  readonly #beats = new Set<Promise<void>>();
  #rejoining = false;
  #passing: Promise<void> = Promise.resolve();
  #passQueued = false;
  #lastBeatError = '';

  constructor(options: CoordinatorOptions) {
    this.memberId = options.memberId;
    this.#leases = options.leases;
    this.#sessions = options.sessions;
    this.#ttl = options.leaseTtlMs;
    this.#interval = Math.max(100, Math.floor(options.leaseTtlMs / 5));
    this.#margin = Math.max(500, Math.floor(options.leaseTtlMs / 5));
    this.#log = options.logger;
    this.#metrics = options.metrics;
  }

  // ---- device-sync feeds the devices that want sessions ------------------------------------

  async add(device: ManagedDevice): Promise<void> {
    this.#wanted.set(device.uuid, device);
    if (this.#running.has(device.uuid)) await this.#sessions.add(device);
    else if (this.#trusted() && this.#owned.has(device.uuid)) await this.#startSession(device.uuid);
    else this.#schedulePass();
  }

  async remove(uuid: string): Promise<void> {
    this.#wanted.delete(uuid);
    await this.#stopSession(uuid);
    if (this.#owned.delete(uuid) && this.#self) await this.#leases.forget(this.#self, [uuid]).catch((err: unknown) => this.#log.warn({ device: uuid, err }, 'lease of a removed device not deleted'));
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  async start(address: string): Promise<void> {
    this.#self = { id: this.memberId, incarnation: newIncarnation(), address, startedAt: new Date().toISOString() };
    const deadline = Date.now() + 3 * this.#ttl + 5000;
    for (;;) {
      const sent = performance.now();
      if (await this.#leases.register(this.#self, this.#ttl)) {
        this.#validUntil = sent + this.#ttl - this.#margin;
        break;
      }
      if (Date.now() > deadline) throw new CnsdnError('UNAVAILABLE', `member id ${this.memberId} is held by a live member: set a unique CNSDN_MEMBER_ID`);
      this.#log.warn({ member: this.memberId }, 'member id still held by a live member (a previous process?); waiting for its heartbeat to expire');
      await new Promise((r) => setTimeout(r, this.#interval));
    }
    this.#log.info({ member: this.memberId, address, ttlMs: this.#ttl }, 'joined the cluster');
    this.#timers.push(
      setInterval(() => {
        if (this.#beats.size < MAX_BEATS && !this.#rejoining) this.#beat();
      }, this.#interval).unref(),
    );
    this.#loop(() => this.#pass());
    this.#timers.push(setInterval(() => this.#watchdog(), Math.min(200, this.#interval)).unref());
    await this.#pass();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    await this.#halt();
    if (this.#self) await this.#leases.leave(this.#self).catch((err: unknown) => this.#log.warn({ err }, 'leaving the cluster failed: the others take over after the TTL'));
    await this.#leases.close();
  }

  async halt(): Promise<void> {
    if (this.#stopped) return;
    await this.#halt();
    await this.#leases.close();
  }

  async #halt(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers = [];
    await Promise.allSettled([...this.#beats, this.#passing]);
    await this.#stopAll();
    this.#owned.clear();
  }

  // ---- questions ---------------------------------------------------------------------------

  ownsLocally(device: string): boolean {
    return this.#trusted() && this.#owned.has(device);
  }

  async ownerOf(device: string, fresh = false): Promise<string | undefined> {
    if (fresh || !this.#state) await this.#read();
    const state = this.#state!;
    return validOwner(
      state.leases.find((l) => l.device === device),
      this.#members,
      state.now,
    );
  }

  coordinates(key: string): boolean {
    const eligible = this.#eligible();
    return eligible.length === 0 || this.#targets.target(key, eligible) === this.memberId;
  }

  ownedCount(): number {
    return this.#trusted() ? this.#owned.size : 0;
  }

  async setDraining(member: string, draining: boolean): Promise<boolean> {
    const found = await this.#leases.setDraining(member, draining);
    if (found) this.#schedulePass();
    return found;
  }

  async view(): Promise<ClusterView> {
    await this.#read();
    const { now, members, leases } = this.#state!;
    const counts: Record<string, number> = {};
    const leaseViews: LeaseView[] = [];
    const valid = new Set<string>();
    for (const l of leases) {
      const owner = validOwner(l, this.#members, now);
      if (owner !== undefined) {
        counts[owner] = (counts[owner] ?? 0) + 1;
        valid.add(l.device);
      }
      const m = l.owner ? this.#members.get(l.owner) : undefined;
      leaseViews.push({
        device: l.device,
        owner: l.owner,
        epoch: l.epoch,
        expires: l.owner && m && m.incarnation === l.incarnation ? new Date(m.expiresAt).toISOString() : null,
        valid: owner !== undefined,
      });
    }
    const memberViews: MemberView[] = members.map((m) => ({
      id: m.id,
      address: m.address,
      started_at: m.startedAt,
      heartbeat_age_ms: Math.max(0, now - m.heartbeatAt),
      alive: m.expiresAt > now,
      draining: m.draining,
      devices: counts[m.id] ?? 0,
    }));
    const unowned = [...this.#wanted.keys()].filter((d) => !valid.has(d)).length;
    return { mode: 'cluster', self: this.memberId, lease_ttl_ms: this.#ttl, devices: this.#wanted.size, unowned, members: memberViews, leases: leaseViews, ownership: counts };
  }

  /** Members alive and not draining (all alive ones when every one drains), by the last read. */
  #eligible(): string[] {
    const state = this.#state;
    if (!state) return [];
    const alive = state.members.filter((m) => m.expiresAt > state.now);
    const serving = alive.filter((m) => !m.draining);
    return (serving.length ? serving : alive).map((m) => m.id);
  }

  #trusted(): boolean {
    return !this.#stopped && performance.now() < this.#validUntil;
  }

  // ---- loops -------------------------------------------------------------------------------

  #loop(step: () => Promise<void>): void {
    const run = () => {
      if (this.#stopped) return;
      void step().finally(() => {
        if (!this.#stopped) this.#timers.push(setTimeout(run, this.#interval).unref());
      });
    };
    this.#timers.push(setTimeout(run, this.#interval).unref());
  }

  #beat(): void {
    const beat = (async () => {
      const self = this.#self;
      if (!self || this.#stopped) return;
      const sent = performance.now();
      const incarnation = self.incarnation;
      let rejoins = false;
      try {
        const r = await this.#leases.heartbeat({ ...self }, this.#ttl);
        // A beat of an earlier incarnation says nothing about the current one.
        if (this.#stopped || this.#rejoining || self.incarnation !== incarnation) return;
        if (r.alive) {
          this.#validUntil = Math.max(this.#validUntil, sent + this.#ttl - this.#margin);
          this.#lastBeatError = '';
          return;
        }
        // Our row expired (a long pause, a partition): others may hold our devices already.
        this.#rejoining = rejoins = true;
        this.#metrics?.heartbeatFailures.inc();
        this.#log.warn({ member: self.id }, 'membership expired: sessions stopped, joining again');
        this.#validUntil = 0;
        await this.#stopAll();
        this.#owned.clear();
        self.incarnation = newIncarnation();
        const again = performance.now();
        if (await this.#leases.register({ ...self }, this.#ttl)) this.#validUntil = again + this.#ttl - this.#margin;
      } catch (err) {
        this.#metrics?.heartbeatFailures.inc();
        const message = err instanceof Error ? err.message : String(err);
        if (message !== this.#lastBeatError) this.#log.warn({ err, member: self.id }, 'heartbeat failed');
        this.#lastBeatError = message;
      } finally {
        if (rejoins) this.#rejoining = false;
      }
    })();
    this.#beats.add(beat);
    void beat.finally(() => this.#beats.delete(beat));
  }

  /** Runs an ownership pass soon (after the one running, if any). */
  #schedulePass(): void {
    if (this.#passQueued || this.#stopped || !this.#self) return;
    this.#passQueued = true;
    void this.#passing.finally(() => {
      this.#passQueued = false;
      return this.#pass();
    });
  }

  #pass(): Promise<void> {
    const previous = this.#passing;
    this.#passing = previous.then(() => this.#ownership()).catch((err: unknown) => this.#log.warn({ err }, 'ownership pass failed'));
    return this.#passing;
  }

  async #read(): Promise<void> {
    const state = await this.#leases.state();
    this.#state = state;
    this.#members = new Map(state.members.map((m) => [m.id, m]));
  }

  async #ownership(): Promise<void> {
    const self = this.#self;
    if (!self || this.#stopped) return;
    await this.#read();
    const { now, leases } = this.#state!;
    if (Math.random() < 0.01) await this.#leases.reap(REAP_AFTER_MS).catch(() => undefined);
    const byDevice = new Map(leases.map((l) => [l.device, l]));
    const owned = new Map<string, number>();
    for (const l of leases) if (validOwner(l, this.#members, now) === self.id && l.incarnation === self.incarnation) owned.set(l.device, l.epoch);
    this.#owned = owned;
    const eligible = this.#eligible();
    const release: string[] = [];
    const claim: string[] = [];
    for (const uuid of this.#wanted.keys()) {
      const target = this.#targets.target(uuid, eligible);
      if (owned.has(uuid)) {
        if (target !== undefined && target !== self.id) release.push(uuid);
      } else if (target === self.id && validOwner(byDevice.get(uuid), this.#members, now) === undefined) {
        claim.push(uuid);
      }
    }
    const gone = [...owned.keys()].filter((d) => !this.#wanted.has(d));
    if (release.length || gone.length) {
      // Sessions stop before the leases go: the next owner must never overlap with us.
      await Promise.all([...release, ...gone].map((d) => this.#stopSession(d)));
      if (release.length) {
        await this.#leases.release(self, release);
        this.#metrics?.releases.inc(release.length);
        this.#log.info({ devices: release.length }, 'devices handed over to other members');
      }
      if (gone.length) await this.#leases.forget(self, gone);
      for (const d of [...release, ...gone]) this.#owned.delete(d);
    }
    if (claim.length && this.#trusted()) {
      const taken = await this.#leases.claim(self, claim);
      for (const [d, epoch] of taken) this.#owned.set(d, epoch);
      if (taken.size) {
        this.#metrics?.claims.inc(taken.size);
        this.#log.info({ devices: taken.size }, 'devices taken over');
      }
    }
    await this.#syncSessions();
  }

  /** Sessions exactly for the devices held, wanted and trusted. */
  async #syncSessions(): Promise<void> {
    const trusted = this.#trusted();
    const stop = [...this.#running].filter((d) => !trusted || !this.#owned.has(d) || !this.#wanted.has(d));
    await Promise.all(stop.map((d) => this.#stopSession(d)));
    if (!trusted) return;
    const start = [...this.#owned.keys()].filter((d) => this.#wanted.has(d) && !this.#running.has(d));
    await Promise.all(start.map((d) => this.#startSession(d)));
  }

  async #startSession(uuid: string): Promise<void> {
    const device = this.#wanted.get(uuid);
    if (!device || this.#running.has(uuid)) return;
    this.#running.add(uuid);
    await this.#sessions.add(device);
  }

  async #stopSession(uuid: string): Promise<void> {
    if (!this.#running.delete(uuid)) return;
    await this.#sessions.remove(uuid).catch((err: unknown) => this.#log.warn({ device: uuid, err }, 'stopping a session failed'));
  }

  async #stopAll(): Promise<void> {
    await Promise.all([...this.#running].map((d) => this.#stopSession(d)));
  }

  #watchdog(): void {
    if (this.#running.size === 0 || this.#trusted() || this.#stopped) return;
    this.#log.warn({ member: this.memberId, sessions: this.#running.size }, 'leases not renewed in time: stopping every session before others may take them');
    void this.#stopAll();
  }
}
