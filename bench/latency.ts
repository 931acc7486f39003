/**
 * Per-request latency of GETs, from bench/latency-client.c (compiled here with the system C
 * compiler): each request's own time, no coordinated-omission correction (wrk's percentiles are
 * corrected against its mean request interval, see the C file).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTool, type ToolSummary } from './wrk.js';

export interface LatencyResult {
  connections: number;
  requests: number;
  errors: number;
  reqPerSec: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'latency-client.c');
let binary: string | null | undefined;

/** The compiled client, or null when no C compiler is here (the figures are then left out). */
export function latencyClient(): string | null {
  if (binary !== undefined) return binary;
  const dir = mkdtempSync(join(tmpdir(), 'cnsdn-latc-'));
  const out = join(dir, 'latency-client');
  const cc = spawnSync('cc', ['-O2', '-o', out, SOURCE], { stdio: ['ignore', 'ignore', 'pipe'] });
  binary = cc.status === 0 ? out : null;
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return binary;
}

/** Runs the client for durationS seconds with `connections` keep-alive connections over `paths` (cycled). */
export async function runLatency(baseUrl: string, paths: readonly string[], connections: number, durationS: number, header?: string): Promise<LatencyResult> {
  const bin = latencyClient();
  if (bin === null) throw new Error('no C compiler (cc) to build bench/latency-client.c');
  const url = new URL(baseUrl);
  const r = await runTool<ToolSummary & { p999: number }>(
    bin,
    `${paths.join('\n')}\n`,
    (file) => [url.hostname, url.port, String(connections), String(durationS), file, ...(header ? [header] : [])],
    'LAT',
    durationS,
  );
  return { connections, ...r };
}
