/** `cnsdn gnmi capabilities|get|set|subscribe`: a gNMI client on the command line, like gnmic. */
import type { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import { type Command, Option } from 'commander';
import {
  GnmiClient,
  type GnmiDataType,
  GnmiError,
  type GnmiNotification,
  type SubscriptionSpec,
} from '../../protocols/gnmi/index.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../io.js';
import { describeGnmiError } from './gnmi-errors.js';
import { capabilitiesMsg, capabilitiesText, jsonText, notificationMsg, setResponseMsg } from './gnmi-format.js';
import {
  type ConnectionFlags,
  clientOptions,
  collect,
  DEFAULT_GNMI_TIMEOUT_MS,
  ENCODINGS,
  pairOperations,
  parseCount,
  parseDurationArg,
  parseEncoding,
  parsePathArg,
  wireEncoding,
} from './gnmi-options.js';
import type { CommandContext } from './shared.js';

export interface GnmiDeps {
  /** Source of SIGINT/SIGTERM, which end a subscription (the process, or a test double). */
  signals: Pick<EventEmitter, 'once' | 'removeListener'>;
  /** Where Enter triggers a poll (`--mode poll` on a terminal); process.stdin when absent. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

interface GetFlags extends ConnectionFlags {
  path: string[];
  prefix?: string;
  type: Lowercase<GnmiDataType>;
}

interface SetFlags extends ConnectionFlags {
  prefix?: string;
  updatePath: string[];
  updateValue: string[];
  replacePath: string[];
  replaceValue: string[];
  delete: string[];
}

interface SubscribeFlags extends ConnectionFlags {
  path: string[];
  prefix?: string;
  mode: 'stream' | 'once' | 'poll';
  streamMode: 'sample' | 'on_change' | 'target_defined';
  sampleInterval?: bigint;
  heartbeatInterval?: bigint;
  suppressRedundant?: boolean;
  updatesOnly?: boolean;
  count?: number;
}

const SYNC_LINE = `${jsonText({ 'sync-response': true }, 0)}\n`;

function withConnectionFlags(cmd: Command): Command {
  return cmd
    .requiredOption('-a, --address <host:port>', 'target address (port 57400 when omitted)')
    .option('-u, --username <name>', 'username (env CNSDN_GNMI_USERNAME)')
    .option('-p, --password <pass>', 'password (env CNSDN_GNMI_PASSWORD keeps it out of shell history)')
    .option('--insecure', 'plaintext gRPC, no TLS')
    .option('--skip-verify', 'TLS without verifying the target certificate')
    .option('--tls-ca <file>', 'CA bundle that signed the target certificate (PEM)')
    .option('--tls-cert <file>', 'client certificate for mutual TLS (PEM)')
    .option('--tls-key <file>', 'client key for mutual TLS (PEM)')
    .option('--tls-server-name <name>', 'name to verify the target certificate against, instead of the address host')
    .addOption(new Option('-e, --encoding <encoding>', `encoding: ${ENCODINGS.join(', ')}`).argParser(parseEncoding).default('json'))
    .addHelpText('after', '\nDurations: 10s, 500ms, 1m30s. The global --timeout (default here 10s) bounds connecting and each request.');
}

/** The global --timeout in ms; gnmic's 10 s when not given. */
function timeoutOf(cmd: Command): number {
  let root = cmd;
  while (root.parent) root = root.parent;
  const given = root.getOptionValueSource('timeout') !== 'default' && root.getOptionValueSource('timeout') !== undefined;
  const value = root.opts<{ timeout?: number }>().timeout;
  return given && value !== undefined ? value : DEFAULT_GNMI_TIMEOUT_MS;
}

type Session = { client: GnmiClient; source: string; timeoutMs: number };

/** Connects, runs `fn`, closes; gNMI failures become a message on stderr and exit code 1. */
async function withClient(ctx: CommandContext, cmd: Command, flags: ConnectionFlags, fn: (s: Session) => Promise<number>): Promise<number> {
  const timeoutMs = timeoutOf(cmd);
  const opts = clientOptions(flags, ctx.io.env, timeoutMs);
  let client: GnmiClient | undefined;
  try {
    client = await GnmiClient.connect(opts);
    return await fn({ client, source: opts.address, timeoutMs });
  } catch (e) {
    if (e instanceof GnmiError) {
      ctx.io.stderr.write(`error: ${describeGnmiError(e, opts.address, timeoutMs)}\n`);
      return EXIT_FAILURE;
    }
    throw e;
  } finally {
    client?.close();
  }
}

export function registerGnmi(program: Command, ctx: CommandContext, deps: GnmiDeps): void {
  const gnmi = program.command('gnmi').description('gNMI client for devices: capabilities, get, set, subscribe (like gnmic)');

  withConnectionFlags(gnmi.command('capabilities').description("list the target's models, encodings and gNMI version"))
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (flags: ConnectionFlags & { format: 'text' | 'json' }, cmd: Command) => {
      ctx.exitCode = await withClient(ctx, cmd, flags, async ({ client }) => {
        const caps = await client.capabilities();
        ctx.io.stdout.write(flags.format === 'json' ? `${jsonText(capabilitiesMsg(caps))}\n` : capabilitiesText(caps));
        return EXIT_OK;
      });
    });

  withConnectionFlags(gnmi.command('get').description('read values; prints the notifications as JSON'))
    .requiredOption('--path <path>', 'path to read (repeatable)', collect(parsePathArg))
    .option('--prefix <path>', 'prefix of every path', parsePathArg)
    .addOption(new Option('-t, --type <type>', 'data type').choices(['all', 'config', 'state', 'operational']).default('all'))
    .action(async (flags: GetFlags, cmd: Command) => {
      ctx.exitCode = await withClient(ctx, cmd, flags, async ({ client, source }) => {
        const notifications = await client.get({
          prefix: flags.prefix,
          paths: flags.path,
          type: flags.type.toUpperCase() as GnmiDataType,
          encoding: wireEncoding(flags.encoding),
        });
        ctx.io.stdout.write(`${jsonText(notifications.map((n) => notificationMsg(n, source)))}\n`);
        return EXIT_OK;
      });
    });

  withConnectionFlags(gnmi.command('set').description('one SetRequest (deletes, replaces, updates: all or nothing); prints the SetResponse as JSON'))
    .option('--update-path <path>', 'path to update (repeatable, paired in order with --update-value)', collect(parsePathArg), [])
    .option('--update-value <value>', 'JSON (or plain text, or @file.json) to merge at --update-path', collect(String), [])
    .option('--replace-path <path>', 'path to replace (repeatable, paired in order with --replace-value)', collect(parsePathArg), [])
    .option('--replace-value <value>', 'JSON (or plain text, or @file.json) that becomes the whole subtree', collect(String), [])
    .option('--delete <path>', 'path to delete (repeatable)', collect(parsePathArg), [])
    .option('--prefix <path>', 'prefix of every path', parsePathArg)
    .action(async (flags: SetFlags, cmd: Command) => {
      const update = pairOperations(flags.updatePath, flags.updateValue, 'update', flags.encoding);
      const replace = pairOperations(flags.replacePath, flags.replaceValue, 'replace', flags.encoding);
      if (update.length + replace.length + flags.delete.length === 0) {
        throw new UsageError('nothing to set: give --update-path/--update-value, --replace-path/--replace-value or --delete');
      }
      ctx.exitCode = await withClient(ctx, cmd, flags, async ({ client, source }) => {
        const res = await client.set({ prefix: flags.prefix, delete: flags.delete, replace, update });
        ctx.io.stdout.write(`${jsonText(setResponseMsg(res, source))}\n`);
        return EXIT_OK;
      });
    });

  withConnectionFlags(gnmi.command('subscribe').description('subscribe; prints one JSON notification per line, and {"sync-response":true} at each sync'))
    .requiredOption('--path <path>', 'path to subscribe to (repeatable)', collect(parsePathArg))
    .option('--prefix <path>', 'prefix of every path', parsePathArg)
    .addOption(new Option('--mode <mode>', 'subscription list mode').choices(['stream', 'once', 'poll']).default('stream'))
    .addOption(new Option('--stream-mode <mode>', 'mode of each subscription in stream mode').choices(['sample', 'on_change', 'target_defined']).default('target_defined'))
    .option('--sample-interval <duration>', 'SAMPLE interval (stream mode); the poll period (poll mode)', parseDurationArg)
    .option('--heartbeat-interval <duration>', 'send values at least this often even when unchanged', parseDurationArg)
    .option('--suppress-redundant', 'SAMPLE: skip values that did not change')
    .option('--updates-only', 'no initial values: only changes after the sync')
    .option('--count <n>', 'stop after n notifications', parseCount)
    .addHelpText('after', '\nStops on Ctrl-C (exit 0). --mode once exits after the sync. --mode poll polls every --sample-interval, or on Enter at a terminal.')
    .action(async (flags: SubscribeFlags, cmd: Command) => {
      const stdin = flags.mode === 'poll' && flags.sampleInterval === undefined ? (deps.stdin ?? process.stdin) : undefined;
      if (stdin && !stdin.isTTY) {
        throw new UsageError('--mode poll needs --sample-interval when stdin is not a terminal (at a terminal, Enter polls)');
      }
      if (flags.sampleInterval === 0n && flags.mode === 'poll') throw new UsageError('--sample-interval must be above 0 in poll mode');
      ctx.exitCode = await withClient(ctx, cmd, flags, (s) => subscribe(s, flags, ctx, deps, stdin));
    });
}

function subscribe(
  { client, source, timeoutMs }: Session,
  flags: SubscribeFlags,
  ctx: CommandContext,
  deps: GnmiDeps,
  pollStdin: NodeJS.ReadableStream | undefined,
): Promise<number> {
  const { io } = ctx;
  const streamMode = flags.streamMode.toUpperCase() as SubscriptionSpec['mode'];
  const subscriptions: SubscriptionSpec[] = flags.path.map((path) => {
    const spec: SubscriptionSpec = { path };
    if (flags.mode !== 'stream') return spec;
    spec.mode = streamMode;
    if (flags.sampleInterval !== undefined) spec.sampleIntervalNs = flags.sampleInterval;
    if (flags.heartbeatInterval !== undefined) spec.heartbeatIntervalNs = flags.heartbeatInterval;
    if (flags.suppressRedundant) spec.suppressRedundant = true;
    return spec;
  });
  const sub = client.subscribe({
    prefix: flags.prefix,
    subscriptions,
    mode: flags.mode.toUpperCase() as 'STREAM' | 'ONCE' | 'POLL',
    encoding: wireEncoding(flags.encoding),
    updatesOnly: flags.updatesOnly === true,
  });
  const pollMs = flags.mode === 'poll' && flags.sampleInterval !== undefined ? Number(flags.sampleInterval / 1_000_000n) : undefined;
  return new Promise<number>((resolve) => {
    let printed = 0;
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    const lines = pollStdin ? createInterface({ input: pollStdin }) : undefined;
    const poll = () => {
      sub.poll().catch(() => {
        // Failures of the stream arrive as its 'error' event; a poll still in progress is simply skipped.
      });
    };
    const finish = (code: number, message?: string) => {
      if (finished) return;
      finished = true;
      if (message) io.stderr.write(`${message}\n`);
      clearTimeout(timer);
      lines?.close();
      deps.signals.removeListener('SIGINT', onSignal);
      deps.signals.removeListener('SIGTERM', onSignal);
      sub.cancel();
      resolve(code);
    };
    const onSignal = () => finish(EXIT_OK);
    deps.signals.once('SIGINT', onSignal);
    deps.signals.once('SIGTERM', onSignal);
    sub.on('notification', (n: GnmiNotification) => {
      if (finished) return;
      io.stdout.write(`${jsonText(notificationMsg(n, source), 0)}\n`);
      printed++;
      if (flags.count !== undefined && printed >= flags.count) finish(EXIT_OK);
    });
    sub.on('sync', () => {
      if (finished) return;
      io.stdout.write(SYNC_LINE);
      if (flags.mode === 'once') finish(EXIT_OK);
      else if (pollMs !== undefined) timer = setTimeout(poll, pollMs);
    });
    sub.on('error', (e: GnmiError) => finish(EXIT_FAILURE, `error: ${describeGnmiError(e, source, timeoutMs)}`));
    sub.on('end', () => finish(EXIT_FAILURE, `error: ${source} ended the subscription${flags.mode === 'once' ? ' before its sync_response' : ''}`));
    if (lines) {
      io.stderr.write('press Enter to poll, Ctrl-C to stop\n');
      lines.on('line', poll);
    }
  });
}
