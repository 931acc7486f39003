/**
 * GET /api/devices/{id}/models: the YANG models a connected device announced (gNMI Capabilities,
 * NETCONF hello), asked of the device's owner replica in a cluster.
 *
 * GET /api/devices/{id}/yang-tree: the YANG models of a device as a JSON tree the dashboard
 * browses. The modules are those the device announced (those the search path lacks are listed as
 * unavailable), else — device not connected or announcing none — those its drivers write (OpenConfig
 * or IETF interfaces, VLANs, network instances), or the ones named in `?modules=`; they are compiled from the controller's YANG
 * search path (CNSDN_YANG_PATH, else the shared OpenConfig fixtures and Debian's netconfd modules)
 * with the YANG library's ModelRegistry, which caches each compiled set.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
// The answer's shape is the dashboard's (a type-only import: nothing of webui/ is loaded at run time).
import type { DeviceModelsAnswer, YangModuleTree, YangNode, YangTreeAnswer } from '../../webui/src/yang.js';
import { CnsdnError } from '../common/errors.js';
import { SHARED_DIR } from '../common/fixtures.js';
import type { AnnouncedModel } from '../device/index.js';
import type { Device } from '../model/types.js';
import {
  type AnnouncedModule,
  type CompiledModule,
  type CompiledSchema,
  childrenOf,
  type ModelSet,
  type SchemaNode,
  sharedModelRegistry,
  yangSearchPath,
} from '../protocols/yang/index.js';

export type { DeviceModelsAnswer, YangModuleTree, YangNode as YangTreeNode, YangTreeAnswer };

/** The modules to compile for what a device announced: NETCONF names with revisions, gNMI names only (its versions are not revisions). */
export function modulesToCompile(announced: readonly AnnouncedModel[]): AnnouncedModule[] {
  const seen = new Set<string>();
  const out: AnnouncedModule[] = [];
  for (const m of announced) {
    if (!MODULE_NAME.test(m.name) || seen.has(m.name)) continue;
    seen.add(m.name);
    out.push(m.revision && /^\d{4}-\d{2}-\d{2}$/.test(m.revision) ? { name: m.name, revision: m.revision } : { name: m.name });
  }
  return out;
}

/** What the device announced, or why that cannot be told (not connected: UNAVAILABLE, 503). */
async function announcedOf(ask: (uuid: string) => Promise<AnnouncedModel[]>, uuid: string): Promise<AnnouncedModel[]> {
  try {
    return await ask(uuid);
  } catch (e) {
    if (e instanceof CnsdnError && e.code === 'DEVICE_UNREACHABLE') throw new CnsdnError('UNAVAILABLE', `the announced models are not known: ${e.message}`, [{ path: '/device', message: uuid }]);
    throw e;
  }
}

const OPENCONFIG = ['openconfig-interfaces', 'openconfig-if-ip', 'openconfig-vlan', 'openconfig-network-instance'];
const IETF = ['ietf-interfaces', 'ietf-ip'];

/** The modules a device's drivers write its configuration in. */
export function driverModules(drivers: readonly string[]): string[] {
  const out = new Set<string>();
  for (const d of drivers) {
    if (d === 'DEVICEDRIVER_OPENCONFIG') for (const m of [...OPENCONFIG, ...IETF]) out.add(m);
    else if (d === 'DEVICEDRIVER_GNMI_OPENCONFIG') for (const m of OPENCONFIG) out.add(m);
    else if (d.startsWith('DEVICEDRIVER_IETF')) for (const m of IETF) out.add(m);
  }
  return [...out];
}

const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

/** `?modules=a,b@2020-01-01`: names with optional revisions; VALIDATION_FAILED on anything else. */
export function parseModuleList(text: string): AnnouncedModule[] {
  const out: AnnouncedModule[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const [name = '', revision] = part.split('@');
    if (!MODULE_NAME.test(name) || (revision !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(revision))) {
      throw new CnsdnError('VALIDATION_FAILED', `modules: "${part}" is not a module name (name or name@YYYY-MM-DD)`, [{ path: '/modules', message: 'bad module name' }]);
    }
    out.push(revision ? { name, revision } : { name });
  }
  if (out.length > 32) throw new CnsdnError('VALIDATION_FAILED', 'modules: at most 32', [{ path: '/modules', message: 'too many' }]);
  return out;
}

function nodeOf(n: SchemaNode, home: string): YangNode {
  const out: YangNode = { name: n.name, kind: n.kind, config: n.config };
  if (n.module.name !== home) out.module = n.module.name;
  if (n.kind === 'leaf' || n.kind === 'leaf-list') out.type = n.type.name;
  if (n.kind === 'list') out.keys = n.keys.map((k) => k.name);
  if ((n.kind === 'leaf' || n.kind === 'choice' || n.kind === 'anydata' || n.kind === 'anyxml') && n.mandatory) out.mandatory = true;
  if (n.status !== 'current') out.status = n.status;
  if (n.description) out.description = n.description.length > 400 ? `${n.description.slice(0, 399)}…` : n.description;
  const children = childrenOf(n);
  if (children.length > 0) out.children = children.map((c) => nodeOf(c, home));
  return out;
}

/** The JSON tree of the named modules of a compiled set (those not in it are skipped). */
export function schemaTree(schema: CompiledSchema, moduleNames: readonly string[]): YangModuleTree[] {
  const out: YangModuleTree[] = [];
  for (const name of moduleNames) {
    const m: CompiledModule | undefined = schema.modules.get(name);
    if (!m) continue;
    out.push({
      module: m.name,
      ...(m.revision ? { revision: m.revision } : {}),
      namespace: m.namespace,
      nodes: m.children.map((c) => nodeOf(c, m.name)),
      rpcs: m.rpcs.map((c) => nodeOf(c, m.name)),
      notifications: m.notifications.map((c) => nodeOf(c, m.name)),
    });
  }
  return out;
}

export interface YangTreeOptions {
  getDevice(ref: string): Promise<Device>;
  /** The models the connected device announced (routed to its owner in a cluster); rejects when it is not connected. */
  announced?: (uuid: string) => Promise<AnnouncedModel[]>;
  searchPath?: string[];
  /** The compiled set for these modules (default: the shared ModelRegistry over the search path). */
  compile?: (modules: AnnouncedModule[]) => ModelSet;
}

export function yangTreeRoutes(options: YangTreeOptions): FastifyPluginAsync {
  const searchPath = options.searchPath ?? yangSearchPath(process.env, SHARED_DIR);
  const compile = options.compile ?? ((modules: AnnouncedModule[]) => sharedModelRegistry(searchPath).schemaFor(modules));
  return async (app) => {
    const ask = options.announced;
    if (ask) {
      app.get<{ Params: { id: string } }>(
        '/api/devices/:id/models',
        {
          config: { role: 'viewer' },
          schema: {
            tags: ['webui'],
            summary: 'The YANG models a connected device announced (gNMI Capabilities, NETCONF hello); 503 UNAVAILABLE when it is not connected',
            params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }) }),
          },
        },
        async (request): Promise<DeviceModelsAnswer> => {
          const device = await options.getDevice(request.params.id);
          const uuid = device.device_id.device_uuid.uuid;
          return { device: uuid, models: await announcedOf(ask, uuid) };
        },
      );
    }
    app.get<{ Params: { id: string }; Querystring: { modules?: string } }>(
      '/api/devices/:id/yang-tree',
      {
        config: { role: 'viewer' },
        schema: {
          tags: ['webui'],
          summary: "A device's YANG models as a tree (the modules its drivers write, or ?modules=a,b)",
          params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }) }),
          querystring: Type.Object({ modules: Type.Optional(Type.String({ maxLength: 4096 })) }, { additionalProperties: false }),
        },
      },
      async (request): Promise<YangTreeAnswer> => {
        const device = await options.getDevice(request.params.id);
        const uuid = device.device_id.device_uuid.uuid;
        const fromQuery = request.query.modules !== undefined && request.query.modules.trim() !== '';
        let announced: AnnouncedModel[] | undefined;
        let announcedError: string | undefined;
        if (!fromQuery && ask) {
          try {
            announced = await announcedOf(ask, uuid);
          } catch (e) {
            announcedError = e instanceof Error ? e.message : String(e);
          }
        }
        const fromDevice = announced !== undefined && announced.length > 0;
        const modules = fromQuery
          ? parseModuleList(request.query.modules!)
          : fromDevice
            ? modulesToCompile(announced!)
            : driverModules(device.device_drivers).map((name) => ({ name }));
        const answer: YangTreeAnswer = {
          device: uuid,
          source: fromQuery ? 'query' : fromDevice ? 'announced' : 'drivers',
          modules: modules.map((m) => m.name),
          missing: [],
          searchPath,
          trees: [],
        };
        if (announced !== undefined) answer.announced = announced;
        if (announcedError !== undefined) answer.announcedError = announcedError;
        if (fromDevice) answer.unavailable = [];
        if (modules.length === 0) return answer;
        const set = compile(modules);
        answer.missing = set.missing;
        if (fromDevice) answer.unavailable = set.missing;
        if (set.error !== undefined) answer.error = set.error;
        if (set.schema) answer.trees = schemaTree(set.schema, answer.modules);
        return answer;
      },
    );
  };
}
