import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPrefixOf, joinPath, parsePath, pathsEqual, pathToString, PathSyntaxError } from './path.js';
import type { GnmiPath } from './target.js';

describe('gNMI path grammar', () => {
  it('parses elements and keys', () => {
    assert.deepEqual(parsePath('/interfaces/interface[name=eth0]/state/counters'), {
      elem: [{ name: 'interfaces' }, { name: 'interface', key: { name: 'eth0' } }, { name: 'state' }, { name: 'counters' }],
    });
  });

  it('reads an origin prefix but not a module-qualified name', () => {
    assert.deepEqual(parsePath('openconfig:/interfaces'), { origin: 'openconfig', elem: [{ name: 'interfaces' }] });
    assert.deepEqual(parsePath('openconfig:'), { origin: 'openconfig', elem: [] });
    assert.deepEqual(parsePath('/openconfig-interfaces:interfaces'), { elem: [{ name: 'openconfig-interfaces:interfaces' }] });
    assert.deepEqual(parsePath('openconfig-interfaces:interfaces/interface'), {
      elem: [{ name: 'openconfig-interfaces:interfaces' }, { name: 'interface' }],
    });
  });

  it('takes several keys, slashes inside values and escapes', () => {
    const p = parsePath('/a/b[x=1][y=Ethernet1/1]/c[k=a\\]b\\\\c\\/d\\=e]');
    assert.deepEqual(p.elem[1].key, { x: '1', y: 'Ethernet1/1' });
    assert.equal(p.elem.length, 3);
    assert.deepEqual(p.elem[2].key, { k: 'a]b\\c/d=e' });
    assert.deepEqual(parsePath('/x[name=a=b]').elem[0].key, { name: 'a=b' });
  });

  it('accepts "/", "", a trailing slash and a relative path', () => {
    assert.deepEqual(parsePath('/'), { elem: [] });
    assert.deepEqual(parsePath(''), { elem: [] });
    assert.deepEqual(parsePath('/a/b/'), { elem: [{ name: 'a' }, { name: 'b' }] });
    assert.deepEqual(parsePath('a/b'), { elem: [{ name: 'a' }, { name: 'b' }] });
    assert.equal(pathToString({ elem: [] }), '/');
    assert.equal(pathToString({ origin: 'openconfig', elem: [] }), 'openconfig:/');
  });

  it('rejects malformed paths with the position', () => {
    for (const bad of ['/a[name=x', '/a[name]', '/a[=x]', '/a//b', '/a[k=1]x', '/a]b', '/a[k=1][k=2]']) {
      assert.throws(() => parsePath(bad), PathSyntaxError, bad);
    }
  });

  it('formats keys sorted and escaped', () => {
    assert.equal(pathToString({ elem: [{ name: 'i', key: { b: '2', a: 'x]y\\z' } }] }), '/i[a=x\\]y\\\\z][b=2]');
    assert.equal(pathToString({ elem: [{ name: 'i', key: { name: 'Ethernet1/1' } }] }), '/i[name=Ethernet1/1]');
    assert.equal(pathToString({ elem: [{ name: 'a/b' }] }), '/a\\/b');
  });

  it('round-trips random paths (property)', () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = 'abcXYZ019-_.:/[]=\\ *é';
    const str = (min: number) => {
      let s = '';
      const len = min + rnd(8);
      for (let i = 0; i < len; i++) s += alphabet[rnd(alphabet.length)];
      return s;
    };
    for (let i = 0; i < 2000; i++) {
      const p: GnmiPath = { elem: [] };
      if (rnd(3) === 0) p.origin = ['openconfig', 'rfc7951', 'cli'][rnd(3)];
      const n = rnd(6);
      for (let j = 0; j < n; j++) {
        const e: GnmiPath['elem'][number] = { name: str(1) };
        const nk = rnd(3);
        for (let k = 0; k < nk; k++) {
          e.key ??= {};
          e.key[str(1)] = str(0);
        }
        p.elem.push(e);
      }
      const s = pathToString(p);
      const back = parsePath(s);
      assert.ok(pathsEqual(back, p), `${s} → ${JSON.stringify(back)} ≠ ${JSON.stringify(p)}`);
      assert.equal(pathToString(back), s);
    }
  });

  it('merges prefix and path', () => {
    const prefix: GnmiPath = { origin: 'openconfig', target: 'r1', elem: [{ name: 'interfaces' }] };
    assert.deepEqual(joinPath(prefix, parsePath('/interface[name=e1]/config')), {
      origin: 'openconfig',
      target: 'r1',
      elem: [{ name: 'interfaces' }, { name: 'interface', key: { name: 'e1' } }, { name: 'config' }],
    });
    assert.deepEqual(joinPath(undefined, parsePath('/a')), { elem: [{ name: 'a' }] });
    assert.equal(joinPath({ origin: 'x', elem: [] }, { origin: 'y', elem: [] }).origin, 'y');
  });

  it('compares paths and prefixes', () => {
    assert.ok(pathsEqual(parsePath('/a[x=1][y=2]'), { elem: [{ name: 'a', key: { y: '2', x: '1' } }] }));
    assert.ok(!pathsEqual(parsePath('/a[x=1]'), parsePath('/a[x=2]')));
    assert.ok(!pathsEqual(parsePath('o:/a'), parsePath('/a')));
    const leaf = parsePath('/interfaces/interface[name=eth0]/state/counters/in-octets');
    assert.ok(isPrefixOf(parsePath('/interfaces'), leaf));
    assert.ok(isPrefixOf(parsePath('/'), leaf));
    assert.ok(isPrefixOf(parsePath('/interfaces/interface[name=eth0]'), leaf));
    assert.ok(isPrefixOf(parsePath('/interfaces/interface[name=*]/state'), leaf));
    assert.ok(isPrefixOf(parsePath('/interfaces/*/state'), leaf));
    assert.ok(!isPrefixOf(parsePath('/interfaces/interface[name=eth1]'), leaf));
    assert.ok(!isPrefixOf(parsePath('/interfaces/interface[name=eth0]'), parsePath('/interfaces/interface')));
    assert.ok(!isPrefixOf(leaf, parsePath('/interfaces')));
    assert.ok(isPrefixOf(parsePath('openconfig:/interfaces'), leaf));
  });
});
