/**
 * The simulated device checks edit-config content against the modules its hello announces, as real
 * devices do, when module files are configured (CNSDN_YANG_PATH): rpc-error invalid-value with the
 * error-path of each fault.
 */
import { serializeXml, type XmlElement } from '../../protocols/netconf/xml.js';
import { sharedModelRegistry, validateInstance, warnOnce } from '../../protocols/yang/index.js';
import { fault, RpcFaultList } from './errors.js';

export function simEditRefusal(modules: readonly { ns: string; module: string; revision?: string }[], content: readonly XmlElement[]): RpcFaultList | undefined {
  const path = process.env.CNSDN_YANG_PATH;
  if (!path || process.env.CNSDN_YANG_VALIDATE === '0' || content.length === 0) return undefined;
  const dirs = path.split(':').filter((d) => d);
  const moduleOfNs = new Map(modules.map((m) => [m.ns, m.module]));
  const tops = [...new Set(content.map((e) => (moduleOfNs.has(e.ns) ? `${moduleOfNs.get(e.ns)}:${e.name}` : e.name)))];
  const set = sharedModelRegistry(dirs).schemaForTopNodes(
    modules.map((m) => ({ name: m.module, revision: m.revision })),
    tops,
  );
  for (const m of set.missing) warnOnce(`sim-missing:${m}`, `simulator: YANG module ${m} is not in ${path}: edit-config not validated against it`);
  if (!set.schema) return undefined;
  const r = validateInstance(set.schema, content.map((e) => serializeXml(e)).join(''), { format: 'xml', type: 'edit' });
  if (r.valid) return undefined;
  return new RpcFaultList(r.errors.map((e) => fault.invalidValue(`${e.message} (${e.code})`, e.path)));
}
