/**
 * Drives GET requests with wrk (a C client in its own process), so the latency measured is the
 * server's and not a Node client's sharing the cores with it. Paths cycle through a list.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface WrkResult {
  connections: number;
  requests: number;
  errors: number;
  reqPerSec: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function haveWrk(): boolean {
  return spawnSync('wrk', ['--version']).error === undefined;
}

/** Lua for wrk: each thread starts at its own place in the path list and walks it; done() prints one JSON line. */
function script(paths: readonly string[], headers: Record<string, string>): string {
  const list = paths.map((p) => JSON.stringify(p)).join(',\n');
  const setHeaders = Object.entries(headers)
    .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
    .join('\n');
  return `
${setHeaders}
local paths = {
${list}
}
local i = 0
local threads = {}
function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end
function init(args)
  i = offset or 0
end
function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests":%d,"duration_us":%d,"errors":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`;
}

/** What wrk and bench/latency-client.c print on their summary line (times in µs). */
export interface ToolSummary {
  requests: number;
  errors: number;
  duration_us: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * Runs a load tool over a file written to a scratch directory (its path given to `args`) and
 * reads its one summary line, `PREFIX {json}`; the result's times in ms, its rate per second.
 */
export async function runTool<S extends ToolSummary>(
  command: string,
  fileText: string,
  args: (file: string) => string[],
  prefix: string,
  durationS: number,
): Promise<Omit<S, 'duration_us'> & { reqPerSec: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'cnsdn-load-'));
  try {
    const file = join(dir, 'input');
    writeFileSync(file, fileText);
    const { stdout } = await promisify(execFile)(command, args(file), { timeout: (durationS + 30) * 1000 });
    const line = stdout.split('\n').find((l) => l.startsWith(`${prefix} `));
    if (!line) throw new Error(`${command} printed no summary:\n${stdout}`);
    const { duration_us, ...r } = JSON.parse(line.slice(prefix.length + 1)) as S;
    const ms = (us: number) => Math.round(us / 10) / 100;
    const out: Record<string, number> = { ...(r as unknown as Record<string, number>), reqPerSec: Math.round(r.requests / (duration_us / 1e6)) };
    for (const k of Object.keys(out)) if (/^(p\d+|max)$/.test(k)) out[k] = ms(out[k]!);
    return out as unknown as Omit<S, 'duration_us'> & { reqPerSec: number };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs wrk for durationS seconds with `connections` keep-alive connections (closed loop). */
export async function runWrk(baseUrl: string, paths: readonly string[], connections: number, durationS: number, headers: Record<string, string> = {}): Promise<WrkResult> {
  const threads = Math.min(2, connections);
  const r = await runTool<ToolSummary>('wrk', script(paths, headers), (file) => ['-t', String(threads), '-c', String(connections), '-d', `${durationS}s`, '--timeout', '10s', '-s', file, baseUrl], 'WRK', durationS);
  return { connections, ...r };
}
