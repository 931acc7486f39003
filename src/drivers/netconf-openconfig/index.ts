import type { DriverConnectConfig, DriverFactory } from '../../device/index.js';
import { NetconfOpenconfigDriver } from './driver.js';

export { type DeviceNotification, NetconfOpenconfigDriver } from './driver.js';
export { ietfDeleteTree, ietfEndpoints, ietfResources, ietfSetTree } from './ietf.js';
export { type DeviceModels, fixedModels, modelsOf } from './models.js';
export { ocDeleteTrees, ocResources, ocSetTree, xmlToTree } from './openconfig.js';
export { type NetconfDriverSettings, parseNetconfSettings } from './settings.js';
export { mergeTrees, serialize, type XNode } from './xtree.js';

/** TFS DEVICEDRIVER_OPENCONFIG: NETCONF over SSH with OpenConfig or ietf-interfaces, as the device's hello offers. */
export const netconfOpenconfigDriverFactory: DriverFactory = {
  names: ['DEVICEDRIVER_OPENCONFIG'],
  usesNetwork: true,
  create: (config: DriverConnectConfig) => new NetconfOpenconfigDriver(config),
};
