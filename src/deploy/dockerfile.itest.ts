/**
 * Assembles the runtime image's file tree as the Dockerfile does, without a Docker engine:
 * the deps stage's `npm ci --omit=dev` in a temporary directory, the runtime stage's COPYs,
 * then its ENTRYPOINT + CMD started against PostgreSQL. The native rebuild (`npm rebuild`) is
 * left out: it compiles for minutes here and only the embedded SQLite store needs it.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { after, it } from 'node:test';
import { describePostgres } from '../store/pg-testing.js';
import { copies, envOf, execForm, parseDockerfile, runs } from './dockerfile.js';

const root = new URL('../..', import.meta.url).pathname;
const stages = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const runtime = stages.at(-1)!;
const workdir = (s: (typeof stages)[number]) => s.instructions.filter((i) => i.keyword === 'WORKDIR').at(-1)?.args ?? '/';

await describePostgres('runtime image tree (Dockerfile steps without Docker)', async (freshDatabase) => {
  const tmp = mkdtempSync(join(tmpdir(), 'cnsdn-image-'));
  let child: ChildProcess | undefined;
  after(() => {
    child?.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  });

  it('production dependencies only, dist and bin: the controller starts from them and answers its probes', { timeout: 300_000 }, async () => {
    assert.ok(existsSync(join(root, 'dist', '.build-stamp')), 'dist/ is built (npm ci runs the build)');
    const stageDirs = new Map<string, string>();
    for (const stage of stages.slice(0, -1)) {
      if (!stage.name) continue;
      const dir = join(tmp, stage.name);
      stageDirs.set(stage.name, dir);
      if (!runs(stage).some((r) => /^npm ci\b.*--omit=dev/.test(r))) continue;
      for (const c of copies(stage)) for (const src of c.sources) cpSync(join(root, src), join(dir, src));
      for (const command of runs(stage)) {
        if (/^npm rebuild\b/.test(command)) continue;
        const r = spawnSync('sh', ['-c', `${command} --prefer-offline`], { cwd: dir, encoding: 'utf8', timeout: 240_000 });
        assert.equal(r.status, 0, `${command}: ${r.stderr}`);
      }
    }
    const app = join(tmp, 'app');
    for (const c of copies(runtime)) {
      for (const src of c.sources) {
        // The build stage's dist is the one `npm ci` built in the repository.
        const from = !c.from ? join(root, src) : c.from === 'build' ? join(root, 'dist') : join(stageDirs.get(c.from)!, relative(workdir(stages.find((s) => s.name === c.from)!), src));
        const dest = c.dest.endsWith('/') ? join(app, c.dest, basename(src)) : join(app, c.dest);
        assert.ok(existsSync(from), `COPY source ${from}`);
        cpSync(from, dest, { recursive: true });
      }
    }
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    for (const dep of Object.keys(pkg.dependencies)) assert.ok(existsSync(join(app, 'node_modules', dep)), `dependency ${dep} installed`);
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
    const devOnly = Object.entries(lock.packages as Record<string, { dev?: boolean }>).filter(([p, e]) => p && e.dev).map(([p]) => p);
    assert.ok(devOnly.includes('node_modules/typescript'));
    for (const p of devOnly) assert.ok(!existsSync(join(app, p)), `dev-only ${p} absent`);
    assert.ok(!existsSync(join(app, 'src')), 'no TypeScript sources');

    const [cmd, ...entry] = execForm(runtime, 'ENTRYPOINT');
    const args = [...entry, ...execForm(runtime, 'CMD'), '--host', '127.0.0.1', '--port', '0', '--data', join(tmp, 'data'), '--log-level', 'warn'];
    child = spawn(cmd, args, {
      cwd: app,
      env: { PATH: process.env.PATH, HOME: tmp, ...envOf(runtime), DATABASE_URL: await freshDatabase() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    const deadline = Date.now() + 90_000;
    let url: string | undefined;
    while (!url) {
      url = /cnsdn listening on (http:\/\/\S+)/.exec(out)?.[1];
      assert.ok(child.exitCode === null, `controller exited: ${out}`);
      assert.ok(Date.now() < deadline, `controller did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 200, await ready.text());
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, out);
  });
});
