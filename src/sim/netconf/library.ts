/**
 * The simulator's YANG library, for a device told to announce its models only through it (no module
 * capabilities in the hello, as a YANG 1.1 server does, RFC 7950 §5.6.4):
 * - '1.0': the yang-library:1.0 capability (revision, module-set-id) and `/modules-state` (RFC 7895);
 * - '1.1': the yang-library:1.1 capability (revision, content-id, RFC 8526) and `/yang-library`
 *   (RFC 8525): one module set, one schema, the running, candidate and operational datastores.
 */
import { createHash } from 'node:crypto';
import { NS_DATASTORES, NS_YANG_LIBRARY, type YangLibraryVersion } from '../../protocols/netconf/yang-library.js';
import { MODULES } from './schema.js';
import { type DataNode, container, leaf } from './tree.js';

export type { YangLibraryVersion };

const CAP = 'urn:ietf:params:netconf:capability:yang-library:';
const YL_REVISION: Record<YangLibraryVersion, string> = { '1.0': '2016-06-21', '1.1': '2019-01-04' };

interface LibraryEntry {
  name: string;
  revision: string;
  namespace: string;
  conformance: 'implement' | 'import';
}

/** The modules the library lists: the served models, ietf-yang-library itself and what it imports. */
export function libraryModules(version: YangLibraryVersion): LibraryEntry[] {
  const out: LibraryEntry[] = MODULES.map((m) => ({ name: m.module, revision: m.revision, namespace: m.ns, conformance: 'implement' }));
  out.push({ name: 'ietf-yang-library', revision: YL_REVISION[version], namespace: NS_YANG_LIBRARY, conformance: 'implement' });
  if (version === '1.1') out.push({ name: 'ietf-datastores', revision: '2018-02-14', namespace: NS_DATASTORES, conformance: 'implement' });
  out.push({ name: 'ietf-yang-types', revision: '2013-07-15', namespace: 'urn:ietf:params:xml:ns:yang:ietf-yang-types', conformance: 'import' });
  out.push({ name: 'ietf-inet-types', revision: '2013-07-15', namespace: 'urn:ietf:params:xml:ns:yang:ietf-inet-types', conformance: 'import' });
  return out;
}

/** module-set-id / content-id: changes whenever the list does. */
export function libraryId(version: YangLibraryVersion): string {
  return createHash('sha1').update(JSON.stringify([version, libraryModules(version)])).digest('hex');
}

export function libraryCapability(version: YangLibraryVersion): string {
  const id = libraryId(version);
  return version === '1.1' ? `${CAP}1.1?revision=${YL_REVISION[version]}&content-id=${id}` : `${CAP}1.0?revision=${YL_REVISION[version]}&module-set-id=${id}`;
}

const yl = (name: string, value: string) => leaf(name, NS_YANG_LIBRARY, value);

/** The library as <get> returns it (state data, config false). */
export function libraryTree(version: YangLibraryVersion): DataNode {
  const modules = libraryModules(version);
  if (version === '1.0') {
    return container('modules-state', NS_YANG_LIBRARY, [
      yl('module-set-id', libraryId(version)),
      ...modules.map((m) =>
        container('module', NS_YANG_LIBRARY, [yl('name', m.name), yl('revision', m.revision), yl('namespace', m.namespace), yl('conformance-type', m.conformance)]),
      ),
    ]);
  }
  const entry = (m: LibraryEntry) => [yl('name', m.name), yl('revision', m.revision), yl('namespace', m.namespace)];
  const datastore = (ds: string) => container('datastore', NS_YANG_LIBRARY, [leaf('name', NS_YANG_LIBRARY, `ds:${ds}`, NS_DATASTORES), yl('schema', 'sim-schema')]);
  return container('yang-library', NS_YANG_LIBRARY, [
    container('module-set', NS_YANG_LIBRARY, [
      yl('name', 'sim-modules'),
      ...modules.filter((m) => m.conformance === 'implement').map((m) => container('module', NS_YANG_LIBRARY, entry(m))),
      ...modules.filter((m) => m.conformance === 'import').map((m) => container('import-only-module', NS_YANG_LIBRARY, entry(m))),
    ]),
    container('schema', NS_YANG_LIBRARY, [yl('name', 'sim-schema'), yl('module-set', 'sim-modules')]),
    datastore('running'),
    datastore('candidate'),
    datastore('operational'),
    yl('content-id', libraryId(version)),
  ]);
}
