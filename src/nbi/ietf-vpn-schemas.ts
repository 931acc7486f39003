/**
 * TypeBox schemas for the RFC 8299 (L3SM) and RFC 8466 (L2SM) request bodies: the nodes cnsdn
 * reads are typed; the many optional nodes of those models it ignores pass through.
 * JSON encoding per RFC 7951: uint64 and decimal64 may come as strings, identities may carry
 * their module prefix.
 */
import { type Static, type TProperties, Type } from '@sinclair/typebox';

export const L3_ROOT = 'ietf-l3vpn-svc:l3vpn-svc';
export const L2_ROOT = 'ietf-l2vpn-svc:l2vpn-svc';

/** Containers keep RFC nodes cnsdn does not read. */
const Open = <T extends TProperties>(props: T) => Type.Object(props, { additionalProperties: true });
const Opt = Type.Optional;
const Id = Type.String({ minLength: 1, maxLength: 256 });
const Identity = Type.String({ minLength: 1, maxLength: 256 });
const Uint16 = Type.Integer({ minimum: 0, maximum: 65535 });
/** RFC 7951 encodes uint64 as a string; numbers are accepted as TFS's fixtures send them. */
const Uint64 = Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^[0-9]{1,20}$' })], { description: 'uint64 (number or decimal string)' });
const Decimal = Type.Union([Type.Number({ minimum: 0 }), Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?$' })], { description: 'decimal64 (number or decimal string)' });
const Ipv4 = Type.String({ pattern: '^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$', description: 'inet:ipv4-address' });

const VpnService = Open({ 'vpn-id': Id, 'customer-name': Opt(Type.String()), 'vpn-svc-type': Opt(Identity) });
const VpnServices = Open({ 'vpn-service': Opt(Type.Array(VpnService)) });
const VpnAttachment = Open({ 'vpn-id': Id });

// ---- RFC 8299
const QosClass = Open({
  'class-id': Id,
  latency: Opt(Open({ 'latency-boundary': Opt(Uint16) })),
  bandwidth: Opt(Open({ 'guaranteed-bw-percent': Opt(Decimal) })),
});
const L3Service = Open({
  'svc-mtu': Opt(Uint16),
  'svc-input-bandwidth': Opt(Uint64),
  'svc-output-bandwidth': Opt(Uint64),
  qos: Opt(Open({ 'qos-profile': Opt(Open({ classes: Opt(Open({ class: Opt(Type.Array(QosClass)) })) })) })),
});
const L3Access = Open({
  'site-network-access-id': Id,
  'device-reference': Id,
  'vpn-attachment': VpnAttachment,
  'ip-connection': Opt(
    Open({
      ipv4: Opt(
        Open({
          'address-allocation-type': Opt(Identity),
          addresses: Opt(Open({ 'provider-address': Opt(Ipv4), 'customer-address': Opt(Ipv4), 'prefix-length': Opt(Type.Integer({ minimum: 0, maximum: 32 })) })),
        }),
      ),
    }),
  ),
  service: Opt(L3Service),
});
const L3Site = Open({ 'site-id': Id, 'site-network-accesses': Opt(Open({ 'site-network-access': Opt(Type.Array(L3Access)) })) });
export const L3vpnBody = Type.Object(
  { [L3_ROOT]: Open({ 'vpn-services': Opt(VpnServices), sites: Opt(Open({ site: Opt(Type.Array(L3Site)) })) }) },
  { additionalProperties: false, title: 'ietf-l3vpn-svc:l3vpn-svc (RFC 8299)' },
);

// ---- RFC 8466
const Bandwidth = (list: string) => Open({ [list]: Opt(Type.Array(Open({ cir: Opt(Uint64) }))) });
const L2Access = Open({
  'network-access-id': Id,
  'device-reference': Opt(Id),
  bearer: Opt(Open({ 'bearer-reference': Opt(Id) })),
  'vpn-attachment': VpnAttachment,
  connection: Opt(
    Open({
      'encapsulation-type': Opt(Identity),
      'tagged-interface': Opt(
        Open({
          type: Opt(Identity),
          'dot1q-vlan-tagged': Opt(Open({ 'tg-type': Opt(Identity), 'cvlan-id': Type.Integer({ minimum: 1, maximum: 4094 }) })),
        }),
      ),
    }),
  ),
  service: Opt(Open({ 'svc-mtu': Opt(Uint16), 'svc-input-bandwidth': Opt(Bandwidth('input-bandwidth')), 'svc-output-bandwidth': Opt(Bandwidth('output-bandwidth')) })),
});
const L2Site = Open({ 'site-id': Id, 'site-network-accesses': Opt(Open({ 'site-network-access': Opt(Type.Array(L2Access)) })) });
export const L2vpnBody = Type.Object(
  { [L2_ROOT]: Open({ 'vpn-services': Opt(VpnServices), sites: Opt(Open({ site: Opt(Type.Array(L2Site)) })) }) },
  { additionalProperties: false, title: 'ietf-l2vpn-svc:l2vpn-svc (RFC 8466)' },
);

export type L3vpnBodyIn = Static<typeof L3vpnBody>;
export type L2vpnBodyIn = Static<typeof L2vpnBody>;
export type L3AccessIn = Static<typeof L3Access>;
export type L2AccessIn = Static<typeof L2Access>;
export type VpnServiceIn = Static<typeof VpnService>;
