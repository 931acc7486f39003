/** Prometheus metrics of the cluster layer. */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Cluster, ClusterView } from './api.js';

export interface ClusterMetrics {
  claims: Counter;
  releases: Counter;
  heartbeatFailures: Counter;
  rpc: Counter<'op' | 'outcome'>;
}

export function clusterMetrics(registry: Registry): ClusterMetrics {
  return {
    claims: new Counter({ name: 'cnsdn_cluster_lease_claims_total', help: 'Device leases this replica took', registers: [registry] }),
    releases: new Counter({ name: 'cnsdn_cluster_lease_releases_total', help: 'Device leases this replica handed over', registers: [registry] }),
    heartbeatFailures: new Counter({ name: 'cnsdn_cluster_heartbeat_failures_total', help: 'Heartbeats that failed or found the membership expired', registers: [registry] }),
    rpc: new Counter({ name: 'cnsdn_cluster_rpc_requests_total', help: 'Requests to device owners, by operation and outcome', labelNames: ['op', 'outcome'] as const, registers: [registry] }),
  };
}

/** Gauges read at scrape time: owned devices (cheap, local) and members/unowned (from the last view, refreshed at most every 2 s). */
export function clusterGauges(registry: Registry, cluster: Cluster): void {
  let last: { at: number; view: ClusterView } | undefined;
  const view = async () => {
    if (!last || Date.now() - last.at > 2000) last = { at: Date.now(), view: await cluster.view() };
    return last.view;
  };
  new Gauge({
    name: 'cnsdn_cluster_owned_devices',
    help: 'Devices whose lease this replica holds',
    registers: [registry],
    collect() {
      this.set(cluster.ownedCount());
    },
  });
  new Gauge({
    name: 'cnsdn_cluster_members',
    help: 'Cluster members by state',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const v = await view().catch(() => undefined);
      if (!v) return;
      const alive = v.members.filter((m) => m.alive);
      this.set({ state: 'alive' }, alive.length);
      this.set({ state: 'draining' }, alive.filter((m) => m.draining).length);
      this.set({ state: 'expired' }, v.members.length - alive.length);
    },
  });
  new Gauge({
    name: 'cnsdn_cluster_devices_unowned',
    help: 'Managed devices no live member holds',
    registers: [registry],
    async collect() {
      const v = await view().catch(() => undefined);
      if (v) this.set(v.unowned);
    },
  });
}
