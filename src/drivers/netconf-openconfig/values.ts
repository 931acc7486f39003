/** Fields of TFS resource values (objects or their JSON text), read with coded errors. */
import { CnsdnError } from '../../common/errors.js';

export type Fields = Record<string, unknown>;

export function invalid(key: string, message: string, field?: string): CnsdnError {
  return new CnsdnError('INVALID_ARGUMENT', `resource ${key}: ${message}`, field ? [{ path: `/${field}`, message }] : []);
}

export function fieldsOf(key: string, value: unknown): Fields {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = v.trim() === '' ? {} : JSON.parse(v);
    } catch {
      throw invalid(key, `value is not JSON: ${JSON.stringify(value).slice(0, 80)}`);
    }
  }
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(key, `value must be an object, got ${JSON.stringify(v).slice(0, 80)}`);
  return v as Fields;
}

const given = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

export function optString(key: string, f: Fields, field: string): string | undefined {
  const v = f[field];
  if (!given(v)) return undefined;
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  throw invalid(key, `${field} must be a string, got ${JSON.stringify(v)}`, field);
}

export function optInt(key: string, f: Fields, field: string, min: number, max: number): number | undefined {
  const v = f[field];
  if (!given(v)) return undefined;
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw invalid(key, `${field} must be a whole number in ${min}..${max}, got ${JSON.stringify(v)}`, field);
  }
  return n;
}

export function optBool(key: string, f: Fields, field: string): boolean | undefined {
  const v = f[field];
  if (!given(v)) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw invalid(key, `${field} must be true or false, got ${JSON.stringify(v)}`, field);
}

/** A field that repeats what the key says must agree with it. */
export function sameAs(key: string, f: Fields, field: string, expected: string | number): void {
  if (given(f[field]) && String(f[field]) !== String(expected)) {
    throw invalid(key, `${field} ${JSON.stringify(f[field])} disagrees with the key (${JSON.stringify(expected)})`, field);
  }
}

export function compact<T extends Fields>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
