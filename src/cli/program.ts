import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { registerExport } from './commands/export.js';
import { registerGet } from './commands/get.js';
import { registerGnmi } from './commands/gnmi.js';
import { durationMs } from './commands/gnmi-options.js';
import { registerLoad } from './commands/load.js';
import { registerLoadgen } from './loadgen-command.js';
import { registerNetconf } from './commands/netconf.js';
import { defaultServeDeps, registerServe, type ServeDeps } from './commands/serve.js';
import { registerYang } from './commands/yang.js';
import { type CommandContext, DEFAULT_URL } from './commands/shared.js';
import { type CliIO, describeError, EXIT_FAILURE, EXIT_USAGE, ReportedFailure, UsageError } from './io.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function parseTimeout(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : (durationMs(value) ?? 0);
  if (n < 1) throw new InvalidArgumentError('expected a positive number of milliseconds (or a duration such as 10s)');
  return n;
}

export function buildProgram(io: CliIO, ctx: CommandContext, serveDeps: ServeDeps = defaultServeDeps): Command {
  const program = new Command('cnsdn')
    .description('cnsdn: a cloud-native SDN controller compatible with ETSI TeraFlowSDN')
    .version(version(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(add --help for usage)')
    .option('--url <url>', 'controller URL (env CNSDN_URL)', io.env.CNSDN_URL || DEFAULT_URL)
    .option('--token <token>', 'API token sent as a bearer token (env CNSDN_TOKEN or CNSDN_ADMIN_TOKEN)')
    .option('--timeout <ms>', 'per-request timeout in milliseconds, or a duration such as 10s', parseTimeout, 30_000);
  registerServe(program, ctx, serveDeps);
  registerLoad(program, ctx);
  registerExport(program, ctx);
  registerGet(program, ctx);
  registerGnmi(program, ctx, serveDeps);
  registerYang(program, ctx);
  registerNetconf(program, ctx);
  registerLoadgen(program, ctx);
  return program;
}

/** Runs the CLI in-process and returns the exit code: 0 ok, 1 failure, 2 usage error. */
export async function run(argv: readonly string[], io: CliIO, serveDeps?: ServeDeps): Promise<number> {
  const ctx: CommandContext = { io, exitCode: 0 };
  const program = buildProgram(io, ctx, serveDeps);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_USAGE;
    if (e instanceof ReportedFailure) return e.exitCode;
    io.stderr.write(`error: ${describeError(e)}\n`);
    return e instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
  }
}
