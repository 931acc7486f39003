import { createHash } from 'node:crypto';

/** TFS's namespace for name-derived UUIDs, so names map to the same uuids TFS gives them. */
export const TFS_NAMESPACE = '200e3a1f-2223-534f-a100-758e29c37f40';

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const BRACED_UUID_RE = /^(urn:uuid:)?\{?([0-9a-f-]{32,36})\}?$/i;

function hex(bytes: Buffer): string {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** RFC 4122 name-based UUID (SHA-1, version 5). */
export function uuidv5(name: string, namespace: string = TFS_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const digest = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = Buffer.from(digest.subarray(0, 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return hex(bytes);
}

/** The canonical lower-case, hyphenated form when text is a UUID, else undefined. */
export function parseUuid(text: string): string | undefined {
  const m = BRACED_UUID_RE.exec(text.trim());
  const body = m ? m[2]! : text;
  if (!UUID_RE.test(body)) return undefined;
  return hex(Buffer.from(body.replace(/-/g, ''), 'hex'));
}

/**
 * TFS's rule: a UUID stays as it is; any other text is a name, turned into a UUIDv5 —
 * of "prefix/name" where the entity lives inside another (topology, service, slice in a
 * context; endpoint in a device).
 */
export function uuidFromText(text: string, prefix?: string): string {
  const key = prefix === undefined ? text : `${prefix}/${text}`;
  let uuid = cache.get(key);
  if (uuid === undefined) {
    uuid = parseUuid(text) ?? uuidv5(key);
    if (cache.size >= CACHE_SIZE) cache.clear();
    cache.set(key, uuid);
  }
  return uuid;
}

// Descriptors name the same contexts, topologies and devices thousands of times.
const CACHE_SIZE = 100_000;
const cache = new Map<string, string>();
