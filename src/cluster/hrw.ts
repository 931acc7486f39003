/** Rendezvous (highest random weight) hashing: each device goes to the member scoring highest for it. */
import { createHash } from 'node:crypto';

function score(member: string, key: string): number {
  return createHash('sha1').update(member).update('\n').update(key).digest().readUIntBE(0, 6);
}

/** The member a key belongs to among `members` (undefined when none); ties go to the smaller id. */
export function rendezvous(key: string, members: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const m of members) {
    const s = score(m, key);
    if (s > bestScore || (s === bestScore && best !== undefined && m < best)) {
      best = m;
      bestScore = s;
    }
  }
  return best;
}

/**
 * Rendezvous targets cached per member set: a member joining or leaving moves only the keys
 * that now score highest on it (about 1/N of them), and nothing is rehashed until the set changes.
 */
export class RendezvousCache {
  #signature = '';
  #members: string[] = [];
  readonly #targets = new Map<string, string | undefined>();

  target(key: string, members: readonly string[]): string | undefined {
    const signature = [...members].sort().join('\n');
    if (signature !== this.#signature) {
      this.#signature = signature;
      this.#members = [...members];
      this.#targets.clear();
    }
    if (!this.#targets.has(key)) this.#targets.set(key, rendezvous(key, this.#members));
    return this.#targets.get(key);
  }
}
