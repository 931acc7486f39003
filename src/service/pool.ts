/** /30 subnets for links between routers, taken from a configured pool (values only: never contacted). */
import { CnsdnError } from '../common/errors.js';

export const DEFAULT_LINK_POOL = '10.255.0.0/16';

export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new CnsdnError('INVALID_ARGUMENT', `${ip} is not an IPv4 address`);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCidr(cidr: string): { base: number; prefix: number } {
  const [ip, len] = cidr.split('/');
  const prefix = Number(len);
  if (ip === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new CnsdnError('INVALID_ARGUMENT', `${cidr} is not an IPv4 prefix`);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (ipToInt(ip) & mask) >>> 0, prefix };
}

/** The network prefix `a.b.c.d/len` an address lies in. */
export function networkOf(ip: string, prefix: number): string {
  return `${intToIp(parseCidr(`${ip}/${prefix}`).base)}/${prefix}`;
}

/** The first host address of a subnet that is not `taken`. */
export function otherHost(ip: string, prefix: number): string {
  const { base } = parseCidr(`${ip}/${prefix}`);
  const first = prefix >= 31 ? base : base + 1;
  return intToIp(first === ipToInt(ip) ? first + 1 : first);
}

export class LinkPool {
  readonly #base: number;
  readonly #count: number;

  constructor(readonly cidr: string = DEFAULT_LINK_POOL) {
    const { base, prefix } = parseCidr(cidr);
    if (prefix > 30) throw new CnsdnError('INVALID_ARGUMENT', `link pool ${cidr} is smaller than a /30`);
    this.#base = base;
    this.#count = 2 ** (30 - prefix);
  }

  /** The lowest /30 of the pool not in `used` (texts like 10.255.0.4/30). */
  allocate(used: ReadonlySet<string>): string {
    for (let i = 0; i < this.#count; i++) {
      const subnet = `${intToIp(this.#base + i * 4)}/30`;
      if (!used.has(subnet)) return subnet;
    }
    throw new CnsdnError('UNAVAILABLE', `link address pool ${this.cidr} is exhausted`);
  }
}
