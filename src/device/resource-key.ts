import { CnsdnError } from '../common/errors.js';

/**
 * Splits a TFS resource key into path segments. A "/" inside brackets belongs to the
 * segment: "/interface[13/0/0]/settings" → ["interface[13/0/0]", "settings"].
 * Throws INVALID_ARGUMENT for an empty key or unbalanced brackets.
 */
export function splitResourceKey(key: string): string[] {
  if (typeof key !== 'string' || key.length === 0) {
    throw new CnsdnError('INVALID_ARGUMENT', 'resource key must be a non-empty string');
  }
  const segments: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of key) {
    if (ch === '[') depth += 1;
    else if (ch === ']') {
      depth -= 1;
      if (depth < 0) throw new CnsdnError('INVALID_ARGUMENT', `resource key "${key}" has an unmatched "]"`);
    }
    if (ch === '/' && depth === 0) {
      if (current.length > 0) segments.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (depth !== 0) throw new CnsdnError('INVALID_ARGUMENT', `resource key "${key}" has an unmatched "["`);
  if (current.length > 0) segments.push(current);
  return segments;
}

/** Whether `key` is `prefix` itself or lies under it in the resource tree. */
export function isUnder(key: readonly string[], prefix: readonly string[]): boolean {
  if (prefix.length > key.length) return false;
  return prefix.every((segment, i) => segment === key[i]);
}
