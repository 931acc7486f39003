import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { NetconfError } from './errors.js';

/** OpenSSH-style fingerprint of a raw host key blob: "SHA256:" + unpadded base64. */
export function fingerprintSha256(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

export function normaliseFingerprint(fp: string): string {
  const t = fp.trim();
  const body = t.startsWith('SHA256:') ? t.slice(7) : t;
  if (!/^[A-Za-z0-9+/]{43}=?$/.test(body)) {
    throw new NetconfError('NETCONF_INVALID_ARGUMENT', 'hostKey.fingerprint must be an SHA256 fingerprint ("SHA256:" + 43 base64 characters)');
  }
  return `SHA256:${body.replace(/=$/, '')}`;
}

export interface KnownHostEntry {
  marker?: '@revoked' | '@cert-authority';
  hosts: string;
  keyType: string;
  key: Buffer;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() as KnownHostEntry['marker'];
    if (fields.length < 3) continue;
    const entry: KnownHostEntry = { hosts: fields[0], keyType: fields[1], key: Buffer.from(fields[2], 'base64') };
    if (marker) entry.marker = marker;
    out.push(entry);
  }
  return out;
}

function globMatch(pattern: string, name: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(name);
}

/** Whether a known_hosts host field names `host:port` (plain, wildcard, negated or hashed). */
export function hostMatches(field: string, host: string, port: number): boolean {
  const name = port === 22 ? host : `[${host}]:${port}`;
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return mac === hash;
  }
  let matched = false;
  for (const pat of field.split(',')) {
    if (pat.startsWith('!')) {
      if (globMatch(pat.slice(1), name)) return false;
    } else if (globMatch(pat, name)) {
      matched = true;
    }
  }
  return matched;
}

/** SSH host key algorithms that can present a key of a known_hosts key type. */
export function algorithmsFor(keyType: string): string[] {
  return keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [keyType];
}

export interface KnownHostsVerifier {
  /** Host key algorithms of the keys known for this host. */
  algorithms: string[];
  verify(keyBlob: Buffer): boolean;
}

export function knownHostsVerifier(file: string, host: string, port: number): KnownHostsVerifier {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new NetconfError('NETCONF_HOSTKEY', `cannot read known_hosts file ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const entries = parseKnownHosts(text).filter((e) => hostMatches(e.hosts, host, port));
  const revoked = entries.filter((e) => e.marker === '@revoked');
  const trusted = entries.filter((e) => e.marker === undefined);
  if (trusted.length === 0) {
    throw new NetconfError('NETCONF_HOSTKEY', `no key for ${host}:${port} in known_hosts file ${file}`);
  }
  return {
    algorithms: [...new Set(trusted.flatMap((e) => algorithmsFor(e.keyType)))],
    verify: (blob) => !revoked.some((e) => e.key.equals(blob)) && trusted.some((e) => e.key.equals(blob)),
  };
}
