/**
 * TypeBox schema for request bodies of the IETF network slice service model
 * (ietf-network-slice-service, draft-ietf-teas-ietf-network-slice-nbi-yang; RFC 9543 framework).
 * The nodes cnsdn reads are typed; the model's other nodes pass through. RFC 7951 JSON: uint64 and
 * decimal64 may be strings, identities may carry their module prefix.
 */
import { type TProperties, Type } from '@sinclair/typebox';

export const SLICE_MODULE = 'ietf-network-slice-service';
export const SLICE_ROOT = `${SLICE_MODULE}:network-slice-services`;

const Open = <T extends TProperties>(props: T) => Type.Object(props, { additionalProperties: true });
const Opt = Type.Optional;
const Id = Type.String({ minLength: 1, maxLength: 256 });
/** Connectivity-construct ids are uint32 in the model; TFS sends numbers. */
const NumOrId = Type.Union([Type.Integer({ minimum: 0 }), Id]);
const Identity = Type.String({ minLength: 1, maxLength: 256 });
const Uint64 = Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^[0-9]{1,20}$' })], { description: 'uint64 (number or decimal string)' });
const Decimal = Type.Union([Type.Number({ minimum: 0 }), Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?$' })], { description: 'decimal64 (number or decimal string)' });
const Ipv4 = Type.String({ pattern: '^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$', description: 'inet:ipv4-address' });
const IpAddress = Type.String({ minLength: 2, maxLength: 64, description: 'inet:ip-address' });

const MetricBound = Open({ 'metric-type': Identity, 'metric-unit': Opt(Type.String({ maxLength: 64 })), bound: Opt(Uint64), 'percentile-value': Opt(Decimal) });
const SloSlePolicy = Open({ 'slo-policy': Opt(Open({ 'metric-bound': Opt(Type.Array(MetricBound)) })) });

const MatchType = Open({ type: Identity, value: Opt(Type.Array(Type.String({ maxLength: 256 }))) });
const MatchCriterion = Open({
  index: Opt(Type.Integer({ minimum: 0 })),
  'match-type': Opt(Type.Array(MatchType)),
  'target-connection-group-id': Opt(Id),
});
const AcTag = Open({ 'tag-type': Opt(Identity), value: Opt(Type.Array(Type.String({ maxLength: 64 }))) });
const AttachmentCircuit = Open({
  id: Id,
  description: Opt(Type.String()),
  'ac-node-id': Opt(Id),
  'ac-tp-id': Opt(Id),
  'ac-ipv4-address': Opt(Ipv4),
  'ac-ipv4-prefix-length': Opt(Type.Integer({ minimum: 0, maximum: 32 })),
  mtu: Opt(Type.Integer({ minimum: 68, maximum: 65535 })),
  'ac-tags': Opt(Open({ 'ac-tag': Opt(Type.Array(AcTag)) })),
});
const Sdp = Open({
  id: Id,
  description: Opt(Type.String()),
  'node-id': Opt(Id),
  'sdp-ip-address': Opt(Type.Array(IpAddress)),
  'service-match-criteria': Opt(Open({ 'match-criterion': Opt(Type.Array(MatchCriterion)) })),
  'attachment-circuits': Opt(Open({ 'attachment-circuit': Opt(Type.Array(AttachmentCircuit)) })),
});
const ConnectivityConstruct = Open({
  id: NumOrId,
  'p2p-sender-sdp': Opt(Id),
  'p2p-receiver-sdp': Opt(Id),
  'service-slo-sle-policy': Opt(SloSlePolicy),
});
const ConnectionGroup = Open({
  id: Id,
  'connectivity-type': Opt(Identity),
  'service-slo-sle-policy': Opt(SloSlePolicy),
  'connectivity-construct': Opt(Type.Array(ConnectivityConstruct)),
});
export const SliceService = Open({
  id: Id,
  description: Opt(Type.String()),
  'service-slo-sle-policy': Opt(SloSlePolicy),
  sdps: Open({ sdp: Type.Array(Sdp) }),
  'connection-groups': Opt(Open({ 'connection-group': Opt(Type.Array(ConnectionGroup)) })),
});
const SliceServices = Open({ 'slice-service': Opt(Type.Array(SliceService)) });

/** The container as RFC 8040 sends it (module-qualified) or as TFS also takes it (`slice-service` at the top). */
export const SliceBody = Type.Object(
  {
    [SLICE_ROOT]: Opt(SliceServices),
    'slice-service': Opt(Type.Array(SliceService)),
  },
  { additionalProperties: false },
);
