/**
 * gNMI messages as @grpc/proto-loader hands them over with PROTO_LOADER_OPTIONS:
 * snake_case fields, int64/uint64 as decimal strings, enums as names, bytes as Buffer,
 * the name of the set oneof member in the oneof's own field. Absent fields are undefined.
 */

export type Long = string | number;

export interface PathElemPb {
  name?: string;
  key?: Record<string, string>;
}

export interface PathPb {
  element?: string[];
  origin?: string;
  elem?: PathElemPb[];
  target?: string;
}

export interface AnyPb {
  type_url?: string;
  value?: Buffer | Uint8Array;
}

export interface TypedValuePb {
  value?: string;
  string_val?: string;
  int_val?: Long;
  uint_val?: Long;
  bool_val?: boolean;
  bytes_val?: Buffer | Uint8Array;
  float_val?: number;
  double_val?: number;
  decimal_val?: { digits?: Long; precision?: number };
  leaflist_val?: { element?: TypedValuePb[] };
  any_val?: AnyPb;
  json_val?: Buffer | Uint8Array;
  json_ietf_val?: Buffer | Uint8Array;
  ascii_val?: string;
  proto_bytes?: Buffer | Uint8Array;
}

export interface ValuePb {
  value?: Buffer | Uint8Array;
  type?: string;
}

export interface UpdatePb {
  path?: PathPb;
  value?: ValuePb;
  val?: TypedValuePb;
  duplicates?: number;
}

export interface NotificationPb {
  timestamp?: Long;
  prefix?: PathPb;
  update?: UpdatePb[];
  delete?: PathPb[];
  atomic?: boolean;
}

export interface ErrorPb {
  code?: number;
  message?: string;
  data?: AnyPb;
}

export interface ModelDataPb {
  name?: string;
  organization?: string;
  version?: string;
}

export interface ExtensionPb {
  ext?: string;
  registered_ext?: { id?: string; msg?: Buffer | Uint8Array };
  master_arbitration?: { role?: { id?: string }; election_id?: { high?: Long; low?: Long } };
  history?: { request?: string; snapshot_time?: Long; range?: { start?: Long; end?: Long } };
  commit?: Record<string, unknown>;
  depth?: { level?: number };
}

export interface SubscriptionPb {
  path?: PathPb;
  mode?: string;
  sample_interval?: Long;
  suppress_redundant?: boolean;
  heartbeat_interval?: Long;
}

export interface SubscriptionListPb {
  prefix?: PathPb;
  subscription?: SubscriptionPb[];
  qos?: { marking?: number };
  mode?: string;
  allow_aggregation?: boolean;
  use_models?: ModelDataPb[];
  encoding?: string;
  updates_only?: boolean;
}

export interface SubscribeRequestPb {
  request?: string;
  subscribe?: SubscriptionListPb;
  poll?: Record<string, never>;
  extension?: ExtensionPb[];
}

export interface SubscribeResponsePb {
  response?: string;
  update?: NotificationPb;
  sync_response?: boolean;
  error?: ErrorPb;
  extension?: ExtensionPb[];
}

export interface CapabilityRequestPb {
  extension?: ExtensionPb[];
}

export interface CapabilityResponsePb {
  supported_models?: ModelDataPb[];
  supported_encodings?: string[];
  gNMI_version?: string;
  extension?: ExtensionPb[];
}

export interface GetRequestPb {
  prefix?: PathPb;
  path?: PathPb[];
  type?: string;
  encoding?: string;
  use_models?: ModelDataPb[];
  extension?: ExtensionPb[];
}

export interface GetResponsePb {
  notification?: NotificationPb[];
  error?: ErrorPb;
  extension?: ExtensionPb[];
}

export interface SetRequestPb {
  prefix?: PathPb;
  delete?: PathPb[];
  replace?: UpdatePb[];
  update?: UpdatePb[];
  union_replace?: UpdatePb[];
  extension?: ExtensionPb[];
}

export interface UpdateResultPb {
  timestamp?: Long;
  path?: PathPb;
  message?: ErrorPb;
  op?: string;
}

export interface SetResponsePb {
  prefix?: PathPb;
  response?: UpdateResultPb[];
  message?: ErrorPb;
  timestamp?: Long;
  extension?: ExtensionPb[];
}
