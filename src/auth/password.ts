/**
 * Password hashing with scrypt (node:crypto): a random salt per password, parameters kept in the
 * encoded hash so they can be raised later, comparison in constant time.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { CnsdnError } from '../common/errors.js';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** 2^15 × 8 × 128 B = 32 MiB and ~50–100 ms per hash on these machines. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

/** At most this many hashes at once: each holds 32 MiB, and a login flood must not exhaust memory. */
const MAX_CONCURRENT = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return limited(
    () =>
      new Promise((resolve, reject) => {
        scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
      }),
  );
}

/** Rejects passwords shorter than MIN_PASSWORD_LENGTH characters (PASSWORD_POLICY). */
export function checkPasswordPolicy(password: unknown, path = '/password'): string {
  if (typeof password !== 'string') throw new CnsdnError('VALIDATION_FAILED', 'password must be a string', [{ path, message: 'must be a string' }]);
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    const message = `must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long`;
    throw new CnsdnError('PASSWORD_POLICY', `Password ${message}`, [{ path, message }]);
  }
  return password;
}

/** `scrypt$N$r$p$<salt base64>$<key base64>` */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

interface Decoded {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

function decode(encoded: string): Decoded | undefined {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 2 ** 20 || r > 32 || p > 16) return undefined;
  const salt = Buffer.from(parts[4]!, 'base64');
  const key = Buffer.from(parts[5]!, 'base64');
  if (salt.length === 0 || key.length !== KEY_LENGTH) return undefined;
  return { params: { N, r, p }, salt, key };
}

let dummy: Promise<string> | undefined;

/** The hash checked for unknown users; made once, ahead of the first login (call at start). */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  return dummy;
}

/**
 * True when `password` matches `encoded`. With `encoded` undefined (no such user) a dummy hash
 * is checked instead, so an unknown user costs the same time as a wrong password.
 */
export async function verifyPassword(password: string, encoded: string | undefined): Promise<boolean> {
  const decoded = decode(encoded ?? (await dummyHash()));
  if (!decoded) {
    await derive(password, randomBytes(SALT_LENGTH), DEFAULT_SCRYPT);
    return false;
  }
  const key = await derive(password, decoded.salt, decoded.params);
  return timingSafeEqual(key, decoded.key) && encoded !== undefined;
}
