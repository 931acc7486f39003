import type { TSchema } from '@sinclair/typebox';
import type { FastifySchemaCompiler } from 'fastify';
import { CnsdnError } from '../common/errors.js';
import { schemaErrors } from '../model/validate.js';

/**
 * Validates request parts with the model's TypeBox schemas (the one schema source), so errors
 * carry JSON pointers and stable codes. `trustBody`: the handler validates the body itself.
 */
export function typeboxValidator(options: { trustBody?: boolean } = {}): FastifySchemaCompiler<unknown> {
  return ({ schema, httpPart }) =>
    (data: unknown) => {
      if (options.trustBody && httpPart === 'body') return { value: data };
      const errors = schemaErrors(schema as TSchema, data);
      if (errors.length === 0) return { value: data };
      const where = httpPart === 'body' ? 'request body' : `request ${httpPart}`;
      return { error: new CnsdnError('VALIDATION_FAILED', `${where} is not valid: ${errors[0]!.path || '/'}: ${errors[0]!.message}`, errors) };
    };
}
