/**
 * Test double of the lease table: the same rules as SqlLeaseStore over maps, with the database
 * clock and failures under the test's control (a partition is `fail = true` for one member).
 */
import type { ClusterState, LeaseRow, LeaseStore, MemberRow, Self } from './lease-db.js';
import { validOwner } from './lease-db.js';

export class MemoryLeaseDb {
  readonly members = new Map<string, MemberRow>();
  readonly leases = new Map<string, LeaseRow>();
  /** The database clock (ms); a test may shift it. */
  now: () => number = () => Date.now();

  /** The view one member has: `fail` makes every call of that member throw (cut off from the database). */
  client(): LeaseStore & { fail: boolean } {
    const db = this;
    const guard = (c: { fail: boolean }) => {
      if (c.fail) throw new Error('connection to the database lost');
    };
    const client = {
      fail: false,
      async register(self: Self, ttlMs: number) {
        guard(client);
        const now = db.now();
        const m = db.members.get(self.id);
        if (m && m.expiresAt > now) return false;
        db.members.set(self.id, { id: self.id, incarnation: self.incarnation, address: self.address, startedAt: self.startedAt, draining: false, heartbeatAt: now, expiresAt: now + ttlMs });
        return true;
      },
      async heartbeat(self: Self, ttlMs: number) {
        guard(client);
        const now = db.now();
        const m = db.members.get(self.id);
        if (!m || m.incarnation !== self.incarnation || m.expiresAt <= now) return { alive: false, draining: false };
        m.heartbeatAt = now;
        m.expiresAt = now + ttlMs;
        return { alive: true, draining: m.draining };
      },
      async state(): Promise<ClusterState> {
        guard(client);
        return { now: db.now(), members: [...db.members.values()].map((m) => ({ ...m })), leases: [...db.leases.values()].map((l) => ({ ...l })) };
      },
      async claim(self: Self, devices: readonly string[]) {
        guard(client);
        const now = db.now();
        const out = new Map<string, number>();
        const me = db.members.get(self.id);
        if (!me || me.incarnation !== self.incarnation || me.expiresAt <= now) return out;
        for (const device of devices) {
          const l = db.leases.get(device);
          if (validOwner(l, db.members, now) !== undefined) continue;
          const epoch = (l?.epoch ?? 0) + 1;
          db.leases.set(device, { device, owner: self.id, incarnation: self.incarnation, epoch, acquiredAt: now });
          out.set(device, epoch);
        }
        return out;
      },
      async release(self: Self, devices: readonly string[]) {
        guard(client);
        for (const d of devices) {
          const l = db.leases.get(d);
          if (l && l.owner === self.id && l.incarnation === self.incarnation) db.leases.set(d, { ...l, owner: null, incarnation: null });
        }
      },
      async forget(self: Self, devices: readonly string[]) {
        guard(client);
        for (const d of devices) if (db.leases.get(d)?.owner === self.id) db.leases.delete(d);
      },
      async setDraining(id: string, draining: boolean) {
        guard(client);
        const m = db.members.get(id);
        if (m) m.draining = draining;
        return m !== undefined;
      },
      async leave(self: Self) {
        guard(client);
        await client.release(self, [...db.leases.keys()]);
        if (db.members.get(self.id)?.incarnation === self.incarnation) db.members.delete(self.id);
      },
      async reap() {},
      async close() {},
    };
    return client;
  }
}
