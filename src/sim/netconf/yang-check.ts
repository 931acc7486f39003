/**
 * The simulated device checks edit-config content against the modules its hello announces, as real
 * devices do: on by default when a YANG directory is available (CNSDN_YANG_PATH, else the shared
 * OpenConfig fixtures; CNSDN_YANG_VALIDATE=0 turns it off): rpc-error invalid-value with the
 * error-path of each fault. The modules compile on a worker thread from the first edit on; edits that
 * arrive before they are compiled are not validated (logged once).
 */
import { SHARED_DIR } from '../../common/fixtures.js';
import { serializeXml, type XmlElement } from '../../protocols/netconf/xml.js';
import { hasTopNode, simulatorModels, validateInstance } from '../../protocols/yang/index.js';
import { fault, RpcFaultList } from './errors.js';

type Announced = readonly { ns: string; module: string; revision?: string }[];

/** What the check compiles for this content: announced modules and top-level nodes (tests wait on it). */
export function simEditModels(modules: Announced, content: readonly XmlElement[]): { announced: { name: string; revision?: string }[]; tops: string[] } {
  const moduleOfNs = new Map(modules.map((m) => [m.ns, m.module]));
  return {
    announced: modules.map((m) => ({ name: m.module, revision: m.revision })),
    tops: [...new Set(content.map((e) => (moduleOfNs.has(e.ns) ? `${moduleOfNs.get(e.ns)}:${e.name}` : e.name)))],
  };
}

export function simEditRefusal(modules: Announced, content: readonly XmlElement[]): RpcFaultList | undefined {
  if (content.length === 0) return undefined;
  const { announced, tops } = simEditModels(modules, content);
  const schema = simulatorModels(process.env, SHARED_DIR, announced, tops);
  if (!schema) return undefined;
  const known = content.filter((e) => hasTopNode(schema, e.name, e.ns));
  if (known.length === 0) return undefined;
  const r = validateInstance(schema, known.map((e) => serializeXml(e)).join(''), { format: 'xml', type: 'edit' });
  if (r.valid) return undefined;
  return new RpcFaultList(r.errors.map((e) => fault.invalidValue(`${e.message} (${e.code})`, e.path)));
}
