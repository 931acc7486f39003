/**
 * 500 concurrent NETCONF sessions against `cnsdn-sim netconf` (10 devices × 50 sessions, one
 * simulator process): session setup time, RSS per session on both sides, get-config RPCs/s.
 * Run: npx tsx bench/netconf-sim.bench.ts [devices] [sessionsPerDevice] [seconds]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { NetconfClient } from '../src/protocols/netconf/index.js';

const DEVICES = Number(process.argv[2] ?? 10);
const PER_DEVICE = Number(process.argv[3] ?? 50);
const SECONDS = Number(process.argv[4] ?? 5);
const PASSWORD = 'bench-pass';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

async function bindable(port: number): Promise<boolean> {
  const s = createServer();
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function freeRange(n: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = await bindable(base + i);
    if (ok) return base;
  }
  throw new Error('no free port range');
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
const kb = (b: number) => `${(b / 1024).toFixed(0)} kB`;

const port = await freeRange(DEVICES);
const sim = spawn(process.execPath, [`${ROOT}/bin/cnsdn-sim.js`, 'netconf', '--port', String(port), '--count', String(DEVICES), '--user', `bench:${PASSWORD}`], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
sim.stdout.on('data', (d: Buffer) => {
  out += d.toString();
});
const deadline = Date.now() + 60_000;
while (out.split('\n').filter(Boolean).length < DEVICES) {
  if (Date.now() > deadline || sim.exitCode !== null) throw new Error(`simulator not ready: ${out}`);
  await new Promise((r) => setTimeout(r, 50));
}
const fingerprint = /\(fingerprint (SHA256:[^)]+)\)/.exec(out)?.[1] ?? '';
await new Promise((r) => setTimeout(r, 500));
const serverBase = rssOf(sim.pid ?? 0);
globalThis.gc?.();
const clientBase = process.memoryUsage().rss;

const total = DEVICES * PER_DEVICE;
const setupMs: number[] = [];
const clients: NetconfClient[] = [];
const t0 = performance.now();
const BATCH = 50;
for (let i = 0; i < total; i += BATCH) {
  const batch = await Promise.all(
    Array.from({ length: Math.min(BATCH, total - i) }, async (_, j) => {
      const started = performance.now();
      const c = await NetconfClient.connect({
        host: '127.0.0.1',
        port: port + ((i + j) % DEVICES),
        username: 'bench',
        password: PASSWORD,
        hostKey: { fingerprint },
        timeoutMs: 30_000,
        rpcTimeoutMs: 30_000,
        keepaliveIntervalMs: 0,
      });
      setupMs.push(performance.now() - started);
      return c;
    }),
  );
  clients.push(...batch);
}
const setupTotal = performance.now() - t0;
await new Promise((r) => setTimeout(r, 500));
const serverRss = rssOf(sim.pid ?? 0);
const clientRss = process.memoryUsage().rss;

let rpcs = 0;
const rpcMs: number[] = [];
const stopAt = performance.now() + SECONDS * 1000;
const r0 = performance.now();
await Promise.all(
  clients.map(async (c) => {
    while (performance.now() < stopAt) {
      const s = performance.now();
      await c.getConfig('running');
      rpcMs.push(performance.now() - s);
      rpcs++;
    }
  }),
);
const rpcSeconds = (performance.now() - r0) / 1000;
const sample = await clients[0].getConfig('running');

await Promise.all(clients.map((c) => c.close()));
sim.kill('SIGTERM');
const code = await new Promise<number | null>((resolve) => sim.on('exit', resolve));

console.log(`NETCONF simulator: ${DEVICES} devices × ${PER_DEVICE} sessions = ${total} concurrent sessions (SSH, base:1.1 chunked)`);
console.log(`  session setup: ${(setupTotal / 1000).toFixed(2)} s for all (${BATCH} at a time), per session p50 ${pct(setupMs, 50).toFixed(1)} ms, p99 ${pct(setupMs, 99).toFixed(1)} ms`);
console.log(`  server RSS: ${mb(serverBase)} idle → ${mb(serverRss)} with ${total} sessions = ${kb((serverRss - serverBase) / total)} per session`);
console.log(`  client RSS: ${mb(clientBase)} → ${mb(clientRss)} = ${kb((clientRss - clientBase) / total)} per session`);
console.log(`  get-config running (${sample.xml.length} bytes of data) over ${total} sessions: ${Math.round(rpcs / rpcSeconds)} RPCs/s, latency p50 ${pct(rpcMs, 50).toFixed(1)} ms, p99 ${pct(rpcMs, 99).toFixed(1)} ms`);
console.log(`  simulator exit code after SIGTERM: ${code}`);
