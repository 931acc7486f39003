/** Reading fields of TFS resource values (objects or their JSON text) with clear errors. */
import { CnsdnError } from '../../common/errors.js';

export type Fields = Record<string, unknown>;

export function fieldsOf(key: string, value: unknown): Fields {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      throw new CnsdnError('INVALID_ARGUMENT', `resource ${key}: value is not JSON: ${JSON.stringify(value).slice(0, 80)}`);
    }
  }
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new CnsdnError('INVALID_ARGUMENT', `resource ${key}: value must be an object, got ${JSON.stringify(v).slice(0, 80)}`);
  }
  return v as Fields;
}

const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

function bad(key: string, field: string, want: string, got: unknown): CnsdnError {
  return new CnsdnError('INVALID_ARGUMENT', `resource ${key}: ${field} must be ${want}, got ${JSON.stringify(got)}`, [{ path: `/${field}`, message: `must be ${want}` }]);
}

export function optString(key: string, f: Fields, field: string): string | undefined {
  const v = f[field];
  if (!present(v)) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw bad(key, field, 'a string', v);
}

export function optInt(key: string, f: Fields, field: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = f[field];
  if (!present(v)) return undefined;
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw bad(key, field, `a whole number in ${min}..${max}`, v);
  return n;
}

export function optBool(key: string, f: Fields, field: string): boolean | undefined {
  const v = f[field];
  if (!present(v)) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw bad(key, field, 'true or false', v);
}

/** A field that repeats what the key says must agree with it. */
export function sameAs(key: string, f: Fields, field: string, expected: string | number): void {
  const v = f[field];
  if (present(v) && String(v) !== String(expected)) {
    throw new CnsdnError('INVALID_ARGUMENT', `resource ${key}: ${field} ${JSON.stringify(v)} disagrees with the key (${JSON.stringify(expected)})`, [
      { path: `/${field}`, message: 'disagrees with the resource key' },
    ]);
  }
}

/** Drops the undefined members, so a value only names what was given. */
export function compact<T extends Fields>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
