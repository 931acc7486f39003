/** Single-process mode (SQLite or the in-process bus): this process owns every device; no leases. */
import type { ManagedDevice } from '../device/index.js';
import type { Cluster, ClusterView, SessionTarget } from './api.js';

export class LocalCluster implements Cluster {
  readonly mode = 'single' as const;
  readonly #devices = new Set<string>();
  #address = '';
  readonly #startedAt = new Date().toISOString();

  constructor(
    readonly memberId: string,
    private readonly sessions: SessionTarget,
  ) {}

  async add(device: ManagedDevice): Promise<void> {
    this.#devices.add(device.uuid);
    await this.sessions.add(device);
  }

  async remove(uuid: string): Promise<void> {
    this.#devices.delete(uuid);
    await this.sessions.remove(uuid);
  }

  async start(address: string): Promise<void> {
    this.#address = address;
  }

  async stop(): Promise<void> {}

  async halt(): Promise<void> {}

  ownsLocally(): boolean {
    return true;
  }

  async ownerOf(): Promise<string> {
    return this.memberId;
  }

  coordinates(): boolean {
    return true;
  }

  ownedCount(): number {
    return this.#devices.size;
  }

  async setDraining(member: string): Promise<boolean> {
    // One member has nowhere to hand its devices to: draining it changes nothing.
    return member === this.memberId;
  }

  async view(): Promise<ClusterView> {
    const n = this.#devices.size;
    return {
      mode: 'single',
      self: this.memberId,
      lease_ttl_ms: 0,
      devices: n,
      unowned: 0,
      members: [{ id: this.memberId, address: this.#address, started_at: this.#startedAt, heartbeat_age_ms: 0, alive: true, draining: false, devices: n }],
      leases: [],
      ownership: { [this.memberId]: n },
    };
  }
}
