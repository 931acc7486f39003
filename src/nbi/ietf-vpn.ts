/**
 * IETF service NBI over RESTCONF (RFC 8040 paths and JSON): RFC 8299 L3VPNs and RFC 8466 L2VPNs
 * become TFS L3NM / L2NM services in context admin, stored atomically and, when the service
 * layer is present (an activator is given), configured on the network before the request is
 * answered. The service layer activates stored services from their events; this NBI waits.
 */
import type { TSchema } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifySchema } from 'fastify';
import { CnsdnError } from '../common/errors.js';
import type { ContextManager } from '../context/index.js';
import type * as T from '../model/types.js';
import { DEFAULT_CONTEXT } from '../model/types.js';
import type { ServiceActivator } from '../service/api.js';
import { ACTIVATABLE_ENDPOINTS, DEFAULT_ACTIVATION_TIMEOUT_MS, untilActive } from './ietf-vpn-activation.js';
import { inRequestBody, restconfRoutes, unlessNotFound } from './ietf-restconf.js';
import { type NameOf, tfsService, type VpnRequest } from './ietf-vpn-common.js';
import { YANG_JSON } from './ietf-vpn-errors.js';
import { L2_MODULE, l2ServiceSettings, l2Sites, l2VpnService, l2vpnRequests } from './ietf-vpn-l2.js';
import { L3_MODULE, L3_SERVICE_SETTINGS, l3Sites, l3VpnService, l3vpnRequests } from './ietf-vpn-l3.js';
import { L2_ROOT, L2vpnBody, L3_ROOT, L3vpnBody } from './ietf-vpn-schemas.js';

interface Flavour {
  module: string;
  root: string;
  serviceType: 'SERVICETYPE_L3NM' | 'SERVICETYPE_L2NM';
  body: TSchema;
  requests(body: unknown): VpnRequest[];
  settings(vpn: VpnRequest): Record<string, unknown>;
  vpnService(service: T.Service): Record<string, unknown>;
  sites(services: T.Service[], nameOf: NameOf): Promise<Array<Record<string, unknown>>>;
}

const FLAVOURS: Flavour[] = [
  {
    module: L3_MODULE,
    root: L3_ROOT,
    serviceType: 'SERVICETYPE_L3NM',
    body: L3vpnBody,
    requests: (b) => l3vpnRequests(b as Parameters<typeof l3vpnRequests>[0]),
    settings: () => L3_SERVICE_SETTINGS,
    vpnService: l3VpnService,
    sites: l3Sites,
  },
  {
    module: L2_MODULE,
    root: L2_ROOT,
    serviceType: 'SERVICETYPE_L2NM',
    body: L2vpnBody,
    requests: (b) => l2vpnRequests(b as Parameters<typeof l2vpnRequests>[0]),
    settings: l2ServiceSettings,
    vpnService: l2VpnService,
    sites: l2Sites,
  },
];

export interface IetfVpnOptions {
  /** Logs cleanup failures after a failed activation. */
  log?: { warn(obj: unknown, msg?: string): void };
  /** How long a request waits for its services to become ACTIVE (default 30 s). */
  activationTimeoutMs?: number;
}

/** find-my-way reads ':' as a parameter: a module-qualified RESTCONF node needs '::'. */
const routePath = (...parts: string[]) => `/restconf/data/${parts.join('/').replaceAll(':', '::')}`;

/** Device and endpoint names for stored endpoint ids, one device read per device. */
function nameLookup(ctx: ContextManager): NameOf {
  const devices = new Map<string, Promise<T.Device | undefined>>();
  return async (id) => {
    const uuid = id.device_id.device_uuid.uuid;
    if (!devices.has(uuid)) devices.set(uuid, ctx.getDevice(uuid).catch(() => undefined));
    const d = await devices.get(uuid);
    const ep = d?.device_endpoints.find((e) => e.endpoint_id.endpoint_uuid.uuid === id.endpoint_uuid.uuid);
    return { device: d?.name ?? uuid, endpoint: ep?.name ?? id.endpoint_uuid.uuid };
  };
}

export function ietfVpnRoutes(ctx: ContextManager, activator?: ServiceActivator, options: IetfVpnOptions = {}): FastifyPluginAsync {
  return async (app) => {
    const routes = restconfRoutes(app);
    const { viewer, operator } = routes;
    const doc = (f: Flavour, summary: string, extra: FastifySchema = {}) => routes.doc(f.module, summary, extra);

    const servicesOf = async (f: Flavour): Promise<T.Service[]> => (await unlessNotFound(ctx.listServices(DEFAULT_CONTEXT), () => [])).filter((s) => s.service_type === f.serviceType);
    const serviceOf = async (f: Flavour, vpnId: string): Promise<T.Service> => {
      const s = await unlessNotFound(ctx.getService(DEFAULT_CONTEXT, vpnId), () => {
        throw new CnsdnError('NOT_FOUND', `vpn-service ${vpnId} does not exist`);
      });
      if (s.service_type !== f.serviceType) throw new CnsdnError('NOT_FOUND', `vpn-service ${vpnId} does not exist (service ${vpnId} is ${s.service_type})`);
      return s;
    };

    /**
     * With a service layer, the request waits for its VPNs to be ACTIVE. All or nothing: a VPN that
     * fails takes the request's other VPNs with it (their removal deconfigures what was applied).
     */
    const activateAll = async (vpns: VpnRequest[]) => {
      if (!activator) return;
      const timeout = options.activationTimeoutMs ?? DEFAULT_ACTIVATION_TIMEOUT_MS;
      try {
        await Promise.all(vpns.filter((v) => v.attachments.length >= ACTIVATABLE_ENDPOINTS).map((v) => untilActive(ctx, v.vpnId, timeout)));
      } catch (e) {
        if (e instanceof CnsdnError && e.code === 'UNAVAILABLE') throw e;
        for (const v of vpns) {
          await ctx.removeService(DEFAULT_CONTEXT, v.vpnId).catch((cleanup: unknown) => options.log?.warn({ err: cleanup, vpnId: v.vpnId }, 'removing a VPN whose activation failed'));
        }
        throw e;
      }
    };

    for (const f of FLAVOURS) {
      const create = async (body: unknown) => {
        const vpns = f.requests(body);
        const services = vpns.map((v) => tfsService(v, f.serviceType, f.settings(v)));
        await ctx.apply({ services }, { createOnly: true }).catch((e: unknown) => {
          throw inRequestBody(
            e,
            'services',
            vpns.map((v) => ({ path: v.vpnPath, places: v.attachments })),
          );
        });
        await activateAll(vpns);
        return vpns;
      };
      for (const path of [routePath(f.root), routePath(f.root, 'vpn-services')]) {
        app.post(path, { ...operator, schema: doc(f, `Create ${f.module} VPN services with their sites`, { body: f.body }) }, async (req, reply) => {
          const vpns = await create(req.body);
          const first = encodeURIComponent(vpns[0]!.vpnId);
          return reply.code(201).header('location', `/restconf/data/${f.root}/vpn-services/vpn-service=${first}`).send();
        });
      }
      app.get(routePath(f.root), { ...viewer, schema: doc(f, `The ${f.module} tree rebuilt from the stored services`) }, async (_req, reply) => {
        const services = await servicesOf(f);
        const tree = { 'vpn-services': { 'vpn-service': services.map(f.vpnService) }, sites: { site: await f.sites(services, nameLookup(ctx)) } };
        return reply.type(YANG_JSON).send(JSON.stringify({ [f.root]: tree }));
      });
      app.get(routePath(f.root, 'vpn-services'), { ...viewer, schema: doc(f, `List ${f.module} VPN services`) }, async (_req, reply) => {
        const services = await servicesOf(f);
        return reply.type(YANG_JSON).send(JSON.stringify({ [`${f.module}:vpn-services`]: { 'vpn-service': services.map(f.vpnService) } }));
      });
      const one = `${routePath(f.root, 'vpn-services')}/vpn-service=:id`;
      app.get<{ Params: { id: string } }>(one, { ...viewer, schema: doc(f, `Get a ${f.module} VPN service`) }, async (req, reply) => {
        const s = await serviceOf(f, req.params.id);
        return reply.type(YANG_JSON).send(JSON.stringify({ [`${f.module}:vpn-service`]: [f.vpnService(s)] }));
      });
      app.delete<{ Params: { id: string } }>(one, { ...operator, schema: doc(f, `Remove a ${f.module} VPN service (its configuration leaves the devices first)`) }, async (req, reply) => {
        await serviceOf(f, req.params.id);
        await ctx.removeService(DEFAULT_CONTEXT, req.params.id);
        return reply.code(204).send();
      });
    }
  };
}
