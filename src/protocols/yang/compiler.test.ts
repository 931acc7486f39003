import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compileModules } from './compiler.js';
import { YangError } from './errors.js';
import { ModuleLoader } from './loader.js';
import { type ContainerNode, type LeafNode, type ListNode, type SchemaNode, childrenOf } from './schema.js';

const GOOD = new URL('./testdata/good/', import.meta.url).pathname;
const BAD = new URL('./testdata/bad/', import.meta.url).pathname;

function compile(files: string[], features?: Record<string, string[] | '*'>) {
  return compileModules(new ModuleLoader([GOOD]), files.map((f) => ({ file: join(GOOD, f) })), { features });
}

function find(list: SchemaNode[], ...names: string[]): SchemaNode {
  let cur: SchemaNode | undefined;
  let l = list;
  for (const n of names) {
    cur = l.find((c) => c.name === n);
    assert.ok(cur, `no node ${n} among ${l.map((c) => c.name).join(',')}`);
    l = childrenOf(cur);
  }
  return cur!;
}

describe('compiler', () => {
  const s = compile(['feat.yang']);
  const feat = s.modules.get('feat')!;

  it('resolves typedef chains with narrowing ranges', () => {
    const level = find(feat.children, 'sys', 'level') as LeafNode;
    assert.equal(level.type.base, 'uint8');
    assert.deepEqual(level.type.range?.intervals, [{ min: 10n, max: 20n }]);
    assert.deepEqual(level.type.chain.map((c) => c.name), ['small', 'bt:percent', 'uint8']);
    const ratio = find(feat.children, 'sys', 'ratio') as LeafNode;
    assert.equal(ratio.type.fractionDigits, 2);
    assert.deepEqual(ratio.type.range?.intervals, [{ min: 50n, max: 999n }]);
  });

  it('translates patterns and lengths', () => {
    const ip = find(feat.children, 'sys', 'ip') as LeafNode;
    assert.ok(ip.type.patterns[0].regex.test('10.0.0.1'));
    assert.ok(!ip.type.patterns[0].regex.test('10.0.0.1x'));
    assert.ok(ip.type.patterns[0].regex.flags.includes('u'));
    assert.deepEqual(ip.type.length?.intervals, [{ min: 1n, max: 45n }]);
  });

  it('links identities with several bases and derived sets', () => {
    const root = s.identities.get('base-types:root')!;
    assert.deepEqual([...root.derived].map((i) => i.qname).sort(), ['base-types:child', 'feat:both', 'feat:derived-one']);
    assert.deepEqual(s.identities.get('feat:both')!.bases.map((b) => b.qname), ['base-types:root', 'base-types:other']);
    const kind = find(feat.children, 'sys', 'kind') as LeafNode;
    assert.equal(kind.type.bases?.[0], root);
  });

  it('assigns enum values and bit positions', () => {
    const color = find(feat.children, 'sys', 'color') as LeafNode;
    assert.deepEqual(color.type.enums?.map((e) => [e.name, e.value]), [['red', 0], ['green', 7], ['blue', 8]]);
    const flags = find(feat.children, 'sys', 'flags') as LeafNode;
    assert.deepEqual(flags.type.bits?.map((b) => [b.name, b.position]), [['up', 0], ['down', 4]]);
  });

  it('expands groupings with refine', () => {
    const port = find(feat.children, 'sys', 'port') as LeafNode;
    assert.equal(port.default, '8080');
    assert.equal((find(feat.children, 'sys', 'ip') as LeafNode).mandatory, true);
  });

  it('makes shorthand cases and keeps explicit ones', () => {
    const ch = find(feat.children, 'sys', 'transport');
    assert.equal(ch.kind, 'choice');
    const cases = childrenOf(ch);
    assert.deepEqual(cases.map((c) => [c.name, c.kind === 'case' && c.shorthand]), [['udp', true], ['tcp', false]]);
  });

  it('inherits config and resolves keys, unique, ordered-by, min/max', () => {
    assert.equal(find(feat.children, 'sys', 'state', 'uptime').config, false);
    const server = find(feat.children, 'sys', 'server') as ListNode;
    assert.deepEqual(server.keys.map((k) => k.name), ['host', 'port']);
    assert.equal(server.orderedBy, 'user');
    assert.equal(server.minElements, 1);
    assert.equal(server.maxElements, 8);
    assert.deepEqual(server.unique[0].leaves.map((l) => l.name), ['weight']);
    assert.equal(server.path, '/feat:sys/feat:server');
  });

  it('resolves leafref targets (relative and absolute with predicates)', () => {
    const peer = find(feat.children, 'sys', 'server', 'peer') as LeafNode;
    assert.equal([...peer.leafrefTargets!.values()][0].name, 'host');
    const ref = find(feat.children, 'sys', 'server-ref') as LeafNode;
    assert.equal([...ref.leafrefTargets!.values()][0].path, '/feat:sys/feat:server/feat:port');
    assert.equal(ref.type.leafref?.requireInstance, false);
  });

  it('applies augments (from submodules, of augments) with when', () => {
    const added = find(feat.children, 'sys', 'added') as LeafNode;
    assert.equal(added.when[0].source, "name != 'x'");
    assert.equal(added.when[0].origin, 'augment');
    assert.equal(find(feat.children, 'sys', 'added-by-sub', 'deeper').kind, 'leaf');
  });

  it('keeps extensions as annotations and parses must', () => {
    const sys = find(feat.children, 'sys') as ContainerNode;
    assert.deepEqual(sys.extensions.map((e) => [e.module, e.name, e.arg]), [['feat', 'note', 'kept as annotation']]);
    const uptime = find(feat.children, 'sys', 'state', 'uptime') as LeafNode;
    assert.equal(uptime.must[0].expr.kind, 'binary');
  });

  it('compiles rpc input/output and notifications', () => {
    assert.equal(feat.rpcs[0].input.children[0].name, 'delay');
    assert.equal(feat.rpcs[0].output.children[0].name, 'ok');
    assert.equal(feat.notifications[0].children[0].name, 'text');
  });

  it('applies a feature set (if-feature expressions, features depending on features)', () => {
    assert.ok(find(feat.children, 'sys', 'feature-c'));
    assert.ok(!childrenOf(find(feat.children, 'sys')).some((c) => c.name === 'both-features'));
    const only = compile(['feat.yang'], { feat: ['a'] }).modules.get('feat')!;
    const names = childrenOf(find(only.children, 'sys')).map((c) => c.name);
    assert.ok(names.includes('both-features'));
    assert.ok(!names.includes('feature-c'));
    const cOnly = compile(['feat.yang'], { feat: ['c'] }).modules.get('feat')!;
    assert.ok(!childrenOf(find(cOnly.children, 'sys')).some((c) => c.name === 'feature-c'), 'c needs a');
    const ac = compile(['feat.yang'], { feat: ['a', 'c'] }).modules.get('feat')!;
    assert.ok(childrenOf(find(ac.children, 'sys')).some((c) => c.name === 'feature-c'));
  });

  it('applies deviations', () => {
    const d = compile(['feat.yang', 'dev.yang']).modules.get('feat')!;
    const sys = childrenOf(find(d.children, 'sys'));
    assert.ok(!sys.some((c) => c.name === 'color'));
    const level = find(d.children, 'sys', 'level') as LeafNode;
    assert.equal(level.type.name, 'uint8');
    assert.equal(level.default, '15');
    assert.equal((find(d.children, 'sys', 'server') as ListNode).maxElements, 4);
  });
});

describe('compiler: bad input', () => {
  const cases: [string, RegExp, number][] = [
    ['syntax.yang', /expected ";" or "\{", found "\}"/, 5],
    ['unresolved-import.yang', /imported module "no-such-module" not found/, 4],
    ['cycle-a.yang', /import cycle: cycle-a -> cycle-b -> cycle-a/, 4],
    ['unknown-prefix.yang', /unknown prefix "nope"/, 4],
    ['circular-grouping.yang', /circular grouping/, 5],
    ['typedef-loop.yang', /typedef loop/, 4],
    ['leafref-nowhere.yang', /leafref path "..\/missing" of \/leafref-nowhere:c\/leafref-nowhere:ref points to no leaf/, 6],
    ['bad-xpath.yang', /invalid XPath "count\(..\/b\) >"/, 4],
    ['range-widens.yang', /range "5..20" does not narrow the base range "0..10"/, 5],
    ['unterminated.yang', /unterminated double-quoted string/, 4],
  ];
  for (const [file, msg, line] of cases) {
    it(`${file}: a located error`, { timeout: 5000 }, () => {
      assert.throws(
        () => compileModules(new ModuleLoader([BAD]), [{ file: join(BAD, file) }]),
        (e: unknown) => {
          assert.ok(e instanceof YangError, String(e));
          assert.match(e.message, msg);
          assert.equal(e.loc?.line, line, e.message);
          assert.ok(e.loc?.file.endsWith('.yang'), e.message);
          return true;
        },
      );
    });
  }
});
