import type { DriverConnectConfig, DriverFactory } from '../../device/index.js';
import { GnmiOpenconfigDriver } from './driver.js';

export { composeDelete, composeUpdate, niTypeIdentity } from './compose.js';
export { GnmiOpenconfigDriver } from './driver.js';
export { COUNTER_SAMPLE_TYPES, ENDPOINT_SAMPLE_TYPES, endpointsFromInterfaces } from './endpoints.js';
export { parseResourceKey, RESOURCE_ENDPOINTS, RESOURCE_INTERFACES, RESOURCE_NETWORK_INSTANCES, type ResourceRef } from './keys.js';
export { renderInterfaces, renderNetworkInstances } from './render.js';
export { type GnmiDriverSettings, parseGnmiSettings } from './settings.js';
export { parseStateKey, samplesOf, streamSpecs } from './telemetry.js';

/** TFS DEVICEDRIVER_GNMI_OPENCONFIG: OpenConfig over gNMI, TLS unless the device's settings say `use_tls: false`. */
export const gnmiOpenconfigDriverFactory: DriverFactory = {
  names: ['DEVICEDRIVER_GNMI_OPENCONFIG'],
  usesNetwork: true,
  create: (config: DriverConnectConfig) => new GnmiOpenconfigDriver(config),
};
