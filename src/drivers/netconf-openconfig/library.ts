/**
 * The modules a NETCONF device announced: its hello's module capabilities (RFC 6020 style
 * `ns?module=x&revision=y`) merged with its YANG library (RFC 7895 modules-state or RFC 8525
 * yang-library) when it announces the yang-library capability. YANG 1.1 servers list their modules
 * only in the library (RFC 7950 §5.6.4). Libraries are cached per device address and
 * module-set-id/content-id (the capability carries it, and it changes whenever the library does), so
 * a reconnect to an unchanged device reads nothing more than the hello.
 */
import {
  type Capabilities,
  type LibraryModule,
  type ModuleCapability,
  NetconfError,
  NetconfRpcError,
  readYangLibrary,
  type YangLibrary,
  type YangLibrarySession,
} from '../../protocols/netconf/index.js';

/** The modules in the hello first, then those only the library lists; one entry per name and revision. */
export function mergeModules(hello: readonly ModuleCapability[], library: readonly LibraryModule[]): ModuleCapability[] {
  const out: ModuleCapability[] = hello.map((m) => ({ ...m, features: [...m.features], deviations: [...m.deviations] }));
  for (const lm of library) {
    // The same module: same name and revision, or a revision known on one side only.
    const same = out.find((m) => m.module === lm.name && (m.revision === lm.revision || m.revision === undefined || lm.revision === undefined));
    if (same) {
      if (same.revision === undefined && lm.revision !== undefined) same.revision = lm.revision;
      for (const f of lm.features) if (!same.features.includes(f)) same.features.push(f);
      for (const d of lm.deviations) if (!same.deviations.includes(d)) same.deviations.push(d);
      continue;
    }
    const m: ModuleCapability = { namespace: lm.namespace, module: lm.name, features: [...lm.features], deviations: [...lm.deviations] };
    if (lm.revision) m.revision = lm.revision;
    out.push(m);
  }
  return out;
}

const CACHE_MAX = 512;
const cache = new Map<string, YangLibrary>();

/** Libraries read so far (tests). */
export function cachedLibraries(): number {
  return cache.size;
}

export function clearLibraryCache(): void {
  cache.clear();
}

function cacheKey(device: string, caps: Capabilities): string | undefined {
  const yl = caps.yangLibrary;
  const id = yl?.version === '1.1' ? yl.contentId : yl?.moduleSetId;
  return yl && id ? `${device} ${yl.version} ${id}` : undefined;
}

export interface LibraryRead {
  library?: YangLibrary;
  /** Why the library could not be used (a refusal of the <get>, content that does not fit ietf-yang-library). */
  problem?: Error;
  cached: boolean;
}

/**
 * The device's YANG library, undefined when it announces none. A device that refuses the <get>, or
 * answers something that is not a YANG library, is reported in `problem`; a failure that breaks the
 * session (timeout, closed, bad framing) is thrown.
 */
export async function deviceLibrary(device: string, session: YangLibrarySession): Promise<LibraryRead> {
  const key = cacheKey(device, session.capabilities);
  const hit = key ? cache.get(key) : undefined;
  if (hit) return { library: hit, cached: true };
  try {
    const library = await readYangLibrary(session);
    if (library && key) {
      if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
      cache.set(key, library);
    }
    return library ? { library, cached: false } : { cached: false };
  } catch (e) {
    if (e instanceof NetconfRpcError || (e instanceof NetconfError && e.code === 'NETCONF_YANG_LIBRARY')) return { problem: e, cached: false };
    throw e;
  }
}

/** The capabilities with the library's modules merged into `modules` (everything else as the hello said). */
export function withLibrary(caps: Capabilities, library: YangLibrary | undefined): Capabilities {
  if (!library) return caps;
  return { ...caps, modules: mergeModules(caps.modules, library.modules) };
}

/** Modules the device only imports (RFC 7895 conformance-type import, RFC 8525 import-only-module): no data nodes of theirs are served. */
export function importOnly(library: YangLibrary | undefined): Set<string> {
  const implemented = new Set(library?.modules.filter((m) => m.conformance === 'implement').map((m) => m.name));
  return new Set(library?.modules.filter((m) => m.conformance === 'import' && !implemented.has(m.name)).map((m) => m.name));
}
