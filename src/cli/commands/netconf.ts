/** `cnsdn netconf hello|get|get-config|edit-config|lock|unlock|commit|discard`: a NETCONF client like netconf-console. */
import { type Command, Option } from 'commander';
import { type Datastore, NetconfClient, NetconfError } from '../../protocols/netconf/index.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../io.js';
import { describeNetconfError, helloText, prettyXml } from './netconf-format.js';
import {
  DEFAULT_NETCONF_PORT,
  type NetconfFlags,
  configFromFile,
  connectOptions,
  filterOf,
  parsePort,
  timeoutOf,
} from './netconf-options.js';
import type { CommandContext } from './shared.js';

interface ReadFlags extends NetconfFlags {
  filter?: string;
  ns: string[];
  source: 'running' | 'candidate';
}

interface EditFlags extends NetconfFlags {
  target?: Datastore;
  file: string;
  defaultOperation?: 'merge' | 'replace' | 'none';
  testOption?: 'test-then-set' | 'set' | 'test-only';
  errorOption?: 'stop-on-error' | 'continue-on-error' | 'rollback-on-error';
}

interface TargetFlags extends NetconfFlags {
  target?: Datastore;
}

interface CommitFlags extends NetconfFlags {
  confirmed?: boolean;
  confirmTimeout?: number;
}

const OK_XML = '<ok/>\n';

function withConnection(cmd: Command): Command {
  return cmd
    .requiredOption('--host <host>', 'device address')
    .option('--port <port>', `NETCONF over SSH port (default ${DEFAULT_NETCONF_PORT})`, parsePort, DEFAULT_NETCONF_PORT)
    .option('-u, --username <name>', 'SSH username (env CNSDN_NETCONF_USERNAME)')
    .option('-p, --password <pass>', 'SSH password (env CNSDN_NETCONF_PASSWORD keeps it out of shell history)')
    .option('--key <file>', 'SSH private key instead of (or besides) a password')
    .option('--known-hosts <file>', "check the device's host key against this known_hosts file")
    .option('--fingerprint <SHA256:...>', "check the device's host key against this fingerprint")
    .option('--no-hostkey-check', "accept any host key (insecure: anyone on the path can pose as the device)")
    .addHelpText('after', '\nThe global --timeout (default here 30s) bounds connecting and each operation.');
}

function targetOption(what: string): Option {
  return new Option('--target <datastore>', `${what} (default: candidate when the device offers it, else running)`).choices(['running', 'candidate']);
}

function defaultTarget(client: NetconfClient, given: Datastore | undefined): Datastore {
  return given ?? (client.capabilities.candidate ? 'candidate' : 'running');
}

/** Connects, runs `fn`, closes; NETCONF failures become messages on stderr and exit code 1. */
async function withClient(ctx: CommandContext, cmd: Command, flags: NetconfFlags, fn: (c: NetconfClient, timeoutMs: number) => Promise<string>): Promise<number> {
  const timeoutMs = timeoutOf(cmd);
  const opts = connectOptions(flags, ctx.io.env, timeoutMs);
  let client: NetconfClient | undefined;
  try {
    client = await NetconfClient.connect(opts);
    ctx.io.stdout.write(await fn(client, timeoutMs));
    return EXIT_OK;
  } catch (e) {
    if (e instanceof NetconfError) {
      ctx.io.stderr.write(`${describeNetconfError(e)}\n`);
      return EXIT_FAILURE;
    }
    throw e;
  } finally {
    await client?.close(Math.min(timeoutMs, 2000)).catch(() => {});
  }
}

export function registerNetconf(program: Command, ctx: CommandContext): void {
  const netconf = program.command('netconf').description('NETCONF client for devices: hello, get, get-config, edit-config, lock, unlock, commit, discard');

  const action = <F extends NetconfFlags>(fn: (c: NetconfClient, flags: F, timeoutMs: number) => Promise<string>) =>
    async (flags: F, cmd: Command) => {
      ctx.exitCode = await withClient(ctx, cmd, flags, (c, t) => fn(c, flags, t));
    };

  withConnection(netconf.command('hello').description("print the device's session-id and capabilities")).action(
    action(async (c) => helloText(c.sessionId, c.capabilities, c.hostKeyFingerprint)),
  );

  const readCommand = (name: string, description: string) =>
    withConnection(netconf.command(name).description(description))
      .option('--filter <filter>', 'subtree filter (XML starting with <) or XPath (needs the :xpath capability)')
      .option('--ns <prefix=uri>', 'namespace of an XPath prefix (repeatable; module names are bound already)', (v: string, acc: string[]) => [...acc, v], []);

  readCommand('get', 'read configuration and state; prints <data> as XML').action(
    action<ReadFlags>(async (c, f) => prettyXml((await c.get({ filter: filterOf(f.filter, f.ns, c.capabilities) })).element)),
  );

  readCommand('get-config', 'read a configuration datastore; prints <data> as XML')
    .addOption(new Option('--source <datastore>', 'datastore to read').choices(['running', 'candidate']).default('running'))
    .action(
      action<ReadFlags>(async (c, f) => prettyXml((await c.getConfig(f.source, { filter: filterOf(f.filter, f.ns, c.capabilities) })).element)),
    );

  withConnection(netconf.command('edit-config').description('load a configuration into a datastore (then `commit` it on a candidate device)'))
    .addOption(targetOption('datastore to edit'))
    .requiredOption('--file <config.xml>', 'configuration: elements, or a <config> or <data> element around them')
    .addOption(new Option('--default-operation <op>', 'operation of elements without an operation attribute').choices(['merge', 'replace', 'none']))
    .addOption(new Option('--test-option <opt>', 'validation of the edit (needs :validate)').choices(['test-then-set', 'set', 'test-only']))
    .addOption(new Option('--error-option <opt>', 'what an error does to the rest of the edit').choices(['stop-on-error', 'continue-on-error', 'rollback-on-error']))
    .action(
      action<EditFlags>(async (c, f) => {
        const config = configFromFile(f.file);
        await c.editConfig(defaultTarget(c, f.target), config, {
          defaultOperation: f.defaultOperation,
          testOption: f.testOption,
          errorOption: f.errorOption,
        });
        return OK_XML;
      }),
    );

  for (const op of ['lock', 'unlock'] as const) {
    withConnection(netconf.command(op).description(`${op} a datastore (a lock lasts as long as this command's session)`))
      .addOption(targetOption(`datastore to ${op}`))
      .action(
        action<TargetFlags>(async (c, f) => {
          const target = defaultTarget(c, f.target);
          if (op === 'lock') await c.lock(target);
          else await c.unlock(target);
          return OK_XML;
        }),
      );
  }

  withConnection(netconf.command('commit').description('commit the candidate to running'))
    .option('--confirmed', 'confirmed commit: rolled back unless confirmed by another commit in time')
    .option('--confirm-timeout <seconds>', 'seconds before an unconfirmed commit rolls back (default 600)', (v: string) => {
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError('--confirm-timeout must be a whole number of seconds ≥ 1');
      return Number(v);
    })
    .action(
      action<CommitFlags>(async (c, f) => {
        await c.commit({ confirmed: f.confirmed === true || f.confirmTimeout !== undefined, confirmTimeout: f.confirmTimeout });
        return OK_XML;
      }),
    );

  withConnection(netconf.command('discard').description('discard the uncommitted changes of the candidate')).action(
    action(async (c) => {
      await c.discardChanges();
      return OK_XML;
    }),
  );
}
