/** The service layer: L2NM/L3NM activation as network-wide transactions, check-sync and re-sync. */
export type { ActivationResult, DeviceConfigDiff, ServiceActivator, ServiceFailure } from './api.js';
export { defaultHandlers, HandlerRegistry, OPENCONFIG_DRIVERS, type Renderer, renderOpenConfig, type Rule, SERVICE_TYPES } from './handlers.js';
export { FAILURE_KEY, type ServiceActivation, ServiceManager, type ServiceManagerOptions } from './manager.js';
export { DEFAULT_LINK_POOL } from './pool.js';
export { serviceRoutes } from './routes.js';
export type { Drift, DeviceSync, SyncReport } from './sync.js';
