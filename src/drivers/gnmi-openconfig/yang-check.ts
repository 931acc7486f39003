/**
 * Validation of a rendered SetRequest against the YANG models the device announced in its
 * Capabilities, before it is sent. Module files come from CNSDN_YANG_PATH (default: the shared
 * OpenConfig fixtures when present, and the IETF modules of netconfd). On when CNSDN_YANG_PATH is set
 * or CNSDN_YANG_VALIDATE=1; CNSDN_YANG_VALIDATE=0 turns it off.
 * A model not found is reported once and skipped; it never blocks a change.
 */
import { CnsdnError } from '../../common/errors.js';
import { SHARED_DIR } from '../../common/fixtures.js';
import type { GnmiPath } from '../../protocols/gnmi/index.js';
import { type AnnouncedModule, sharedModelRegistry, southboundValidation, validateUpdates, warnOnce, yangSearchPath } from '../../protocols/yang/index.js';

export class GnmiYangCheck {
  #models: AnnouncedModule[] = [];

  /** gNMI ModelData versions are model versions, not YANG revisions: modules are matched by name. */
  setAnnounced(models: readonly { name: string }[]): void {
    this.#models = models.filter((m) => m.name).map((m) => ({ name: m.name }));
  }

  /** The refusal of these updates, or undefined when they are valid or cannot be checked. */
  check(label: string, updates: readonly { path: GnmiPath; value: unknown }[]): CnsdnError | undefined {
    const env = process.env;
    if (!southboundValidation(env) || this.#models.length === 0 || updates.length === 0) return undefined;
    const dirs = yangSearchPath(env, SHARED_DIR);
    if (dirs.length === 0) return undefined;
    const tops = [...new Set(updates.map((u) => (u.path.origin && u.path.origin !== 'openconfig' ? `${u.path.origin}:` : '') + (u.path.elem[0]?.name ?? '')))];
    const set = sharedModelRegistry(dirs).schemaForTopNodes(this.#models, tops);
    for (const m of set.missing) warnOnce(`missing:${m}`, `YANG module ${m} announced by a device is not in ${dirs.join(':')}: not validated against it`);
    if (set.error) warnOnce(`error:${set.error}`, `announced YANG modules do not compile, configuration not validated: ${set.error}`);
    if (!set.schema) return undefined;
    const r = validateUpdates(
      set.schema,
      updates.map((u) => ({ elems: u.path.elem, value: u.value })),
    );
    if (r.valid) return undefined;
    return new CnsdnError(
      'INVALID_ARGUMENT',
      `not sent to ${label}: the configuration does not fit the device's YANG models: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      r.errors.map((e) => ({ path: e.path, message: `${e.code}: ${e.message}` })),
    );
  }
}
