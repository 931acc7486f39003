/**
 * Validation of a rendered edit-config against the YANG modules the device announced (hello
 * module=...&revision=... capabilities and its YANG library, merged into `caps.modules` by the
 * driver: library.ts), before it is sent. Same module directories and switches as the gNMI
 * driver's check (CNSDN_YANG_PATH, CNSDN_YANG_VALIDATE=0; on by default); the models compile on a
 * worker thread. Modules missing from the directories are fetched with get-schema when the device
 * offers it (CNSDN_YANG_GET_SCHEMA=0: not). A module not found, or content in a namespace no announced
 * model defines, is logged once and sent unvalidated.
 */
import { CnsdnError } from '../../common/errors.js';
import { SHARED_DIR } from '../../common/fixtures.js';
import type { Capabilities } from '../../protocols/netconf/index.js';
import { getSchemaFetcher, hasTopNode, type SchemaRpc, southboundModels, validateInstance, warnOnce } from '../../protocols/yang/index.js';
import { serialize, type XNode } from './xtree.js';

/** The refusal of this configuration (edit-config content), or undefined when it is valid or cannot be checked. */
export async function netconfYangRefusal(label: string, caps: Capabilities, trees: readonly XNode[], session?: SchemaRpc): Promise<CnsdnError | undefined> {
  if (caps.modules.length === 0 || trees.length === 0) return undefined;
  const moduleOfNs = new Map(caps.modules.map((m) => [m.namespace, m.module]));
  const tops = [...new Set(trees.map((t) => (moduleOfNs.has(t.ns) ? `${moduleOfNs.get(t.ns)}:${t.name}` : t.name)))];
  const announced = caps.modules.map((m) => ({ name: m.module, revision: m.revision }));
  // Modules the YANG directories lack come from the device itself when it offers get-schema.
  const fetch = session && getSchemaFetcher(process.env, session, caps, announced);
  const schema = await southboundModels(process.env, SHARED_DIR, announced, tops, fetch);
  if (!schema) return undefined;
  const known = trees.filter((t) => {
    if (hasTopNode(schema, t.name, t.ns)) return true;
    warnOnce(`netconf-top:${t.ns} ${t.name}`, `no module announced by ${label} defines <${t.name} xmlns="${t.ns}">: sent unvalidated`);
    return false;
  });
  if (known.length === 0) return undefined;
  const r = validateInstance(schema, known.map((t) => serialize(t)).join(''), { format: 'xml', type: 'edit' });
  if (r.valid) return undefined;
  return new CnsdnError(
    'INVALID_ARGUMENT',
    `not sent to ${label}: the configuration does not fit the device's YANG models: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    r.errors.map((e) => ({ path: e.path, message: `${e.code}: ${e.message}` })),
  );
}
