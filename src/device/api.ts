/**
 * The driver SPI. A driver says what a device can do; it owns one session to one device.
 * Shapes follow TFS's driver API (resource keys and values), so service handlers written
 * against TFS conventions keep working.
 */

/** A config resource: TFS resource_key and its value (an object, string, number, ...). */
export type Resource = [key: string, value: unknown];

/** Outcome per resource, in the order given: true on success, an Error otherwise. */
export type ResourceResult = true | Error;

export interface EndpointInfo {
  /** Endpoint name as the device calls it (e.g. "Ethernet1", "13/1/2"). */
  name: string;
  /** TFS endpoint type ("copper", "optical", "copper/internal", ...). */
  type: string;
  /** KPI sample types (TFS KpiSampleType numbers, e.g. 101 PACKETS_TRANSMITTED). */
  sampleTypes: number[];
  location?: Record<string, unknown>;
}

/** A telemetry sample produced by a subscription. */
export interface StateSample {
  /** Milliseconds since the epoch. */
  ts: number;
  /** Resource key of the sample, e.g. "/interface[Ethernet1]/state/counters/in-pkts". */
  key: string;
  value: number | string | boolean;
  /** Endpoint name and TFS sample type, when the driver can tell. */
  endpoint?: string;
  sampleType?: number;
}

/** [resource key, sampling duration s, sampling interval s], as TFS SubscribeState takes it. */
export type StateSubscription = [key: string, durationS: number, intervalS: number];

export interface DriverConnectConfig {
  /** Device uuid and name, for logs and errors only. */
  deviceUuid: string;
  deviceName: string;
  /** From `_connect/address` and `_connect/port`. */
  address: string;
  port: number;
  /** From `_connect/settings` (username, password, use_tls, endpoints, ...). */
  settings: Record<string, unknown>;
  /** Per-call timeout in ms (default chosen by the driver). */
  timeoutMs?: number;
}

/** A YANG model the device announced (gNMI CapabilityResponse supported_models, NETCONF hello modules and YANG library). */
export interface AnnouncedModel {
  name: string;
  /** gNMI: the organization; NETCONF: absent. */
  organization?: string;
  /** NETCONF: the module's namespace. */
  namespace?: string;
  /** NETCONF: the YANG revision. */
  revision?: string;
  /** gNMI: the model version (not a YANG revision). */
  version?: string;
  features?: string[];
  deviations?: string[];
}

export interface Driver {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** Endpoints the device has (interfaces, ports). */
  discoverEndpoints(): Promise<EndpointInfo[]>;
  /** The device's current configuration as resources (TFS GetInitialConfig). */
  getInitialConfig(): Promise<Resource[]>;
  /** Values for the given keys (all when empty); an Error in place of a value that failed. */
  getConfig(keys?: readonly string[]): Promise<Array<[string, unknown]>>;
  /** Applies all resources as one transaction where the protocol allows it. */
  setConfig(resources: readonly Resource[]): Promise<ResourceResult[]>;
  deleteConfig(resources: readonly Resource[]): Promise<ResourceResult[]>;
  subscribeState(subscriptions: readonly StateSubscription[]): Promise<ResourceResult[]>;
  unsubscribeState(subscriptions: readonly StateSubscription[]): Promise<ResourceResult[]>;
  /** Registers the sink for samples of active subscriptions; returns an unregister function. */
  onSample(sink: (sample: StateSample) => void): () => void;
  /** Called by the driver when the session drops unexpectedly (the session manager reconnects). */
  onDisconnect(listener: (reason: Error) => void): () => void;
  /** The models the device announced on the current connection (empty before connect; optional: none known). */
  announcedModels?(): Promise<AnnouncedModel[]>;
}

export interface DriverFactory {
  /** TFS DeviceDriverEnum names this driver serves, e.g. ["DEVICEDRIVER_UNDEFINED"]. */
  readonly names: readonly string[];
  /** Whether the driver opens network connections (subject to the southbound allowlist). */
  readonly usesNetwork: boolean;
  create(config: DriverConnectConfig): Driver;
}

/** TFS DeviceOperationalStatusEnum names. */
export type DeviceOperationalStatus =
  | 'DEVICEOPERATIONALSTATUS_UNDEFINED'
  | 'DEVICEOPERATIONALSTATUS_DISABLED'
  | 'DEVICEOPERATIONALSTATUS_ENABLED';

/**
 * What the session manager reports back about devices; the context layer implements it
 * (writes status and endpoints into the stored device and publishes events).
 */
export interface DeviceStatusSink {
  /** reason: a coded, human-readable explanation when DISABLED (e.g. "CNSDN_DEVICE_UNREACHABLE: ..."). */
  setStatus(deviceUuid: string, status: DeviceOperationalStatus, reason?: string): Promise<void>;
  /** Endpoints discovered on (re)connect. */
  setEndpoints(deviceUuid: string, endpoints: readonly EndpointInfo[]): Promise<void>;
}

/** What the session manager needs to know to open a session to one device. */
export interface ManagedDevice {
  uuid: string;
  name: string;
  /** TFS DeviceDriverEnum names, in preference order. */
  drivers: readonly string[];
  address: string;
  port: number;
  settings: Record<string, unknown>;
}
