export type {
  GnmiDataType,
  GnmiEncoding,
  GnmiNotification,
  GnmiPath,
  GnmiTarget,
  GnmiUpdate,
  ModelData,
  PathElem,
  TargetUser,
  TypedValue,
} from './target.js';
export { GnmiStatusError } from './target.js';
export { formatElem, isPrefixOf, joinPath, PathSyntaxError, parsePath, pathsEqual, pathToString, toPath } from './path.js';
export {
  decodeNotification,
  decodePath,
  decodeTypedValue,
  decodeUpdate,
  encodeNotification,
  encodePath,
  encodeTypedValue,
  encodeUpdate,
  GnmiDecodeError,
} from './codec.js';
export { decimalToString, jsToTypedValue, typedValueToJs } from './values.js';
export { type Leaf, leavesToNotification, leavesToTree, notificationsToLeaves, notificationsToTree, type TreeOptions, treeToLeaves } from './tree.js';
export { nowNs, packUpdates } from './notify.js';
export { type GnmiServer, type GnmiServerOptions, type GnmiServerTls, type PemSource, startGnmiServer } from './server.js';
export { MemoryTarget, type MemoryTargetOptions } from './memory-target.js';
export { GNMI_PROTO_DIR, GNMI_VERSION, gnmiProto, PROTO_LOADER_OPTIONS } from './proto.js';
export { statusName } from './status.js';
export {
  type CapabilitiesResult,
  GnmiClient,
  type GnmiClientOptions,
  type GnmiClientTls,
  type PathLike,
  type SetOperation,
  type SetResult,
  type SubscribeOptions,
  type SubscriptionSpec,
} from './client.js';
export { GnmiSubscription } from './client-subscribe.js';
export { type LeafSink, notificationLeaves } from './leaves.js';
export { LeafPathCache } from './pb-decode.js';
export { GnmiError } from './errors.js';
export { generateTestPki, PKI_FILES, type TestPki, writePki } from './tls.js';
