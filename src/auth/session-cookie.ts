/**
 * Stateless sessions: the claims travel in the cookie, encrypted and authenticated with
 * AES-256-GCM. The cookie names the key that sealed it, so several keys can be accepted at
 * once (rotation: the first key seals, every key opens) and any replica with the keys opens it.
 *
 * Cookie value: `v1.<kid>.<base64url(iv ‖ ciphertext ‖ tag)>`, with `v1.<kid>` as associated data.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CnsdnError } from '../common/errors.js';
import { isRole, type Role } from './principal.js';

export const SESSION_COOKIE = 'cnsdn_session';
export const CSRF_HEADER = 'x-csrf-token';
/** A session cookie is re-issued (sliding idle timeout) when its last refresh is older than this. */
export const COOKIE_REFRESH_MS = 60_000;
const VERSION = 'v1';
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const KEY_LENGTH = 32;
/** Cookies above this are not even tried (a browser keeps 4 KB per cookie). */
const MAX_COOKIE_LENGTH = 4096;

export interface SessionClaims {
  /** Session id: random, fixed for the session's life; the CSRF token is bound to it. */
  sid: string;
  username: string;
  /** The role at login; the user's current role is checked on every request. */
  role: Role;
  /** Issued at (login), ms since the epoch. */
  iat: number;
  /** Last activity, ms: the idle timeout runs from here. */
  seen: number;
  /** Absolute expiry, ms. */
  exp: number;
}

export interface SessionKey {
  kid: string;
  key: Buffer;
  /** HMAC key for CSRF tokens, derived from the session key. */
  csrfKey: Buffer;
}

export class SessionKeyring {
  readonly keys: readonly SessionKey[];
  readonly #byKid: Map<string, SessionKey>;

  /** The first key seals new cookies; all of them open cookies and verify CSRF tokens. */
  constructor(keys: readonly Buffer[]) {
    if (keys.length === 0) throw new CnsdnError('INVALID_ARGUMENT', 'at least one session key is required');
    this.keys = keys.map((key, i) => {
      if (key.length !== KEY_LENGTH) throw new CnsdnError('INVALID_ARGUMENT', `session key ${i + 1} must be ${KEY_LENGTH} bytes, got ${key.length}`);
      return { kid: keyId(key), key: Buffer.from(key), csrfKey: createHmac('sha256', key).update('cnsdn csrf').digest() };
    });
    this.#byKid = new Map(this.keys.map((k) => [k.kid, k]));
  }

  /** Parses CNSDN_SESSION_KEYS: comma-separated base64 (or base64url) 32-byte keys. */
  static parse(text: string): SessionKeyring {
    const parts = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
    return new SessionKeyring(
      parts.map((p, i) => {
        if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(p)) throw new CnsdnError('INVALID_ARGUMENT', `CNSDN_SESSION_KEYS entry ${i + 1} is not base64`);
        return Buffer.from(p, 'base64');
      }),
    );
  }

  static generateKey(): Buffer {
    return randomBytes(KEY_LENGTH);
  }

  get primary(): SessionKey {
    return this.keys[0]!;
  }

  byKid(kid: string): SessionKey | undefined {
    return this.#byKid.get(kid);
  }

  seal(claims: SessionClaims): string {
    const k = this.primary;
    const header = `${VERSION}.${k.kid}`;
    const iv = randomBytes(IV_LENGTH);
    const cipher = createCipheriv('aes-256-gcm', k.key, iv, { authTagLength: TAG_LENGTH });
    cipher.setAAD(Buffer.from(header));
    const body = Buffer.concat([cipher.update(JSON.stringify(claims), 'utf8'), cipher.final()]);
    return `${header}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  /** The claims of a cookie this keyring sealed and that has not expired; undefined otherwise. */
  open(value: string, now = Date.now(), idleMs = Number.POSITIVE_INFINITY): SessionClaims | undefined {
    if (value.length > MAX_COOKIE_LENGTH) return undefined;
    const parts = value.split('.');
    if (parts.length !== 3 || parts[0] !== VERSION) return undefined;
    const k = this.#byKid.get(parts[1]!);
    if (!k) return undefined;
    const raw = Buffer.from(parts[2]!, 'base64url');
    if (raw.length < IV_LENGTH + TAG_LENGTH + 2) return undefined;
    let text: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', k.key, raw.subarray(0, IV_LENGTH), { authTagLength: TAG_LENGTH });
      decipher.setAAD(Buffer.from(`${parts[0]}.${parts[1]}`));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_LENGTH));
      text = Buffer.concat([decipher.update(raw.subarray(IV_LENGTH, raw.length - TAG_LENGTH)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
    const claims = parseClaims(text);
    if (!claims || now >= claims.exp || now - claims.seen >= idleMs || claims.iat > now + 60_000) return undefined;
    return claims;
  }

  /** The CSRF token of a session: an HMAC of its id under the primary key. */
  csrfToken(sid: string): string {
    return createHmac('sha256', this.primary.csrfKey).update(sid).digest('base64url');
  }

  /** Accepts a token made under any key of the ring, so a rotation does not log anyone out of writing. */
  verifyCsrf(sid: string, presented: string | string[] | undefined): boolean {
    if (typeof presented !== 'string' || presented.length === 0 || presented.length > 128) return false;
    const given = Buffer.from(presented);
    return this.keys.some((k) => {
      const expected = Buffer.from(createHmac('sha256', k.csrfKey).update(sid).digest('base64url'));
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
  }
}

/** Key ids are derived from the key, so every replica given the same key names it the same. */
function keyId(key: Buffer): string {
  return createHash('sha256').update('cnsdn session key id').update(key).digest('base64url').slice(0, 8);
}

function parseClaims(text: string): SessionClaims | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== 'object') return undefined;
  const c = v as Record<string, unknown>;
  const num = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  if (typeof c.sid !== 'string' || typeof c.username !== 'string' || !isRole(c.role) || !num(c.iat) || !num(c.seen) || !num(c.exp)) return undefined;
  return { sid: c.sid, username: c.username, role: c.role, iat: c.iat as number, seen: c.seen as number, exp: c.exp as number };
}

export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

/** The value of one cookie in a Cookie header (the first one of that name), without parsing the rest. */
export function cookieValue(header: string | string[] | undefined, name: string): string | undefined {
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    return value;
  }
  return undefined;
}

export interface CookieOptions {
  secure: boolean;
  /** Seconds; 0 clears the cookie. Undefined: a browser-session cookie. */
  maxAge?: number;
}

export function serializeSessionCookie(value: string, options: CookieOptions): string {
  const parts = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (options.maxAge !== undefined) parts.push(`Max-Age=${options.maxAge}`);
  if (options.maxAge === 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
