import type { EventEmitter } from 'node:events';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { ControllerOptions, RunningController } from '../../app/options.js';
import { describeError, EXIT_FAILURE, EXIT_OK } from '../io.js';
import type { CommandContext } from './shared.js';

export type StartController = (options: ControllerOptions) => Promise<RunningController>;

export interface ServeDeps {
  /** Loads the controller lazily, so client commands work even when the app cannot load. */
  loadStartController: () => Promise<StartController>;
  /** Source of SIGINT/SIGTERM (the process, or a test double). */
  signals: Pick<EventEmitter, 'once' | 'removeListener'>;
}

export const defaultServeDeps: ServeDeps = {
  loadStartController: async () => (await import('../../app/index.js')).startController,
  signals: process,
};

interface ServeOptions {
  host: string;
  port: number;
  data: string;
  demo?: boolean;
  logLevel: string;
  auth?: 'on' | 'off';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a port number 0..65535');
  return n;
}

export function registerServe(program: Command, ctx: CommandContext, deps: ServeDeps): void {
  program
    .command('serve')
    .description('run the controller (all roles in one process)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', parsePort, 8080)
    .option('--data <dir>', 'data directory for the embedded store', './data')
    .option('--demo', 'load a small demo topology of emulated devices when the context is empty')
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default('info'))
    .addOption(new Option('--auth <mode>', 'accounts and sessions; off serves every caller as admin (env CNSDN_AUTH, default on)').choices(['on', 'off']))
    .addHelpText('after', '\nEnvironment: DATABASE_URL (PostgreSQL/CockroachDB instead of SQLite), NATS_URL (JetStream bus), CNSDN_AUTH, CNSDN_ADMIN_USER / CNSDN_ADMIN_PASSWORD[_FILE] (first admin), CNSDN_ADMIN_TOKEN, CNSDN_SESSION_KEYS.')
    .action(async (opts: ServeOptions) => {
      ctx.exitCode = await serve(opts, ctx, deps);
    });
}

async function serve(opts: ServeOptions, ctx: CommandContext, deps: ServeDeps): Promise<number> {
  const { io } = ctx;
  // Listen for signals from the start: loading and starting take seconds, and a signal meanwhile must still end cleanly.
  let received: string | undefined;
  let onSignal: (signal: string) => void = () => {};
  const stop = new Promise<string>((resolve) => {
    onSignal = (signal) => {
      received = signal;
      resolve(signal);
    };
  });
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  deps.signals.once('SIGINT', onInt);
  deps.signals.once('SIGTERM', onTerm);
  const unlisten = () => {
    deps.signals.removeListener('SIGINT', onInt);
    deps.signals.removeListener('SIGTERM', onTerm);
  };
  let controller: RunningController;
  try {
    let startController: StartController;
    try {
      startController = await deps.loadStartController();
    } catch (e) {
      io.stderr.write(`cannot load the controller: ${describeError(e)}\n`);
      return EXIT_FAILURE;
    }
    if (received) return EXIT_OK;
    try {
      controller = await startController({
        host: opts.host,
        port: opts.port,
        dataDir: opts.data,
        demo: opts.demo === true,
        logLevel: opts.logLevel,
        databaseUrl: io.env.DATABASE_URL || undefined,
        natsUrl: io.env.NATS_URL || undefined,
        auth: opts.auth ?? (io.env.CNSDN_AUTH === 'off' ? 'off' : 'on'),
      });
    } catch (e) {
      io.stderr.write(`cannot start the controller: ${describeError(e)}\n`);
      return EXIT_FAILURE;
    }
    io.stdout.write(`cnsdn listening on ${controller.url}\n`);
    const signal = await stop;
    io.stderr.write(`${signal}: shutting down\n`);
  } finally {
    unlisten();
  }
  try {
    await controller.close();
  } catch (e) {
    io.stderr.write(`error while shutting down: ${describeError(e)}\n`);
    return EXIT_FAILURE;
  }
  return EXIT_OK;
}
