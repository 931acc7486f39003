/** `cnsdn loadgen`: offered load in Erlang against a running controller (see loadgen.ts). */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { durationMs } from './commands/gnmi-options.js';
import { type CommandContext, clientFor, type GlobalOptions, printJson } from './commands/shared.js';
import { EXIT_FAILURE, EXIT_OK } from './io.js';
import { type LoadProgress, type LoadReport, REQUEST_KINDS, type RequestKind, runLoad } from './loadgen.js';

interface LoadgenOptions {
  erlang: number;
  holding: number;
  duration: number;
  requests?: number;
  kinds: RequestKind[];
  seed: number;
  context: string;
  prefix?: string;
  output: 'text' | 'json';
  failOnBlock?: boolean;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function whole(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

function duration(value: string): number {
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : durationMs(value);
  if (ms === undefined || !(ms > 0)) throw new InvalidArgumentError('expected a duration such as 10s, 500ms or 2m (a bare number is seconds)');
  return ms;
}

function kinds(value: string): RequestKind[] {
  const list = value.split(',').map((k) => k.trim());
  const bad = list.filter((k) => !(REQUEST_KINDS as readonly string[]).includes(k));
  if (bad.length > 0 || list.length === 0) throw new InvalidArgumentError(`use a comma-separated list of ${REQUEST_KINDS.join(', ')}`);
  return [...new Set(list)] as RequestKind[];
}

const pct = (r: number) => `${(r * 100).toFixed(2)} %`;

export function formatReport(r: LoadReport): string {
  const lat = (p: LoadReport['setup_ms']) => `p50 ${p.p50} ms, p90 ${p.p90} ms, p99 ${p.p99} ms, max ${p.max} ms (n=${p.n})`;
  const lines = [
    `offered ${r.offered_erlang} Erlang (${r.arrival_rate_per_s} arrivals/s × ${r.mean_holding_ms / 1000} s mean holding) for ${(r.duration_ms / 1000).toFixed(1)} s over ${r.edge_endpoints} edge endpoints`,
    `requests ${r.arrivals}: accepted ${r.accepted}, blocked ${r.blocked} (${pct(r.blocking_ratio)})${r.blocked ? ` — ${Object.entries(r.blocked_by).map(([k, n]) => `${k} ${n}`).join(', ')}` : ''}`,
    `carried ${r.carried_erlang} Erlang on average, at most ${r.max_held} held at once`,
    `setup    ${lat(r.setup_ms)}`,
    `teardown ${lat(r.teardown_ms)}${r.teardown_failures ? `, ${r.teardown_failures} failed` : ''}`,
  ];
  for (const [k, s] of Object.entries(r.by_kind)) lines.push(`  ${k}: accepted ${s.accepted}, blocked ${s.blocked}, setup p50 ${s.setup_ms.p50} ms, p99 ${s.setup_ms.p99} ms`);
  return `${lines.join('\n')}\n`;
}

export function registerLoadgen(program: Command, ctx: CommandContext): void {
  program
    .command('loadgen')
    .description('create and tear down services and slices between random edge endpoints at an offered load (Erlang), like TFS\'s load generator; reports setup latency and blocking')
    .option('--erlang <n>', 'offered load: arrival rate × mean holding time', positive, 10)
    .option('--holding <duration>', 'mean holding time (exponential)', duration, 10_000)
    .option('--duration <duration>', 'how long requests arrive (Poisson); then everything held is torn down', duration, 60_000)
    .option('--requests <n>', 'stop after this many arrivals', whole)
    .option('--kinds <list>', `request kinds, picked at random: ${REQUEST_KINDS.join(', ')}`, kinds, ['l2nm', 'l3nm'] as RequestKind[])
    .option('--seed <n>', 'seed of the random arrivals, holding times and endpoints', whole, 1)
    .option('--context <name>', 'context of the services', 'admin')
    .option('--prefix <text>', 'name prefix of the services and slices (default: lg<time>-)')
    .addOption(new Option('-o, --output <format>', 'report format').choices(['text', 'json']).default('text'))
    .option('--fail-on-block', 'exit 1 when any request was blocked')
    .action(async (opts: LoadgenOptions, cmd: Command) => {
      const { io } = ctx;
      const client = clientFor(cmd, io);
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const token = g.token ?? (io.env.CNSDN_TOKEN || io.env.CNSDN_ADMIN_TOKEN || undefined);
      const tty = io.progressStream?.isTTY ? io.progressStream : undefined;
      const onProgress = tty
        ? (p: LoadProgress) => {
            const line = `${(p.elapsedMs / 1000).toFixed(1)}/${(opts.duration / 1000).toFixed(0)} s  arrivals ${p.arrivals}  in setup ${p.inSetup}  held ${p.held}  accepted ${p.accepted}  blocked ${p.blocked}  setup p50 ${p.setupP50} ms p99 ${p.setupP99} ms`;
            tty.write(`\r\x1b[2K${line.slice(0, (tty.columns ?? 200) - 1)}`);
          }
        : undefined;
      const report = await runLoad(client, {
        erlang: opts.erlang,
        holdingMs: opts.holding,
        durationMs: opts.duration,
        ...(opts.requests !== undefined ? { maxRequests: opts.requests } : {}),
        kinds: opts.kinds,
        seed: opts.seed,
        context: opts.context,
        prefix: opts.prefix ?? `lg${Date.now().toString(36)}-`,
        ...(token ? { token } : {}),
        ...(onProgress ? { onProgress } : {}),
      });
      if (tty) tty.write('\r\x1b[2K');
      if (opts.output === 'json') printJson(io, report);
      else io.stdout.write(formatReport(report));
      ctx.exitCode = opts.failOnBlock && report.blocked > 0 ? EXIT_FAILURE : EXIT_OK;
    });
}
