import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { SHARED_DIR } from '../../common/fixtures.js';
import { compileModules } from './compiler.js';
import { ModuleLoader } from './loader.js';
import { printTree } from './tree.js';

const YUMA = '/usr/share/yuma/modules/ietf';
const OC = join(SHARED_DIR, 'fixtures', 'yang', 'openconfig');
const GOOD = new URL('./testdata/good/', import.meta.url).pathname;
const hasYanglint = spawnSync('yanglint', ['--version']).status === 0;

function ours(dirs: string[], file: string): string {
  const loader = new ModuleLoader(dirs);
  const schema = compileModules(loader, [{ file }]);
  return printTree(schema, [loader.parseFile(file).name]);
}

function yanglint(args: string[], cwd: string): string {
  return execFileSync('yanglint', ['-f', 'tree', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
}

function ocModules(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.yang') && /^module /m.test(execFileSync('head', ['-c', '4096', p], { encoding: 'utf8' }))) out.push(p);
    }
  };
  walk(join(OC, 'models'));
  return out.sort();
}

describe('tree view', () => {
  it('prints flags, markers, keys, choices, features, rpcs and notifications', () => {
    const text = ours([GOOD], join(GOOD, 'feat.yang'));
    assert.match(text, /^module: feat\n {2}\+--rw sys\n/);
    assert.match(text, /\+--rw server\* \[host port\]\n/);
    assert.match(text, /\+--rw \(transport\)\?\n/);
    assert.match(text, /\+--:\(udp\)\n/);
    assert.match(text, /\+--ro state\n/);
    assert.match(text, /\+--rw feature-c\?\s+string \{c\}\?\n/);
    assert.match(text, /\+--rw added-by-sub!\n/);
    assert.match(text, /\+--rw server-ref\?\s+-> \/f:sys\/f:server/);
    assert.match(text, /\n\n {2}rpcs:\n {4}\+---x reboot\n {7}\+---w input\n/);
    assert.match(text, /\n\n {2}notifications:\n {4}\+---n alarm\n {7}\+---- text\?\s+string\n$/);
  });

  it('prints a subtree with --path', () => {
    const loader = new ModuleLoader([GOOD]);
    const s = compileModules(loader, [{ file: join(GOOD, 'feat.yang') }]);
    assert.equal(printTree(s, ['feat'], { path: '/feat:sys/state' }), 'module: feat\n  +--rw sys\n     +--ro state\n        +--ro uptime?   uint32\n');
  });

  it('is identical to yanglint for our own feature module', { skip: !hasYanglint ? 'yanglint missing' : false, timeout: 60_000 }, () => {
    assert.equal(ours([GOOD], join(GOOD, 'feat.yang')), yanglint(['-p', '.', 'feat.yang'], GOOD));
  });

  for (const m of ['ietf-interfaces@2014-05-08', 'ietf-ip@2014-06-16', 'ietf-system@2014-08-06']) {
    it(`is identical to yanglint for ${m}`, { skip: !hasYanglint || !existsSync(YUMA) ? 'yanglint or yuma modules missing' : false, timeout: 60_000 }, () => {
      assert.equal(ours([YUMA], join(YUMA, `${m}.yang`)), yanglint(['-p', '.', `${m}.yang`], YUMA));
    });
  }

  it('compiles all 176 OpenConfig modules and prints them as yanglint -i does', { skip: !hasYanglint || !existsSync(OC) ? 'yanglint or OpenConfig fixture missing' : false, timeout: 600_000 }, () => {
    const files = ocModules();
    assert.equal(files.length, 176);
    const dirs = [join(OC, 'models'), join(OC, 'third_party', 'ietf')];
    const differ: string[] = [];
    for (const f of files) {
      const mine = ours(dirs, f);
      const theirs = yanglint(['-i', '-p', 'models', '-p', 'third_party/ietf', relative(OC, f)], OC);
      if (mine !== theirs) differ.push(relative(OC, f));
    }
    assert.deepEqual(differ, []);
  });
});
