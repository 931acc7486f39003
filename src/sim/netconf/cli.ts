/** `cnsdn-sim netconf`: serve simulated NETCONF devices until SIGTERM/SIGINT. */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { SimIo } from '../gnmi/cli.js';
import { expandInterfaces } from '../gnmi/interface-spec.js';
import type { HostKeyType } from './hostkey.js';
import type { YangLibraryVersion } from './library.js';
import { DEFAULT_MAX_MESSAGE_BYTES_SIM, startNetconfSim } from './run.js';
import { type NetconfUser, parseNetconfUser } from './users.js';

interface NetconfCliOptions {
  host: string;
  port: number;
  count: number;
  user: NetconfUser[];
  hostKey?: string;
  hostKeyType: HostKeyType;
  interfaces: string[];
  namePrefix: string;
  writableRunning?: boolean;
  yangLibrary?: YangLibraryVersion;
  maxMessageBytes: number;
}

const integer = (name: string, min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer in ${min}..${max}`);
  return n;
};

const asArg = <T>(fn: (v: string) => T) => (v: string) => {
  try {
    return fn(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};

export async function serveNetconf(opts: NetconfCliOptions, io: SimIo): Promise<void> {
  let onSignal = () => {};
  const stopped = new Promise<void>((resolve) => {
    onSignal = () => resolve();
    io.signals.on('SIGINT', onSignal);
    io.signals.on('SIGTERM', onSignal);
  });
  try {
    const sim = await startNetconfSim({
      host: opts.host,
      port: opts.port,
      count: opts.count,
      users: opts.user,
      hostKeyFile: opts.hostKey,
      hostKeyType: opts.hostKeyType,
      interfaces: opts.interfaces,
      namePrefix: opts.namePrefix,
      writableRunning: opts.writableRunning,
      yangLibrary: opts.yangLibrary,
      maxMessageBytes: opts.maxMessageBytes,
    });
    if (opts.hostKey) io.stderr.write(`host key ${opts.hostKey} (${sim.hostKey.publicKey.split(' ')[0]})\n`);
    for (const d of sim.devices) {
      io.stdout.write(`netconf device ${d.name} listening on ${d.address} (fingerprint ${sim.hostKey.fingerprint})\n`);
    }
    await stopped;
    await sim.close();
  } finally {
    io.signals.off('SIGINT', onSignal);
    io.signals.off('SIGTERM', onSignal);
  }
}

export function netconfCommand(io: SimIo): Command {
  return new Command('netconf')
    .description('serve simulated NETCONF devices over SSH (OpenConfig running + candidate datastores) on consecutive ports')
    .option('--host <addr>', 'listen address', '127.0.0.1')
    .option('--port <n>', 'port of the first device (0: a free port each)', integer('--port', 0, 65535), 830)
    .option('--count <k>', 'number of devices (ports port..port+k-1)', integer('--count', 1, 10000), 1)
    .addOption(
      new Option('--user <NAME:PASS>', 'a login (repeatable; at least one: there is no default password)')
        .argParser((v: string, acc: NetconfUser[]) => [...acc, asArg(parseNetconfUser)(v)])
        .default([], 'none'),
    )
    .option('--host-key <file>', 'SSH host key: loaded when the file exists, else generated and saved there')
    .addOption(new Option('--host-key-type <type>', 'type of a generated host key').choices(['ed25519', 'rsa']).default('ed25519'))
    .addOption(
      new Option('--interfaces <list>', 'interfaces of every device, ranges allowed')
        .argParser(asArg(expandInterfaces))
        .default(expandInterfaces('Ethernet1-4'), 'Ethernet1-4'),
    )
    .option('--name-prefix <p>', 'device i is named <p><i>', 'sim')
    .option('--writable-running', 'also offer :writable-running (edit-config and copy-config on running)')
    .addOption(
      new Option(
        '--yang-library <version>',
        'announce the models only through the YANG library, not in the hello: 1.0 (RFC 7895 modules-state) or 1.1 (RFC 8525 yang-library, NMDA)',
      ).choices(['1.0', '1.1']),
    )
    .option('--max-message-bytes <n>', 'largest request accepted', integer('--max-message-bytes', 1024, 1024 ** 3), DEFAULT_MAX_MESSAGE_BYTES_SIM)
    .action(async (opts: NetconfCliOptions) => {
      if (opts.user.length === 0) throw new Error('no --user given: the simulator has no default password (add --user NAME:PASS)');
      await serveNetconf(opts, io);
    });
}
