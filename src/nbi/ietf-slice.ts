/**
 * IETF network slice service NBI over RESTCONF (RFC 9543 framework; the
 * ietf-network-slice-service model), under the path TFS serves it:
 * `/restconf/data/ietf-network-slice-service:network-slice-services`. A slice-service becomes a
 * TFS slice in context admin (ietf-slice-request.ts), stored atomically, then realised by the
 * slice layer (a service configured on the devices) before the request is answered; a slice
 * that cannot be realised is removed again and the request answers why.
 */
import type { FastifyPluginAsync } from 'fastify';
import { CnsdnError } from '../common/errors.js';
import type { ContextManager } from '../context/index.js';
import type * as T from '../model/types.js';
import { DEFAULT_CONTEXT } from '../model/types.js';
import type { SliceManager } from '../slice/index.js';
import { inRequestBody, recordedFailure, restconfRoutes, unlessNotFound } from './ietf-restconf.js';
import { IETF_SLICE_KEY, type SliceRequest, sliceRequests } from './ietf-slice-request.js';
import { SLICE_MODULE, SLICE_ROOT, SliceBody } from './ietf-slice-schemas.js';
import { YANG_JSON } from './ietf-vpn-errors.js';

export interface IetfSliceOptions {
  log?: { warn(obj: unknown, msg?: string): void };
}

const ROOT = `/restconf/data/${SLICE_ROOT.replace(':', '::')}`;
const ONE = `${ROOT}/slice-service=:id`;

type Json = Record<string, unknown>;

/** The stored request of a slice made through this NBI, or undefined. */
function requested(slice: T.Slice): Json | undefined {
  const r = slice.slice_config.config_rules.find((c) => c.custom?.resource_key === IETF_SLICE_KEY);
  if (!r?.custom) return undefined;
  try {
    return JSON.parse(r.custom.resource_value) as Json;
  } catch {
    return undefined;
  }
}

/** The slice-service as requested, with its status (ietf-vpn-common operational status). */
function sliceService(slice: T.Slice, ietf: Json): Json {
  const up = slice.slice_status.slice_status === 'SLICESTATUS_ACTIVE';
  return {
    ...ietf,
    status: {
      'admin-status': { status: 'ietf-vpn-common:admin-up' },
      'oper-status': { status: up ? 'ietf-vpn-common:op-up' : 'ietf-vpn-common:op-down' },
    },
  };
}

const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

export function ietfSliceRoutes(ctx: ContextManager, slices?: SliceManager, options: IetfSliceOptions = {}): FastifyPluginAsync {
  return async (app) => {
    const { viewer, operator, doc: docOf } = restconfRoutes(app);
    const doc = (summary: string, extra = {}) => docOf(SLICE_MODULE, summary, extra);
    const send = (reply: { type(t: string): { send(b: string): unknown } }, body: unknown) => reply.type(YANG_JSON).send(JSON.stringify(body));

    const ietfSlices = async (): Promise<Array<{ slice: T.Slice; ietf: Json }>> => {
      const all = await unlessNotFound(ctx.listSlices(DEFAULT_CONTEXT), () => []);
      return all.flatMap((slice) => {
        const ietf = requested(slice);
        return ietf ? [{ slice, ietf }] : [];
      });
    };
    const oneSlice = async (id: string): Promise<{ slice: T.Slice; ietf: Json }> => {
      const slice = await unlessNotFound(ctx.getSlice(DEFAULT_CONTEXT, id), () => {
        throw new CnsdnError('NOT_FOUND', `slice-service ${id} does not exist`);
      });
      const ietf = requested(slice);
      if (!ietf) throw new CnsdnError('NOT_FOUND', `slice-service ${id} does not exist (slice ${id} was not made through ${SLICE_MODULE})`);
      return { slice, ietf };
    };

    /** All or nothing: a slice that is not realised takes the request's other slices with it. */
    const realiseAll = async (requests: SliceRequest[]) => {
      if (!slices) return;
      try {
        for (const r of requests) {
          const done = await slices.realise(DEFAULT_CONTEXT, r.id);
          if (done.failure) throw recordedFailure(done.failure, `slice-service ${r.id} was not realised`);
        }
      } catch (e) {
        for (const r of requests) {
          await slices.remove(DEFAULT_CONTEXT, r.id).catch((cleanup: unknown) => options.log?.warn({ err: cleanup, slice: r.id }, 'removing a slice that was not realised'));
        }
        throw e;
      }
    };

    app.post(ROOT, { ...operator, schema: doc('Create network slice services (each realised on the devices before the answer)', { body: SliceBody }) }, async (req, reply) => {
      const requests = sliceRequests(req.body as Parameters<typeof sliceRequests>[0]);
      await ctx.apply({ slices: requests.map((r) => r.slice) }, { createOnly: true }).catch((e: unknown) => {
        throw inRequestBody(
          e,
          'slices',
          requests.map((r) => ({ path: r.idPath, places: r.places })),
        );
      });
      await realiseAll(requests);
      return reply.code(201).header('location', `/restconf/data/${SLICE_ROOT}/slice-service=${encodeURIComponent(requests[0]!.id)}`).send();
    });
    app.get(ROOT, { ...viewer, schema: doc('The network slice services made through this NBI, with their status') }, async (_req, reply) => {
      const all = await ietfSlices();
      return send(reply, { [SLICE_ROOT]: { 'slice-service': all.map((s) => sliceService(s.slice, s.ietf)) } });
    });
    app.get<{ Params: { id: string } }>(ONE, { ...viewer, schema: doc('One network slice service') }, async (req, reply) => {
      const s = await oneSlice(req.params.id);
      return send(reply, { [`${SLICE_MODULE}:slice-service`]: [sliceService(s.slice, s.ietf)] });
    });
    app.delete<{ Params: { id: string } }>(ONE, { ...operator, schema: doc('Remove a network slice service (its configuration leaves the devices first)') }, async (req, reply) => {
      await oneSlice(req.params.id);
      if (slices) await slices.remove(DEFAULT_CONTEXT, req.params.id);
      else await ctx.removeSlice(DEFAULT_CONTEXT, req.params.id);
      return reply.code(204).send();
    });

    // Read-only views of one slice's SDPs and connection groups.
    const parts = [
      { container: 'sdps', item: 'sdp' },
      { container: 'connection-groups', item: 'connection-group' },
    ];
    for (const p of parts) {
      app.get<{ Params: { id: string } }>(`${ONE}/${p.container}`, { ...viewer, schema: doc(`The ${p.container} of a network slice service`) }, async (req, reply) => {
        const { ietf } = await oneSlice(req.params.id);
        return send(reply, { [`${SLICE_MODULE}:${p.container}`]: { [p.item]: list((ietf[p.container] as Json | undefined)?.[p.item]) } });
      });
      app.get<{ Params: { id: string; key: string } }>(`${ONE}/${p.container}/${p.item}=:key`, { ...viewer, schema: doc(`One ${p.item} of a network slice service`) }, async (req, reply) => {
        const { ietf } = await oneSlice(req.params.id);
        const found = list((ietf[p.container] as Json | undefined)?.[p.item]).find((x) => String(x.id) === req.params.key);
        if (!found) throw new CnsdnError('NOT_FOUND', `slice-service ${req.params.id} has no ${p.item} ${req.params.key}`);
        return send(reply, { [`${SLICE_MODULE}:${p.item}`]: [found] });
      });
    }
  };
}
