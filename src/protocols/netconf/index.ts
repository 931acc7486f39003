export { NetconfClient, type ConnectOptions, type DataReply, type ReadOptions } from './client.js';
export { NetconfSession, type Notification, type RpcOptions, type SessionOptions } from './session.js';
export { NotificationQueue } from './notifications.js';
export {
  NS_DATASTORES,
  NS_YANG_LIBRARY,
  parseYangLibrary,
  readYangLibrary,
  yangLibraryFilter,
  type LibraryModule,
  type LibrarySubmodule,
  type YangLibrary,
  type YangLibrarySession,
  type YangLibraryVersion,
} from './yang-library.js';
export { BASE_10, BASE_11, parseCapabilities, type Capabilities, type ModuleCapability } from './capabilities.js';
export {
  NetconfError,
  NetconfRpcError,
  describeRpcError,
  type NetconfErrorCode,
  type RpcErrorDetail,
  type RpcErrorInfoItem,
} from './errors.js';
export type {
  CommitOptions,
  ConfigSource,
  ConfigTarget,
  Datastore,
  DefaultOperation,
  EditConfigOptions,
  ErrorOption,
  Filter,
  SubscriptionOptions,
  TestOption,
  WithDefaults,
} from './operations.js';
export { openSsh, type HostKeyPolicy, type SshOptions, type SshTransport } from './transport.js';
export { fingerprintSha256 } from './hostkeys.js';
export { FrameDecoder, encodeChunked, encodeEom, type Framing, DEFAULT_MAX_MESSAGE_BYTES } from './framing.js';
export {
  NS_BASE,
  NS_NOTIFICATION,
  attribute,
  element,
  elements,
  escapeAttr,
  escapeText,
  innerXml,
  isElement,
  parseXml,
  parseXmlFragment,
  serializeXml,
  textOf,
  xmlElement,
  type XmlAttribute,
  type XmlElement,
  type XmlNode,
} from './xml.js';
