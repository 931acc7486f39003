import type { TSchema, Static } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { CnsdnError, type ErrorDetail } from '../common/errors.js';

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checker<T extends TSchema>(schema: T): TypeCheck<T> {
  let c = compiled.get(schema);
  if (!c) {
    c = TypeCompiler.Compile(schema);
    compiled.set(schema, c);
  }
  return c as TypeCheck<T>;
}

function describe(schema: TSchema, fallback: string): string {
  const names = (schema as { 'x-enum-names'?: string[] })['x-enum-names'];
  if (names) return `must be one of ${names.join(', ')} (or its number)`;
  return fallback;
}

/** Every schema violation in value, each with the JSON pointer of the fault, capped at `max`. */
export function schemaErrors(schema: TSchema, value: unknown, basePath = '', max = 100): ErrorDetail[] {
  const c = checker(schema);
  if (c.Check(value)) return [];
  const out: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const e of c.Errors(value)) {
    const path = basePath + e.path;
    // A failed object reports its failing members too; keep the deepest, most useful ones.
    const message = describe(e.schema, e.message);
    const key = `${path} ${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message, code: 'VALIDATION_FAILED' });
    if (out.length >= max) break;
  }
  return out;
}

/** Returns value typed by the schema, or throws VALIDATION_FAILED listing every fault. */
export function validate<T extends TSchema>(schema: T, value: unknown, what: string, basePath = ''): Static<T> {
  const errors = schemaErrors(schema, value, basePath);
  if (errors.length > 0) {
    throw new CnsdnError('VALIDATION_FAILED', `${what} is not valid: ${errors[0]!.path || '/'}: ${errors[0]!.message}`, errors);
  }
  return value as Static<T>;
}
