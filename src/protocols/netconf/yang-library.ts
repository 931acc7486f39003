/**
 * The YANG library of a NETCONF server: the modules it implements, with their revisions, namespaces,
 * features, deviations and submodules.
 *
 * - yang-library:1.0 capability (RFC 7950 §5.6.4, RFC 7895): `/ietf-yang-library:modules-state`,
 *   one `module` list (name, revision, namespace, feature, deviation {name, revision},
 *   conformance-type implement|import, submodule {name, revision}).
 * - yang-library:1.1 capability (RFC 8526, RFC 8525): `/ietf-yang-library:yang-library`, module sets
 *   (`module-set` / `module` with feature and deviation leaf-lists, `import-only-module`), datastore
 *   schemas (`schema` / `module-set`) and the schema of each datastore (`datastore` / `schema`). The
 *   modules returned are those of the schema of the running datastore, or of every module set when
 *   the library names no schema for it.
 *
 * A revision is absent when the module has none (RFC 7895: a zero-length string; RFC 8525: the
 * leaf is not instantiated).
 */
import type { Capabilities } from './capabilities.js';
import type { DataReply, ReadOptions } from './client.js';
import { NetconfError } from './errors.js';
import { type XmlElement, element, elements, parseXml, textOf } from './xml.js';

export const NS_YANG_LIBRARY = 'urn:ietf:params:xml:ns:yang:ietf-yang-library';
export const NS_DATASTORES = 'urn:ietf:params:xml:ns:yang:ietf-datastores';

export type YangLibraryVersion = '1.0' | '1.1';

export interface LibrarySubmodule {
  name: string;
  revision?: string;
}

export interface LibraryModule {
  name: string;
  revision?: string;
  namespace: string;
  /** Features of the module the server supports. */
  features: string[];
  /** Names of the modules that deviate this one. */
  deviations: string[];
  submodules: LibrarySubmodule[];
  /** implement: the server implements its data nodes; import: only its definitions are used. */
  conformance: 'implement' | 'import';
}

export interface YangLibrary {
  /** Which form was read: 1.0 modules-state or 1.1 yang-library. */
  version: YangLibraryVersion;
  /** 1.0: module-set-id; 1.1: content-id. Changes whenever the library does. */
  id?: string;
  /** 1.1: the module sets the modules come from. */
  moduleSets?: string[];
  modules: LibraryModule[];
}

function bad(message: string): NetconfError {
  return new NetconfError('NETCONF_YANG_LIBRARY', `YANG library: ${message}`);
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const REVISION = /^\d{4}-\d{2}-\d{2}$/;

function kids(el: XmlElement, name: string): XmlElement[] {
  return elements(el, name, NS_YANG_LIBRARY);
}

function leafText(el: XmlElement, name: string): string | undefined {
  const c = element(el, name, NS_YANG_LIBRARY);
  if (!c) return undefined;
  if (elements(c).length > 0) throw bad(`<${name}> of <${el.name}> holds elements, not a value`);
  return textOf(c).trim();
}

function nameOf(el: XmlElement, where: string): string {
  const name = leafText(el, 'name');
  if (name === undefined) throw bad(`${where} without a <name>`);
  if (!IDENTIFIER.test(name)) throw bad(`${where}: ${JSON.stringify(name)} is not a YANG identifier`);
  return name;
}

function revisionOf(el: XmlElement, where: string): string | undefined {
  const r = leafText(el, 'revision');
  if (r === undefined || r === '') return undefined;
  if (!REVISION.test(r)) throw bad(`${where}: revision ${JSON.stringify(r)} is not YYYY-MM-DD`);
  return r;
}

function namespaceOf(el: XmlElement, where: string): string {
  const ns = leafText(el, 'namespace');
  if (!ns) throw bad(`${where} without a <namespace> (mandatory)`);
  return ns;
}

function identifiers(el: XmlElement, name: string, where: string): string[] {
  return kids(el, name).map((c) => {
    if (elements(c).length > 0) throw bad(`${where}: <${name}> holds elements, not a value`);
    const v = textOf(c).trim();
    if (!IDENTIFIER.test(v)) throw bad(`${where}: ${name} ${JSON.stringify(v)} is not a YANG identifier`);
    return v;
  });
}

function submodulesOf(el: XmlElement, where: string): LibrarySubmodule[] {
  return kids(el, 'submodule').map((s) => {
    const name = nameOf(s, `a submodule of ${where}`);
    const revision = revisionOf(s, `submodule ${name} of ${where}`);
    return revision ? { name, revision } : { name };
  });
}

function moduleLabel(name: string, revision: string | undefined): string {
  return revision ? `module ${name}@${revision}` : `module ${name}`;
}

/** RFC 7895 modules-state. */
function parseModulesState(ms: XmlElement): YangLibrary {
  const out: YangLibrary = { version: '1.0', modules: [] };
  const id = leafText(ms, 'module-set-id');
  if (id) out.id = id;
  for (const m of kids(ms, 'module')) {
    const name = nameOf(m, 'a module of modules-state');
    const revision = revisionOf(m, `module ${name}`);
    const where = moduleLabel(name, revision);
    const conformance = leafText(m, 'conformance-type');
    if (conformance !== undefined && conformance !== 'implement' && conformance !== 'import') {
      throw bad(`${where}: conformance-type ${JSON.stringify(conformance)} is neither implement nor import`);
    }
    const mod: LibraryModule = {
      name,
      namespace: namespaceOf(m, where),
      features: identifiers(m, 'feature', where),
      // RFC 7895: deviation is a list of {name, revision} entries.
      deviations: kids(m, 'deviation').map((d) => nameOf(d, `a deviation of ${where}`)),
      submodules: submodulesOf(m, where),
      conformance: conformance ?? 'implement',
    };
    if (revision) mod.revision = revision;
    out.modules.push(mod);
  }
  return out;
}

/** The local name of an identityref value whose prefix is bound to `ns` in the element's scope. */
function identityIn(el: XmlElement, ns: string): string | undefined {
  const v = textOf(el).trim();
  const i = v.indexOf(':');
  if (i < 0) return el.scope[''] === ns ? v : undefined;
  return el.scope[v.slice(0, i)] === ns ? v.slice(i + 1) : undefined;
}

/** The module sets the running datastore's schema uses; undefined when the library does not say. */
function runningModuleSets(yl: XmlElement): string[] | undefined {
  const running = kids(yl, 'datastore').find((d) => {
    const n = element(d, 'name', NS_YANG_LIBRARY);
    return n !== undefined && identityIn(n, NS_DATASTORES) === 'running';
  });
  if (!running) return undefined;
  const schemaName = leafText(running, 'schema');
  if (!schemaName) throw bad('the running datastore names no <schema>');
  const schema = kids(yl, 'schema').find((s) => leafText(s, 'name') === schemaName);
  if (!schema) throw bad(`the running datastore's schema ${JSON.stringify(schemaName)} is not in the library`);
  return kids(schema, 'module-set').map((c) => textOf(c).trim());
}

/** RFC 8525 yang-library. */
function parseYangLibraryContainer(yl: XmlElement): YangLibrary {
  const out: YangLibrary = { version: '1.1', modules: [] };
  const id = leafText(yl, 'content-id');
  if (id) out.id = id;
  const sets = new Map<string, XmlElement>();
  for (const s of kids(yl, 'module-set')) {
    const name = leafText(s, 'name');
    if (name === undefined) throw bad('a module-set without a <name>');
    sets.set(name, s);
  }
  const wanted = runningModuleSets(yl) ?? [...sets.keys()];
  for (const w of wanted) if (!sets.has(w)) throw bad(`module-set ${JSON.stringify(w)} is named by a schema but not in the library`);
  out.moduleSets = wanted;
  for (const setName of wanted) {
    const set = sets.get(setName) as XmlElement;
    for (const m of kids(set, 'module')) {
      const name = nameOf(m, `a module of module-set ${setName}`);
      const revision = revisionOf(m, `module ${name}`);
      const where = moduleLabel(name, revision);
      const mod: LibraryModule = {
        name,
        namespace: namespaceOf(m, where),
        features: identifiers(m, 'feature', where),
        // RFC 8525: deviation is a leaf-list of module names (leafref to ../../module/name).
        deviations: identifiers(m, 'deviation', where),
        submodules: submodulesOf(m, where),
        conformance: 'implement',
      };
      if (revision) mod.revision = revision;
      out.modules.push(mod);
    }
    for (const m of kids(set, 'import-only-module')) {
      const name = nameOf(m, `an import-only-module of module-set ${setName}`);
      const revision = revisionOf(m, `import-only-module ${name}`);
      const where = moduleLabel(name, revision);
      const mod: LibraryModule = {
        name,
        namespace: namespaceOf(m, where),
        features: [],
        deviations: [],
        submodules: submodulesOf(m, where),
        conformance: 'import',
      };
      if (revision) mod.revision = revision;
      out.modules.push(mod);
    }
  }
  out.modules = dedupe(out.modules);
  return out;
}

/** One entry per name and revision (module sets of several schemas may share modules); features and deviations merged. */
function dedupe(modules: LibraryModule[]): LibraryModule[] {
  const byKey = new Map<string, LibraryModule>();
  for (const m of modules) {
    const key = `${m.name}@${m.revision ?? ''}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, m);
      continue;
    }
    if (m.conformance === 'implement') seen.conformance = 'implement';
    for (const f of m.features) if (!seen.features.includes(f)) seen.features.push(f);
    for (const d of m.deviations) if (!seen.deviations.includes(d)) seen.deviations.push(d);
    for (const s of m.submodules) if (!seen.submodules.some((x) => x.name === s.name)) seen.submodules.push(s);
  }
  return [...byKey.values()];
}

/**
 * Parses the <data> of a <get> of the YANG library (the <data> element, or its XML text). The 1.1
 * form is read when present (or when `version` is '1.1'), else modules-state. Malformed XML:
 * NETCONF_XML; content that does not fit ietf-yang-library (no library, a module without its
 * name or namespace, a bad revision or identifier): NETCONF_YANG_LIBRARY.
 */
export function parseYangLibrary(data: XmlElement | string, version?: YangLibraryVersion): YangLibrary {
  const root = typeof data === 'string' ? parseXml(data) : data;
  const find = (name: string): XmlElement | undefined => (root.name === name && root.ns === NS_YANG_LIBRARY ? root : element(root, name, NS_YANG_LIBRARY));
  const yl = version === '1.0' ? undefined : find('yang-library');
  if (yl) return parseYangLibraryContainer(yl);
  const ms = version === '1.1' ? undefined : find('modules-state');
  if (ms) return parseModulesState(ms);
  const wanted = version === '1.1' ? 'yang-library' : version === '1.0' ? 'modules-state' : 'yang-library or modules-state';
  throw bad(`the reply holds no <${wanted} xmlns="${NS_YANG_LIBRARY}">`);
}

/** The subtree filter that reads the library of this version. */
export function yangLibraryFilter(version: YangLibraryVersion): string {
  return version === '1.1' ? `<yang-library xmlns="${NS_YANG_LIBRARY}"/>` : `<modules-state xmlns="${NS_YANG_LIBRARY}"/>`;
}

/** What readYangLibrary needs of a session (a NetconfClient). */
export interface YangLibrarySession {
  readonly capabilities: Capabilities;
  get(opts?: ReadOptions): Promise<DataReply>;
}

/**
 * Reads the server's YANG library with <get> and a subtree filter: the 1.1 yang-library when the
 * yang-library:1.1 capability is announced, else modules-state when yang-library:1.0 is. Undefined
 * when neither capability is announced. Failures of the <get> come as they are (NetconfRpcError, ...).
 */
export async function readYangLibrary(session: YangLibrarySession, opts: ReadOptions = {}): Promise<YangLibrary | undefined> {
  const announced = session.capabilities.yangLibrary;
  if (!announced) return undefined;
  const version: YangLibraryVersion = announced.version === '1.1' ? '1.1' : '1.0';
  const reply = await session.get({ ...opts, filter: { subtree: yangLibraryFilter(version) } });
  const lib = parseYangLibrary(reply.element, version);
  // The capability's identifier is the one to cache on when the reply has none.
  const capId = version === '1.1' ? announced.contentId : announced.moduleSetId;
  if (lib.id === undefined && capId) lib.id = capId;
  return lib;
}
