/**
 * Child processes of the service benches: simulated gNMI routers (`cnsdn-sim gnmi`, plaintext)
 * and a controller alone in its own process (the bench file run again with `--controller`), so
 * the routers, the controller and the client never share an event loop. The controller runs
 * from dist/ when CNSDN_USE_DIST=1 and a build is there, else from src/ through tsx. YANG checks
 * of Sets (controller and simulator) are as the product ships them, on, unless the caller asks
 * for `validate: false` (CNSDN_YANG_VALIDATE=0: the comparison figure) or the environment turns
 * them off. Both children are told where the shared OpenConfig models are (CNSDN_SHARED_DIR),
 * so that a simulator run from dist/ validates too. With CNSDN_BENCH_CPU_PROF=DIR each writes a
 * V8 CPU profile there (routers under DIR/routers). When it stops it prints its CPU time and,
 * with CNSDN_SERVICE_SPANS=1, the service layer's timing spans (JSON lines on stderr, which
 * `stop` returns); the YANG hooks' warnings (models missing, a change sent unvalidated) are
 * printed as they come.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GnmiClient } from '../src/protocols/gnmi/index.js';

const REPO = new URL('..', import.meta.url).pathname;

/** Whether the children validate Sets against the YANG models: undefined = as the environment says (default on). */
export interface ChildOptions {
  validate?: boolean;
}

/** The environment of a child: the models' location, and validation as asked. */
function childEnv(opts: ChildOptions, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  const shared = join(REPO, '..', 'shared');
  if (env.CNSDN_SHARED_DIR === undefined && existsSync(shared)) env.CNSDN_SHARED_DIR = shared;
  if (opts.validate !== undefined) env.CNSDN_YANG_VALIDATE = opts.validate ? '1' : '0';
  return env;
}

export function waitLine(child: ChildProcess, pattern: RegExp, count: number, what: string, ms = 60_000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const found: string[] = [];
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${ms / 1000} s`)), ms);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      for (const m of out.matchAll(new RegExp(pattern, 'g'))) if (!found.includes(m[1]!)) found.push(m[1]!);
      if (found.length >= count) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}`));
    });
  });
}

export interface Child {
  pid: number | undefined;
  /** Stops the process (SIGTERM); resolves with the JSON lines it wrote on stderr. */
  stop(): Promise<Record<string, unknown>[]>;
  /** Controller only: its CPU time and spans since the last mark (or its start), then starts again from zero. */
  mark(): Promise<Record<string, unknown>>;
}

function child(proc: ChildProcess): Child {
  const lines: Record<string, unknown>[] = [];
  const marks: Array<(line: Record<string, unknown>) => void> = [];
  let err = '';
  proc.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    let nl = err.indexOf('\n');
    while (nl >= 0) {
      const line = err.slice(0, nl);
      err = err.slice(nl + 1);
      if (line.startsWith('{')) {
        try {
          const o = JSON.parse(line) as Record<string, unknown>;
          if (o.kind === 'mark' && marks.length > 0) marks.shift()!(o);
          else {
            lines.push(o);
            if (o.component === 'yang') process.stderr.write(`${line}\n`);
          }
        } catch {
          process.stderr.write(`${line}\n`);
        }
      } else if (line.trim()) process.stderr.write(`${line}\n`);
      nl = err.indexOf('\n');
    }
  });
  return {
    pid: proc.pid,
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve(lines);
        proc.once('exit', () => resolve(lines));
        proc.kill('SIGTERM');
      }),
    mark: () =>
      new Promise((resolve) => {
        marks.push(resolve);
        proc.kill('SIGUSR2');
      }),
  };
}

/** `count` routers r0.. (or with another prefix) in one process; resolves with their ports. */
export async function startRouters(count: number, interfaces: string, prefix = 'r', opts: ChildOptions = {}): Promise<Child & { ports: number[] }> {
  const prof = process.env.CNSDN_BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', join(process.env.CNSDN_BENCH_CPU_PROF, 'routers')] : [];
  const proc = spawn(process.execPath, [...prof, join(REPO, 'bin', 'cnsdn-sim.js'), 'gnmi', '--port', '0', '--count', String(count), '--insecure', '--interfaces', interfaces, '--hostname-prefix', prefix], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv(opts),
  });
  const c = child(proc);
  const ports = (await waitLine(proc, /listening on 127\.0\.0\.1:(\d+)/, count, 'cnsdn-sim gnmi')).map(Number);
  return { ...c, ports };
}

/** Until the router refuses a Set with a bad value (its models compiled, its check on); throws after 60 s. */
export async function routerRefusesBadSet(port: number): Promise<string> {
  const client = await GnmiClient.connect({ address: `127.0.0.1:${port}`, tls: 'insecure' });
  try {
    const until = Date.now() + 60_000;
    for (;;) {
      // The tops of the service's Sets (interfaces, network-instances): the set of models they compile.
      const err = await client
        .set({
          update: [
            { path: '/interfaces/interface[name=Ethernet3]/config', value: { kind: 'json_ietf', value: { name: 'Ethernet3', mtu: 'not-a-number' } } },
            { path: '/network-instances/network-instance[name=probe]/config', value: { kind: 'json_ietf', value: { name: 'probe' } } },
          ],
        })
        .then(
          () => undefined,
          (e: Error) => e,
        );
      if (err && /INVALID_ARGUMENT/.test(err.message)) return err.message;
      if (err) throw err;
      if (Date.now() > until) throw new Error(`router on port ${port} still accepts an invalid Set after 60 s: its YANG check is off`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    client.close();
  }
}

/** The controller in its own process (rate limit, lag shedding and telemetry off); resolves with its URL. */
export async function startControllerChild(benchFile: string, opts: ChildOptions = {}): Promise<Child & { url: string }> {
  const prof = process.env.CNSDN_BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.CNSDN_BENCH_CPU_PROF] : [];
  const proc = spawn(process.execPath, [...prof, '--import', 'tsx', benchFile, '--controller'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv(opts, { CNSDN_RATE_LIMIT: '0', CNSDN_SHED_LAG_MS: '0', CNSDN_TELEMETRY_INTERVAL_S: '0', CNSDN_SOUTHBOUND_ALLOW: '127.0.0.0/8' }),
  });
  const c = child(proc);
  const [url] = await waitLine(proc, /controller (http:\/\/\S+)/, 1, 'controller');
  return { ...c, url: url! };
}

/** Child mode (`--controller`): runs the controller, prints its URL, reports CPU and spans when stopped. */
export async function runControllerChild(name: string): Promise<void> {
  const fromDist = process.env.CNSDN_USE_DIST === '1' && existsSync(join(REPO, 'dist', '.build-stamp'));
  const base = fromDist ? join(REPO, 'dist', 'src') : join(REPO, 'src');
  const ext = fromDist ? 'js' : 'ts';
  const { startController } = (await import(join(base, 'app', `index.${ext}`))) as typeof import('../src/app/index.js');
  const { serviceSpans } = (await import(join(base, 'service', `spans.${ext}`))) as typeof import('../src/service/spans.js');
  const c = await startController({ host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), `cnsdn-${name}-`)), logLevel: 'silent', southboundAllow: '127.0.0.0/8' });
  let start = process.cpuUsage();
  const report = (kind: string) => {
    const cpu = process.cpuUsage(start);
    return { kind, from: fromDist ? 'dist' : 'tsx', cpu_user_ms: Math.round(cpu.user / 1000), cpu_system_ms: Math.round(cpu.system / 1000), ...(serviceSpans.enabled ? { spans: serviceSpans.summary() } : {}) };
  };
  const line = (o: unknown) => process.stderr.write(`${JSON.stringify(o)}\n`);
  process.stdout.write(`controller ${c.url}\n`);
  process.on('SIGTERM', () => {
    line(report('stop'));
    void c.close().then(() => process.exit(0));
  });
  // The bench marks where a measured part starts and ends: CPU and spans since the last mark.
  process.on('SIGUSR2', () => {
    line(report('mark'));
    serviceSpans.reset();
    start = process.cpuUsage();
  });
}
