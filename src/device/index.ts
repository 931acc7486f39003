export type {
  AnnouncedModel,
  DeviceOperationalStatus,
  DeviceStatusSink,
  Driver,
  DriverConnectConfig,
  DriverFactory,
  EndpointInfo,
  ManagedDevice,
  Resource,
  ResourceResult,
  StateSample,
  StateSubscription,
} from './api.js';
export { announcedModelsOf, gnmiAnnouncedModels, netconfAnnouncedModels } from './announced-models.js';
export {
  Allowlist,
  DEFAULT_SOUTHBOUND_ALLOW,
  type HostResolver,
  literalOnlyResolver,
  SOUTHBOUND_ALLOW_ENV,
} from './allowlist.js';
export { type BackoffOptions, backoffDelay } from './backoff.js';
export { type DriverContractOptions, type DriverContractSetup, runDriverContract } from './driver.contract.js';
export { EmulatedDriver, emulatedDriverFactory } from './emulated.js';
export { counterKey, KPI_SAMPLE_TYPES } from './kpi.js';
export {
  DEVICE_DRIVERS,
  type DeviceDriverName,
  DriverRegistry,
  driverName,
  driverNumber,
  isDeviceDriverName,
  normalizeDriverName,
  type ResolvedDriver,
} from './registry.js';
export { isUnder, splitResourceKey } from './resource-key.js';
export {
  type DeviceLogger,
  SessionManager,
  type SessionListener,
  type SessionManagerOptions,
  type SessionState,
  type SessionStats,
  type SessionStatus,
} from './session-manager.js';

import { emulatedDriverFactory } from './emulated.js';
import { DriverRegistry } from './registry.js';

/** A registry with the drivers that need nothing outside this folder (the emulated driver). */
export function createDefaultRegistry(): DriverRegistry {
  return new DriverRegistry().register(emulatedDriverFactory);
}
export { endpointResources } from './resources.js';
