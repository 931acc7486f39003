/**
 * Members and device leases in the shared database (PostgreSQL or CockroachDB). Every time is
 * taken from the database's clock (`now()`), so members never compare their own clocks; a
 * device's lease is valid while its owner's member row is alive and of the same incarnation.
 */
import { Kysely, sql } from 'kysely';
import { CnsdnError } from '../common/errors.js';
import { isSerializationFailure, withRetry } from '../store/index.js';
import { postgresClient, SafePostgresJSDialect } from '../store/pg-driver.js';

interface MemberTable {
  id: string;
  incarnation: string;
  address: string;
  started_at: string;
  draining: number;
  heartbeat_at: number;
  expires_at: number;
}

interface LeaseTable {
  device: string;
  owner: string | null;
  incarnation: string | null;
  epoch: number;
  acquired_at: number;
}

interface ClusterDb {
  cluster_member: MemberTable;
  device_lease: LeaseTable;
}

export interface MemberRow {
  id: string;
  incarnation: string;
  address: string;
  startedAt: string;
  draining: boolean;
  heartbeatAt: number;
  expiresAt: number;
}

export interface LeaseRow {
  device: string;
  owner: string | null;
  incarnation: string | null;
  epoch: number;
  acquiredAt: number;
}

/** One read of the cluster tables; `now` is the database clock (ms). */
export interface ClusterState {
  now: number;
  members: MemberRow[];
  leases: LeaseRow[];
}

/** Who this process is in the member table. */
export interface Self {
  id: string;
  incarnation: string;
  address: string;
  startedAt: string;
}

/** What the coordinator needs of the lease table (a fake implements it in unit tests). */
export interface LeaseStore {
  register(self: Self, ttlMs: number): Promise<boolean>;
  /** Extends this member's lifetime; alive is false when it had already expired (it must re-register). */
  heartbeat(self: Self, ttlMs: number): Promise<{ alive: boolean; draining: boolean }>;
  state(): Promise<ClusterState>;
  /** Takes the leases of the given devices that nobody validly holds; returns device → epoch taken. */
  claim(self: Self, devices: readonly string[]): Promise<Map<string, number>>;
  /** Gives up leases this member holds (the sessions must be stopped before). */
  release(self: Self, devices: readonly string[]): Promise<void>;
  /** Removes the lease rows of devices that no longer exist (only those this member holds). */
  forget(self: Self, devices: readonly string[]): Promise<void>;
  setDraining(id: string, draining: boolean): Promise<boolean>;
  /** Releases everything and removes the member row. */
  leave(self: Self): Promise<void>;
  /** Removes member rows expired for longer than `ms`. */
  reap(ms: number): Promise<void>;
  close(): Promise<void>;
}

const NOW = sql<string>`(extract(epoch from now()) * 1000)::bigint`;
const BATCH = 500;

/** The owner of a lease when its owner's heartbeat is alive and of the same incarnation; else undefined. */
export function validOwner(lease: LeaseRow | undefined, members: ReadonlyMap<string, MemberRow>, now: number): string | undefined {
  if (!lease?.owner) return undefined;
  const m = members.get(lease.owner);
  return m && m.incarnation === lease.incarnation && m.expiresAt > now ? lease.owner : undefined;
}

/** A member row as the coordinator uses it (bigint columns come back as strings). */
function member({ started_at, draining, heartbeat_at, expires_at, ...same }: MemberTable): MemberRow {
  return { ...same, startedAt: started_at, draining: Number(draining) === 1, heartbeatAt: Number(heartbeat_at), expiresAt: Number(expires_at) };
}

function lease(r: LeaseTable): LeaseRow {
  return { device: r.device, owner: r.owner, incarnation: r.incarnation, epoch: Number(r.epoch), acquiredAt: Number(r.acquired_at) };
}

function chunks<T>(list: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += BATCH) out.push(list.slice(i, i + BATCH));
  return out;
}

export class SqlLeaseStore implements LeaseStore {
  private db: Kysely<ClusterDb>;

  private constructor(private readonly connect: () => Kysely<ClusterDb>) {
    this.db = connect();
  }

  /** Its own small pool: heartbeats must not wait behind the store's bulk work. */
  static open(url: string): SqlLeaseStore {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new CnsdnError('INVALID_ARGUMENT', 'cluster leases need a PostgreSQL or CockroachDB URL');
    return new SqlLeaseStore(() => {
      const client = postgresClient(url, { max: 4, applicationName: 'cnsdn-cluster', connectTimeoutS: 5 });
      return new Kysely<ClusterDb>({ dialect: new SafePostgresJSDialect(client) });
    });
  }

  /**
   * Runs a membership call that must answer within `ms`. A primary that went silent (failover,
   * partition) leaves queries hanging on dead sockets: the pool is then replaced, so the next
   * call connects afresh (to the new primary with target_session_attrs=read-write).
   */
  async #bounded<R>(ms: number, fn: () => Promise<R>): Promise<R> {
    const db = this.db;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CnsdnError('UNAVAILABLE', `the database did not answer a membership call within ${ms} ms`)), ms);
    });
    const call = fn();
    call.catch(() => undefined);
    try {
      return await Promise.race([call, timeout]);
    } catch (err) {
      if (err instanceof CnsdnError && err.code === 'UNAVAILABLE' && this.db === db) {
        this.db = this.connect();
        // Closed later, once its hung calls had time to fail on their own: ending connections
        // that are still writing is where postgres.js has been seen to throw during failovers.
        setTimeout(() => void db.destroy().catch(() => undefined), 30_000).unref();
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  #serializable<R>(fn: (trx: Kysely<ClusterDb>) => Promise<R>): Promise<R> {
    return withRetry(() => this.db.transaction().setIsolationLevel('serializable').execute(fn), { maxAttempts: 8, isRetryable: isSerializationFailure });
  }

  register(self: Self, ttlMs: number): Promise<boolean> {
    return this.#bounded(ttlMs, () => this.#register(self, ttlMs));
  }

  async #register(self: Self, ttlMs: number): Promise<boolean> {
    const rows = await this.db
      .insertInto('cluster_member')
      .values({
        id: self.id,
        incarnation: self.incarnation,
        address: self.address,
        started_at: self.startedAt,
        draining: 0,
        heartbeat_at: sql<number>`${NOW}`,
        expires_at: sql<number>`${NOW} + ${ttlMs}`,
      })
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) => ({
            incarnation: eb.ref('excluded.incarnation'),
            address: eb.ref('excluded.address'),
            started_at: eb.ref('excluded.started_at'),
            draining: 0,
            heartbeat_at: eb.ref('excluded.heartbeat_at'),
            expires_at: eb.ref('excluded.expires_at'),
          }))
          // Only over a member that is gone: two live processes must never share an id.
          .where('cluster_member.expires_at', '<=', sql<number>`${NOW}`),
      )
      .returning('id')
      .execute();
    return rows.length === 1;
  }

  heartbeat(self: Self, ttlMs: number): Promise<{ alive: boolean; draining: boolean }> {
    return this.#bounded(ttlMs, () => this.#heartbeat(self, ttlMs));
  }

  async #heartbeat(self: Self, ttlMs: number): Promise<{ alive: boolean; draining: boolean }> {
    const row = await this.db
      .updateTable('cluster_member')
      .set({ heartbeat_at: sql<number>`${NOW}`, expires_at: sql<number>`${NOW} + ${ttlMs}`, address: self.address })
      .where('id', '=', self.id)
      .where('incarnation', '=', self.incarnation)
      .where('expires_at', '>', sql<number>`${NOW}`)
      .returning('draining')
      .executeTakeFirst();
    return { alive: row !== undefined, draining: row !== undefined && Number(row.draining) === 1 };
  }

  async state(): Promise<ClusterState> {
    const [{ rows }, members, leases] = await Promise.all([
      sql<{ now: string }>`select ${NOW} as now`.execute(this.db),
      this.db.selectFrom('cluster_member').selectAll().orderBy('id').execute(),
      this.db.selectFrom('device_lease').selectAll().execute(),
    ]);
    return { now: Number(rows[0]!.now), members: members.map(member), leases: leases.map(lease) };
  }

  async claim(self: Self, devices: readonly string[]): Promise<Map<string, number>> {
    const taken = new Map<string, number>();
    for (const batch of chunks(devices)) {
      const got = await this.#serializable(async (trx) => {
        const out = new Map<string, number>();
        const now = Number((await sql<{ now: string }>`select ${NOW} as now`.execute(trx)).rows[0]!.now);
        const me = await trx.selectFrom('cluster_member').selectAll().where('id', '=', self.id).executeTakeFirst();
        if (!me || me.incarnation !== self.incarnation || Number(me.expires_at) <= now) return out;
        const leases = new Map((await trx.selectFrom('device_lease').selectAll().where('device', 'in', batch).execute()).map((r) => [r.device, lease(r)]));
        const owners = [...new Set([...leases.values()].map((l) => l.owner).filter((o): o is string => o !== null))];
        const members = new Map(
          owners.length ? (await trx.selectFrom('cluster_member').selectAll().where('id', 'in', owners).execute()).map((r) => [r.id, member(r)]) : [],
        );
        const rows: LeaseTable[] = [];
        for (const device of batch) {
          const l = leases.get(device);
          if (validOwner(l, members, now) !== undefined) continue;
          const epoch = (l?.epoch ?? 0) + 1;
          rows.push({ device, owner: self.id, incarnation: self.incarnation, epoch, acquired_at: now });
          out.set(device, epoch);
        }
        if (rows.length) {
          await trx
            .insertInto('device_lease')
            .values(rows)
            .onConflict((oc) =>
              oc.column('device').doUpdateSet((eb) => ({
                owner: eb.ref('excluded.owner'),
                incarnation: eb.ref('excluded.incarnation'),
                epoch: eb.ref('excluded.epoch'),
                acquired_at: eb.ref('excluded.acquired_at'),
              })),
            )
            .execute();
        }
        return out;
      });
      for (const [d, e] of got) taken.set(d, e);
    }
    return taken;
  }

  async release(self: Self, devices: readonly string[]): Promise<void> {
    for (const batch of chunks(devices)) {
      await this.db
        .updateTable('device_lease')
        .set({ owner: null, incarnation: null })
        .where('device', 'in', batch)
        .where('owner', '=', self.id)
        .where('incarnation', '=', self.incarnation)
        .execute();
    }
  }

  async forget(self: Self, devices: readonly string[]): Promise<void> {
    for (const batch of chunks(devices)) {
      await this.db.deleteFrom('device_lease').where('device', 'in', batch).where('owner', '=', self.id).where('incarnation', '=', self.incarnation).execute();
    }
  }

  async setDraining(id: string, draining: boolean): Promise<boolean> {
    const r = await this.db.updateTable('cluster_member').set({ draining: draining ? 1 : 0 }).where('id', '=', id).returning('id').executeTakeFirst();
    return r !== undefined;
  }

  async leave(self: Self): Promise<void> {
    await this.db.updateTable('device_lease').set({ owner: null, incarnation: null }).where('owner', '=', self.id).where('incarnation', '=', self.incarnation).execute();
    await this.db.deleteFrom('cluster_member').where('id', '=', self.id).where('incarnation', '=', self.incarnation).execute();
  }

  async reap(ms: number): Promise<void> {
    await this.db.deleteFrom('cluster_member').where('expires_at', '<', sql<number>`${NOW} - ${ms}`).execute();
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
