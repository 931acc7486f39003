/** YANG protocol library: parse, compile and print YANG modules (RFC 6020, RFC 7950, RFC 8340). */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type CompileOptions, compileModules, type ModuleRef } from './compiler.js';
import { ModuleLoader } from './loader.js';
import type { CompiledSchema } from './schema.js';

export type { CompileOptions, ModuleRef } from './compiler.js';
export { compileModules } from './compiler.js';
export { type Location, YangError } from './errors.js';
export { resolveSchemaPath } from './finalize.js';
export { ModuleLoader } from './loader.js';
export { parseYang, type Stmt } from './parser.js';
export * from './schema.js';
export { type TreeOptions, printTree } from './tree.js';
export { parseLeafrefPath, parseXPath, type XPathExpr, XPathSyntaxError } from './xpath.js';
export type { InstanceType, ReadOptions } from './data-read.js';
export { type DataError, type DataErrorCode, type DataNode, dataPath } from './data-tree.js';
export { toJson, toXml } from './data-write.js';
export { type AnnouncedModule, type ModelSet, ModelRegistry, sharedModelRegistry, southboundValidation, warnOnce, yangSearchPath } from './models.js';
export { BackgroundModels, backgroundModels, prepareSouthboundModels, simulatorModels, southboundModels, withinMs } from './background.js';
export { fetchMissingModules, getSchema, getSchemaFetcher, NETCONF_MONITORING_NS, offersGetSchema, type SchemaRpc } from './get-schema.js';
export { documentFromUpdates, hasTopNode, type PathUpdate, validateUpdates } from './updates.js';
export { formatOfFile, type InstanceFormat, type ValidateOptions, type ValidationResult, validateInstance } from './validate.js';

export interface SchemaRequest extends CompileOptions {
  searchDirs: readonly string[];
  modules: readonly ModuleRef[];
}

/**
 * Compiled module sets cached by (modules with revisions, features, implementation mode, search
 * directories); a file that changed on disk (size or mtime) misses the cache. Deviations come from the
 * deviation modules in the set, so they are part of the key.
 */
export class SchemaCache {
  private readonly entries = new Map<string, CompiledSchema>();
  constructor(private readonly maxEntries = 16) {}

  get(req: SchemaRequest): CompiledSchema {
    const key = cacheKey(req);
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const schema = compileModules(new ModuleLoader(req.searchDirs), req.modules, req);
    this.entries.set(key, schema);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return schema;
  }

  get size(): number {
    return this.entries.size;
  }
}

function cacheKey(req: SchemaRequest): string {
  const mods = req.modules.map((m) => {
    if (!m.file) return `${m.name}@${m.revision ?? ''}`;
    const st = statSync(m.file);
    return `${resolve(m.file)}:${st.size}:${st.mtimeMs}`;
  });
  const features = Object.entries(req.features ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v === '*' ? '*' : [...v].sort().join(',')}`);
  return JSON.stringify([mods.sort(), features, req.implement ?? 'all', req.searchDirs.map((d) => resolve(d))]);
}
