import { BlockList, isIP } from 'node:net';
import { CnsdnError } from '../common/errors.js';

export const SOUTHBOUND_ALLOW_ENV = 'CNSDN_SOUTHBOUND_ALLOW';
export const DEFAULT_SOUTHBOUND_ALLOW: readonly string[] = ['127.0.0.0/8', '::1/128'];

/** Turns a host name into IP addresses. Injected so that tests and deployments choose how (or whether) to use DNS. */
export type HostResolver = (host: string) => Promise<readonly string[]>;

/** The default resolver: no DNS at all; only "localhost" is known. */
export const literalOnlyResolver: HostResolver = async (host) => {
  if (host.toLowerCase() === 'localhost') return ['127.0.0.1', '::1'];
  throw new CnsdnError(
    'SOUTHBOUND_NOT_ALLOWED',
    `host name "${host}" is not resolved: only literal IP addresses and "localhost" are accepted`,
  );
};

function parseCidr(cidr: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const slash = cidr.indexOf('/');
  const address = slash < 0 ? cidr : cidr.slice(0, slash);
  const version = isIP(address);
  if (version === 0) {
    throw new CnsdnError('INVALID_ARGUMENT', `${SOUTHBOUND_ALLOW_ENV}: "${cidr}" is not an IPv4 or IPv6 CIDR`);
  }
  const max = version === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : cidr.slice(slash + 1);
  const prefix = Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText) || prefix > max) {
    throw new CnsdnError('INVALID_ARGUMENT', `${SOUTHBOUND_ALLOW_ENV}: "${cidr}" has an invalid prefix length`);
  }
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** "[::1]" → "::1"; leaves everything else alone. */
function unbracket(address: string): string {
  return address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
}

/**
 * Which device addresses the controller may open connections to. Loopback only unless
 * configured otherwise, so that loading someone's descriptors never reaches their lab.
 */
export class Allowlist {
  readonly cidrs: readonly string[];
  readonly #list = new BlockList();
  readonly #resolve: HostResolver;

  constructor(cidrs: readonly string[], resolver: HostResolver = literalOnlyResolver) {
    const cleaned = cidrs.map((c) => c.trim()).filter((c) => c.length > 0);
    for (const cidr of cleaned) {
      const { address, prefix, family } = parseCidr(cidr);
      this.#list.addSubnet(address, prefix, family);
    }
    this.cidrs = cleaned;
    this.#resolve = resolver;
  }

  /**
   * From CNSDN_SOUTHBOUND_ALLOW (comma-separated CIDRs). Unset means loopback only;
   * set but empty means no device address at all.
   */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, resolver?: HostResolver): Allowlist {
    const raw = env[SOUTHBOUND_ALLOW_ENV];
    const cidrs = raw === undefined ? DEFAULT_SOUTHBOUND_ALLOW : raw.split(',');
    return new Allowlist(cidrs, resolver);
  }

  /** Whether a literal IP address is inside the list (false for anything that is not an IP). */
  allows(ip: string): boolean {
    const address = unbracket(ip);
    const version = isIP(address);
    if (version === 0) return false;
    return this.#list.check(address, version === 4 ? 'ipv4' : 'ipv6');
  }

  /**
   * Checks a device address (IP or host name) and returns the IP address to connect to.
   * A host name is allowed only when every address it resolves to is allowed, and the
   * caller connects to the returned IP, not to the name, so a later resolution cannot
   * redirect the connection elsewhere.
   */
  async check(address: string): Promise<string> {
    const host = unbracket(address.trim());
    if (host.length === 0) throw this.#refusal(address, 'the address is empty');
    if (isIP(host) !== 0) {
      if (!this.allows(host)) throw this.#refusal(address);
      return host;
    }
    let resolved: readonly string[];
    try {
      resolved = await this.#resolve(host);
    } catch (e) {
      if (e instanceof CnsdnError && e.code === 'SOUTHBOUND_NOT_ALLOWED') throw this.#refusal(address, e.message);
      throw new CnsdnError('DEVICE_UNREACHABLE', `cannot resolve "${host}": ${(e as Error).message}`, [], { cause: e });
    }
    if (resolved.length === 0) {
      throw new CnsdnError('DEVICE_UNREACHABLE', `"${host}" resolved to no address`);
    }
    const refused = resolved.filter((ip) => !this.allows(ip));
    if (refused.length > 0) throw this.#refusal(address, `it resolves to ${refused.join(', ')}`);
    return resolved[0]!;
  }

  toString(): string {
    return this.cidrs.join(',');
  }

  #refusal(address: string, why?: string): CnsdnError {
    const list = this.cidrs.length > 0 ? this.cidrs.join(',') : '(empty)';
    const because = why ? ` (${why})` : '';
    return new CnsdnError(
      'SOUTHBOUND_NOT_ALLOWED',
      `southbound address ${address} is not allowed${because}; allowlist: ${list}. ` +
        `To reach it, set ${SOUTHBOUND_ALLOW_ENV} to comma-separated CIDRs that include it (e.g. 10.0.0.0/8,127.0.0.0/8,::1/128).`,
      [{ path: '/_connect/address', message: `${address} is outside the southbound allowlist`, code: 'SOUTHBOUND_NOT_ALLOWED' }],
    );
  }
}
