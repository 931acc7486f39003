/**
 * Finds and parses module files. Search directories are searched recursively (as yanglint 2.1.30
 * does for `-p`); a file is named `NAME.yang` or `NAME@REVISION.yang`. When no revision is asked
 * for, the newest revision found wins.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { YangError } from './errors.js';
import { parseYang, type Stmt, subArg, subsOf } from './parser.js';

export interface ParsedUnit {
  name: string;
  kind: 'module' | 'submodule';
  /** Latest revision statement, if any. */
  revision?: string;
  file: string;
  stmt: Stmt;
  /** For a submodule: the module it belongs to. */
  belongsTo?: string;
  /** prefix → module name (the unit's own prefix maps to its module). */
  prefixes: Map<string, string>;
  /** Imports: prefix → {module, revision}. */
  imports: { prefix: string; module: string; revision?: string; stmt: Stmt }[];
}

export interface LoaderLimits {
  /** Directory depth searched below each search directory. */
  maxDirDepth: number;
  /** Most files indexed. */
  maxFiles: number;
}

const FILE_NAME = /^([A-Za-z_][A-Za-z0-9_.-]*?)(?:@(\d{4}-\d{2}-\d{2}))?\.yang$/;

export class ModuleLoader {
  private index?: Map<string, { file: string; revision?: string }[]>;
  private readonly parsed = new Map<string, ParsedUnit>();
  readonly searchDirs: string[];

  constructor(
    searchDirs: readonly string[],
    private readonly limits: LoaderLimits = { maxDirDepth: 16, maxFiles: 50_000 },
  ) {
    this.searchDirs = searchDirs.map((d) => resolve(d));
  }

  addSearchDir(dir: string): void {
    const d = resolve(dir);
    if (!this.searchDirs.includes(d)) {
      this.searchDirs.push(d);
      this.index = undefined;
    }
  }

  private buildIndex(): Map<string, { file: string; revision?: string }[]> {
    const index = new Map<string, { file: string; revision?: string }[]>();
    let count = 0;
    const seen = new Set<string>();
    const walk = (dir: string, depth: number): void => {
      if (depth > this.limits.maxDirDepth || seen.has(dir)) return;
      seen.add(dir);
      let entries: import('node:fs').Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        const full = join(dir, e.name);
        if (e.isDirectory()) walk(full, depth + 1);
        else if (e.isFile() || e.isSymbolicLink()) {
          const m = FILE_NAME.exec(e.name);
          if (!m) continue;
          if (++count > this.limits.maxFiles) throw new YangError(`more than ${this.limits.maxFiles} module files under the search directories`);
          const list = index.get(m[1]) ?? [];
          if (!list.some((x) => x.file === full)) list.push({ file: full, revision: m[2] });
          index.set(m[1], list);
        }
      }
    };
    for (const d of this.searchDirs) walk(d, 0);
    return index;
  }

  /** Parses a file (cached by absolute path). */
  parseFile(file: string): ParsedUnit {
    const abs = resolve(file);
    const cached = this.parsed.get(abs);
    if (cached) return cached;
    let text: string;
    try {
      if (!statSync(abs).isFile()) throw new Error('not a file');
      text = readFileSync(abs, 'utf8');
    } catch (e) {
      throw new YangError(`cannot read ${file}: ${(e as Error).message}`);
    }
    const unit = toUnit(parseYang(text, file), file);
    const m = FILE_NAME.exec(basename(abs));
    if (m && m[1] !== unit.name) {
      throw new YangError(`file name ${basename(abs)} does not match ${unit.kind} "${unit.name}"`, unit.stmt.loc, unit.kind);
    }
    this.parsed.set(abs, unit);
    return unit;
  }

  /** Finds and parses a module or submodule by name (and revision when given). */
  find(name: string, revision?: string, from?: string): ParsedUnit | undefined {
    if (!this.index) this.index = this.buildIndex();
    let candidates = this.index.get(name) ?? [];
    if (from) {
      // The importing file's directory is searched too (yanglint does).
      const local = new ModuleLoader([dirname(from)], { maxDirDepth: 0, maxFiles: this.limits.maxFiles }).buildIndex().get(name) ?? [];
      candidates = [...candidates, ...local.filter((l) => !candidates.some((c) => c.file === l.file))];
    }
    if (revision) {
      const exact = candidates.filter((c) => c.revision === revision);
      const rest = candidates.filter((c) => !c.revision);
      for (const c of [...exact, ...rest]) {
        const u = this.parseFile(c.file);
        if (u.revision === revision) return u;
      }
      return undefined;
    }
    let best: ParsedUnit | undefined;
    for (const c of candidates) {
      const u = this.parseFile(c.file);
      if (!best || (u.revision ?? '') > (best.revision ?? '')) best = u;
    }
    return best;
  }
}

function toUnit(stmt: Stmt, file: string): ParsedUnit {
  const kind = stmt.keyword as 'module' | 'submodule';
  const name = stmt.arg!;
  const revisions = subsOf(stmt, 'revision')
    .map((r) => r.arg ?? '')
    .sort();
  const prefixes = new Map<string, string>();
  let belongsTo: string | undefined;
  if (kind === 'module') {
    const prefix = subArg(stmt, 'prefix');
    if (!prefix) throw new YangError('module has no prefix', stmt.loc, 'module');
    if (!subArg(stmt, 'namespace')) throw new YangError('module has no namespace', stmt.loc, 'module');
    prefixes.set(prefix, name);
  } else {
    const b = subsOf(stmt, 'belongs-to')[0];
    if (!b?.arg) throw new YangError('submodule has no belongs-to', stmt.loc, 'submodule');
    const prefix = subArg(b, 'prefix');
    if (!prefix) throw new YangError('belongs-to has no prefix', b.loc, 'belongs-to');
    belongsTo = b.arg;
    prefixes.set(prefix, b.arg);
  }
  const imports: ParsedUnit['imports'] = [];
  for (const imp of subsOf(stmt, 'import')) {
    const prefix = subArg(imp, 'prefix');
    if (!imp.arg || !prefix) throw new YangError('import needs a module name and a prefix', imp.loc, 'import');
    if (prefixes.has(prefix)) throw new YangError(`prefix "${prefix}" is used twice`, imp.loc, 'import');
    prefixes.set(prefix, imp.arg);
    imports.push({ prefix, module: imp.arg, revision: subArg(imp, 'revision-date'), stmt: imp });
  }
  return { name, kind, revision: revisions[revisions.length - 1], file, stmt, belongsTo, prefixes, imports };
}
