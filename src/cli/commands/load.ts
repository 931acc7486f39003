import { readFile } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { ApiError, type DescriptorReport } from '../client.js';
import { type CliIO, describeError, EXIT_FAILURE, EXIT_OK, isFatal, ReportedFailure } from '../io.js';
import { findJsonSyntaxError } from '../json-errors.js';
import { type CommandContext, clientFor } from './shared.js';

interface LoadOptions {
  dryRun?: boolean;
  keepGoing?: boolean;
  verbose?: boolean;
}

interface Prepared {
  file: string;
  body?: string;
  problem?: string;
}

/** Reports progress either as plain lines or through a progress bar on a terminal. */
interface Reporter {
  line(text: string): void;
  error(text: string): void;
  begin(file: string): void;
  advance(): void;
  finish(): void;
}

export function registerLoad(program: Command, ctx: CommandContext): void {
  program
    .command('load')
    .description('load TFS descriptor files (contexts, topologies, devices, links, services, slices)')
    .argument('<file...>', 'descriptor JSON files, loaded in the order given')
    .option('--dry-run', 'validate and report what would change, without writing')
    .option('--keep-going', 'continue with the next file after a failing one')
    .option('-v, --verbose', 'list every entity and what happened to it')
    .action(async (files: string[], opts: LoadOptions, cmd: Command) => {
      ctx.exitCode = await load(files, opts, cmd, ctx.io);
    });
}

async function load(files: string[], opts: LoadOptions, cmd: Command, io: CliIO): Promise<number> {
  const prepared = await Promise.all(files.map(prepare));
  const unreadable = prepared.filter((p) => p.problem);
  for (const p of unreadable) io.stderr.write(`${p.problem}\n`);
  if (unreadable.length > 0 && !opts.keepGoing) return EXIT_FAILURE;

  const client = clientFor(cmd, io);
  const toSend = prepared.filter((p) => p.body !== undefined);
  const reporter = makeReporter(io, toSend.length);
  let failed = unreadable.length;
  try {
    if (opts.dryRun && toSend.length > 1) {
      // Each file against what the files before it would leave, as a real load of them would see it.
      const { results } = await client.dryRunSequence(toSend.map((p) => p.body!));
      for (const [i, { file }] of toSend.entries()) {
        reporter.begin(file);
        const r = results[i];
        if (r === undefined) {
          failed++;
          reporter.error(`${file}: not checked: a file before it would be rejected`);
        } else if (r.problem) {
          failed++;
          for (const l of describeLoadFailure(file, new ApiError('POST', '/tfs-api/descriptors/dry-run', r.problem.status ?? 400, r.problem))) reporter.error(l);
        } else {
          for (const l of describeReport(file, { ...r, dry_run: true }, opts)) reporter.line(l);
        }
        reporter.advance();
      }
    } else {
      for (const { file, body } of toSend) {
        reporter.begin(file);
        try {
          const report = await client.loadDescriptors(body!, { dryRun: opts.dryRun });
          for (const l of describeReport(file, report ?? {}, opts)) reporter.line(l);
        } catch (e) {
          if (isFatal(e)) throw e;
          failed++;
          for (const l of describeLoadFailure(file, e)) reporter.error(l);
          if (!opts.keepGoing) return EXIT_FAILURE;
        } finally {
          reporter.advance();
        }
      }
    }
  } catch (e) {
    reporter.finish();
    io.stderr.write(`${describeError(e)}\n`);
    throw new ReportedFailure();
  } finally {
    reporter.finish();
  }
  if (files.length > 1) {
    const ok = files.length - failed;
    io.stdout.write(`${files.length} files: ${ok} ${opts.dryRun ? 'valid' : 'loaded'}, ${failed} failed\n`);
  }
  return failed > 0 ? EXIT_FAILURE : EXIT_OK;
}

async function prepare(file: string): Promise<Prepared> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    return { file, problem: `${file}: cannot read: ${reason}` };
  }
  // A UTF-8 byte order mark is an encoding artifact, not JSON (RFC 8259 §8.1): drop it.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    JSON.parse(text);
  } catch (e) {
    return { file, problem: describeMalformed(file, text, e) };
  }
  return { file, body: text };
}

function describeMalformed(file: string, text: string, parseError: unknown): string {
  let found: ReturnType<typeof findJsonSyntaxError>;
  try {
    found = findJsonSyntaxError(text);
  } catch {
    found = undefined;
  }
  if (!found) return `${file}: malformed JSON: ${(parseError as Error).message}`;
  return `${file}:${found.line}:${found.column}: malformed JSON: ${found.message} (at offset ${found.offset})`;
}

const ACTION_VERBS: Record<string, string> = { created: 'create', updated: 'update', unchanged: 'leave unchanged' };

export function describeReport(file: string, report: DescriptorReport, opts: LoadOptions): string[] {
  const dry = opts.dryRun || report.dry_run === true;
  const summary = report.summary ?? {};
  const keys = ['created', 'updated', 'unchanged', ...Object.keys(summary).filter((k) => !(k in ACTION_VERBS))];
  const counts = keys.map((k) => {
    const n = summary[k] ?? 0;
    return dry ? `would ${ACTION_VERBS[k] ?? k} ${n}` : `${k} ${n}`;
  });
  const lines = [`${file}: ${dry ? 'dry run: ' : ''}${counts.join(', ')}`];
  if (opts.verbose) {
    for (const e of report.entities ?? []) {
      const id = e.uuid && e.uuid !== e.name ? ` (${e.uuid})` : '';
      lines.push(`  ${e.action} ${e.kind} ${e.name ?? e.uuid ?? '?'}${id}`);
    }
  }
  return lines;
}

function describeLoadFailure(file: string, e: unknown): string[] {
  if (e instanceof ApiError) {
    const title = e.title ?? `HTTP ${e.status}`;
    // With a list of errors the detail mostly repeats them: keep the head short.
    const detail = e.errors.length === 0 && e.detail && e.detail !== e.title ? `: ${e.detail}` : '';
    const head = `${file}: ${e.code ? `${e.code}: ` : ''}${title}${detail}`;
    return [head, ...e.errors.map((err) => `${file}: ${err.path || '/'}: ${err.message}`)];
  }
  return [`${file}: ${describeError(e)}`];
}

function makeReporter(io: CliIO, total: number): Reporter {
  const stream = io.progressStream;
  if (!stream || total < 1) {
    return {
      line: (t) => io.stdout.write(`${t}\n`),
      error: (t) => io.stderr.write(`${t}\n`),
      begin: () => {},
      advance: () => {},
      finish: () => {},
    };
  }
  const bars = new cliProgress.MultiBar(
    { stream, format: '{bar} {value}/{total} files  {file}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  const bar = bars.create(total, 0, { file: '' });
  // The bar hides the cursor and disables line wrapping: restore the terminal on Ctrl-C, then die of the signal as usual.
  const interrupted = (signal: NodeJS.Signals) => {
    bars.stop();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  let done = false;
  return {
    line: (t) => bars.log(`${t}\n`),
    error: (t) => (io.stderrIsTTY ? bars.log(`${t}\n`) : io.stderr.write(`${t}\n`)),
    begin: (file) => bar.update({ file }),
    advance: () => bar.increment(1),
    finish: () => {
      if (done) return;
      done = true;
      process.removeListener('SIGINT', interrupted);
      process.removeListener('SIGTERM', interrupted);
      bars.update();
      bars.stop();
    },
  };
}
