/**
 * The simulated device checks an incoming Set against the YANG models it announces, as real devices
 * do, when module files are configured (CNSDN_YANG_PATH). JSON_IETF values are checked; other
 * encodings are typed already or lack RFC 7951 module names.
 */
import { GnmiStatusError, type GnmiUpdate } from '../../protocols/gnmi/index.js';
import { sharedModelRegistry, validateUpdates, warnOnce } from '../../protocols/yang/index.js';

export function simSetRefusal(models: readonly { name: string }[], updates: readonly GnmiUpdate[]): GnmiStatusError | undefined {
  const path = process.env.CNSDN_YANG_PATH;
  if (!path || process.env.CNSDN_YANG_VALIDATE === '0') return undefined;
  const checked = updates.filter((u) => u.value.kind === 'json_ietf');
  if (checked.length === 0) return undefined;
  const dirs = path.split(':').filter((d) => d);
  const tops = [...new Set(checked.map((u) => u.path.elem[0]?.name ?? ''))];
  const set = sharedModelRegistry(dirs).schemaForTopNodes(
    models.map((m) => ({ name: m.name })),
    tops,
  );
  for (const m of set.missing) warnOnce(`sim-missing:${m}`, `simulator: YANG module ${m} is not in ${path}: Set not validated against it`);
  if (!set.schema) return undefined;
  const r = validateUpdates(
    set.schema,
    checked.map((u) => ({ elems: u.path.elem, value: (u.value as { value: unknown }).value })),
  );
  if (r.valid) return undefined;
  return new GnmiStatusError('INVALID_ARGUMENT', r.errors.map((e) => `${e.path}: ${e.message} (${e.code})`).join('; '));
}
