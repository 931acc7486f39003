/**
 * Who the client is: the TCP peer, or — only when the peer is a trusted proxy — the address
 * X-Forwarded-For names. Budgets are kept per client key: an IPv4 address, or the /64 of an
 * IPv6 address (one host usually holds a whole /64).
 */
import { BlockList, isIP } from 'node:net';
import { CnsdnError } from '../common/errors.js';

/** Off (the TCP peer is the client), a number of proxy hops, or the CIDRs of the proxies. */
export type TrustProxy = false | { hops: number } | { cidrs: readonly string[] };

/** Same contract as Fastify's (proxy-addr's) trust function: is the address at this hop a proxy? */
export type TrustFunction = (address: string, hop: number) => boolean;

const MAPPED_V4 = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/** Strips the IPv4-mapped IPv6 prefix, so one client has one address whatever the socket family. */
export function normalizeIp(ip: string): string {
  const m = MAPPED_V4.exec(ip);
  return m ? m[1]! : ip;
}

/** The 64-bit prefix of an IPv6 address, written as `a:b:c:d::/64`. */
function ipv6Prefix64(ip: string): string {
  const zone = ip.indexOf('%');
  const addr = zone === -1 ? ip : ip.slice(0, zone);
  const [head, tail] = addr.includes('::') ? addr.split('::') : [addr, undefined];
  const left = head ? head.split(':') : [];
  let groups = left;
  if (tail !== undefined) {
    const right = tail ? tail.split(':') : [];
    groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  }
  return `${groups
    .slice(0, 4)
    .map((g) => (g === '' ? '0' : g.toLowerCase().replace(/^0+(?=.)/, '')))
    .join(':')}::/64`;
}

/** The key a client's budgets are kept under. */
export function clientKey(ip: string): string {
  const n = normalizeIp(ip);
  return isIP(n) === 6 ? ipv6Prefix64(n) : n;
}

function parseCidr(raw: string, source: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const [address = '', bits] = raw.split('/');
  const version = isIP(address);
  if (version === 0) throw new CnsdnError('INVALID_ARGUMENT', `${source}: "${raw}" is not an IP address or CIDR`);
  const max = version === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : Number(bits);
  if (!/^\d+$/.test(bits ?? String(max)) || prefix > max) throw new CnsdnError('INVALID_ARGUMENT', `${source}: bad prefix length in "${raw}"`);
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

const OFF = new Set(['', '0', 'false', 'off', 'no']);

/**
 * CNSDN_TRUST_PROXY: unset/off → false; a number → that many proxy hops in front of us;
 * otherwise a comma-separated list of proxy addresses/CIDRs. `true` (trust any peer) is
 * refused: it would let every client choose its own address.
 */
export function parseTrustProxy(raw: string | undefined, source = 'CNSDN_TRUST_PROXY'): TrustProxy {
  const value = (raw ?? '').trim();
  if (OFF.has(value.toLowerCase())) return false;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 16) throw new CnsdnError('INVALID_ARGUMENT', `${source}: ${hops} proxy hops is implausible (at most 16)`);
    return { hops };
  }
  if (value.toLowerCase() === 'true') {
    throw new CnsdnError('INVALID_ARGUMENT', `${source}: "true" would trust any client's X-Forwarded-For; give the proxies' CIDRs or a hop count`);
  }
  const cidrs = value
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
  for (const c of cidrs) parseCidr(c, source);
  return { cidrs };
}

export function trustFunction(trust: TrustProxy): TrustFunction {
  if (trust === false) return () => false;
  if ('hops' in trust) {
    const hops = trust.hops;
    return (_address, hop) => hop < hops;
  }
  const list = new BlockList();
  for (const c of trust.cidrs) {
    const { address, prefix, family } = parseCidr(c, 'trusted proxies');
    list.addSubnet(address, prefix, family);
  }
  return (address) => {
    const a = normalizeIp(address);
    const v = isIP(a);
    return v !== 0 && list.check(a, v === 4 ? 'ipv4' : 'ipv6');
  };
}

/**
 * The client address: walk from the TCP peer back through X-Forwarded-For (rightmost first)
 * while the current hop is a trusted proxy; the first untrusted address is the client.
 * Entries that are not IP addresses end the walk (they cannot be trusted further).
 */
export function resolveClientIp(peer: string, forwardedFor: string | string[] | undefined, trust: TrustFunction): string {
  let current = normalizeIp(peer);
  if (forwardedFor === undefined || !trust(current, 0)) return current;
  const list = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  let hop = 1;
  for (let i = list.length - 1; i >= 0; i--) {
    const next = normalizeIp(list[i]!.trim());
    if (isIP(next) === 0) return current;
    current = next;
    if (!trust(current, hop)) return current;
    hop++;
  }
  return current;
}
