/**
 * Validation of a rendered edit-config against the YANG modules the device announced in its hello
 * (module=...&revision=...), before it is sent. Same module directories and switches as the gNMI
 * driver's check (CNSDN_YANG_PATH, CNSDN_YANG_VALIDATE=0); a module not found is logged once and skipped.
 */
import { CnsdnError } from '../../common/errors.js';
import { SHARED_DIR } from '../../common/fixtures.js';
import type { Capabilities } from '../../protocols/netconf/index.js';
import { sharedModelRegistry, southboundValidation, validateInstance, warnOnce, yangSearchPath } from '../../protocols/yang/index.js';
import { serialize, type XNode } from './xtree.js';

/** The refusal of this configuration (edit-config content), or undefined when it is valid or cannot be checked. */
export function netconfYangRefusal(label: string, caps: Capabilities, trees: readonly XNode[]): CnsdnError | undefined {
  const env = process.env;
  if (!southboundValidation(env) || caps.modules.length === 0 || trees.length === 0) return undefined;
  const dirs = yangSearchPath(env, SHARED_DIR);
  if (dirs.length === 0) return undefined;
  const moduleOfNs = new Map(caps.modules.map((m) => [m.namespace, m.module]));
  const tops = [...new Set(trees.map((t) => (moduleOfNs.has(t.ns) ? `${moduleOfNs.get(t.ns)}:${t.name}` : t.name)))];
  const announced = caps.modules.map((m) => ({ name: m.module, revision: m.revision }));
  const set = sharedModelRegistry(dirs).schemaForTopNodes(announced, tops);
  for (const m of set.missing) warnOnce(`missing:${m}`, `YANG module ${m} announced by a device is not in ${dirs.join(':')}: not validated against it`);
  if (set.error) warnOnce(`error:${set.error}`, `announced YANG modules do not compile, configuration not validated: ${set.error}`);
  if (!set.schema) return undefined;
  const r = validateInstance(set.schema, trees.map((t) => serialize(t)).join(''), { format: 'xml', type: 'edit' });
  if (r.valid) return undefined;
  return new CnsdnError(
    'INVALID_ARGUMENT',
    `not sent to ${label}: the configuration does not fit the device's YANG models: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    r.errors.map((e) => ({ path: e.path, message: `${e.code}: ${e.message}` })),
  );
}
