import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ManagedDevice } from '../device/index.js';
import type { SessionTarget } from './api.js';
import { ClusterCoordinator } from './coordinator.js';
import { rendezvous } from './hrw.js';
import { LocalCluster } from './local.js';
import { MemoryLeaseDb } from './memory-lease-store.js';
import { waitFor } from './testing.js';

const TTL = 1000;
const NO_LOG = { debug() {}, info() {}, warn() {}, error() {} };
const device = (uuid: string): ManagedDevice => ({ uuid, name: uuid, drivers: ['DEVICEDRIVER_UNDEFINED'], address: '', port: 0, settings: {} });

/** Sessions of every member on one device side: the most ever open at once per device. */
class Devices {
  readonly open = new Map<string, Set<string>>();
  maxOpen = 0;
  target(member: string): SessionTarget {
    return {
      add: async (d) => {
        const s = this.open.get(d.uuid) ?? new Set<string>();
        s.add(member);
        this.open.set(d.uuid, s);
        this.maxOpen = Math.max(this.maxOpen, s.size);
      },
      remove: async (uuid) => {
        this.open.get(uuid)?.delete(member);
      },
    };
  }
  holders(uuid: string): string[] {
    return [...(this.open.get(uuid) ?? [])];
  }
}

describe('cluster coordinator (in-memory lease table)', () => {
  const running: ClusterCoordinator[] = [];
  afterEach(async () => {
    for (const c of running.splice(0)) await c.halt();
  });
  const member = async (db: MemoryLeaseDb, devices: Devices, id: string, uuids: string[]) => {
    const leases = db.client();
    const c = new ClusterCoordinator({ leases, sessions: devices.target(id), memberId: id, leaseTtlMs: TTL, logger: NO_LOG });
    for (const u of uuids) await c.add(device(u));
    await c.start(`http://${id}`);
    running.push(c);
    return { c, leases };
  };
  const uuids = Array.from({ length: 60 }, (_, i) => `dev-${i}`);

  it('spreads devices by rendezvous hashing, each with exactly one session', async () => {
    const db = new MemoryLeaseDb();
    const devices = new Devices();
    await member(db, devices, 'a', uuids);
    await member(db, devices, 'b', uuids);
    await member(db, devices, 'c', uuids);
    await waitFor('every device on its rendezvous member', () => (uuids.every((u) => devices.holders(u).join() === rendezvous(u, ['a', 'b', 'c'])) ? true : undefined), 10_000, 20);
    assert.equal(devices.maxOpen, 1);
    const epochs = [...db.leases.values()].map((l) => l.epoch);
    assert.ok(epochs.every((e) => e >= 1));
  });

  it('an owner cut off from the database stops its sessions before its devices can be taken', async () => {
    const db = new MemoryLeaseDb();
    const devices = new Devices();
    const a = await member(db, devices, 'a', uuids);
    await member(db, devices, 'b', uuids);
    await waitFor('both owning', () => (uuids.every((u) => devices.holders(u).length === 1) ? true : undefined), 10_000, 20);
    const ofA = uuids.filter((u) => devices.holders(u)[0] === 'a');
    assert.ok(ofA.length > 0);
    a.leases.fail = true;
    await waitFor('b owning everything', () => (uuids.every((u) => devices.holders(u).join() === 'b') ? true : undefined), 10_000, 5);
    const expiry = db.members.get('a')!.expiresAt;
    assert.equal(devices.maxOpen, 1, 'a device had two sessions at once');
    for (const u of ofA) assert.ok(db.leases.get(u)!.acquiredAt >= expiry, 'taken before the holder expired');
    assert.ok(ofA.every((u) => db.leases.get(u)!.epoch >= 2), 'a takeover bumps the epoch');
  });

  it('a member whose membership expired joins again and gets devices back', async () => {
    const db = new MemoryLeaseDb();
    const devices = new Devices();
    const a = await member(db, devices, 'a', uuids);
    await waitFor('a owning everything', () => (uuids.every((u) => devices.holders(u).join() === 'a') ? true : undefined), 10_000, 20);
    a.leases.fail = true;
    await waitFor('a stopped', () => (uuids.every((u) => devices.holders(u).length === 0) ? true : undefined), 10_000, 20);
    db.members.get('a')!.expiresAt = 0;
    a.leases.fail = false;
    await waitFor('a owning again', () => (uuids.every((u) => devices.holders(u).join() === 'a') ? true : undefined), 10_000, 20);
    assert.equal(devices.maxOpen, 1);
  });

  it('moves only the joining member\'s share and drains a member completely', async () => {
    const db = new MemoryLeaseDb();
    const devices = new Devices();
    await member(db, devices, 'a', uuids);
    await member(db, devices, 'b', uuids);
    await waitFor('a and b', () => (uuids.every((u) => devices.holders(u).join() === rendezvous(u, ['a', 'b'])) ? true : undefined), 10_000, 20);
    const before = new Map(uuids.map((u) => [u, devices.holders(u)[0]]));
    const c = await member(db, devices, 'c', uuids);
    await waitFor('c joined', () => (uuids.every((u) => devices.holders(u).join() === rendezvous(u, ['a', 'b', 'c'])) ? true : undefined), 10_000, 20);
    const moved = uuids.filter((u) => devices.holders(u)[0] !== before.get(u));
    assert.ok(moved.every((u) => devices.holders(u)[0] === 'c'), 'only devices going to the new member move');
    assert.ok(moved.length >= 8 && moved.length <= 35, `${moved.length} of ${uuids.length} moved`);
    assert.ok(await c.c.setDraining('c', true));
    await waitFor('c drained', () => (uuids.every((u) => devices.holders(u).join() === rendezvous(u, ['a', 'b'])) ? true : undefined), 10_000, 20);
    assert.equal(c.c.ownedCount(), 0);
    assert.equal(devices.maxOpen, 1);
    const v = await c.c.view();
    assert.equal(v.unowned, 0);
    assert.equal(v.members.find((m) => m.id === 'c')?.draining, true);
  });

  it('refuses to start beside a live member with the same id', async () => {
    const db = new MemoryLeaseDb();
    const devices = new Devices();
    await member(db, devices, 'a', []);
    const twin = new ClusterCoordinator({ leases: db.client(), sessions: devices.target('a2'), memberId: 'a', leaseTtlMs: TTL, logger: NO_LOG });
    const started = Date.now();
    // The first keeps heartbeating, so the id never frees up: start gives up after ~3 TTL + 5 s.
    await assert.rejects(twin.start('http://twin'), /held by a live member/);
    assert.ok(Date.now() - started >= 3 * TTL);
  });
});

describe('local cluster (single process)', () => {
  it('passes every device straight to the sessions and owns it', async () => {
    const devices = new Devices();
    const c = new LocalCluster('solo', devices.target('solo'));
    await c.add(device('x'));
    assert.deepEqual(devices.holders('x'), ['solo']);
    assert.equal(c.ownsLocally(), true);
    assert.equal(await c.ownerOf(), 'solo');
    const v = await c.view();
    assert.equal(v.mode, 'single');
    assert.equal(v.ownership.solo, 1);
    await c.remove('x');
    assert.deepEqual(devices.holders('x'), []);
  });
});
