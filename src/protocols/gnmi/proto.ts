import { fileURLToPath } from 'node:url';
import type * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** Directory holding gnmi.proto and gnmi_ext.proto, for foreign tooling (protoc, proto-loader). */
export const GNMI_PROTO_DIR = fileURLToPath(new URL('./proto/', import.meta.url));

/** The gNMI specification version our .proto files implement. */
export const GNMI_VERSION = '0.10.0';

/** How the library loads the .proto: 64-bit integers as decimal strings, enums by name, bytes as Buffer, oneof names set. */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  bytes: Buffer,
  defaults: false,
  oneofs: true,
  includeDirs: [GNMI_PROTO_DIR],
};

let cached: { definition: protoLoader.PackageDefinition; service: grpc.ServiceDefinition } | undefined;

/** The loaded gNMI package definition and service (loaded once per process). */
export function gnmiProto(): { definition: protoLoader.PackageDefinition; service: grpc.ServiceDefinition } {
  if (!cached) {
    const definition = protoLoader.loadSync('gnmi.proto', PROTO_LOADER_OPTIONS);
    cached = { definition, service: definition['gnmi.gNMI'] as grpc.ServiceDefinition };
  }
  return cached;
}
