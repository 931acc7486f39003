/** Processes of the lab, each started inside its namespace with its output in a log file. */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { type Host, ns } from './topology.js';

export interface Proc {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

export class Procs {
  private readonly procs = new Map<string, Proc>();
  constructor(private readonly logDir: string) {}

  /** Starts `cmd` in host `h`'s namespace; `asUser` drops root (setpriv execs, so the pid is the program's). */
  start(name: string, h: Host, cmd: string[], opts: { env?: NodeJS.ProcessEnv; asUser?: string; cwd?: string } = {}): Proc {
    if (this.running(name)) throw new Error(`${name} is already running`);
    const drop = opts.asUser ? ['setpriv', `--reuid=${opts.asUser}`, `--regid=${opts.asUser}`, '--init-groups', '--'] : [];
    const fd = openSync(join(this.logDir, `${name}.log`), 'a');
    const child = spawn('ip', ['netns', 'exec', ns(h), ...drop, ...cmd], {
      env: { ...process.env, ...opts.env },
      cwd: opts.cwd,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const proc = { name, child, exited };
    this.procs.set(name, proc);
    return proc;
  }

  get(name: string): Proc | undefined {
    return this.procs.get(name);
  }

  running(name: string): boolean {
    const p = this.procs.get(name);
    return p !== undefined && p.child.exitCode === null && p.child.signalCode === null;
  }

  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL', waitMs = 15_000): Promise<void> {
    const p = this.procs.get(name);
    if (!p || !this.running(name)) return;
    p.child.kill(signal);
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), waitMs).unref());
    if ((await Promise.race([p.exited, timer])) === 'timeout') {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  }

  /** Controller replicas first (they release their leases), then the services under them. */
  async stopAll(): Promise<void> {
    const names = [...this.procs.keys()];
    await Promise.all(names.filter((n) => n.startsWith('cnsdn-')).map((n) => this.kill(n, 'SIGTERM', 10_000)));
    await Promise.all(names.filter((n) => !n.startsWith('cnsdn-')).map((n) => this.kill(n, 'SIGTERM', 5000)));
  }
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await sleep(everyMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
