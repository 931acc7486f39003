/** Child processes of the gNMI bench: the simulator, and /proc readings of any pid (CPU, RSS). */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const live = new Set<ChildProcess>();

/** No simulator may outlive the bench (bench/server.ts does the same for controllers, and exits on signals). */
process.on('exit', () => {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

const CLK_TCK = 100;

/** CPU seconds (user + system) a process (or several, summed) has used so far. */
export function procCpuSeconds(pid: number | readonly number[]): number {
  if (typeof pid !== 'number') return pid.reduce((sum, one) => sum + procCpuSeconds(one), 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Resident set size in MiB. */
export function procRssMiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

export interface SimOptions {
  repoDir: string;
  count: number;
  /** Interface spec, e.g. Ethernet1-8. */
  interfaces: string;
  /** TLS with the PKI in this directory (generated there); plaintext when absent. */
  tlsDir?: string;
  /** NAME:PASS:rw */
  user?: string;
  logFile: string;
  readyTimeoutMs?: number;
  /** Node options for the simulator process, e.g. ['--cpu-prof', '--cpu-prof-dir=DIR']. */
  nodeArgs?: string[];
}

export interface SimHandle {
  pid: number;
  ports: number[];
  stop(): Promise<void>;
}

/** Several simulator processes sharing `count` targets (so the offered rate is not bound by one core). */
export interface SimGroup {
  pids: number[];
  /** Taken in turn from each process, so the first K targets spread over all of them. */
  ports: number[];
  stop(): Promise<void>;
}

export async function startSims(opts: SimOptions, procs: number): Promise<SimGroup> {
  const n = Math.max(1, Math.min(procs, opts.count));
  const sizes = Array.from({ length: n }, (_, i) => Math.floor(opts.count / n) + (i < opts.count % n ? 1 : 0));
  const settled = await Promise.allSettled(sizes.map((count, i) => startSim({ ...opts, count, logFile: n === 1 ? opts.logFile : `${opts.logFile}.${i}` })));
  const handles = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stop = async () => {
    await Promise.all(handles.map((h) => h.stop()));
  };
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const ports: number[] = [];
  for (let i = 0; i < Math.max(...sizes); i++) for (const h of handles) if (i < h.ports.length) ports.push(h.ports[i]!);
  return { pids: handles.map((h) => h.pid), ports, stop };
}

/** `cnsdn-sim gnmi --port 0 --count K`: resolves once every target printed its ready line. */
export async function startSim(opts: SimOptions): Promise<SimHandle> {
  const args = [join(opts.repoDir, 'bin/cnsdn-sim.js'), 'gnmi', '--host', '127.0.0.1', '--port', '0', '--count', String(opts.count), '--interfaces', opts.interfaces];
  args.push(...(opts.tlsDir ? ['--tls-dir', opts.tlsDir] : ['--insecure']));
  if (opts.user) args.push('--user', opts.user);
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...args], { cwd: opts.repoDir, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const log = createWriteStream(opts.logFile);
  child.stderr!.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!done) child.kill('SIGKILL');
      await exited;
    }
    live.delete(child);
    log.end();
  };
  const ports: number[] = [];
  let buffered = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      buffered += b.toString();
      let nl = buffered.indexOf('\n');
      while (nl >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf('\n');
        const m = / listening on 127\.0\.0\.1:(\d+) /.exec(line);
        if (m) ports.push(Number(m[1]));
      }
      if (ports.length >= opts.count) resolve();
    });
    child.once('exit', (code, signal) => reject(new Error(`simulator exited (${code ?? signal}) after ${ports.length}/${opts.count} targets (log: ${opts.logFile})`)));
  });
  const timeoutMs = opts.readyTimeoutMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`simulator: ${ports.length}/${opts.count} targets ready within ${timeoutMs} ms (log: ${opts.logFile})`)), timeoutMs);
  });
  try {
    await Promise.race([ready, timeout]);
  } catch (e) {
    await stop();
    throw e;
  } finally {
    clearTimeout(timer);
  }
  return { pid: child.pid!, ports, stop };
}
