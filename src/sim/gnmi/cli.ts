/** `cnsdn-sim gnmi`: serve simulated gNMI targets until SIGTERM/SIGINT. */
import type { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { netconfCommand } from '../netconf/cli.js';
import { expandInterfaces } from './interface-spec.js';
import { type GnmiSim, startGnmiSim } from './run.js';
import { parseUser, type SimUser } from './users.js';

export interface SimIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  /** Emits 'SIGINT' / 'SIGTERM' (the process, or a test double). */
  signals: EventEmitter;
}

export interface GnmiCliOptions {
  host: string;
  port: number;
  count: number;
  insecure?: boolean;
  tlsDir?: string;
  mtls?: boolean;
  user: SimUser[];
  interfaces: string[];
  hostnamePrefix: string;
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

/**
 * Starts the targets, prints one ready line per target on stdout, and resolves when a signal
 * has stopped them. A temporary PKI directory (TLS without --tls-dir) is removed on exit.
 */
export async function serveGnmi(opts: GnmiCliOptions, io: SimIo): Promise<void> {
  if (opts.insecure && opts.tlsDir) throw new Error('--insecure and --tls-dir exclude each other');
  if (opts.insecure && opts.mtls) throw new Error('--mtls needs TLS (drop --insecure)');
  // Listening before start-up: a signal that arrives while ports are opening still ends cleanly.
  let onSignal = () => {};
  const stopped = new Promise<void>((resolve) => {
    onSignal = () => resolve();
    io.signals.on('SIGINT', onSignal);
    io.signals.on('SIGTERM', onSignal);
  });
  try {
    await serveUntil(opts, io, stopped);
  } finally {
    io.signals.off('SIGINT', onSignal);
    io.signals.off('SIGTERM', onSignal);
  }
}

async function serveUntil(opts: GnmiCliOptions, io: SimIo, stopped: Promise<void>): Promise<void> {
  const tempDir = opts.insecure || opts.tlsDir ? undefined : await mkdtemp(join(tmpdir(), 'cnsdn-sim-pki-'));
  const dir = opts.tlsDir ?? tempDir;
  let sim: GnmiSim;
  try {
    sim = await startGnmiSim({
      host: opts.host,
      port: opts.port,
      count: opts.count,
      tls: dir ? { dir, requireClientCert: opts.mtls === true } : 'insecure',
      users: opts.user,
      interfaces: opts.interfaces,
      hostnamePrefix: opts.hostnamePrefix,
    });
  } catch (err) {
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    throw err;
  }
  if (sim.pki) io.stderr.write(`TLS: trust the CA in ${sim.pki.caCert} (client certificate ${sim.pki.clientCert})\n`);
  if (opts.user.length === 0) io.stderr.write('no --user given: any username/password is accepted read-write\n');
  const mode = sim.pki ? 'tls' : 'insecure';
  for (const t of sim.targets) io.stdout.write(`gnmi target ${t.name} listening on ${t.address} (${mode})\n`);
  await stopped;
  await sim.close();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
}

export function gnmiCommand(io: SimIo): Command {
  return new Command('gnmi')
    .description('serve simulated OpenConfig gNMI targets on consecutive ports (TLS with a generated CA unless --insecure)')
    .option('--host <addr>', 'listen address', '127.0.0.1')
    .option('--port <n>', 'port of the first target (0: a free port each)', integer('--port', 0, 65535), 57400)
    .option('--count <k>', 'number of targets (ports port..port+k-1)', integer('--count', 1, 10000), 1)
    .addOption(new Option('--insecure', 'plaintext gRPC (no TLS)').conflicts('tlsDir'))
    .option('--mtls', 'require client certificates signed by the CA')
    .option('--tls-dir <dir>', 'TLS files (ca.crt, server.crt/key, client.crt/key); generated there if absent')
    .addOption(
      new Option('--user <NAME:PASS:rw|ro>', 'a user and role (repeatable); without any, every login is read-write')
        .argParser((v: string, acc: SimUser[]) => [...acc, asArg(parseUser)(v)])
        .default([], 'none'),
    )
    .addOption(
      new Option('--interfaces <list>', 'interfaces of every target, ranges allowed')
        .argParser(asArg(expandInterfaces))
        .default(expandInterfaces('Ethernet1-4'), 'Ethernet1-4'),
    )
    .option('--hostname-prefix <p>', 'target i is named <p><i>', 'sim')
    .action(async (opts: GnmiCliOptions) => {
      await serveGnmi(opts, io);
    });
}

/** The `cnsdn-sim` program; resolves with the exit code. */
export async function runSim(argv: string[], io: SimIo): Promise<number> {
  const output = { writeOut: (s: string) => io.stdout.write(s), writeErr: (s: string) => io.stderr.write(s) };
  const program = new Command('cnsdn-sim')
    .description('device simulators for cnsdn tests, demos and scale runs')
    .exitOverride()
    .configureOutput(output)
    .addCommand(gnmiCommand(io).exitOverride().configureOutput(output))
    .addCommand(netconfCommand(io).exitOverride().configureOutput(output));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    const e = err as { code?: string; exitCode?: number; message?: string };
    if (e.code?.startsWith('commander.')) return e.exitCode ?? 1;
    io.stderr.write(`cnsdn-sim: ${e.message ?? String(err)}\n`);
    return 1;
  }
}
