/** Ordering of TFS resource keys: parents before children for sets, children first for deletes. */
import type { Rule } from './handlers.js';

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

/**
 * `/interface[X]`: leaves of a physical interface (its MTU). Such a key is merged into the
 * interface, never replaced or removed whole; services may hold it together when they set
 * equal values, and the last one to let go puts back what the interface had.
 */
export function isSharedKey(key: string): boolean {
  return /^\/interface\[[^\]]+\]$/.test(key);
}

function fieldsOf(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/**
 * How to take `rule` off so the device holds `prior` again (undefined: it held nothing there).
 * A shared key only loses the leaves the prior value lacks (the others are set back), so the
 * interface itself is never removed.
 */
export function takeOff(rule: Rule, prior: { value: unknown } | undefined): { delete?: Rule; set?: Rule } {
  const set = prior === undefined ? undefined : { key: rule.key, value: prior.value };
  if (!isSharedKey(rule.key)) return { delete: rule, ...(set ? { set } : {}) };
  const had = fieldsOf(prior?.value);
  const { name, ...wanted } = fieldsOf(rule.value);
  const gone = Object.keys(wanted).filter((k) => had[k] === undefined || had[k] === null);
  const del = gone.length > 0 ? { key: rule.key, value: { ...(name === undefined ? {} : { name }), ...Object.fromEntries(gone.map((k) => [k, wanted[k]])) } } : undefined;
  return { ...(del ? { delete: del } : {}), ...(set ? { set } : {}) };
}
