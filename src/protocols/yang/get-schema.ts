/**
 * Module files fetched from a NETCONF device with <get-schema> (RFC 6022) when the device offers it
 * (it announces ietf-netconf-monitoring): the announced modules not found in the search directories,
 * and what they import or include, are written as `name@revision.yang` into a directory that is then
 * searched like the others. Only the rpc is needed from the session (NetconfClient.rpc).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeText, type XmlElement, isElement, textOf } from '../netconf/xml.js';
import { ModuleLoader } from './loader.js';
import { type AnnouncedModule, warnOnce } from './models.js';
import { parseYang, subArg, subsOf } from './parser.js';

export const NETCONF_MONITORING_NS = 'urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring';

/** What get-schema needs of a session. */
export interface SchemaRpc {
  rpc(operationXml: string): Promise<XmlElement>;
}

/** Whether a device with these capabilities answers <get-schema>. */
export function offersGetSchema(caps: { uris: readonly string[]; modules: readonly { module: string }[] }): boolean {
  return caps.modules.some((m) => m.module === 'ietf-netconf-monitoring') || caps.uris.some((u) => u.startsWith(NETCONF_MONITORING_NS));
}

/** The YANG text of one module (or submodule) from the device. */
export async function getSchema(session: SchemaRpc, name: string, revision?: string): Promise<string> {
  const reply = await session.rpc(
    `<get-schema xmlns="${NETCONF_MONITORING_NS}"><identifier>${escapeText(name)}</identifier>` +
      `${revision ? `<version>${escapeText(revision)}</version>` : ''}<format>yang</format></get-schema>`,
  );
  const data = reply.children.find((c): c is XmlElement => isElement(c) && c.name === 'data');
  if (!data) throw new Error(`get-schema of ${name}: the reply has no <data>`);
  return textOf(data);
}

export interface FetchResult {
  /** Files written, `name@revision`. */
  fetched: string[];
  /** Modules the device did not give (with why). */
  failed: string[];
}

/**
 * Fetches the announced modules missing from `searchDirs`, and the modules and submodules they need,
 * into `dir` (at most `maxModules` files). A module the device does not give is reported, not fatal.
 */
export async function fetchMissingModules(
  session: SchemaRpc,
  announced: readonly AnnouncedModule[],
  searchDirs: readonly string[],
  dir: string,
  maxModules = 200,
): Promise<FetchResult> {
  mkdirSync(dir, { recursive: true });
  const loader = new ModuleLoader([...searchDirs, dir]);
  const out: FetchResult = { fetched: [], failed: [] };
  const queue: AnnouncedModule[] = [...announced];
  const tried = new Set<string>();
  while (queue.length && out.fetched.length < maxModules) {
    const m = queue.shift()!;
    const id = `${m.name}@${m.revision ?? ''}`;
    if (tried.has(id) || tried.has(m.name)) continue;
    tried.add(id);
    let known: ReturnType<ModuleLoader['find']>;
    try {
      known = loader.find(m.name, m.revision);
    } catch {
      known = undefined;
    }
    if (known) continue;
    let text: string;
    try {
      text = await getSchema(session, m.name, m.revision);
    } catch (e) {
      out.failed.push(`${id}: ${(e as Error).message}`);
      continue;
    }
    let revision = m.revision;
    try {
      const top = parseYang(text, `${m.name} (get-schema)`);
      revision ??= subsOf(top, 'revision')[0]?.arg;
      for (const s of [...subsOf(top, 'import'), ...subsOf(top, 'include')]) if (s.arg) queue.push({ name: s.arg, revision: subArg(s, 'revision-date') });
    } catch (e) {
      out.failed.push(`${id}: the text the device gave does not parse: ${(e as Error).message}`);
      continue;
    }
    const file = join(dir, `${m.name}${revision ? `@${revision}` : ''}.yang`);
    // Written whole or not at all: a reader never sees half a module.
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
    out.fetched.push(`${m.name}@${revision ?? ''}`);
    tried.add(m.name);
  }
  return out;
}

const fetches = new Map<string, Promise<string | undefined>>();

/**
 * For southboundModels: when the device offers get-schema (and CNSDN_YANG_GET_SCHEMA is not 0), the
 * directory (CNSDN_YANG_FETCH_DIR, default in the temporary directory) the announced modules missing
 * from the search path were fetched into: once per search path and announced set in the process.
 */
export function getSchemaFetcher(
  env: Record<string, string | undefined>,
  session: SchemaRpc,
  caps: { uris: readonly string[]; modules: readonly { module: string }[] },
  announced: readonly AnnouncedModule[],
): ((dirs: readonly string[]) => Promise<string | undefined>) | undefined {
  if (env.CNSDN_YANG_GET_SCHEMA === '0' || !offersGetSchema(caps)) return undefined;
  const dir = env.CNSDN_YANG_FETCH_DIR ?? join(tmpdir(), 'cnsdn-yang-fetched');
  return (dirs) => {
    const key = JSON.stringify([dirs, dir, announced.map((m) => `${m.name}@${m.revision ?? ''}`).sort()]);
    let p = fetches.get(key);
    if (!p) {
      p = fetchMissingModules(session, announced, dirs, dir).then(
        (r) => {
          for (const f of r.failed) warnOnce(`get-schema:${f}`, `get-schema: ${f}`);
          return dir;
        },
        (e: Error) => {
          warnOnce(`get-schema-dir:${dir}`, `get-schema: modules not fetched into ${dir}: ${e.message}`);
          fetches.delete(key);
          return undefined;
        },
      );
      fetches.set(key, p);
    }
    return p;
  };
}
