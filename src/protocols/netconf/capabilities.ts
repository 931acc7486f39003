export const BASE_10 = 'urn:ietf:params:netconf:base:1.0';
export const BASE_11 = 'urn:ietf:params:netconf:base:1.1';
const CAP = 'urn:ietf:params:netconf:capability:';

export interface ModuleCapability {
  namespace: string;
  module: string;
  revision?: string;
  features: string[];
  deviations: string[];
}

export interface Capabilities {
  /** Every capability URI as the peer sent it. */
  uris: string[];
  base10: boolean;
  base11: boolean;
  candidate: boolean;
  writableRunning: boolean;
  startup: boolean;
  /** :validate, either version. */
  validate: boolean;
  validate11: boolean;
  /** :confirmed-commit, either version; persist/persist-id need version 1.1. */
  confirmedCommit: boolean;
  confirmedCommit11: boolean;
  rollbackOnError: boolean;
  xpath: boolean;
  notification: boolean;
  interleave: boolean;
  partialLock: boolean;
  /** URL schemes of :url, undefined when not offered. */
  urlSchemes?: string[];
  withDefaults?: { basicMode?: string; alsoSupported: string[] };
  yangLibrary?: { version: string; revision?: string; moduleSetId?: string; contentId?: string };
  modules: ModuleCapability[];
}

function splitUri(uri: string): { base: string; params: URLSearchParams } {
  const q = uri.indexOf('?');
  if (q < 0) return { base: uri, params: new URLSearchParams() };
  return { base: uri.slice(0, q), params: new URLSearchParams(uri.slice(q + 1)) };
}

function list(v: string | null): string[] {
  return v ? v.split(',').filter((s) => s.length > 0) : [];
}

export function parseCapabilities(uris: string[]): Capabilities {
  const bases = new Map<string, URLSearchParams>();
  for (const raw of uris) {
    const { base, params } = splitUri(raw.trim());
    bases.set(base, params);
  }
  const has = (b: string): boolean => bases.has(b);
  const caps: Capabilities = {
    uris: uris.map((u) => u.trim()),
    base10: has(BASE_10),
    base11: has(BASE_11),
    candidate: has(`${CAP}candidate:1.0`),
    writableRunning: has(`${CAP}writable-running:1.0`),
    startup: has(`${CAP}startup:1.0`),
    validate: has(`${CAP}validate:1.0`) || has(`${CAP}validate:1.1`),
    validate11: has(`${CAP}validate:1.1`),
    confirmedCommit: has(`${CAP}confirmed-commit:1.0`) || has(`${CAP}confirmed-commit:1.1`),
    confirmedCommit11: has(`${CAP}confirmed-commit:1.1`),
    rollbackOnError: has(`${CAP}rollback-on-error:1.0`),
    xpath: has(`${CAP}xpath:1.0`),
    notification: has(`${CAP}notification:1.0`),
    interleave: has(`${CAP}interleave:1.0`),
    partialLock: has('urn:ietf:params:netconf:capability:partial-lock:1.0'),
    modules: [],
  };
  const url = bases.get(`${CAP}url:1.0`);
  if (url) caps.urlSchemes = list(url.get('scheme'));
  const wd = bases.get(`${CAP}with-defaults:1.0`);
  if (wd) {
    caps.withDefaults = { alsoSupported: list(wd.get('also-supported')) };
    const mode = wd.get('basic-mode');
    if (mode) caps.withDefaults.basicMode = mode;
  }
  for (const version of ['1.1', '1.0']) {
    const yl = bases.get(`${CAP}yang-library:${version}`);
    if (!yl || caps.yangLibrary) continue;
    caps.yangLibrary = { version };
    const revision = yl.get('revision');
    const moduleSetId = yl.get('module-set-id');
    const contentId = yl.get('content-id');
    if (revision) caps.yangLibrary.revision = revision;
    if (moduleSetId) caps.yangLibrary.moduleSetId = moduleSetId;
    if (contentId) caps.yangLibrary.contentId = contentId;
  }
  for (const [base, params] of bases) {
    const module = params.get('module');
    if (!module) continue;
    const m: ModuleCapability = {
      namespace: base,
      module,
      features: list(params.get('features')),
      deviations: list(params.get('deviations')),
    };
    const revision = params.get('revision');
    if (revision) m.revision = revision;
    caps.modules.push(m);
  }
  return caps;
}
