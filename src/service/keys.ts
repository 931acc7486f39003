/** Ordering of TFS resource keys: parents before children for sets, children first for deletes. */

/** Segments of a resource key; a `/` inside brackets (a prefix like 10.0.0.0/30) does not split. */
export function keyDepth(key: string): number {
  let depth = 0;
  let inBracket = 0;
  for (const ch of key) {
    if (ch === '[') inBracket++;
    else if (ch === ']') inBracket--;
    else if (ch === '/' && inBracket === 0) depth++;
  }
  return depth;
}

export function parentsFirst<T extends { key: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => keyDepth(a.key) - keyDepth(b.key));
}

export function childrenFirst<T extends { key: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => keyDepth(b.key) - keyDepth(a.key));
}

/** JSON with object keys sorted, so equal values compare equal as text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
