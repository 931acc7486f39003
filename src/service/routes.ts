/** /api/services/{context}/{service}/...: activate, dry-run, deactivate, check-sync, re-sync. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { CnsdnError, type ErrorCode } from '../common/errors.js';
import { normalize, schemas } from '../model/index.js';
import { requireRole, typeboxValidator } from '../nbi/index.js';
import type { ServiceManager } from './manager.js';

const params = Type.Object({ c: Type.String({ minLength: 1, maxLength: 512 }), s: Type.String({ minLength: 1, maxLength: 512 }) }, { additionalProperties: false });
const problem = { $ref: 'Problem#' };
const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem, 502: problem };
const doc = (summary: string) => ({ tags: ['services'], summary, params, response: errors });

type Req = { Params: { c: string; s: string } };
const contextParams = Type.Object({ c: Type.String({ minLength: 1, maxLength: 512 }) }, { additionalProperties: false });

export function serviceRoutes(services: ServiceManager): FastifyPluginAsync {
  return async (app) => {
    app.setValidatorCompiler(typeboxValidator());
    const viewer = { preHandler: requireRole('viewer') };
    const operator = { preHandler: requireRole('operator') };

    app.post<{ Params: { c: string }; Body: schemas.ServiceIn }>(
      '/api/services/:c/dry-run',
      {
        ...operator,
        schema: { tags: ['services'], summary: 'Per-device configuration a service (given in the body, TFS shape) would get; nothing is stored or touched', params: contextParams, body: schemas.Service, response: errors },
      },
      async (req) => {
        const id = req.body.service_id;
        const service = normalize.service({ ...req.body, service_id: { ...id, context_id: id.context_id ?? { context_uuid: { uuid: req.params.c } } } });
        return { diffs: await services.dryRun(service) };
      },
    );

    app.post<Req>('/api/services/:c/:s/dry-run', { ...operator, schema: doc('Per-device configuration an activation would apply; no device is touched') }, async (req) => {
      const r = await services.activate(req.params.c, req.params.s, { dryRun: true });
      return { status: r.status, diffs: r.diffs };
    });

    app.post<Req>('/api/services/:c/:s/activate', { ...operator, schema: doc('Activate now: path, connections, every device or none') }, async (req) => {
      const r = await services.activate(req.params.c, req.params.s);
      if (r.failure) throw new CnsdnError(r.failure.code.replace(/^CNSDN_/, '') as ErrorCode, r.failure.message, [{ path: '', message: JSON.stringify(r.failure) }]);
      return { status: r.status, connections: r.connections, diffs: r.diffs };
    });

    app.post<Req>('/api/services/:c/:s/deactivate', { ...operator, schema: doc('Remove from every device what the service added') }, async (req) => {
      await services.deactivate(req.params.c, req.params.s);
      return {};
    });

    app.get<Req>('/api/services/:c/:s/check-sync', { ...viewer, schema: doc('Drift between the devices and what the service applied') }, async (req) => services.checkSync(req.params.c, req.params.s));

    app.post<Req>('/api/services/:c/:s/re-sync', { ...operator, schema: doc('Set again what drifted, then report') }, async (req) => services.reSync(req.params.c, req.params.s));
  };
}
