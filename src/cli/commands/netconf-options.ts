/** Option handling for `cnsdn netconf`: connection settings, host key policy, filters, config files. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  type Capabilities,
  type ConnectOptions,
  type Filter,
  type HostKeyPolicy,
  NS_BASE,
  innerXml,
  isElement,
  parseXmlFragment,
  serializeXml,
} from '../../protocols/netconf/index.js';
import { UsageError } from '../io.js';

export const DEFAULT_NETCONF_PORT = 830;
export const DEFAULT_NETCONF_TIMEOUT_MS = 30_000;

export interface NetconfFlags {
  host: string;
  port: number;
  username?: string;
  password?: string;
  key?: string;
  keyPassphrase?: string;
  hostkeyCheck: boolean;
  knownHosts?: string;
  fingerprint?: string;
}

function readFile(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${flag} ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

function hostKeyPolicy(flags: NetconfFlags, home: string | undefined): HostKeyPolicy {
  const chosen = [flags.knownHosts && '--known-hosts', flags.fingerprint && '--fingerprint', !flags.hostkeyCheck && '--no-hostkey-check'].filter(Boolean);
  if (chosen.length > 1) throw new UsageError(`${chosen.join(' and ')} exclude each other`);
  if (!flags.hostkeyCheck) return 'insecure-accept-any';
  if (flags.fingerprint) {
    if (!/^(SHA256:)?[A-Za-z0-9+/]{43}=?$/.test(flags.fingerprint.trim())) {
      throw new UsageError('--fingerprint must be an SHA256 fingerprint such as SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s');
    }
    return { fingerprint: flags.fingerprint };
  }
  if (flags.knownHosts) {
    readFile(flags.knownHosts, '--known-hosts');
    return { knownHostsFile: flags.knownHosts };
  }
  // Like ssh and ncclient: the user's own known_hosts when there is one.
  const own = home ? join(home, '.ssh', 'known_hosts') : undefined;
  if (own && existsSync(own)) return { knownHostsFile: own };
  throw new UsageError(
    "host key checking is on and there is nothing to check the device's key against (no ~/.ssh/known_hosts): pass --known-hosts FILE or --fingerprint SHA256:..., or --no-hostkey-check to skip the check",
  );
}

/** The global --timeout in ms; 30 s when not given. */
export function timeoutOf(cmd: Command): number {
  let rootCmd = cmd;
  while (rootCmd.parent) rootCmd = rootCmd.parent;
  const source = rootCmd.getOptionValueSource('timeout');
  const value = rootCmd.opts<{ timeout?: number }>().timeout;
  return source !== 'default' && source !== undefined && value !== undefined ? value : DEFAULT_NETCONF_TIMEOUT_MS;
}

/** Client settings from the flags; the password from -p or CNSDN_NETCONF_PASSWORD. */
export function connectOptions(flags: NetconfFlags, env: Record<string, string | undefined>, timeoutMs: number): ConnectOptions {
  const username = flags.username ?? (env.CNSDN_NETCONF_USERNAME || undefined);
  if (!username) throw new UsageError('no username: pass -u NAME (or set CNSDN_NETCONF_USERNAME)');
  const password = flags.password ?? (env.CNSDN_NETCONF_PASSWORD || undefined);
  const privateKey = flags.key ? readFile(flags.key, '--key') : undefined;
  if (password === undefined && privateKey === undefined) {
    throw new UsageError('no password: pass -p PASS, set CNSDN_NETCONF_PASSWORD, or give --key FILE');
  }
  const opts: ConnectOptions = {
    host: flags.host,
    port: flags.port,
    username,
    hostKey: hostKeyPolicy(flags, env.HOME),
    timeoutMs,
    rpcTimeoutMs: timeoutMs,
  };
  if (password !== undefined) opts.password = password;
  if (privateKey !== undefined) opts.privateKey = privateKey;
  const passphrase = flags.keyPassphrase ?? (env.CNSDN_NETCONF_KEY_PASSPHRASE || undefined);
  if (passphrase !== undefined) {
    if (privateKey === undefined) throw new UsageError('--key-passphrase needs --key FILE');
    opts.passphrase = passphrase;
  }
  return opts;
}

export function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 65535) throw new UsageError('--port must be an integer in 1..65535');
  return n;
}

/** `<...>` is a subtree filter; anything else an XPath, with prefixes bound by --ns or named after advertised modules. */
export function filterOf(text: string | undefined, ns: string[], caps: Capabilities): Filter | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t.startsWith('<')) return { subtree: t };
  const namespaces: Record<string, string> = {};
  for (const m of caps.modules) namespaces[m.module] = m.namespace;
  for (const pair of ns) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new UsageError(`--ns ${pair}: expected PREFIX=URI`);
    namespaces[pair.slice(0, i)] = pair.slice(i + 1);
  }
  const used = new Set([...t.matchAll(/([A-Za-z_][\w.-]*):(?=[A-Za-z_*])/g)].map((m) => m[1]));
  const bound = Object.fromEntries(Object.entries(namespaces).filter(([p]) => used.has(p)));
  return { xpath: t, namespaces: bound };
}

/**
 * The content of <config> from a file holding bare elements, or a <config> or <data>
 * element around them (so get-config output can be edited and sent back).
 */
export function configFromFile(file: string): string {
  const text = readFile(file, '--file').replace(/^\s*<\?xml[^>]*\?>/, '');
  let nodes: ReturnType<typeof parseXmlFragment>;
  try {
    nodes = parseXmlFragment(text);
  } catch (e) {
    throw new UsageError(`--file ${file}: ${(e as Error).message}`);
  }
  const elements = nodes.filter(isElement);
  if (elements.length === 0) throw new UsageError(`--file ${file}: no XML elements`);
  const only = elements.length === 1 ? elements[0] : undefined;
  if (only && (only.name === 'config' || only.name === 'data') && (only.ns === NS_BASE || only.ns === '')) return innerXml(only);
  return elements.map(serializeXml).join('');
}
