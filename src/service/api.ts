/**
 * The service layer's public contract: what the NBIs (TFS REST, IETF L2VPN/L3VPN, network
 * slices) call to turn a stored TFS service into configured devices, and to undo it.
 */
import type * as T from '../model/types.js';

/** Per-device configuration a handler wants: rules to set and rules to delete (TFS resource keys). */
export interface DeviceConfigDiff {
  deviceUuid: string;
  deviceName: string;
  set: Array<{ key: string; value: unknown }>;
  delete: Array<{ key: string; value: unknown }>;
}

/** Why a service is not ACTIVE: also stored on the service as config rule `/cnsdn/failure`. */
export interface ServiceFailure {
  /** CNSDN_<CODE> of the device's error (or of the refusal). */
  code: string;
  message: string;
  /** ISO time. */
  at: string;
  /** The device that failed and its uuid. */
  device?: string;
  device_uuid?: string;
  /** Devices put back to their previous configuration, in the order they were. */
  restored?: string[];
  /** Devices that could not be put back, with why. */
  restore_errors?: string[];
}

export interface ActivationResult {
  /** SERVICESTATUS_ACTIVE on success; SERVICESTATUS_PLANNED (untouched) on a dry run or a refusal before any device changed. */
  status: string;
  /** Connections stored for the service (empty on a dry run). */
  connections: T.Connection[];
  /** What each device gets (also what a dry run reports). */
  diffs: DeviceConfigDiff[];
  dryRun: boolean;
  /** Set when a device failed and the others were put back (status is then SERVICESTATUS_PLANNED). */
  failure?: ServiceFailure;
}

export interface ServiceActivator {
  /**
   * Computes the path(s), stores the connections, and configures every device on them — all of
   * them or none: a device that fails makes the ones already changed return to their previous
   * configuration, and the service ends SERVICESTATUS_PLANNED with cnsdn_failure naming the
   * device and its reason. Throws a CnsdnError for bad input (no path, unknown endpoint,
   * missing handler) with nothing changed anywhere.
   */
  activate(contextUuid: string, serviceUuid: string, options?: { dryRun?: boolean }): Promise<ActivationResult>;
  /** Removes from every device exactly what activation added, then the connections. */
  deactivate(contextUuid: string, serviceUuid: string): Promise<void>;
}
