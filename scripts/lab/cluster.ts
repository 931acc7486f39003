/**
 * npm run lab:cluster [-- --json] [-- --scenarios=kill-replica,link-down,...]
 * Needs root (network namespaces). Sets up the lab network, runs the driver (run.ts) inside the
 * cnl-ctl namespace, and always tears the namespaces and every process in them down.
 */
import { spawn, spawnSync } from 'node:child_process';
import { ns, setUp, tearDown } from './topology.js';

if (process.getuid?.() !== 0) {
  process.stderr.write('lab:cluster needs root: it creates network namespaces (ip netns) and runs PostgreSQL, NATS, haproxy and the replicas in them.\nRun it as root, e.g. sudo npm run lab:cluster\n');
  process.exit(2);
}
const missing = ['ip', 'nats-server', 'haproxy', 'pg_autoctl', 'setpriv'].filter((c) => spawnSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' }).status !== 0);
if (missing.length > 0) {
  process.stderr.write(`lab:cluster needs ${missing.join(', ')} (apt-get install -y iproute2 nats-server haproxy postgresql-15-auto-failover util-linux)\n`);
  process.exit(2);
}

let child: ReturnType<typeof spawn> | undefined;
const finish = (code: number) => {
  tearDown();
  process.exit(code);
};
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    child?.kill('SIGTERM');
    setTimeout(() => finish(130), 10_000).unref();
  });
}
try {
  setUp();
} catch (e) {
  process.stderr.write(`lab network: ${(e as Error).message}\n`);
  finish(1);
}
child = spawn('ip', ['netns', 'exec', ns('ctl'), process.execPath, '--import', 'tsx', new URL('./run.ts', import.meta.url).pathname, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
child.on('exit', (code, signal) => finish(code ?? (signal ? 1 : 0)));
