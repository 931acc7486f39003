/** `cnsdn yang validate` and `cnsdn yang convert`: instance data against modules (exit codes as yanglint). */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { compileModules } from '../../protocols/yang/compiler.js';
import { toJson, toXml } from '../../protocols/yang/data-write.js';
import { YangError } from '../../protocols/yang/errors.js';
import { ModuleLoader } from '../../protocols/yang/loader.js';
import type { CompiledSchema } from '../../protocols/yang/schema.js';
import { formatOfFile, type InstanceFormat, type ValidationResult, validateInstance } from '../../protocols/yang/validate.js';
import { EXIT_FAILURE, EXIT_OK, ReportedFailure, UsageError } from '../io.js';
import type { CommandContext } from './shared.js';

/** Exit code for instance data that does not validate (yanglint's). */
export const EXIT_INVALID_DATA = 7;

export const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** `-F module:feat1,feat2` (as yanglint) → features option. */
export function featureSet(specs: string[]): Record<string, string[] | '*'> | undefined {
  if (!specs.length) return undefined;
  const out: Record<string, string[] | '*'> = {};
  for (const s of specs) {
    const i = s.indexOf(':');
    const mod = i < 0 ? s : s.slice(0, i);
    const list = i < 0 ? [] : s.slice(i + 1).split(',').filter((x) => x);
    out[mod] = list.includes('*') ? '*' : list;
  }
  return out;
}

interface DataOpts {
  searchDir: string[];
  features: string[];
  type: string;
  format?: string;
  output?: string;
}

function withDataOptions(cmd: Command): Command {
  return cmd
    .option('-p, --search-dir <dir>', 'search directory for imports (searched recursively; repeatable)', collect, [])
    .option('-F, --features <module:f1,f2>', 'enable only these features of a module (repeatable; default all)', collect, [])
    .option('-i, --make-implemented', 'accepted for yanglint compatibility: every loaded module is implemented')
    .option('-t, --type <type>', 'config (no state data), data (configuration and state) or edit (a partial configuration)', 'data');
}

interface Loaded {
  schema: CompiledSchema;
  docs: { file: string; format: InstanceFormat; text: string }[];
}

/** Compiles the .yang files and reads the documents; schema and file faults exit 1. */
function load(files: string[], opts: DataOpts, ctx: CommandContext): Loaded {
  if (!['config', 'data', 'edit'].includes(opts.type)) throw new UsageError(`--type must be config, data or edit, not "${opts.type}"`);
  const modules = files.filter((f) => f.endsWith('.yang'));
  const docFiles = files.filter((f) => !f.endsWith('.yang'));
  if (!modules.length) throw new UsageError('give at least one module file (.yang)');
  try {
    const schema = compileModules(new ModuleLoader(opts.searchDir), modules.map((file) => ({ file })), { features: featureSet(opts.features) });
    const docs = docFiles.map((file) => {
      const format = formatOfFile(file);
      if (!format) throw new YangError(`${file}: instance documents are .json or .xml files`);
      return { file, format, text: readFileSync(file, 'utf8') };
    });
    return { schema, docs };
  } catch (e) {
    if (!(e instanceof YangError) && !(e instanceof Error && 'code' in e && typeof e.code === 'string' && e.code.startsWith('E'))) throw e;
    ctx.io.stderr.write(`error: ${e.message}\n`);
    throw new ReportedFailure(EXIT_FAILURE);
  }
}

function check(l: Loaded, doc: Loaded['docs'][number], opts: DataOpts, ctx: CommandContext): ValidationResult {
  const r = validateInstance(l.schema, doc.text, { format: doc.format, type: opts.type as 'config' | 'data' | 'edit' });
  for (const e of r.errors) ctx.io.stderr.write(`${doc.file}: ${e.code} ${e.path}: ${e.message}\n`);
  return r;
}

export function registerYangData(yang: Command, ctx: CommandContext): void {
  withDataOptions(
    yang
      .command('validate')
      .description('validate RFC 7951 JSON or XML instance documents against YANG modules (exit 0 valid, 7 invalid data, 1 bad schema or file)')
      .argument('<files...>', 'module files (.yang) then documents (.json, .xml)'),
  ).action((files: string[], opts: DataOpts) => {
    const l = load(files, opts, ctx);
    let invalid = false;
    for (const doc of l.docs) if (!check(l, doc, opts, ctx).valid) invalid = true;
    if (invalid) throw new ReportedFailure(EXIT_INVALID_DATA);
    ctx.exitCode = EXIT_OK;
  });
  withDataOptions(
    yang
      .command('convert')
      .description('convert a valid instance document between RFC 7951 JSON and XML')
      .argument('<files...>', 'module files (.yang) then one document (.json, .xml)')
      .requiredOption('-f, --format <format>', 'output format: json or xml')
      .option('-o, --output <file>', 'write here instead of stdout'),
  ).action((files: string[], opts: DataOpts) => {
    if (opts.format !== 'json' && opts.format !== 'xml') throw new UsageError(`--format must be json or xml, not "${opts.format}"`);
    const l = load(files, opts, ctx);
    if (l.docs.length !== 1) throw new UsageError('give exactly one document to convert');
    const r = check(l, l.docs[0], opts, ctx);
    if (!r.valid) throw new ReportedFailure(EXIT_INVALID_DATA);
    let text: string;
    try {
      text = opts.format === 'json' ? toJson(r.root) : toXml(r.root, l.schema);
    } catch (e) {
      if (!(e instanceof YangError)) throw e;
      ctx.io.stderr.write(`error: ${e.message}\n`);
      throw new ReportedFailure(EXIT_FAILURE);
    }
    if (opts.output) writeFileSync(opts.output, text);
    else ctx.io.stdout.write(text);
    ctx.exitCode = EXIT_OK;
  });
}
