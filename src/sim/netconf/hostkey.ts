/** The simulator's SSH host key: generated, or loaded from (and first written to) a file. */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import { fingerprintSha256 } from '../../protocols/netconf/hostkeys.js';

export type HostKeyType = 'ed25519' | 'rsa';

export interface HostKey {
  /** OpenSSH private key. */
  privateKey: string;
  /** The public key as a known_hosts/authorized_keys line body: "ssh-ed25519 AAAA...". */
  publicKey: string;
  fingerprint: string;
}

function describe(privateKey: string, where: string): HostKey {
  const parsed = ssh2.utils.parseKey(privateKey);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key instanceof Error) throw new Error(`${where}: not a usable SSH private key (${key.message})`);
  const blob = key.getPublicSSH();
  return { privateKey, publicKey: `${key.type} ${blob.toString('base64')}`, fingerprint: fingerprintSha256(blob) };
}

function generate(type: HostKeyType): string {
  const pair = type === 'rsa' ? ssh2.utils.generateKeyPairSync('rsa', { bits: 3072 }) : ssh2.utils.generateKeyPairSync('ed25519');
  return pair.private;
}

/** The key in `file` when it exists; otherwise a new key, saved to `file` (mode 0600) when given. */
export function loadHostKey(file: string | undefined, type: HostKeyType = 'ed25519'): HostKey {
  if (file && existsSync(file)) return describe(readFileSync(file, 'utf8'), file);
  const privateKey = generate(type);
  if (file) {
    writeFileSync(file, privateKey, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  return describe(privateKey, 'generated key');
}

/** A known_hosts line for `host:port` (OpenSSH writes non-22 ports as [host]:port). */
export function knownHostsLine(key: HostKey, host: string, port: number): string {
  return `${port === 22 ? host : `[${host}]:${port}`} ${key.publicKey}`;
}
