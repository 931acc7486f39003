/**
 * The cluster layer: membership, device ownership by leases, requests carried out by a device's
 * owner. `createCluster` picks cluster mode (PostgreSQL/CockroachDB + NATS) or the local one.
 */
import type { Registry } from 'prom-client';
import { type Bus, NatsBus } from '../bus/index.js';
import { announcedModelsOf, type DeviceLogger, type Driver } from '../device/index.js';
import type { Cluster, SessionTarget } from './api.js';
import type { ClusterSettings } from './config.js';
import { ClusterCoordinator } from './coordinator.js';
import { SqlLeaseStore } from './lease-db.js';
import { LocalCluster } from './local.js';
import { clusterGauges, clusterMetrics } from './metrics.js';
import { type LocalDrivers, OwnerRouter } from './owner-router.js';
import { ClusterRpc, type DriverMethod } from './rpc.js';

export type { Cluster, ClusterView, ConfigureOutcome, LeaseView, MemberView, SessionTarget } from './api.js';
export { type ClusterSettings, clusterSettings, DEFAULT_LEASE_TTL_MS, readinessGraceMs } from './config.js';
export { gatedBus } from './gate.js';
export { rendezvous } from './hrw.js';
export { OwnerRouter } from './owner-router.js';
export { clusterRoutes, type ClusterRoutesOptions } from './routes.js';

export interface ClusterOptions {
  settings: ClusterSettings;
  /** The store's backend and URL: leases live in PostgreSQL/CockroachDB. */
  store: { backend: 'sqlite' | 'postgres'; url: string };
  bus: Bus;
  /** The session manager: sessions run only for devices this member owns. */
  sessions: SessionTarget & LocalDrivers;
  /** Pushes a device's configuration here (config-sync) and answers the outcome. */
  configureHere: (uuid: string) => Promise<unknown>;
  logger: DeviceLogger;
  registry: Registry;
}

export interface ClusterRuntime {
  cluster: Cluster;
  /** Runs device work on the device's owner (services, the configure route). */
  router: OwnerRouter;
  start(address: string): Promise<void>;
  stop(): Promise<void>;
  /** Stops without leaving (as kill -9 would): for tests. */
  halt(): Promise<void>;
}

/** NATS subjects for requests to members: beside the event subjects, never inside the event stream. */
export function clusterSubjectPrefix(eventsPrefix: string): string {
  return eventsPrefix.endsWith('.events') ? `${eventsPrefix.slice(0, -'.events'.length)}.cluster` : `${eventsPrefix}-cluster`;
}

export function createCluster(o: ClusterOptions): ClusterRuntime {
  const { settings, sessions, logger } = o;
  const clustered = settings.mode === 'auto' && o.store.backend === 'postgres' && o.bus instanceof NatsBus;
  if (!clustered) {
    const cluster = new LocalCluster(settings.memberId, sessions);
    const router = new OwnerRouter({ cluster, local: sessions, configureHere: o.configureHere, timeoutMs: settings.rpcTimeoutMs });
    clusterGauges(o.registry, cluster);
    return { cluster, router, start: (address) => cluster.start(address), stop: () => cluster.stop(), halt: () => cluster.halt() };
  }
  const bus = o.bus as NatsBus;
  const metrics = clusterMetrics(o.registry);
  const cluster = new ClusterCoordinator({ leases: SqlLeaseStore.open(o.store.url), sessions, memberId: settings.memberId, leaseTtlMs: settings.leaseTtlMs, logger, metrics });
  const rpc = new ClusterRpc(
    bus.nc,
    clusterSubjectPrefix(bus.prefix),
    settings.memberId,
    {
      driver: (device, method: DriverMethod, args) =>
        sessions.withDriver(device, (d: Driver) => (method === 'announcedModels' ? announcedModelsOf(d) : (d[method] as (...a: unknown[]) => Promise<unknown>).apply(d, args))),
      configure: o.configureHere,
    },
    (device) => cluster.ownsLocally(device),
    logger,
    metrics,
  );
  const router = new OwnerRouter({ cluster, local: sessions, rpc, configureHere: o.configureHere, timeoutMs: settings.rpcTimeoutMs });
  clusterGauges(o.registry, cluster);
  return {
    cluster,
    router,
    async start(address) {
      rpc.start();
      await cluster.start(settings.advertiseUrl ?? address);
    },
    async stop() {
      await cluster.stop();
      await rpc.stop();
    },
    async halt() {
      await rpc.stop();
      await cluster.halt();
    },
  };
}
