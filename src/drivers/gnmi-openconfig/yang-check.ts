/**
 * Validation of a rendered SetRequest against the YANG models the device announced in its
 * Capabilities, before it is sent. Module files come from CNSDN_YANG_PATH (default: the shared
 * OpenConfig fixtures when present, and the IETF modules of netconfd); on by default,
 * CNSDN_YANG_VALIDATE=0 turns it off. The models compile on a worker thread (the event loop is not
 * blocked); a model not found, or data under a node no announced model defines, is logged once and
 * sent unvalidated: it never blocks a change.
 */
import { CnsdnError } from '../../common/errors.js';
import { SHARED_DIR } from '../../common/fixtures.js';
import type { GnmiPath } from '../../protocols/gnmi/index.js';
import { type AnnouncedModule, hasTopNode, prepareSouthboundModels, southboundModels, validateUpdates, warnOnce } from '../../protocols/yang/index.js';

/**
 * The top-level nodes this driver writes (keys.ts renders interfaces and network instances): their
 * models start compiling when the device announces its models, and a Set touching fewer of them
 * validates against that set.
 */
const WRITTEN_TOPS = ['interfaces', 'network-instances'];

export class GnmiYangCheck {
  #models: AnnouncedModule[] = [];

  /** gNMI ModelData versions are model versions, not YANG revisions: modules are matched by name. */
  setAnnounced(models: readonly { name: string }[]): void {
    this.#models = models.filter((m) => m.name).map((m) => ({ name: m.name }));
    prepareSouthboundModels(process.env, SHARED_DIR, this.#models, WRITTEN_TOPS);
  }

  /** The refusal of these updates, or undefined when they are valid or cannot be checked. */
  async check(label: string, updates: readonly { path: GnmiPath; value: unknown }[]): Promise<CnsdnError | undefined> {
    if (this.#models.length === 0 || updates.length === 0) return undefined;
    const topOf = (u: { path: GnmiPath }) => (u.path.origin && u.path.origin !== 'openconfig' ? `${u.path.origin}:` : '') + (u.path.elem[0]?.name ?? '');
    const schema = await southboundModels(process.env, SHARED_DIR, this.#models, [...new Set(updates.map(topOf))]);
    if (!schema) return undefined;
    const known = updates.filter((u) => {
      if (hasTopNode(schema, topOf(u))) return true;
      warnOnce(`gnmi-top:${topOf(u)}`, `no model announced by ${label} defines "${topOf(u)}": sent unvalidated`);
      return false;
    });
    if (known.length === 0) return undefined;
    const r = validateUpdates(
      schema,
      known.map((u) => ({ elems: u.path.elem, value: u.value })),
    );
    if (r.valid) return undefined;
    return new CnsdnError(
      'INVALID_ARGUMENT',
      `not sent to ${label}: the configuration does not fit the device's YANG models: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      r.errors.map((e) => ({ path: e.path, message: `${e.code}: ${e.message}` })),
    );
  }
}
