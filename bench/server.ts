/** Runs `cnsdn serve` as a child process and watches it from outside (readiness, RSS). */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const live = new Set<ChildProcess>();

/** Last-resort cleanup: no child may outlive the bench, whatever way it ends. */
function killAll(): void {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    killAll();
    process.exit(130);
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface ServerOptions {
  repoDir: string;
  dataDir: string;
  databaseUrl?: string;
  /** Directory for a V8 CPU profile of the whole server run (node --cpu-prof). */
  cpuProfDir?: string;
  logFile: string;
  /** Extra environment for the controller. */
  env?: Record<string, string>;
  /** Node flags before the script (default: those on bin/cnsdn.js's shebang line, as `cnsdn` runs). */
  nodeArgs?: string[];
}

/** The node flags a `#!/usr/bin/env -S node FLAGS` line gives the script. */
export function shebangNodeArgs(script: string): string[] {
  const first = readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\S*env\s+-S\s+node\s+(.*)$/.exec(first);
  return m ? m[1]!.trim().split(/\s+/).filter(Boolean) : [];
}

export interface ServerHandle {
  url: string;
  pid: number;
  /** Resident set size in MiB, and the peak so far (VmHWM). */
  memory(): { rssMiB: number; hwmMiB: number };
  /** CPU time (user + system) the controller process has used so far, in ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

function statusField(pid: number, field: string): number {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]) / 1024;
}

const CLOCK_TICKS_PER_S = 100;

/** utime + stime of a process from /proc/PID/stat (fields 14 and 15, after the parenthesised name). */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
}

export async function startServer(opts: ServerOptions, readyTimeoutMs = 60_000): Promise<ServerHandle> {
  const port = await freePort();
  const script = join(opts.repoDir, 'bin/cnsdn.js');
  const nodeArgs = [...(opts.nodeArgs ?? shebangNodeArgs(script)), ...(opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [])];
  const env: NodeJS.ProcessEnv = { ...process.env, CNSDN_RATE_LIMIT: '0', CNSDN_SOUTHBOUND_ALLOW: '127.0.0.0/8' };
  delete env.DATABASE_URL;
  delete env.NATS_URL;
  delete env.CNSDN_ADMIN_TOKEN;
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  Object.assign(env, opts.env);
  const child = spawn(process.execPath, [...nodeArgs, script, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data', opts.dataDir], {
    cwd: opts.repoDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const log = createWriteStream(opts.logFile);
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const pid = child.pid!;

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      // A CPU profile is written on a clean exit; give it time, then stop waiting.
      const done = await Promise.race([exited.then(() => true), sleep(30_000).then(() => false)]);
      if (!done) child.kill('SIGKILL');
      await exited;
    }
    live.delete(child);
    log.end();
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode} before ready (log: ${opts.logFile})`);
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`server not ready within ${readyTimeoutMs} ms (log: ${opts.logFile})`);
    }
    await sleep(200);
  }
  return {
    url,
    pid,
    memory: () => ({ rssMiB: statusField(pid, 'VmRSS'), hwmMiB: statusField(pid, 'VmHWM') }),
    cpuMs: () => cpuMsOf(pid),
    stop,
  };
}
