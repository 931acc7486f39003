/** NBI of the cluster: GET /cluster, drain, and configuration carried out by a device's owner. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { CnsdnError } from '../common/errors.js';
import type { ContextManager } from '../context/index.js';
import { schemas } from '../model/index.js';
import { requireRole, typeboxValidator } from '../nbi/index.js';
import type { Cluster, ConfigureOutcome } from './api.js';

export interface ClusterRoutesOptions {
  cluster: Cluster;
  ctx: ContextManager;
  /** Has the device's owner push its configuration and answer (OwnerRouter.configure). */
  configure: (uuid: string) => Promise<{ owner: string; outcome: unknown }>;
}

const problem = { $ref: 'Problem#' };
const MemberParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9._-]{1,100}$' }) });
const DeviceParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 512 }) });
const ConfigureBody = Type.Object({ config_rules: Type.Optional(Type.Array(schemas.ConfigRule, { maxItems: 100_000 })) }, { additionalProperties: false });

function isOutcome(v: unknown): v is ConfigureOutcome {
  return typeof v === 'object' && v !== null && typeof (v as { applied?: unknown }).applied === 'boolean';
}

export function clusterRoutes(o: ClusterRoutesOptions): FastifyPluginAsync {
  return async (app) => {
    app.setValidatorCompiler(typeboxValidator());
    const tags = ['cluster'];
    // Each route is also served under /api, where the auth layer checks roles and, for browser
    // sessions, the CSRF header. The bare /cluster paths are for scripts and probes with a bearer token.
    const ViewQuery = Type.Object({ leases: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')], { description: 'false: leave the per-device lease list out' })) }, { additionalProperties: false });
    for (const path of ['/cluster', '/api/cluster']) {
      app.get<{ Querystring: { leases?: 'true' | 'false' } }>(
        path,
        { preHandler: requireRole('viewer'), schema: { tags, summary: 'Members, device leases and ownership', querystring: ViewQuery, response: { '4xx': problem, '5xx': problem } } },
        async (req) => {
          const v = await o.cluster.view();
          return req.query.leases === 'false' ? { ...v, leases: [] } : v;
        },
      );
    }

    const drain = (draining: boolean) => async (req: FastifyRequest<{ Params: { id: string } }>) => {
      if (!req.url.startsWith('/api/') && (req.principal as { via?: string } | null)?.via === 'session') {
        throw new CnsdnError('CSRF_FAILED', `a browser session drains members through /api${req.url.split('?')[0]} (with the CSRF header)`);
      }
      const id = req.params.id;
      if (!(await o.cluster.setDraining(id, draining))) throw new CnsdnError('NOT_FOUND', `no cluster member ${id}`, [{ path: '/id', message: 'unknown member' }]);
      const member = (await o.cluster.view()).members.find((m) => m.id === id);
      return { id, draining, devices: member?.devices ?? 0 };
    };
    const drainSchema = (summary: string) => ({ tags, summary, params: MemberParams, response: { '4xx': problem, '5xx': problem } });
    for (const base of ['/cluster', '/api/cluster']) {
      const admin = { preHandler: requireRole('admin'), config: { role: 'admin' as const } };
      app.post<{ Params: { id: string } }>(`${base}/members/:id/drain`, { ...admin, schema: drainSchema("Hand a member's devices over and stop it taking new ones") }, drain(true));
      app.delete<{ Params: { id: string } }>(`${base}/members/:id/drain`, { ...admin, schema: drainSchema('Let a drained member take devices again') }, drain(false));
    }

    app.post<{ Params: { id: string }; Body: { config_rules?: schemas.ConfigRuleIn[] } | undefined }>(
      '/api/devices/:id/configure',
      {
        preHandler: requireRole('operator'),
        schema: { tags, summary: "Merge config rules into a device and have its owner push them; answers the device's outcome", params: DeviceParams, body: ConfigureBody, response: { '4xx': problem, '5xx': problem } },
      },
      async (req) => {
        const device = await o.ctx.getDevice(req.params.id);
        const uuid = device.device_id.device_uuid.uuid;
        const rules = req.body?.config_rules ?? [];
        if (rules.length) {
          try {
            await o.ctx.apply({ devices: [{ device_id: device.device_id, name: device.name, device_config: { config_rules: rules } }] });
          } catch (e) {
            if (!(e instanceof CnsdnError)) throw e;
            const at = (p: string) => p.replace(/^\/devices\/0\/device_config/, '');
            throw new CnsdnError(e.code, e.message.replace(/\/devices\/0\/device_config/g, ''), e.details.map((d) => ({ ...d, path: at(d.path) })), { cause: e });
          }
        }
        const { owner, outcome } = await o.configure(uuid);
        if (!isOutcome(outcome)) throw new CnsdnError('INTERNAL', `owner ${owner} answered without an outcome`);
        if (!outcome.applied) {
          const code = outcome.code === 'DEVICE_UNREACHABLE' ? 'DEVICE_UNREACHABLE' : 'DRIVER_ERROR';
          throw new CnsdnError(code, `device ${device.name}: ${outcome.error}`, [{ path: '/owner', message: owner }]);
        }
        return { device_uuid: { uuid }, owner, applied: true };
      },
    );
  };
}
