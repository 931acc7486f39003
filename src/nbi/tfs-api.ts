/**
 * TFS's REST API (/tfs-api): the same paths, verbs and JSON as TeraFlowSDN's NBI, so existing
 * scripts keep working. Ids in paths may be uuids or names (TFS's name → UUIDv5 rule).
 */
import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifySchema, FastifySchemaCompiler } from 'fastify';
import { CnsdnError } from '../common/errors.js';
import type { ContextManager } from '../context/index.js';
import { normalize, schemas, uuidFromText } from '../model/index.js';
import { requireRole } from './auth.js';
import { typeboxValidator } from './validation.js';

type Kind = 'contexts' | 'topologies' | 'devices' | 'links' | 'services' | 'slices' | 'connections';

const problem = { $ref: 'Problem#' };
const errorResponses = { 400: problem, 401: problem, 404: problem, 409: problem, 422: problem };

/** A collection POST takes one entity, an array, or TFS's `{ "<kind>": [...] }` wrapper. */
function collectionBody(kind: Kind, item: TSchema) {
  return Type.Union([item, Type.Array(item), Type.Object({ [kind]: Type.Array(item) }, { additionalProperties: false })]);
}

type Shape = 'one' | 'array' | 'wrapper';

function shapeOf(kind: Kind, body: unknown): Shape {
  if (Array.isArray(body)) return 'array';
  return body && typeof body === 'object' && Object.hasOwn(body, kind) ? 'wrapper' : 'one';
}

function asList(kind: Kind, body: unknown): unknown[] {
  const shape = shapeOf(kind, body);
  if (shape === 'array') return body as unknown[];
  return shape === 'wrapper' ? (body as Record<string, unknown[]>)[kind]! : [body];
}

/** Where the i-th entity of a collection POST sits in the body as sent. */
function itemPath(kind: Kind, body: unknown, i: number): string {
  const shape = shapeOf(kind, body);
  return shape === 'one' ? '' : shape === 'array' ? `/${i}` : `/${kind}/${i}`;
}

/**
 * Validates a collection POST body by the shape it was sent in, so a fault's JSON pointer
 * names it in that body rather than failing the whole union at the root.
 */
function collectionValidator(kind: Kind, item: TSchema): FastifySchemaCompiler<unknown> {
  const array = Type.Array(item);
  const wrapper = Type.Object({ [kind]: array }, { additionalProperties: false });
  const bodyValidator = typeboxValidator();
  const byShape = { one: bodyValidator({ schema: item, httpPart: 'body' } as never), array: bodyValidator({ schema: array, httpPart: 'body' } as never), wrapper: bodyValidator({ schema: wrapper, httpPart: 'body' } as never) };
  return (route) => (route.httpPart === 'body' ? (data: unknown) => byShape[shapeOf(kind, data)](data) : bodyValidator(route));
}

/**
 * Errors of a change set built from a request body point at `/<kind>/<i>/...`; this rewrites
 * them to where the entity sits in the body as sent (one entity, an array, or the wrapper).
 */
async function inBody<R>(kind: Kind, shape: Shape, run: () => Promise<R>): Promise<R> {
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof CnsdnError) || shape === 'wrapper') throw e;
    const at = new RegExp(`/${kind}/(\\d+)(?!\\d)`, 'g');
    // One entity: its fields sit at the root. An array: the index is the first segment.
    const map = (text: string) => text.replace(at, (_m, i: string) => (shape === 'array' ? `/${i}` : ''));
    const details = e.details.map((d) => ({ ...d, path: map(d.path), message: map(d.message) }));
    const first = e.details[0];
    const message = first ? e.message.replace(`: ${first.path}: `, `: ${map(first.path) || '/'}: `) : e.message;
    throw new CnsdnError(e.code, message, details, { cause: e });
  }
}

const JSON_TYPE = 'application/json; charset=utf-8';

const nameOf = (body: unknown): string | undefined => {
  const name = (body as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
};

const idMismatch = (path: string, inPath: string, inBody: string) =>
  new CnsdnError('INVALID_ARGUMENT', `the id in the body (${inBody}) is not the one in the URL (${inPath})`, [{ path, message: `must be ${inPath}` }]);

/** A body naming another context than the URL's is refused where it says so. */
function checkContext(idPath: string, inPath: string, id: { context_id?: schemas.ContextIdIn }): void {
  const given = id.context_id?.context_uuid.uuid;
  if (given !== undefined && uuidFromText(given) !== uuidFromText(inPath)) throw idMismatch(`${idPath}/context_id/context_uuid/uuid`, inPath, given);
}

/** A connection posted under a service must name that service (its context defaults to the URL's). */
function belongsTo(idPath: string, contextInPath: string, serviceInPath: string, id: schemas.ConnectionIn['service_id']): void {
  checkContext(idPath, contextInPath, id);
  id.context_id ??= { context_uuid: { uuid: contextInPath } };
  const cu = uuidFromText(contextInPath);
  if (uuidFromText(id.service_uuid.uuid, cu) !== uuidFromText(serviceInPath, cu)) throw idMismatch(`${idPath}/service_uuid/uuid`, serviceInPath, id.service_uuid.uuid);
}

export function tfsApiRoutes(ctx: ContextManager): FastifyPluginAsync {
  return async (app) => {
    app.setValidatorCompiler(typeboxValidator());
    // Fastify parses text/plain by default; these routes take JSON only (415 otherwise).
    app.removeContentTypeParser('text/plain');
    const viewer = { preHandler: requireRole('viewer') };
    const operator = { preHandler: requireRole('operator') };
    const C = Type.Object({ c: Type.String() });
    const CT = Type.Object({ c: Type.String(), t: Type.String() });
    const CS = Type.Object({ c: Type.String(), s: Type.String() });
    const ID = Type.Object({ id: Type.String() });
    const doc = (tags: string, summary: string, extra: FastifySchema = {}): FastifySchema =>
      ({ tags: [tags], summary, response: errorResponses, ...extra }) as FastifySchema;

    const applyOne = async (kind: Kind, entity: unknown, createOnly = false, replaceTopologyMembers = false) => {
      await inBody(kind, 'one', () => ctx.apply({ [kind]: [entity] }, { createOnly, replaceTopologyMembers }));
    };
    const applyList = async (kind: Kind, body: unknown, list: unknown[]) => {
      await inBody(kind, shapeOf(kind, body), () => ctx.apply({ [kind]: list }, { createOnly: true }));
    };
    const applyMany = async (kind: Kind, body: unknown) => {
      const list = asList(kind, body);
      await applyList(kind, body, list);
      return list;
    };
    const collection = (kind: Kind, item: TSchema) => ({ body: collectionBody(kind, item) });
    const collectionRoute = (kind: Kind, item: TSchema) => ({ validatorCompiler: collectionValidator(kind, item) });

    // ---- contexts
    app.get('/tfs-api/context_ids', { ...viewer, schema: doc('context', 'List context ids') }, async () => ({
      context_ids: (await ctx.listContexts()).map((c) => c.context_id),
    }));
    app.get('/tfs-api/contexts', { ...viewer, schema: doc('context', 'List contexts') }, async () => ({ contexts: await ctx.listContexts() }));
    app.post('/tfs-api/contexts', { ...operator, ...collectionRoute('contexts', schemas.Context), schema: doc('context', 'Create contexts', collection('contexts', schemas.Context)) }, async (req) => {
      const list = (await applyMany('contexts', req.body)) as schemas.ContextIn[];
      return list.map((c) => ({ context_uuid: { uuid: uuidFromText(c.context_id.context_uuid.uuid) } }));
    });
    app.get<{ Params: { c: string } }>('/tfs-api/context/:c', { ...viewer, schema: doc('context', 'Get a context', { params: C }) }, async (req) => ctx.getContext(req.params.c));
    app.put<{ Params: { c: string }; Body: schemas.ContextIn }>(
      '/tfs-api/context/:c',
      { ...operator, schema: doc('context', 'Create or update a context', { params: C, body: schemas.Context }) },
      async (req) => {
        const uuid = uuidFromText(req.params.c);
        if (uuidFromText(req.body.context_id.context_uuid.uuid) !== uuid) throw idMismatch('/context_id/context_uuid/uuid', req.params.c, req.body.context_id.context_uuid.uuid);
        await applyOne('contexts', req.body);
        return { context_uuid: { uuid } };
      },
    );
    app.delete<{ Params: { c: string } }>('/tfs-api/context/:c', { ...operator, schema: doc('context', 'Remove a context', { params: C }) }, async (req) => {
      await ctx.removeContext(req.params.c);
      return {};
    });

    // ---- topologies
    app.get<{ Params: { c: string } }>('/tfs-api/context/:c/topology_ids', { ...viewer, schema: doc('topology', 'List topology ids', { params: C }) }, async (req) => ({
      topology_ids: (await ctx.listTopologies(req.params.c)).map((t) => t.topology_id),
    }));
    app.get<{ Params: { c: string } }>('/tfs-api/context/:c/topologies', { ...viewer, schema: doc('topology', 'List topologies', { params: C }) }, async (req) => ({
      topologies: await ctx.listTopologies(req.params.c),
    }));
    app.post<{ Params: { c: string } }>(
      '/tfs-api/context/:c/topologies',
      { ...operator, ...collectionRoute('topologies', schemas.Topology), schema: doc('topology', 'Create topologies', { params: C, ...collection('topologies', schemas.Topology) }) },
      async (req) => {
        const list = asList('topologies', req.body) as schemas.TopologyIn[];
        list.forEach((t, i) => {
          checkContext(`${itemPath('topologies', req.body, i)}/topology_id`, req.params.c, t.topology_id);
          t.topology_id.context_id ??= { context_uuid: { uuid: req.params.c } };
        });
        await applyList('topologies', req.body, list);
        const cu = uuidFromText(req.params.c);
        return list.map((t) => ({ context_id: { context_uuid: { uuid: cu } }, topology_uuid: { uuid: uuidFromText(t.topology_id.topology_uuid.uuid, cu) } }));
      },
    );
    app.get<{ Params: { c: string; t: string } }>('/tfs-api/context/:c/topology/:t', { ...viewer, schema: doc('topology', 'Get a topology', { params: CT }) }, async (req) =>
      ctx.getTopology(req.params.c, req.params.t),
    );
    app.get<{ Params: { c: string; t: string } }>(
      '/tfs-api/context/:c/topology_details/:t',
      { ...viewer, schema: doc('topology', 'Get a topology with its devices and links', { params: CT }) },
      async (req) => ctx.getTopologyDetails(req.params.c, req.params.t),
    );
    app.put<{ Params: { c: string; t: string }; Body: schemas.TopologyIn }>(
      '/tfs-api/context/:c/topology/:t',
      { ...operator, schema: doc('topology', 'Create or replace a topology', { params: CT, body: schemas.Topology }) },
      async (req) => {
        const cu = uuidFromText(req.params.c);
        const uuid = uuidFromText(req.params.t, cu);
        checkContext('/topology_id', req.params.c, req.body.topology_id);
        req.body.topology_id.context_id ??= { context_uuid: { uuid: req.params.c } };
        if (uuidFromText(req.body.topology_id.topology_uuid.uuid, uuidFromText(req.body.topology_id.context_id.context_uuid.uuid)) !== uuid)
          throw idMismatch('/topology_id/topology_uuid/uuid', req.params.t, req.body.topology_id.topology_uuid.uuid);
        await applyOne('topologies', req.body, false, true);
        return { context_id: { context_uuid: { uuid: cu } }, topology_uuid: { uuid } };
      },
    );
    app.delete<{ Params: { c: string; t: string } }>('/tfs-api/context/:c/topology/:t', { ...operator, schema: doc('topology', 'Remove a topology', { params: CT }) }, async (req) => {
      await ctx.removeTopology(req.params.c, req.params.t);
      return {};
    });

    // ---- devices
    app.get('/tfs-api/device_ids', { ...viewer, schema: doc('device', 'List device ids') }, async () => ({
      device_ids: (await ctx.listDevices()).map((d) => d.device_id),
    }));
    app.get('/tfs-api/devices', { ...viewer, schema: doc('device', 'List devices') }, async (_req, reply) =>
      reply.type(JSON_TYPE).send(await ctx.listResponse('device')),
    );
    app.post('/tfs-api/devices', { ...operator, ...collectionRoute('devices', schemas.Device), schema: doc('device', 'Add devices (and connect them)', collection('devices', schemas.Device)) }, async (req) => {
      const list = (await applyMany('devices', req.body)) as schemas.DeviceIn[];
      return list.map((d) => ({ device_uuid: { uuid: uuidFromText(normalize.ownIdText(d.device_id.device_uuid.uuid, d.name)) } }));
    });
    app.get<{ Params: { id: string } }>('/tfs-api/device/:id', { ...viewer, schema: doc('device', 'Get a device', { params: ID }) }, async (req, reply) =>
      reply.type(JSON_TYPE).send(await ctx.getJson('device', req.params.id)),
    );
    app.put<{ Params: { id: string }; Body: schemas.DeviceIn }>(
      '/tfs-api/device/:id',
      { ...operator, schema: doc('device', 'Configure (create or update) a device', { params: ID, body: schemas.Device }) },
      async (req) => {
        const uuid = uuidFromText(req.params.id);
        if (uuidFromText(normalize.ownIdText(req.body.device_id.device_uuid.uuid, req.body.name)) !== uuid) throw idMismatch('/device_id/device_uuid/uuid', req.params.id, req.body.device_id.device_uuid.uuid);
        await applyOne('devices', req.body);
        return { device_uuid: { uuid } };
      },
    );
    app.delete<{ Params: { id: string } }>('/tfs-api/device/:id', { ...operator, schema: doc('device', 'Remove a device', { params: ID }) }, async (req) => {
      await ctx.removeDevice(req.params.id);
      return {};
    });

    // ---- links
    app.get('/tfs-api/link_ids', { ...viewer, schema: doc('link', 'List link ids') }, async () => ({ link_ids: (await ctx.listLinks()).map((l) => l.link_id) }));
    app.get('/tfs-api/links', { ...viewer, schema: doc('link', 'List links') }, async (_req, reply) =>
      reply.type(JSON_TYPE).send(await ctx.listResponse('link')),
    );
    app.post('/tfs-api/links', { ...operator, ...collectionRoute('links', schemas.Link), schema: doc('link', 'Add links', collection('links', schemas.Link)) }, async (req) => {
      const list = (await applyMany('links', req.body)) as schemas.LinkIn[];
      return list.map((l) => ({ link_uuid: { uuid: uuidFromText(normalize.ownIdText(l.link_id.link_uuid.uuid, l.name)) } }));
    });
    app.get<{ Params: { id: string } }>('/tfs-api/link/:id', { ...viewer, schema: doc('link', 'Get a link', { params: ID }) }, async (req, reply) =>
      reply.type(JSON_TYPE).send(await ctx.getJson('link', req.params.id)),
    );
    app.put<{ Params: { id: string }; Body: schemas.LinkIn }>(
      '/tfs-api/link/:id',
      { ...operator, schema: doc('link', 'Create or update a link', { params: ID, body: schemas.Link }) },
      async (req) => {
        const uuid = uuidFromText(req.params.id);
        if (uuidFromText(normalize.ownIdText(req.body.link_id.link_uuid.uuid, req.body.name)) !== uuid) throw idMismatch('/link_id/link_uuid/uuid', req.params.id, req.body.link_id.link_uuid.uuid);
        await applyOne('links', req.body);
        return { link_uuid: { uuid } };
      },
    );
    app.delete<{ Params: { id: string } }>('/tfs-api/link/:id', { ...operator, schema: doc('link', 'Remove a link', { params: ID }) }, async (req) => {
      await ctx.removeLink(req.params.id);
      return {};
    });

    // ---- services and slices (inside a context)
    const scoped = (kind: 'services' | 'slices', one: 'service' | 'slice', schema: TSchema) => {
      const idField = `${one}_id` as const;
      const uuidField = `${one}_uuid` as const;
      type Scoped = Record<string, { context_id?: schemas.ContextIdIn } & Record<string, { uuid: string }>>;
      const list = (c: string) => (kind === 'services' ? ctx.listServices(c) : ctx.listSlices(c));
      app.get<{ Params: { c: string } }>(`/tfs-api/context/:c/${one}_ids`, { ...viewer, schema: doc(one, `List ${one} ids`, { params: C }) }, async (req) => ({
        [`${one}_ids`]: (await list(req.params.c)).map((e) => (e as unknown as Record<string, unknown>)[idField]),
      }));
      app.get<{ Params: { c: string } }>(`/tfs-api/context/:c/${kind}`, { ...viewer, schema: doc(one, `List ${kind}`, { params: C }) }, async (req) => ({
        [kind]: await list(req.params.c),
      }));
      app.post<{ Params: { c: string } }>(
        `/tfs-api/context/:c/${kind}`,
        { ...operator, ...collectionRoute(kind, schema), schema: doc(one, `Create ${kind}`, { params: C, ...collection(kind, schema) }) },
        async (req) => {
          const items = asList(kind, req.body) as Scoped[];
          items.forEach((it, i) => {
            checkContext(`${itemPath(kind, req.body, i)}/${idField}`, req.params.c, it[idField]!);
            it[idField]!.context_id ??= { context_uuid: { uuid: req.params.c } };
          });
          await applyList(kind, req.body, items);
          return items.map((it) => {
            const cu = uuidFromText(it[idField]!.context_id!.context_uuid.uuid);
            return { context_id: { context_uuid: { uuid: cu } }, [uuidField]: { uuid: uuidFromText(normalize.ownIdText(it[idField]![uuidField]!.uuid, nameOf(it)), cu) } };
          });
        },
      );
      app.get<{ Params: { c: string; s: string } }>(`/tfs-api/context/:c/${one}/:s`, { ...viewer, schema: doc(one, `Get a ${one}`, { params: CS }) }, async (req) =>
        one === 'service' ? ctx.getService(req.params.c, req.params.s) : ctx.getSlice(req.params.c, req.params.s),
      );
      app.put<{ Params: { c: string; s: string }; Body: Scoped }>(
        `/tfs-api/context/:c/${one}/:s`,
        { ...operator, schema: doc(one, `Create or update a ${one}`, { params: CS, body: schema }) },
        async (req) => {
          const cu = uuidFromText(req.params.c);
          const uuid = uuidFromText(req.params.s, cu);
          const id = req.body[idField]!;
          checkContext(`/${idField}`, req.params.c, id);
          id.context_id ??= { context_uuid: { uuid: req.params.c } };
          if (uuidFromText(normalize.ownIdText(id[uuidField]!.uuid, nameOf(req.body)), uuidFromText(id.context_id.context_uuid.uuid)) !== uuid)
            throw idMismatch(`/${idField}/${uuidField}/uuid`, req.params.s, id[uuidField]!.uuid);
          await applyOne(kind as Kind, req.body);
          return { context_id: { context_uuid: { uuid: cu } }, [uuidField]: { uuid } };
        },
      );
      app.delete<{ Params: { c: string; s: string } }>(`/tfs-api/context/:c/${one}/:s`, { ...operator, schema: doc(one, `Remove a ${one}`, { params: CS }) }, async (req) => {
        if (one === 'service') await ctx.removeService(req.params.c, req.params.s);
        else await ctx.removeSlice(req.params.c, req.params.s);
        return {};
      });
    };
    scoped('services', 'service', schemas.Service);
    scoped('slices', 'slice', schemas.Slice);

    // ---- connections
    app.get<{ Params: { c: string; s: string } }>(
      '/tfs-api/context/:c/service/:s/connection_ids',
      { ...viewer, schema: doc('connection', 'List connection ids of a service', { params: CS }) },
      async (req) => ({ connection_ids: (await ctx.listConnections(req.params.c, req.params.s)).map((c) => c.connection_id) }),
    );
    app.get<{ Params: { c: string; s: string } }>(
      '/tfs-api/context/:c/service/:s/connections',
      { ...viewer, schema: doc('connection', 'List connections of a service', { params: CS }) },
      async (req) => ({ connections: await ctx.listConnections(req.params.c, req.params.s) }),
    );
    app.post<{ Params: { c: string; s: string } }>(
      '/tfs-api/context/:c/service/:s/connections',
      { ...operator, ...collectionRoute('connections', schemas.Connection), schema: doc('connection', 'Add connections to a service', { params: CS, ...collection('connections', schemas.Connection) }) },
      async (req) => {
        const items = asList('connections', req.body) as schemas.ConnectionIn[];
        items.forEach((it, i) => {
          belongsTo(`${itemPath('connections', req.body, i)}/service_id`, req.params.c, req.params.s, it.service_id);
        });
        await applyList('connections', req.body, items);
        return items.map((it) => ({ connection_uuid: { uuid: uuidFromText(it.connection_id.connection_uuid.uuid) } }));
      },
    );
    app.get<{ Params: { id: string } }>('/tfs-api/connection/:id', { ...viewer, schema: doc('connection', 'Get a connection', { params: ID }) }, async (req) =>
      ctx.getConnection(req.params.id),
    );
    app.put<{ Params: { id: string }; Body: schemas.ConnectionIn }>(
      '/tfs-api/connection/:id',
      { ...operator, schema: doc('connection', 'Create or update a connection', { params: ID, body: schemas.Connection }) },
      async (req) => {
        const uuid = uuidFromText(req.params.id);
        if (uuidFromText(req.body.connection_id.connection_uuid.uuid) !== uuid) throw idMismatch('/connection_id/connection_uuid/uuid', req.params.id, req.body.connection_id.connection_uuid.uuid);
        await applyOne('connections', req.body);
        return { connection_uuid: { uuid } };
      },
    );
    app.delete<{ Params: { id: string } }>('/tfs-api/connection/:id', { ...operator, schema: doc('connection', 'Remove a connection', { params: ID }) }, async (req) => {
      await ctx.removeConnection(req.params.id);
      return {};
    });
  };
}
