/**
 * `cnsdn netconf hello|get|get-config|edit-config|copy-config|delete-config|lock|unlock|commit|
 * cancel-commit|discard|validate|kill-session|close-session`: a NETCONF client like netconf-console.
 */
import { type Command, Option } from 'commander';
import { type ConfigSource, type DataReply, type Datastore, NetconfClient, NetconfError, isElement } from '../../protocols/netconf/index.js';
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
  source: Datastore;
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
  persist?: string;
  persistId?: string;
}

interface SourceFlags extends NetconfFlags {
  source?: Datastore;
  file?: string;
  target?: Datastore;
}

const DATASTORES = ['running', 'candidate', 'startup'];
/** A location step that is a bare name: `/name`, `/name[`, `/name/` (not `/p:name`, not a function or axis). */
const UNPREFIXED_STEP = /(^|\/)[A-Za-z_][\w.-]*(?=$|\/|\[)/;

const OK_XML = '<ok/>\n';

function withConnection(cmd: Command): Command {
  return cmd
    .requiredOption('--host <host>', 'device address')
    .option('--port <port>', `NETCONF over SSH port (default ${DEFAULT_NETCONF_PORT})`, parsePort, DEFAULT_NETCONF_PORT)
    .option('-u, --username <name>', 'SSH username (env CNSDN_NETCONF_USERNAME)')
    .option('-p, --password <pass>', 'SSH password (env CNSDN_NETCONF_PASSWORD keeps it out of shell history)')
    .option('--key <file>', 'SSH private key instead of (or besides) a password')
    .option('--key-passphrase <pass>', 'passphrase of an encrypted --key (env CNSDN_NETCONF_KEY_PASSPHRASE keeps it out of shell history)')
    .option('--known-hosts <file>', "check the device's host key against this known_hosts file (default: ~/.ssh/known_hosts when it exists)")
    .option('--fingerprint <SHA256:...>', "check the device's host key against this fingerprint")
    .option('--no-hostkey-check', "accept any host key (insecure: anyone on the path can pose as the device)")
    .addHelpText('after', '\nThe global --timeout (default here 30s) bounds connecting and each operation.');
}

function targetOption(what: string): Option {
  return new Option('--target <datastore>', `${what} (default: candidate when the device offers it, else running)`).choices(DATASTORES);
}

/** A datastore (--source) or the configuration of a file (--file), exactly one of them. */
function sourceOf(f: SourceFlags, fallback: Datastore | undefined): ConfigSource {
  if (f.source !== undefined && f.file !== undefined) throw new UsageError('--source and --file exclude each other');
  if (f.file !== undefined) return { config: configFromFile(f.file) };
  const source = f.source ?? fallback;
  if (source === undefined) throw new UsageError('give --source DATASTORE or --file CONFIG.xml');
  return source;
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
  const netconf = program
    .command('netconf')
    .description('NETCONF client for devices (RFC 6241 over SSH): every operation, printing <data> or <ok/> as XML, rpc-errors on stderr');

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

  /** Prints <data>; an XPath with unprefixed names that selected nothing gets a hint on stderr (XPath 1.0 reads them as no namespace; some devices, netconfd among them, resolve them anyway). */
  const printData = (f: ReadFlags, data: DataReply): string => {
    if (f.filter !== undefined && !f.filter.trim().startsWith('<') && !data.element.children.some(isElement) && UNPREFIXED_STEP.test(f.filter)) {
      ctx.io.stderr.write(
        'hint: nothing selected; a name without a prefix matches no namespace on many devices: prefix each name with its module (e.g. /ietf-interfaces:interfaces) or bind a prefix with --ns\n',
      );
    }
    return prettyXml(data.element);
  };

  readCommand('get', 'read configuration and state; prints <data> as XML').action(
    action<ReadFlags>(async (c, f) => printData(f, await c.get({ filter: filterOf(f.filter, f.ns, c.capabilities) }))),
  );

  readCommand('get-config', 'read a configuration datastore; prints <data> as XML')
    .addOption(new Option('--source <datastore>', 'datastore to read').choices(DATASTORES).default('running'))
    .action(action<ReadFlags>(async (c, f) => printData(f, await c.getConfig(f.source, { filter: filterOf(f.filter, f.ns, c.capabilities) }))));

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

  withConnection(netconf.command('copy-config').description('copy a datastore, or the configuration of a file, onto a datastore'))
    .addOption(new Option('--source <datastore>', 'datastore to copy from').choices(DATASTORES))
    .option('--file <config.xml>', 'configuration to copy (elements, or a <config> or <data> element around them)')
    .addOption(new Option('--target <datastore>', 'datastore to overwrite').choices(DATASTORES).makeOptionMandatory())
    .action(
      action<SourceFlags>(async (c, f) => {
        await c.copyConfig(f.target as Datastore, sourceOf(f, undefined));
        return OK_XML;
      }),
    );

  withConnection(netconf.command('delete-config').description('delete a datastore (candidate or startup; never running)'))
    .addOption(new Option('--target <datastore>', 'datastore to delete').choices(['candidate', 'startup']).makeOptionMandatory())
    .action(
      action<TargetFlags>(async (c, f) => {
        await c.deleteConfig(f.target as Datastore);
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

  const persistId = (v: string) => {
    if (v.trim() === '') throw new UsageError('a persist id must not be empty');
    return v;
  };

  withConnection(netconf.command('commit').description('commit the candidate to running'))
    .option('--confirmed', 'confirmed commit: rolled back unless confirmed by another commit in time')
    .option('--confirm-timeout <seconds>', 'seconds before an unconfirmed commit rolls back (default 600); implies --confirmed', (v: string) => {
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError('--confirm-timeout must be a whole number of seconds ≥ 1');
      return Number(v);
    })
    .option('--persist <id>', 'make the confirmed commit outlive this session; confirm or cancel it later with --persist-id ID; implies --confirmed', persistId)
    .option('--persist-id <id>', 'confirm (or, with --confirmed, extend) the persistent confirmed commit made with --persist ID', persistId)
    .action(
      action<CommitFlags>(async (c, f) => {
        const confirmed = f.confirmed === true || f.confirmTimeout !== undefined || f.persist !== undefined;
        await c.commit({ confirmed, confirmTimeout: f.confirmTimeout, persist: f.persist, persistId: f.persistId });
        return OK_XML;
      }),
    );

  withConnection(netconf.command('cancel-commit').description('cancel an ongoing confirmed commit (running goes back to before it)'))
    .option('--persist-id <id>', 'the persistent confirmed commit to cancel (made with commit --persist ID)', persistId)
    .action(
      action<{ persistId?: string } & NetconfFlags>(async (c, f) => {
        await c.cancelCommit({ persistId: f.persistId });
        return OK_XML;
      }),
    );

  withConnection(netconf.command('discard').description('discard the uncommitted changes of the candidate')).action(
    action(async (c) => {
      await c.discardChanges();
      return OK_XML;
    }),
  );

  withConnection(netconf.command('validate').description('validate a datastore or the configuration of a file (needs :validate)'))
    .addOption(new Option('--source <datastore>', 'datastore to validate (default: candidate when offered, else running)').choices(DATASTORES))
    .option('--file <config.xml>', 'configuration to validate instead of a datastore')
    .action(
      action<SourceFlags>(async (c, f) => {
        await c.validate(sourceOf(f, f.file === undefined ? defaultTarget(c, undefined) : undefined));
        return OK_XML;
      }),
    );

  withConnection(netconf.command('kill-session').description('end another NETCONF session (its locks are released, its confirmed commit rolled back)'))
    .requiredOption('--session-id <id>', 'session-id of the session to end (as `hello` prints it, or a lock-denied error names it)', (v: string) => {
      if (!/^[1-9]\d{0,9}$/.test(v) || Number(v) > 4294967295) throw new UsageError('--session-id must be an integer in 1..4294967295');
      return Number(v);
    })
    .action(
      action<{ sessionId: number } & NetconfFlags>(async (c, f) => {
        await c.killSession(f.sessionId);
        return OK_XML;
      }),
    );

  withConnection(netconf.command('close-session').description('open a session and end it with <close-session/> (checks that the device closes sessions cleanly)')).action(
    action(async (c, _f, timeoutMs) => {
      await c.closeSession(timeoutMs);
      return OK_XML;
    }),
  );
}
