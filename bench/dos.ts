/**
 * `npm run bench:dos`: the seed's DoS tests on loopback. The controller (`bin/cnsdn.js serve`
 * from dist/, a temp data dir, CNSDN_ADMIN_TOKEN set) runs as a child; the attacker is `ab`
 * bound to 127.0.0.1; a legitimate client on 127.0.0.2 with a credential loads /webui (shell and
 * assets) every 2 s and makes one API call every 100 ms. Scenarios:
 *   a  ab -c 255 -n 100000 /webui            (baseline: a bare node:http server with the same bytes)
 *   b  ab -n 1000 -c 20 -k -H "Accept-Encoding: gzip, deflate" /webui   (same baseline, 5 runs, median)
 *   c  (a) repeated for 5 minutes
 *   d  2,000 slowloris connections from 127.0.0.1 held open (60 s)
 * Usage: npm run bench:dos [-- --quick] [--scenarios a,b,c,d] [--c-seconds 300] [--d-seconds 60] [--json out.json]
 *   [--cpu-prof DIR] (V8 CPU profile of the controller's whole run) [--server-node-args "--trace-gc ..."]
 *   (node flags for the controller after its shebang's) [--server-log FILE] (keep the controller's output)
 * Needs `ab` (Debian apache2-utils) and a build (`node scripts/build.mjs`); installs nothing.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, type ServerHandle, shebangNodeArgs, startServer } from './server.js';
import { percentile, round } from './stats.js';

const REPO = new URL('..', import.meta.url).pathname;
const ATTACKER = '127.0.0.1';
const LEGIT = '127.0.0.2';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const value = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const QUICK = flag('--quick');
const SCENARIOS = new Set((value('--scenarios') ?? 'a,b,c,d').split(',').map((s) => s.trim()));
const A_REQUESTS = QUICK ? 20_000 : 100_000;
const C_SECONDS = Number(value('--c-seconds') ?? (QUICK ? 30 : 300));
const D_SECONDS = Number(value('--d-seconds') ?? (QUICK ? 15 : 60));
const D_CONNECTIONS = 2000;
const B_RUNS = 5;
const JSON_OUT = value('--json');
const CPU_PROF_DIR = value('--cpu-prof');
const SERVER_NODE_ARGS = (value('--server-node-args') ?? '').split(/\s+/).filter(Boolean);
const SERVER_LOG = value('--server-log');

function preflight(): void {
  const ab = spawnSync('ab', ['-V'], { encoding: 'utf8' });
  if (ab.error || ab.status !== 0) {
    process.stderr.write('bench:dos needs ApacheBench (ab). Install it with: apt-get install -y apache2-utils\n');
    process.exit(2);
  }
  if (!existsSync(join(REPO, 'dist', '.build-stamp'))) {
    process.stderr.write('bench:dos runs the controller from dist/: build it first with node scripts/build.mjs\n');
    process.exit(2);
  }
}

// ---------- the legitimate client ----------

interface Sample {
  ms: number;
  ok: boolean;
  kind: 'api' | 'page';
}

class LegitClient {
  readonly samples: Sample[] = [];
  readonly errors = new Map<string, number>();
  /** Requests resent after a reset on a reused keep-alive connection. */
  retries = 0;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 6, localAddress: LEGIT });
  #timers: NodeJS.Timeout[] = [];
  #inflight = new Set<Promise<void>>();
  #assets: string[] = [];

  constructor(
    readonly base: string,
    readonly token: string,
  ) {}

  /**
   * One request. Like a browser, a request that failed on a reused keep-alive connection the
   * server had just closed (ECONNRESET before any answer) is sent once more on a new one; the
   * latency counts from the first attempt.
   */
  get(path: string, kind: Sample['kind'], headers: Record<string, string> = {}, started = performance.now(), retried = false): Promise<{ status: number; body: Buffer }> {
    return new Promise((resolve) => {
      const done = (status: number, body: Buffer, error?: string) => {
        const ok = status === 200 || status === 304;
        this.samples.push({ ms: performance.now() - started, ok, kind });
        if (!ok) {
          const k = error ?? `HTTP ${status}`;
          this.errors.set(k, (this.errors.get(k) ?? 0) + 1);
        }
        resolve({ status, body });
      };
      const req = request(
        `${this.base}${path}`,
        { agent: this.#agent, timeout: 10_000, headers: { authorization: `Bearer ${this.token}`, 'accept-encoding': 'gzip, br', ...headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done(res.statusCode ?? 0, Buffer.concat(chunks)));
          res.on('error', (e) => done(0, Buffer.alloc(0), e.message));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout (10 s)')));
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (!retried && req.reusedSocket && e.code === 'ECONNRESET') {
          this.retries++;
          resolve(this.get(path, kind, headers, started, true));
        } else done(0, Buffer.alloc(0), e.message);
      });
      req.end();
    });
  }

  /** The shell's own scripts and styles, as a browser would load them. */
  async discoverAssets(): Promise<void> {
    const shell = await this.get('/webui', 'page', { 'accept-encoding': 'identity' });
    this.#assets = [...shell.body.toString('utf8').matchAll(/(?:src|href)="(\/webui\/[^"]+)"/g)].map((m) => m[1]!);
    this.samples.length = 0;
    this.errors.clear();
  }

  #track(p: Promise<unknown>): void {
    const t = p.then(() => {}).finally(() => this.#inflight.delete(t));
    this.#inflight.add(t);
  }

  start(): void {
    this.#timers.push(setInterval(() => this.#track(this.get('/tfs-api/context_ids', 'api')), 100));
    const page = async () => {
      await this.get('/webui', 'page');
      await Promise.all(this.#assets.map((a) => this.get(a, 'page')));
    };
    this.#track(page());
    this.#timers.push(setInterval(() => this.#track(page()), 2000));
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    await Promise.all([...this.#inflight]);
  }

  /** Figures since the last reset, then a reset. */
  take(): { retries: number; requests: number; successPct: number; p50: number; p99: number; max: number; errors: Record<string, number> } {
    const s = this.samples.splice(0);
    const ms = s.map((x) => x.ms);
    const errors = Object.fromEntries(this.errors);
    this.errors.clear();
    const retries = this.retries;
    this.retries = 0;
    return {
      retries,
      requests: s.length,
      successPct: s.length === 0 ? Number.NaN : round((100 * s.filter((x) => x.ok).length) / s.length, 3),
      p50: round(percentile(ms, 50), 1),
      p99: round(percentile(ms, 99), 1),
      max: round(Math.max(...ms), 1),
      errors,
    };
  }

  close(): void {
    this.#agent.destroy();
  }
}

// ---------- watching the server ----------

/** Samples RSS every 250 ms and /metrics every second (event-loop lag, guard counters). */
class Watcher {
  rssMaxMiB = 0;
  lagMaxMs = 0;
  lagP99s: number[] = [];
  #timers: NodeJS.Timeout[] = [];
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 1, localAddress: LEGIT });

  constructor(
    readonly server: ServerHandle,
    readonly token: string,
  ) {}

  start(): void {
    this.rssMaxMiB = 0;
    this.lagMaxMs = 0;
    this.lagP99s = [];
    this.#timers.push(
      setInterval(() => {
        try {
          this.rssMaxMiB = Math.max(this.rssMaxMiB, this.server.memory().rssMiB);
        } catch {
          // the process is gone: reported by alive()
        }
      }, 250),
    );
    this.#timers.push(
      setInterval(() => {
        void this.metrics().then((m) => {
          if (!m) return;
          this.lagMaxMs = Math.max(this.lagMaxMs, m.lagMaxMs);
          this.lagP99s.push(m.lagP99Ms);
        });
      }, 1000),
    );
  }

  stop(): { rssMaxMiB: number; lagMaxMs: number; lagP99Ms: number } {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    return { rssMaxMiB: round(this.rssMaxMiB, 1), lagMaxMs: round(this.lagMaxMs, 1), lagP99Ms: round(Math.max(0, ...this.lagP99s), 1) };
  }

  async metrics(): Promise<{ lagMaxMs: number; lagP99Ms: number; guard: Record<string, number> } | undefined> {
    const text = await new Promise<string | undefined>((resolve) => {
      const req = request(`${this.server.url}/metrics`, { agent: this.#agent, timeout: 5000, headers: { authorization: `Bearer ${this.token}` } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve(res.statusCode === 200 ? body : undefined));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(undefined));
      req.end();
    });
    if (text === undefined) return undefined;
    const gauge = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    const guard: Record<string, number> = {};
    for (const m of text.matchAll(/^cnsdn_guard_(responses|connections)_total\{([^}]*)\} ([0-9.e+]+)$/gm)) guard[`${m[1]} ${m[2]}`] = Number(m[3]);
    guard.open_connections = gauge('cnsdn_guard_open_connections');
    return { lagMaxMs: gauge('nodejs_eventloop_lag_max_seconds') * 1000, lagP99Ms: gauge('nodejs_eventloop_lag_p99_seconds') * 1000, guard };
  }

  close(): void {
    this.#agent.destroy();
  }
}

function counterDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    if (k === 'open_connections') continue;
    const d = v - (before[k] ?? 0);
    if (d > 0) out[k.replace(/"/g, '')] = d;
  }
  return out;
}

// ---------- ab ----------

interface AbResult {
  complete: number;
  failed: number;
  failedBreakdown: string;
  non2xx: number;
  rps: number;
  seconds: number;
  exitCode: number | null;
  stderr: string;
}

function runAb(abArgs: string[], url: string): Promise<AbResult> {
  return new Promise((resolve) => {
    const child = spawn('ab', ['-B', ATTACKER, ...abArgs, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('close', (code) => {
      const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? 0);
      resolve({
        complete: num(/Complete requests:\s+(\d+)/),
        failed: num(/Failed requests:\s+(\d+)/),
        failedBreakdown: /Failed requests:\s+\d+\s*\n\s*\(([^)]*)\)/.exec(out)?.[1] ?? '',
        non2xx: num(/Non-2xx responses:\s+(\d+)/),
        rps: num(/Requests per second:\s+([0-9.]+)/),
        seconds: num(/Time taken for tests:\s+([0-9.]+)/),
        exitCode: code,
        stderr: err.trim().split('\n').slice(-2).join(' | '),
      });
    });
  });
}

// ---------- processes ----------

function spawnTs(script: string, scriptArgs: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(REPO, 'bench', script), ...scriptArgs], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
}

/** CPU time (user + system) a process has used, ms, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat(5) (utime, stime) are the 12th and 13th after the command name.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Runs `attack` and returns its result with the CPU the process `pid` spent per completed request (µs). */
async function withCpu<R extends { complete: number }>(pid: number, attack: () => Promise<R>): Promise<R & { cpuMs: number; cpuUsPerRequest: number }> {
  const before = cpuMs(pid);
  const r = await attack();
  const used = cpuMs(pid) - before;
  return { ...r, cpuMs: used, cpuUsPerRequest: r.complete > 0 ? round((1000 * used) / r.complete, 1) : Number.NaN };
}

async function startBare(controllerUrl: string): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawnTs('dos-bare.ts', [String(port), `${controllerUrl}/webui`]);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      if (c.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function log(line: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

// ---------- scenarios ----------

interface ScenarioResult {
  scenario: string;
  load: number[];
  legit: ReturnType<LegitClient['take']>;
  attacker: Record<string, unknown>;
  server: { rssMaxMiB: number; lagMaxMs: number; lagP99Ms: number; alive: boolean; samePid: boolean; guard: Record<string, number> };
  baseline?: Record<string, unknown>;
}

async function main(): Promise<void> {
  preflight();
  const token = randomBytes(24).toString('base64url');
  const dataDir = mkdtempSync(join(tmpdir(), 'cnsdn-dos-'));
  log(`starting the controller (dist, data ${dataDir})`);
  const server = await startServer({
    repoDir: REPO,
    dataDir,
    logFile: join(dataDir, 'server.log'),
    nodeArgs: [...shebangNodeArgs(join(REPO, 'bin/cnsdn.js')), ...SERVER_NODE_ARGS],
    ...(CPU_PROF_DIR ? { cpuProfDir: CPU_PROF_DIR } : {}),
    env: { CNSDN_USE_DIST: '1', CNSDN_ADMIN_TOKEN: token, CNSDN_RATE_LIMIT: '6000', CNSDN_TELEMETRY_INTERVAL_S: '0' },
  });
  const pid = server.pid;
  const alive = () => {
    try {
      return readFileSync(`/proc/${pid}/status`, 'utf8').includes('State:') && !/State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
    } catch {
      return false;
    }
  };
  const bare = await startBare(server.url);
  const legit = new LegitClient(server.url, token);
  await legit.discoverAssets();
  const watcher = new Watcher(server, token);
  // The guard does not shed during its first 10 s: start measuring after that.
  await sleep(10_000);
  const results: ScenarioResult[] = [];

  const measured = async (scenario: string, attack: () => Promise<Record<string, unknown>>, baseline?: Record<string, unknown>) => {
    const before = (await watcher.metrics())?.guard ?? {};
    const load = loadavg().map((x) => round(x, 2));
    watcher.start();
    legit.start();
    const attacker = await attack();
    await legit.stop();
    const srv = watcher.stop();
    const after = (await watcher.metrics())?.guard ?? {};
    const r: ScenarioResult = {
      scenario,
      load,
      legit: legit.take(),
      attacker,
      server: { ...srv, alive: alive(), samePid: server.pid === pid, guard: counterDelta(before, after) },
      ...(baseline ? { baseline } : {}),
    };
    results.push(r);
    log(`${scenario}: ${JSON.stringify(r)}`);
    await sleep(3000);
  };

  try {
    if (SCENARIOS.has('a')) {
      log(`(a) baseline: ab -c 255 -n ${A_REQUESTS} on the bare server`);
      const base = await withCpu(bare.pid, () => runAb(['-c', '255', '-n', String(A_REQUESTS)], `${bare.url}/webui`));
      await sleep(2000);
      log('(a) controller');
      // CPU per request is the figure a loaded machine disturbs least (the controller's also pays for the legitimate client's requests).
      await measured('a', async () => {
        const r = await withCpu(server.pid, () => runAb(['-c', '255', '-n', String(A_REQUESTS)], `${server.url}/webui`));
        return { ...r, rpsVsBare: round(r.rps / base.rps, 2), cpuVsBare: round(r.cpuUsPerRequest / base.cpuUsPerRequest, 2) };
      }, { ...base });
    }
    if (SCENARIOS.has('b')) {
      const bArgs = ['-n', '1000', '-c', '20', '-k', '-H', 'Accept-Encoding: gzip, deflate'];
      const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;
      log(`(b) baseline: ${B_RUNS} runs of ab ${bArgs.join(' ')} on the bare server`);
      const bRuns = async (url: string) => {
        const runs: AbResult[] = [];
        for (let i = 0; i < B_RUNS; i++) runs.push(await runAb(bArgs, url));
        return { complete: runs.reduce((s, r) => s + r.complete, 0), runs };
      };
      const base = await withCpu(bare.pid, () => bRuns(`${bare.url}/webui`));
      const baseRps = median(base.runs.map((r) => r.rps));
      log('(b) controller');
      await measured(
        'b',
        async () => {
          const { runs, complete, cpuUsPerRequest, cpuMs: used } = await withCpu(server.pid, () => bRuns(`${server.url}/webui`));
          const rpsMedian = median(runs.map((r) => r.rps));
          return {
            rpsMedian,
            rps: runs.map((r) => r.rps),
            failed: runs.reduce((s, r) => s + r.failed, 0),
            non2xx: runs.reduce((s, r) => s + r.non2xx, 0),
            complete,
            exitCodes: runs.map((r) => r.exitCode),
            cpuMs: used,
            cpuUsPerRequest,
            rpsVsBare: round(rpsMedian / baseRps, 2),
            cpuVsBare: round(cpuUsPerRequest / base.cpuUsPerRequest, 2),
          };
        },
        { rpsMedian: baseRps, rps: base.runs.map((r) => r.rps), failed: base.runs.reduce((s, r) => s + r.failed, 0), cpuMs: base.cpuMs, cpuUsPerRequest: base.cpuUsPerRequest },
      );
    }
    if (SCENARIOS.has('c')) {
      log(`(c) ab -c 255 -n ${A_REQUESTS} repeated for ${C_SECONDS} s`);
      await measured('c', async () => {
        const end = Date.now() + C_SECONDS * 1000;
        const runs: AbResult[] = [];
        while (Date.now() < end) runs.push(await runAb(['-c', '255', '-n', String(A_REQUESTS)], `${server.url}/webui`));
        const complete = runs.reduce((s, r) => s + r.complete, 0);
        const seconds = runs.reduce((s, r) => s + r.seconds, 0);
        return {
          runs: runs.length,
          complete,
          rps: round(complete / seconds, 1),
          rpsMin: Math.min(...runs.map((r) => r.rps)),
          failed: runs.reduce((s, r) => s + r.failed, 0),
          non2xx: runs.reduce((s, r) => s + r.non2xx, 0),
          abErrors: runs.filter((r) => r.exitCode !== 0).map((r) => r.stderr),
        };
      });
    }
    if (SCENARIOS.has('d')) {
      log(`(d) ${D_CONNECTIONS} slowloris connections from ${ATTACKER} for ${D_SECONDS} s`);
      const port = new URL(server.url).port;
      await measured('d', async () => {
        const child = spawnTs('dos-slowloris.ts', [port, String(D_CONNECTIONS), String(D_SECONDS), ATTACKER]);
        let last: Record<string, unknown> = {};
        let serverOpenMax = 0;
        const poll = setInterval(() => {
          void watcher.metrics().then((m) => {
            if (m) serverOpenMax = Math.max(serverOpenMax, m.guard.open_connections ?? 0);
          });
        }, 1000);
        let buf = '';
        child.stdout!.on('data', (c: Buffer) => {
          buf += c.toString();
          const lines = buf.split('\n');
          buf = lines.pop() ?? '';
          for (const l of lines) if (l.trim()) last = JSON.parse(l) as Record<string, unknown>;
        });
        await new Promise<void>((resolve) => child.once('exit', () => resolve()));
        clearInterval(poll);
        return { slowloris: last, serverOpenConnectionsMax: serverOpenMax };
      });
    }
  } finally {
    legit.close();
    await bare.stop();
    const stillUp = alive();
    watcher.close();
    await server.stop();
    const out = { when: new Date().toISOString(), quick: QUICK, nodeOptions: process.env.NODE_OPTIONS ?? '', cores: (await import('node:os')).cpus().length, node: process.version, serverStayedUp: stillUp, results };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(out, null, 2));
    if (SERVER_LOG) copyFileSync(join(dataDir, 'server.log'), SERVER_LOG);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
