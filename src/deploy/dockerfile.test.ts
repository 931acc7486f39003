import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { copies, dockerignoreIncludes, envOf, execForm, parseDockerfile, runs } from './dockerfile.js';

const root = new URL('../..', import.meta.url).pathname;
const text = readFileSync(join(root, 'Dockerfile'), 'utf8');
const ignore = readFileSync(join(root, '.dockerignore'), 'utf8');
const stages = parseDockerfile(text);
const runtime = stages.at(-1);

describe('Dockerfile', () => {
  it('is multi-stage: build and deps stages on the full Node 20 image, the runtime on node:20-slim', () => {
    assert.ok(runtime);
    assert.ok(stages.length >= 3);
    assert.equal(runtime.from, 'node:20-slim');
    for (const s of stages.slice(0, -1)) assert.match(s.from, /^node:20(-|$)/);
  });

  it('builds dist with dev dependencies in one stage and installs production dependencies only in another', () => {
    const byName = new Map(stages.map((s) => [s.name, s]));
    assert.ok(runtime);
    const fromStages = copies(runtime).filter((c) => c.from);
    const modules = fromStages.find((c) => c.sources.some((s) => s.endsWith('node_modules')));
    const dist = fromStages.find((c) => c.sources.some((s) => s.endsWith('dist')));
    assert.ok(modules?.from && dist?.from);
    assert.ok(runs(byName.get(modules.from)!).some((r) => /^npm ci\b.*--omit=dev/.test(r)), 'node_modules from npm ci --omit=dev');
    assert.ok(runs(byName.get(dist.from)!).some((r) => /scripts\/build\.mjs/.test(r)), 'dist from scripts/build.mjs');
    assert.ok(runs(byName.get(dist.from)!).some((r) => /^npm ci\b/.test(r) && !r.includes('--omit=dev')), 'the build stage has dev dependencies');
    for (const c of fromStages) assert.ok(byName.has(c.from), `COPY --from=${c.from} names a stage`);
  });

  it('the runtime stage installs nothing and compiles nothing', () => {
    assert.ok(runtime);
    for (const r of runs(runtime)) assert.doesNotMatch(r, /apt-get|apk |npm (i|install|ci|rebuild)\b|gcc|g\+\+|make|python|node-gyp|curl|wget/, r);
    const copied = copies(runtime).flatMap((c) => c.sources.map((s) => (c.from ? `${c.from}:${s}` : s)));
    assert.deepEqual(copied.filter((s) => !s.includes(':')).sort(), ['bin', 'package.json']);
  });

  it('runs as the non-root user the Kubernetes Deployment expects, from dist, serving on all interfaces', () => {
    assert.ok(runtime);
    const user = runtime.instructions.filter((i) => i.keyword === 'USER').at(-1)?.args;
    assert.match(user ?? '', /^\d+(:\d+)?$/, 'numeric user (runAsNonRoot can check it)');
    const uid = Number(user?.split(':')[0]);
    assert.ok(uid > 0);
    const deployment = parse(readFileSync(join(root, 'deploy/k8s/base/deployment.yaml'), 'utf8'));
    assert.equal(deployment.spec.template.spec.securityContext.runAsUser, uid);
    assert.deepEqual(execForm(runtime, 'ENTRYPOINT'), ['node', '--max-semi-space-size=8', 'bin/cnsdn.js']);
    const cmd = execForm(runtime, 'CMD');
    assert.equal(cmd[0], 'serve');
    assert.equal(cmd[cmd.indexOf('--host') + 1], '0.0.0.0');
    const env = envOf(runtime);
    assert.equal(env.CNSDN_USE_DIST, '1');
    assert.equal(env.NODE_ENV, 'production');
    const health = runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK');
    assert.match(health?.args ?? '', /\/healthz/);
  });

  it('every file the build copies from the context exists and passes .dockerignore; tests and local state do not', () => {
    for (const s of stages)
      for (const c of copies(s).filter((x) => !x.from))
        for (const src of c.sources) {
          assert.ok(existsSync(join(root, src)), `${src} exists`);
          const probe = statSync(join(root, src)).isDirectory() ? `${src}/index.ts` : src;
          assert.ok(dockerignoreIncludes(ignore, probe), `${src} is sent to the build`);
        }
    assert.ok(dockerignoreIncludes(ignore, 'src/app/index.ts'));
    for (const p of ['node_modules/x/index.js', 'dist/src/app/index.js', '.git/config', 'data/cnsdn.db', 'src/app/demo.test.ts', 'src/context/testdata/a.json', 'deploy/k8s/base/deployment.yaml'])
      assert.equal(dockerignoreIncludes(ignore, p), false, p);
  });

  it('reads continuation lines, stage names and rejects an instruction before FROM', () => {
    const s = parseDockerfile('FROM a AS one\nRUN x \\\n  y\nFROM b\nCOPY --from=one /x /y\n');
    assert.deepEqual(runs(s[0]), ['x y']);
    assert.deepEqual(copies(s[1]), [{ from: 'one', sources: ['/x'], dest: '/y' }]);
    assert.throws(() => parseDockerfile('RUN x\n'), /before FROM/);
  });
});
