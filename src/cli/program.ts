import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { registerExport } from './commands/export.js';
import { registerGet } from './commands/get.js';
import { durationMs } from './duration.js';
import { registerLoad } from './commands/load.js';
import { defaultServeDeps, registerServe, type ServeDeps } from './commands/serve.js';
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

type Register = (program: Command, ctx: CommandContext, serveDeps: ServeDeps) => void;

/** Commands that need no protocol library: a controller started by `cnsdn serve` loads only these. */
const LIGHT_COMMANDS = new Set(['serve', 'load', 'export', 'get']);

/**
 * The device-protocol commands (gnmi, yang, netconf, loadgen) pull in gRPC, SSH and YANG: they are
 * loaded only when the command line may need them, so an idle `cnsdn serve` does not carry them.
 */
async function protocolCommands(): Promise<Register[]> {
  const [gnmi, yang, netconf, loadgen] = await Promise.all([
    import('./commands/gnmi.js'),
    import('./commands/yang.js'),
    import('./commands/netconf.js'),
    import('./loadgen-command.js'),
  ]);
  return [
    (p, c, d) => gnmi.registerGnmi(p, c, d),
    (p, c) => yang.registerYang(p, c),
    (p, c) => netconf.registerNetconf(p, c),
    (p, c) => loadgen.registerLoadgen(p, c),
  ];
}

const GLOBAL_OPTIONS_WITH_VALUE = new Set(['--url', '--token', '--timeout']);

/** The command named on the command line: the first word that is neither a global option nor its value. */
export function commandOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(a)) i++;
    else if (a === '--') return argv[i + 1];
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

export function buildProgram(io: CliIO, ctx: CommandContext, serveDeps: ServeDeps = defaultServeDeps, more: readonly Register[] = []): Command {
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
  for (const register of more) register(program, ctx, serveDeps);
  return program;
}

/** Runs the CLI in-process and returns the exit code: 0 ok, 1 failure, 2 usage error. */
export async function run(argv: readonly string[], io: CliIO, serveDeps?: ServeDeps): Promise<number> {
  const ctx: CommandContext = { io, exitCode: 0 };
  try {
    // Help, a misspelt command, or a protocol command: every command must be there.
    const command = commandOf(argv);
    const more = command !== undefined && LIGHT_COMMANDS.has(command) ? [] : await protocolCommands();
    const program = buildProgram(io, ctx, serveDeps, more);
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_USAGE;
    if (e instanceof ReportedFailure) return e.exitCode;
    io.stderr.write(`error: ${describeError(e)}\n`);
    return e instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
  }
}
