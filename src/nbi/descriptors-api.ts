/** Descriptor import/export: TFS descriptor files in and out, atomic, with a dry run. */
import { Type } from '@sinclair/typebox';
import { CnsdnError } from '../common/errors.js';
import type { FastifyPluginAsync } from 'fastify';
import type { ContextManager, ExportedDescriptor } from '../context/index.js';
import { schemas } from '../model/index.js';
import { requireRole } from './auth.js';
import { toCnsdnError, toProblem } from './problem.js';
import { typeboxValidator } from './validation.js';

export interface DescriptorRoutesOptions {
  ctx: ContextManager;
  exportAll: () => Promise<ExportedDescriptor>;
  /** Largest accepted descriptor in bytes (default 256 MiB: 10,000 devices and 20,000 links is ~25 MiB). */
  bodyLimit?: number;
}

const problem = { $ref: 'Problem#' };

export function descriptorRoutes(options: DescriptorRoutesOptions): FastifyPluginAsync {
  return async (app) => {
    app.removeContentTypeParser('text/plain');
    app.post<{ Querystring: { dry_run?: string } }>(
      '/tfs-api/descriptors',
      {
        preHandler: requireRole('operator'),
        bodyLimit: options.bodyLimit ?? 256 * 1024 * 1024,
        schema: {
          tags: ['descriptors'],
          summary: 'Import a TFS descriptor atomically (all or nothing); ?dry_run=true only reports',
          // Unknown parameters are refused: a mistyped dry run must not write.
          querystring: Type.Object({ dry_run: Type.Optional(Type.Union(['true', 'false', '1', '0'].map((v) => Type.Literal(v)))) }, { additionalProperties: false }),
          body: schemas.Descriptor,
          response: { 400: problem, 401: problem, 409: problem, 413: problem, 422: problem },
        },
        // The context manager validates the body against the same schema, with JSON pointers.
        validatorCompiler: typeboxValidator({ trustBody: true }),
      },
      async (req) => {
        const dryRun = req.query.dry_run === 'true' || req.query.dry_run === '1';
        const r = await options.ctx.apply(req.body, { dryRun });
        return { dry_run: r.dryRun, summary: r.summary, entities: r.entities };
      },
    );
    app.post<{ Body: { descriptors: unknown[] } }>(
      '/tfs-api/descriptors/dry-run',
      {
        preHandler: requireRole('operator'),
        bodyLimit: options.bodyLimit ?? 256 * 1024 * 1024,
        schema: {
          tags: ['descriptors'],
          summary: 'Dry run of descriptors loaded one after the other: each checked against what the ones before it would leave; nothing written',
          body: Type.Object({ descriptors: Type.Array(schemas.Descriptor) }, { additionalProperties: false }),
          response: { 400: problem, 401: problem, 413: problem },
        },
        // Each descriptor is validated by the context manager, its faults reported in its own result.
        validatorCompiler: typeboxValidator({ trustBody: true }),
      },
      async (req) => {
        const body = req.body as unknown;
        const list = body && typeof body === 'object' && Array.isArray((body as { descriptors?: unknown }).descriptors) ? (body as { descriptors: unknown[] }).descriptors : undefined;
        if (!list) throw new CnsdnError('VALIDATION_FAILED', 'the body must be {"descriptors": [descriptor, ...]}', [{ path: '/descriptors', message: 'expected an array of descriptors' }]);
        const results = await options.ctx.dryRunSequence(list);
        return {
          dry_run: true,
          results: results.map((r) => ('error' in r ? { problem: toProblem(toCnsdnError(r.error), req.url) } : { summary: r.summary, entities: r.entities })),
        };
      },
    );
    app.get(
      '/tfs-api/descriptors',
      { preHandler: requireRole('viewer'), schema: { tags: ['descriptors'], summary: 'Export the whole context as a TFS descriptor', response: { 401: problem } } },
      async () => options.exportAll(),
    );
  };
}
