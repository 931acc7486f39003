/**
 * The simulated device checks an incoming Set against the YANG models it announces, as real devices
 * do: on by default when a YANG directory is available (CNSDN_YANG_PATH, else the shared OpenConfig
 * fixtures; CNSDN_YANG_VALIDATE=0 turns it off). The models compile on a worker thread from the first
 * Set on; Sets that arrive before they are compiled are not validated (logged once). JSON_IETF values
 * are checked; other encodings are typed already or lack RFC 7951 module names.
 */
import { SHARED_DIR } from '../../common/fixtures.js';
import { GnmiStatusError, type GnmiUpdate } from '../../protocols/gnmi/index.js';
import { hasTopNode, simulatorModels, validateUpdates } from '../../protocols/yang/index.js';

/** What the check compiles for these models and updates: announced modules and top-level nodes (tests wait on it). */
export function simSetModels(models: readonly { name: string }[], updates: readonly GnmiUpdate[]): { announced: { name: string }[]; tops: string[] } {
  return { announced: models.map((m) => ({ name: m.name })), tops: [...new Set(updates.map((u) => u.path.elem[0]?.name ?? ''))] };
}

export function simSetRefusal(models: readonly { name: string }[], updates: readonly GnmiUpdate[]): GnmiStatusError | undefined {
  const checked = updates.filter((u) => u.value.kind === 'json_ietf');
  if (checked.length === 0) return undefined;
  const { announced, tops } = simSetModels(models, checked);
  const schema = simulatorModels(process.env, SHARED_DIR, announced, tops);
  if (!schema) return undefined;
  const known = checked.filter((u) => hasTopNode(schema, u.path.elem[0]?.name ?? ''));
  if (known.length === 0) return undefined;
  const r = validateUpdates(
    schema,
    known.map((u) => ({ elems: u.path.elem, value: (u.value as { value: unknown }).value })),
  );
  if (r.valid) return undefined;
  return new GnmiStatusError('INVALID_ARGUMENT', r.errors.map((e) => `${e.path}: ${e.message} (${e.code})`).join('; '));
}
