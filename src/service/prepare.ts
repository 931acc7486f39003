/** Everything an activation decides before touching a device (pure but for the topology read). */
import { CnsdnError } from '../common/errors.js';
import type * as T from '../model/types.js';
import type { DeviceConfigDiff } from './api.js';
import { type DesiredDevice, serviceDiffs } from './diff.js';
import { type HandlerRegistry, SERVICE_TYPES } from './handlers.js';
import { servicePaths, type ServicePath, type TopologySnapshot } from './paths.js';
import { isSharedKey } from './keys.js';
import type { LinkPool } from './pool.js';
import type { AppliedRecord, Claims } from './record.js';
import { serviceSettings } from './settings.js';

export interface Prepared {
  paths: ServicePath[];
  desired: DesiredDevice[];
  links: Map<string, string>;
  diffs: DeviceConfigDiff[];
}

export function prepareActivation(service: T.Service, snapshot: TopologySnapshot, handlers: HandlerRegistry, pool: LinkPool, claims: Claims, old: AppliedRecord | undefined): Prepared {
  const build = SERVICE_TYPES[service.service_type];
  if (!build) {
    throw new CnsdnError('INVALID_ARGUMENT', `service ${service.name} is ${service.service_type}: only ${Object.keys(SERVICE_TYPES).join(' and ')} are configured on devices`, [
      { path: '/service_type', message: 'no handler for this service type' },
    ]);
  }
  const uuid = service.service_id.service_uuid.uuid;
  const paths = servicePaths(service, snapshot);
  const intent = build({
    service,
    paths,
    settings: serviceSettings(service),
    pool,
    previousLinks: new Map(Object.entries(old?.links ?? {})),
    usedElsewhere: claims.subnetsOfOthers(uuid),
  });
  const desired = intent.devices.map((d): DesiredDevice => {
    const render = handlers.require(service.service_type, d.device);
    return { uuid: d.device.device_id.device_uuid.uuid, name: d.device.name, rules: render(d) };
  });
  const clash = claims.conflict(uuid, desired);
  if (clash) {
    const how = isSharedKey(clash.key) ? 'is set to another value' : 'is already configured';
    throw new CnsdnError('IN_USE', `${clash.key} on device ${clash.device} ${how} by service ${clash.holder}`, [{ path: '/service_endpoint_ids', message: `conflicts with service ${clash.holder}` }]);
  }
  return { paths, desired, links: intent.links, diffs: serviceDiffs(desired, old?.devices ?? [], (device, key) => claims.otherHolder(uuid, device, key) !== undefined) };
}
