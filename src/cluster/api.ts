/** What the rest of the controller sees of the cluster layer. */
import type { ManagedDevice } from '../device/index.js';

/** How a configuration push went on the device's owner: applied, or refused/failed with a code and the device's words. */
export type ConfigureOutcome = { applied: true } | { applied: false; code: string; error: string };

/** Where device-sync sends the devices the context asks sessions for. */
export interface SessionTarget {
  add(device: ManagedDevice): Promise<void>;
  remove(uuid: string): Promise<void>;
}

export interface MemberView {
  id: string;
  address: string;
  started_at: string;
  heartbeat_age_ms: number;
  alive: boolean;
  draining: boolean;
  /** Devices whose valid lease it holds. */
  devices: number;
}

export interface LeaseView {
  device: string;
  owner: string | null;
  epoch: number;
  /** When the lease lapses unless its owner heartbeats again (the owner's expiry); null when released. */
  expires: string | null;
  valid: boolean;
}

/** The JSON of GET /cluster. */
export interface ClusterView {
  mode: 'single' | 'cluster';
  self: string;
  lease_ttl_ms: number;
  /** Devices that want a session (managed devices). */
  devices: number;
  /** Of those, how many no live member validly holds. */
  unowned: number;
  members: MemberView[];
  leases: LeaseView[];
  ownership: Record<string, number>;
}

export interface Cluster extends SessionTarget {
  readonly mode: 'single' | 'cluster';
  readonly memberId: string;
  /** Joins with the NBI address others should show, and starts heartbeats and ownership. */
  start(address: string): Promise<void>;
  /** Leaves gracefully: stops this member's sessions, releases its leases, removes its member row. */
  stop(): Promise<void>;
  /** Stops at once without a word to the others (what kill -9 leaves behind): for tests. */
  halt(): Promise<void>;
  /** True when this member holds the device's lease and still trusts it. */
  ownsLocally(device: string): boolean;
  /** The member holding the device's valid lease, from the last read (fresh: read now). */
  ownerOf(device: string, fresh?: boolean): Promise<string | undefined>;
  /** Whether this member coordinates a key (a service): rendezvous over live, non-draining members. */
  coordinates(key: string): boolean;
  view(): Promise<ClusterView>;
  /** Marks a member draining (or not); false when there is no such member. */
  setDraining(member: string, draining: boolean): Promise<boolean>;
  /** Devices this member owns now. */
  ownedCount(): number;
}
