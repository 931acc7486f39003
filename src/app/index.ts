/** The composition root: wires store, bus, managers, drivers and the NBI into one controller. */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { Gauge } from 'prom-client';
import { authEnv, createAuth } from '../auth/index.js';
import { openBus } from '../bus/index.js';
import { clusterRoutes, clusterSettings, createCluster, gatedBus, readinessGraceMs } from '../cluster/index.js';
import { ContextManager, exportDescriptor } from '../context/index.js';
import { Allowlist, announcedModelsOf, createDefaultRegistry, SessionManager } from '../device/index.js';
import { lazyDriverFactory } from '../device/lazy.js';
import type { Device } from '../model/index.js';
import { descriptorRoutes } from '../nbi/descriptors-api.js';
import { ietfSliceRoutes } from '../nbi/ietf-slice.js';
import { ietfVpnRoutes } from '../nbi/ietf-vpn.js';
import { buildServer, createMetricsRegistry, credentialTrust, guardOptionsFromEnv, learnSecurityHeaders, WebTierGuard, webuiFastPath } from '../nbi/index.js';
import { tfsApiRoutes } from '../nbi/tfs-api.js';
import { ServiceManager, serviceRoutes } from '../service/index.js';
import { SliceManager } from '../slice/index.js';
import { openStore } from '../store/index.js';
import { createTelemetry } from '../telemetry/index.js';
import { loadWebuiAssets, webuiRoutes, yangTreeRoutes } from '../webui/index.js';
import { DeviceConfigSync } from './config-sync.js';
import { demoDescriptor } from './demo.js';
import type { DemoGnmi } from './demo-gnmi.js';
import { startDeviceNotifications } from './device-notifications.js';
import { startDeviceSync } from './device-sync.js';
import type { ControllerOptions, RunningController } from './options.js';

export { managedDevice } from './device-sync.js';
export type { ControllerOptions, RunningController } from './options.js';

export const VERSION = '0.1.0';

export async function startController(options: ControllerOptions): Promise<RunningController> {
  const logger = pino({ level: options.logLevel ?? 'info', redact: ['*.password', '*.token', 'settings.password'] });
  const databaseUrl = options.databaseUrl ?? `sqlite:${join(resolve(options.dataDir), 'cnsdn.db')}`;
  if (!options.databaseUrl) mkdirSync(resolve(options.dataDir), { recursive: true });
  const store = await openStore({ url: databaseUrl });
  const stream = options.natsStream ?? process.env.CNSDN_NATS_STREAM;
  const subjectPrefix = options.natsSubjectPrefix ?? process.env.CNSDN_NATS_PREFIX;
  const bus = await openBus({
    url: options.natsUrl ?? 'inprocess',
    logger: logger.child({ module: 'bus' }),
    ...(stream ? { stream } : {}),
    ...(subjectPrefix ? { subjectPrefix } : {}),
  });
  const ctx = new ContextManager(store, bus, logger.child({ module: 'context' }));

  const allowlist = options.southboundAllow !== undefined ? new Allowlist(options.southboundAllow.split(',')) : Allowlist.fromEnv();
  // gNMI and NETCONF code (gRPC, protobuf, SSH, YANG) is loaded when the first such device connects.
  const registry = createDefaultRegistry()
    .register(lazyDriverFactory(['DEVICEDRIVER_GNMI_OPENCONFIG'], true, async () => (await import('../drivers/gnmi-openconfig/index.js')).gnmiOpenconfigDriverFactory))
    .register(lazyDriverFactory(['DEVICEDRIVER_OPENCONFIG'], true, async () => (await import('../drivers/netconf-openconfig/index.js')).netconfOpenconfigDriverFactory));
  for (const driver of options.drivers ?? []) registry.register(driver);
  const sessions = new SessionManager({ registry, allowlist, sink: ctx, logger: logger.child({ module: 'device' }) });

  const metrics = createMetricsRegistry();
  // Device ownership: in a cluster (PostgreSQL + NATS) only a device's owner runs its session; the others ask the owner.
  const cluster = createCluster({
    settings: clusterSettings(options.cluster),
    store: { backend: store.backend, url: databaseUrl },
    bus,
    sessions,
    configureHere: (uuid) => configSync.configureNow(uuid),
    logger: logger.child({ module: 'cluster' }),
    registry: metrics,
  });

  const services = new ServiceManager({
    ctx,
    sessions: cluster.router,
    linkPool: options.serviceLinkPool,
    logger: logger.child({ module: 'service' }),
    coordinates: (uuid) => cluster.cluster.coordinates(uuid),
  });
  const slices = new SliceManager({ ctx, services, logger: logger.child({ module: 'slice' }) });

  new Gauge({
    name: 'cnsdn_device_sessions',
    help: 'Device sessions by state',
    labelNames: ['state'],
    registers: [metrics],
    collect() {
      const s = sessions.stats();
      for (const state of ['connected', 'connecting', 'failed'] as const) this.set({ state }, s[state]);
    },
  });

  // Telemetry: subscribes device counters on every session; samples stay in memory, never in the store.
  const telemetry = createTelemetry({
    sessions,
    loadDevice: async (uuid) => (await store.get<Device>('device', uuid))?.body,
    events: bus,
    registry: metrics,
    logger: logger.child({ module: 'telemetry' }),
    routes: { resolveDevice: async (ref) => (await ctx.getDevice(ref)).device_id.device_uuid.uuid },
  });

  // Device notifications (NETCONF) become bus events of kind `notification`, from the session's replica only.
  const notifications = startDeviceNotifications({
    bus,
    sessions,
    deviceName: async (uuid) => (await store.get<Device>('device', uuid))?.body.name,
    owns: (uuid) => cluster.cluster.ownsLocally(uuid),
    registry: metrics,
    log: logger.child({ module: 'notifications' }),
  });

  // The WebUI is read into memory once; every page load is then answered from it.
  const webui = loadWebuiAssets();
  if (!webui.built) logger.warn({ dir: webui.dir }, 'WebUI not built (npm run build): /webui serves a placeholder');

  const adminToken = options.adminToken ?? process.env.CNSDN_ADMIN_TOKEN ?? undefined;
  // Library callers (tests) get the open API unless they ask for auth; `cnsdn serve` asks for it.
  const authSettings = authEnv();
  const auth = await createAuth({
    mode: options.auth ?? 'off',
    store,
    logger: logger.child({ module: 'auth' }),
    adminToken: adminToken || undefined,
    sessionKeys: options.sessionKeys ?? authSettings.sessionKeys,
    metricsPublic: authSettings.metricsPublic,
  });
  // The web tier guard sits in front of Fastify: connection caps, timeouts, per-client budgets
  // (CNSDN_RATE_LIMIT per minute, its own budget for clients with a valid credential), shedding.
  const guard = new WebTierGuard({ ...guardOptionsFromEnv(), isTrusted: credentialTrust(adminToken || undefined), ...options.guard }, metrics);
  const server = await buildServer({
    logger: logger.child({ module: 'nbi' }),
    adminToken: adminToken || undefined,
    // A bus re-election or a database failover must not take every replica out of rotation at
    // once: both clients reconnect by themselves, and requests meanwhile wait or get a 503.
    readiness: [
      { name: 'store', check: () => store.ping(), graceMs: readinessGraceMs() },
      { name: 'bus', check: () => bus.ping(), graceMs: readinessGraceMs() },
    ],
    bus,
    metricsRegistry: metrics,
    auth,
    rateLimit: false,
    guard,
    keptAnswers: (kind, ref) => ctx.keptJson(kind, ref),
    routes: [tfsApiRoutes(ctx), ietfVpnRoutes(ctx, services, { log: logger.child({ module: 'ietf-vpn' }) }), descriptorRoutes({ ctx, exportAll: () => exportDescriptor(store) }), telemetry.routes, serviceRoutes(services), ietfSliceRoutes(ctx, slices, { log: logger.child({ module: 'ietf-slice' }) }), clusterRoutes({ cluster: cluster.cluster, ctx, configure: (uuid) => cluster.router.configure(uuid) }), webuiRoutes(webui), yangTreeRoutes({ getDevice: (ref) => ctx.getDevice(ref), announced: (uuid) => cluster.router.withDriver(uuid, announcedModelsOf) })],
    version: VERSION,
  });

  // The WebUI fast path answers before Fastify with the same headers as the Fastify route.
  guard.setFastPath(webuiFastPath(webui, await learnSecurityHeaders(server)));

  await telemetry.start();
  const configSync = new DeviceConfigSync(store, sessions, ctx, logger.child({ module: 'config-sync' }));
  await configSync.start(bus);
  const sync = await startDeviceSync(store, bus, cluster.cluster, logger.child({ module: "device-sync" }));
  // Other replicas' writes reach this one as events: cached list responses must not outlive them.
  // (Topology events too: the service layer keeps a topology snapshot keyed by these generations.)
  const listInvalidation = await bus.subscribe((e) => (e.kind === 'notification' ? undefined : ctx.invalidate(e.kind, e.uuid)), { kinds: ['device', 'link', 'topology'] });
  // Event-triggered service and slice work runs on one member per entity (rendezvous over live members).
  await services.start(gatedBus(bus, (e) => cluster.cluster.coordinates(e.uuid)));
  await slices.start(gatedBus(bus, (e) => cluster.cluster.coordinates(e.uuid)));
  ctx.relay.start();
  let demoGnmi: DemoGnmi | undefined;
  if (options.demo) {
    if ((await store.count('device')) === 0) {
      const r = await ctx.apply(demoDescriptor());
      logger.info({ summary: r.summary }, 'demo topology loaded');
    }
    const { DEMO_GNMI_ROUTERS, startDemoGnmi } = await import('./demo-gnmi.js');
    demoGnmi = await startDemoGnmi(resolve(options.dataDir));
    const r = await ctx.apply(demoGnmi.descriptor);
    logger.info({ summary: r.summary, routers: DEMO_GNMI_ROUTERS }, 'demo gNMI routers started in-process');
  }

  await server.listen({ host: options.host, port: options.port });
  const addr = server.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}`;
  await cluster.start(url);
  await auth.bootstrap(options.initialAdmin ?? authSettings.initialAdmin, url);
  logger.info({ url, store: store.backend, bus: bus.backend, southbound: allowlist.cidrs, auth: auth.mode }, 'cnsdn ready');

  let closed = false;
  const shutdown = async (graceful: boolean) => {
    if (closed) return;
    closed = true;
    await server.close();
    await auth.close();
    await sync.unsubscribe();
    // Gracefully: sessions stop and leases are released, so the others take over at once.
    await (graceful ? cluster.stop() : cluster.halt());
    await listInvalidation.unsubscribe();
    await configSync.stop();
    await slices.stop();
    await services.stop();
    await ctx.relay.stop();
    await telemetry.stop();
    notifications.stop();
    await sessions.close();
    await notifications.idle();
    await demoGnmi?.close();
    await bus.close();
    await store.close();
  };
  return { url, close: () => shutdown(true), halt: () => shutdown(false) };
}
