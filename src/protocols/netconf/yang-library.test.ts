/** The YANG library parser: RFC 7895 modules-state and RFC 8525 yang-library, fixed and generated. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRandom } from '../../common/random.js';
import { parseCapabilities } from './capabilities.js';
import type { DataReply, ReadOptions } from './client.js';
import { NetconfError } from './errors.js';
import { parseXml } from './xml.js';
import { type LibraryModule, NS_DATASTORES, NS_YANG_LIBRARY, parseYangLibrary, readYangLibrary, yangLibraryFilter } from './yang-library.js';

const NC = 'urn:ietf:params:xml:ns:netconf:base:1.0';
const data = (inner: string) => `<data xmlns="${NC}">${inner}</data>`;

const MODULES_STATE = data(`
  <modules-state xmlns="${NS_YANG_LIBRARY}">
    <module-set-id>a385b7</module-set-id>
    <module>
      <name>ietf-interfaces</name>
      <revision>2014-05-08</revision>
      <namespace>urn:ietf:params:xml:ns:yang:ietf-interfaces</namespace>
      <feature>arbitrary-names</feature>
      <feature>if-mib</feature>
      <deviation><name>acme-if-dev</name><revision>2020-01-01</revision></deviation>
      <conformance-type>implement</conformance-type>
    </module>
    <module>
      <name>ietf-yang-types</name>
      <revision>2013-07-15</revision>
      <namespace>urn:ietf:params:xml:ns:yang:ietf-yang-types</namespace>
      <conformance-type>import</conformance-type>
    </module>
    <module>
      <name>acme-system</name>
      <revision></revision>
      <namespace>http://acme.example.com/system</namespace>
      <conformance-type>implement</conformance-type>
      <submodule><name>acme-system-types</name><revision>2019-02-02</revision></submodule>
      <submodule><name>acme-system-extra</name><revision/></submodule>
    </module>
  </modules-state>`);

const YANG_LIBRARY = data(`
  <yang-library xmlns="${NS_YANG_LIBRARY}" xmlns:ds="${NS_DATASTORES}">
    <module-set>
      <name>config-modules</name>
      <module>
        <name>ietf-interfaces</name>
        <revision>2018-02-20</revision>
        <namespace>urn:ietf:params:xml:ns:yang:ietf-interfaces</namespace>
        <feature>if-mib</feature>
        <deviation>acme-if-dev</deviation>
      </module>
      <module>
        <name>acme-if-dev</name>
        <revision>2020-01-01</revision>
        <namespace>http://acme.example.com/if-dev</namespace>
      </module>
      <import-only-module>
        <name>ietf-yang-types</name>
        <revision>2013-07-15</revision>
        <namespace>urn:ietf:params:xml:ns:yang:ietf-yang-types</namespace>
      </import-only-module>
    </module-set>
    <module-set>
      <name>state-only</name>
      <module>
        <name>acme-hardware-state</name>
        <namespace>http://acme.example.com/hw</namespace>
      </module>
    </module-set>
    <schema><name>config-schema</name><module-set>config-modules</module-set></schema>
    <schema><name>state-schema</name><module-set>config-modules</module-set><module-set>state-only</module-set></schema>
    <datastore><name>ds:running</name><schema>config-schema</schema></datastore>
    <datastore><name>ds:operational</name><schema>state-schema</schema></datastore>
    <content-id>75a43df9bd56b92aacc156a2958fbe12312fb285</content-id>
  </yang-library>`);

function code(e: unknown): string {
  return e instanceof NetconfError ? e.code : `not a NetconfError: ${String(e)}`;
}

describe('RFC 7895 modules-state', () => {
  test('name, revision, namespace, features, deviations, conformance, submodules; empty revision is no revision', () => {
    const lib = parseYangLibrary(MODULES_STATE);
    assert.equal(lib.version, '1.0');
    assert.equal(lib.id, 'a385b7');
    assert.deepEqual(lib.modules, [
      {
        name: 'ietf-interfaces',
        revision: '2014-05-08',
        namespace: 'urn:ietf:params:xml:ns:yang:ietf-interfaces',
        features: ['arbitrary-names', 'if-mib'],
        deviations: ['acme-if-dev'],
        submodules: [],
        conformance: 'implement',
      },
      {
        name: 'ietf-yang-types',
        revision: '2013-07-15',
        namespace: 'urn:ietf:params:xml:ns:yang:ietf-yang-types',
        features: [],
        deviations: [],
        submodules: [],
        conformance: 'import',
      },
      {
        name: 'acme-system',
        namespace: 'http://acme.example.com/system',
        features: [],
        deviations: [],
        submodules: [{ name: 'acme-system-types', revision: '2019-02-02' }, { name: 'acme-system-extra' }],
        conformance: 'implement',
      },
    ]);
  });

  test('parses the <data> element as well as its text, and the container on its own', () => {
    const fromEl = parseYangLibrary(parseXml(MODULES_STATE));
    assert.deepEqual(fromEl, parseYangLibrary(MODULES_STATE));
    const bare = `<modules-state xmlns="${NS_YANG_LIBRARY}"><module-set-id>1</module-set-id></modules-state>`;
    assert.deepEqual(parseYangLibrary(bare), { version: '1.0', id: '1', modules: [] });
  });
});

describe('RFC 8525 yang-library', () => {
  test("the running datastore's schema picks the module sets; import-only modules come as conformance import", () => {
    const lib = parseYangLibrary(YANG_LIBRARY);
    assert.equal(lib.version, '1.1');
    assert.equal(lib.id, '75a43df9bd56b92aacc156a2958fbe12312fb285');
    assert.deepEqual(lib.moduleSets, ['config-modules']);
    assert.deepEqual(
      lib.modules.map((m) => [m.name, m.revision, m.conformance, m.features, m.deviations]),
      [
        ['ietf-interfaces', '2018-02-20', 'implement', ['if-mib'], ['acme-if-dev']],
        ['acme-if-dev', '2020-01-01', 'implement', [], []],
        ['ietf-yang-types', '2013-07-15', 'import', [], []],
      ],
    );
  });

  test('the datastore identity is matched by namespace, not by prefix', () => {
    const other = YANG_LIBRARY.replaceAll('ds:', 'x:').replace('xmlns:ds=', 'xmlns:x=');
    assert.deepEqual(parseYangLibrary(other).moduleSets, ['config-modules']);
    // A prefix bound to another namespace is not the running datastore: every module set is read.
    const wrong = YANG_LIBRARY.replace(`xmlns:ds="${NS_DATASTORES}"`, 'xmlns:ds="urn:example:other"');
    assert.deepEqual(parseYangLibrary(wrong).moduleSets, ['config-modules', 'state-only']);
  });

  test('without datastores every module set is read, shared modules once', () => {
    const noDs = YANG_LIBRARY.replace(/<schema>[\s\S]*<\/datastore>/, '').replace('<name>acme-hardware-state</name>\n        <namespace>http://acme.example.com/hw</namespace>', '<name>acme-hardware-state</name><namespace>http://acme.example.com/hw</namespace><feature>fans</feature></module><module><name>ietf-interfaces</name><revision>2018-02-20</revision><namespace>urn:ietf:params:xml:ns:yang:ietf-interfaces</namespace><feature>pre-provisioning</feature>');
    const lib = parseYangLibrary(noDs);
    assert.deepEqual(lib.moduleSets, ['config-modules', 'state-only']);
    assert.deepEqual(
      lib.modules.map((m) => [m.name, m.features]),
      [
        ['ietf-interfaces', ['if-mib', 'pre-provisioning']],
        ['acme-if-dev', []],
        ['ietf-yang-types', []],
        ['acme-hardware-state', ['fans']],
      ],
    );
  });

  test('the 1.1 form wins when both are present; a version asks for one form', () => {
    const both = data(`${MODULES_STATE.slice(MODULES_STATE.indexOf('<modules-state'), MODULES_STATE.lastIndexOf('</data>'))}${YANG_LIBRARY.slice(YANG_LIBRARY.indexOf('<yang-library'), YANG_LIBRARY.lastIndexOf('</data>'))}`);
    assert.equal(parseYangLibrary(both).version, '1.1');
    assert.equal(parseYangLibrary(both, '1.0').version, '1.0');
    assert.throws(() => parseYangLibrary(MODULES_STATE, '1.1'), (e) => code(e) === 'NETCONF_YANG_LIBRARY' && /no <yang-library/.test((e as Error).message));
  });
});

describe('refusals: coded errors', () => {
  const cases: Array<[string, string, string, RegExp]> = [
    ['malformed XML', `<data xmlns="${NC}"><modules-state xmlns="${NS_YANG_LIBRARY}">`, 'NETCONF_XML', /malformed/],
    ['a DOCTYPE', `<!DOCTYPE data [<!ENTITY x "y">]><data/>`, 'NETCONF_XML', /DOCTYPE/],
    ['no library at all', data(''), 'NETCONF_YANG_LIBRARY', /no <yang-library or modules-state/],
    ['a library in another namespace', data('<modules-state xmlns="urn:example"/>'), 'NETCONF_YANG_LIBRARY', /no </],
    ['a module without a name', data(`<modules-state xmlns="${NS_YANG_LIBRARY}"><module><namespace>urn:x</namespace></module></modules-state>`), 'NETCONF_YANG_LIBRARY', /without a <name>/],
    ['a module without a namespace', data(`<modules-state xmlns="${NS_YANG_LIBRARY}"><module><name>x</name><revision>2020-01-01</revision></module></modules-state>`), 'NETCONF_YANG_LIBRARY', /module x@2020-01-01 without a <namespace>/],
    ['a bad revision', data(`<modules-state xmlns="${NS_YANG_LIBRARY}"><module><name>x</name><revision>2020-1-1</revision><namespace>urn:x</namespace></module></modules-state>`), 'NETCONF_YANG_LIBRARY', /not YYYY-MM-DD/],
    ['a name that is no identifier', data(`<modules-state xmlns="${NS_YANG_LIBRARY}"><module><name>1x</name><namespace>urn:x</namespace></module></modules-state>`), 'NETCONF_YANG_LIBRARY', /not a YANG identifier/],
    ['a feature that is no identifier', data(`<modules-state xmlns="${NS_YANG_LIBRARY}"><module><name>x</name><namespace>urn:x</namespace><feature>a b</feature></module></modules-state>`), 'NETCONF_YANG_LIBRARY', /feature "a b"/],
    ['a leaf holding elements', data(`<modules-state xmlns="${NS_YANG_LIBRARY}"><module><name><b>x</b></name><namespace>urn:x</namespace></module></modules-state>`), 'NETCONF_YANG_LIBRARY', /holds elements/],
    ['a bad conformance-type', data(`<modules-state xmlns="${NS_YANG_LIBRARY}"><module><name>x</name><namespace>urn:x</namespace><conformance-type>maybe</conformance-type></module></modules-state>`), 'NETCONF_YANG_LIBRARY', /conformance-type "maybe"/],
    ['a schema naming a missing module set', data(`<yang-library xmlns="${NS_YANG_LIBRARY}" xmlns:ds="${NS_DATASTORES}"><schema><name>s</name><module-set>gone</module-set></schema><datastore><name>ds:running</name><schema>s</schema></datastore><content-id>1</content-id></yang-library>`), 'NETCONF_YANG_LIBRARY', /module-set "gone"/],
    ['running naming a missing schema', data(`<yang-library xmlns="${NS_YANG_LIBRARY}" xmlns:ds="${NS_DATASTORES}"><datastore><name>ds:running</name><schema>none</schema></datastore></yang-library>`), 'NETCONF_YANG_LIBRARY', /schema "none"/],
    ['a module set without a name', data(`<yang-library xmlns="${NS_YANG_LIBRARY}"><module-set><module><name>x</name><namespace>urn:x</namespace></module></module-set></yang-library>`), 'NETCONF_YANG_LIBRARY', /module-set without a <name>/],
  ];
  for (const [what, xml, wantCode, msg] of cases) {
    test(what, () => {
      assert.throws(() => parseYangLibrary(xml), (e) => code(e) === wantCode && msg.test((e as Error).message));
    });
  }
});

describe('generated libraries read back as written (both forms)', () => {
  const ident = (r: () => number, n: number) => {
    const first = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_';
    const rest = `${first}0123456789.-`;
    let s = first[Math.floor(r() * first.length)];
    for (let i = 1; i < n; i++) s += rest[Math.floor(r() * rest.length)];
    return s;
  };
  const revision = (r: () => number) =>
    r() < 0.2 ? undefined : `${1990 + Math.floor(r() * 40)}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const ws = (r: () => number) => [' ', '\n  ', '', '\t'][Math.floor(r() * 4)];

  function generate(r: () => number, version: '1.0' | '1.1'): LibraryModule[] {
    const n = Math.floor(r() * 12);
    const names = new Set<string>();
    const out: LibraryModule[] = [];
    for (let i = 0; i < n; i++) {
      const name = ident(r, 1 + Math.floor(r() * 20));
      if (names.has(name)) continue;
      names.add(name);
      const rev = revision(r);
      const conformance = r() < 0.3 ? 'import' : 'implement';
      const plain = version === '1.1' && conformance === 'import';
      const m: LibraryModule = {
        name,
        namespace: r() < 0.5 ? `urn:example:${name}` : `http://example.com/a&b<c>/${name}?x=1`,
        features: plain ? [] : [...new Set(Array.from({ length: Math.floor(r() * 4) }, () => ident(r, 1 + Math.floor(r() * 10))))],
        deviations: plain ? [] : [...new Set(Array.from({ length: Math.floor(r() * 3) }, () => ident(r, 1 + Math.floor(r() * 10))))],
        submodules: Array.from({ length: Math.floor(r() * 3) }, (_, k) => {
          const sr = revision(r);
          return sr ? { name: `${name}-sub${k}`, revision: sr } : { name: `${name}-sub${k}` };
        }),
        conformance,
      };
      if (rev) m.revision = rev;
      out.push(m);
    }
    return out;
  }

  function revXml(r: () => number, rev: string | undefined, version: '1.0' | '1.1'): string {
    if (rev) return `<revision>${rev}</revision>`;
    // RFC 7895: zero-length revision; RFC 8525: not instantiated (for import-only, a zero-length string is allowed too).
    return version === '1.0' ? (r() < 0.5 ? '<revision></revision>' : '<revision/>') : '';
  }

  function moduleXml(r: () => number, m: LibraryModule, version: '1.0' | '1.1', p: string): string {
    const t = (name: string, v: string) => `<${p}${name}>${ws(r)}${esc(v)}${ws(r)}</${p}${name}>`;
    const parts = [t('name', m.name), revXml(r, m.revision, version).replaceAll('<revision', `<${p}revision`).replaceAll('</revision', `</${p}revision`), t('namespace', m.namespace)];
    for (const f of m.features) parts.push(t('feature', f));
    for (const d of m.deviations) parts.push(version === '1.0' ? `<${p}deviation>${t('name', d)}<${p}revision>2001-01-01</${p}revision></${p}deviation>` : t('deviation', d));
    for (const s of m.submodules) parts.push(`<${p}submodule>${t('name', s.name)}${s.revision ? t('revision', s.revision) : ''}</${p}submodule>`);
    if (version === '1.0') parts.push(t('conformance-type', m.conformance));
    // Leaf order inside an entry is free: shuffle after the name (keys first is only a SHOULD).
    const head = parts.shift() as string;
    for (let i = parts.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [parts[i], parts[j]] = [parts[j], parts[i]];
    }
    const tag = version === '1.1' && m.conformance === 'import' ? 'import-only-module' : 'module';
    return `<${p}${tag}>${ws(r)}${head}${parts.join(ws(r))}</${p}${tag}>`;
  }

  function libraryXml(r: () => number, modules: LibraryModule[], version: '1.0' | '1.1', id: string): string {
    const usePrefix = r() < 0.5;
    const p = usePrefix ? 'yl:' : '';
    const decl = usePrefix ? `xmlns:yl="${NS_YANG_LIBRARY}"` : `xmlns="${NS_YANG_LIBRARY}"`;
    const body = modules.map((m) => moduleXml(r, m, version, p)).join(ws(r));
    if (version === '1.0') return data(`<${p}modules-state ${decl}><${p}module-set-id>${id}</${p}module-set-id>${body}</${p}modules-state>`);
    return data(
      `<${p}yang-library ${decl} xmlns:d="${NS_DATASTORES}"><${p}module-set><${p}name>all</${p}name>${body}</${p}module-set>` +
        `<${p}schema><${p}name>s</${p}name><${p}module-set>all</${p}module-set></${p}schema>` +
        `<${p}datastore><${p}name>d:running</${p}name><${p}schema>s</${p}schema></${p}datastore><${p}content-id>${id}</${p}content-id></${p}yang-library>`,
    );
  }

  for (const version of ['1.0', '1.1'] as const) {
    test(`${version}: 300 generated libraries`, () => {
      const r = seededRandom(version === '1.0' ? 7895 : 8525);
      for (let i = 0; i < 300; i++) {
        const modules = generate(r, version);
        const xml = libraryXml(r, modules, version, `id-${i}`);
        const lib = parseYangLibrary(xml);
        assert.equal(lib.version, version, xml);
        assert.equal(lib.id, `id-${i}`);
        // 1.1 lists modules before import-only modules; within each, the order written.
        const expected = version === '1.1' ? [...modules.filter((m) => m.conformance === 'implement'), ...modules.filter((m) => m.conformance === 'import')] : modules;
        // feature, deviation and submodule are ordered-by system and written shuffled: compared sorted.
        const norm = (ms: LibraryModule[]) =>
          ms.map((m) => ({ ...m, features: [...m.features].sort(), deviations: [...m.deviations].sort(), submodules: [...m.submodules].sort((a, b) => a.name.localeCompare(b.name)) }));
        assert.deepEqual(norm(lib.modules), norm(expected), xml);
      }
    });
  }

  test('a generated library with one mandatory leaf removed is refused, coded', () => {
    const r = seededRandom(42);
    let refused = 0;
    for (let i = 0; i < 200; i++) {
      const version = r() < 0.5 ? '1.0' : '1.1';
      const modules = generate(r, version);
      if (modules.length === 0) continue;
      const victim = modules[Math.floor(r() * modules.length)];
      const xml = libraryXml(r, modules, version, 'x');
      const leaf = r() < 0.5 ? 'namespace' : 'name';
      // Drop that leaf of the victim only (its value is unique to it: the namespace carries the name).
      const value = leaf === 'name' ? victim.name : victim.namespace;
      const re = new RegExp(`<(yl:)?${leaf}>\\s*${esc(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*</(yl:)?${leaf}>`);
      const broken = xml.replace(re, '');
      assert.notEqual(broken, xml);
      assert.throws(() => parseYangLibrary(broken), (e) => code(e) === 'NETCONF_YANG_LIBRARY', broken);
      refused++;
    }
    assert.ok(refused > 100, `only ${refused} cases`);
  });
});

describe('readYangLibrary', () => {
  function session(caps: string[], reply: string) {
    const calls: ReadOptions[] = [];
    return {
      calls,
      capabilities: parseCapabilities(caps),
      get: async (opts: ReadOptions = {}): Promise<DataReply> => {
        calls.push(opts);
        return { xml: '', element: parseXml(reply) };
      },
    };
  }
  const BASE = 'urn:ietf:params:netconf:base:1.1';

  test('yang-library:1.1 → <get> of /yang-library', async () => {
    const s = session([BASE, 'urn:ietf:params:netconf:capability:yang-library:1.1?revision=2019-01-04&content-id=75a43df9'], YANG_LIBRARY);
    const lib = await readYangLibrary(s);
    assert.deepEqual(s.calls.map((c) => c.filter), [{ subtree: yangLibraryFilter('1.1') }]);
    assert.equal(lib?.version, '1.1');
    assert.equal(lib?.modules.length, 3);
  });

  test('yang-library:1.0 → <get> of /modules-state; the capability id when the reply has none', async () => {
    const noId = MODULES_STATE.replace('<module-set-id>a385b7</module-set-id>', '');
    const s = session([BASE, 'urn:ietf:params:netconf:capability:yang-library:1.0?revision=2016-06-21&module-set-id=from-hello'], noId);
    const lib = await readYangLibrary(s);
    assert.deepEqual(s.calls.map((c) => c.filter), [{ subtree: `<modules-state xmlns="${NS_YANG_LIBRARY}"/>` }]);
    assert.equal(lib?.version, '1.0');
    assert.equal(lib?.id, 'from-hello');
  });

  test('no yang-library capability: nothing read', async () => {
    const s = session([BASE, 'urn:ietf:params:xml:ns:yang:ietf-interfaces?module=ietf-interfaces&revision=2014-05-08'], MODULES_STATE);
    assert.equal(await readYangLibrary(s), undefined);
    assert.equal(s.calls.length, 0);
  });

  test('a 1.1 device answering with modules-state only is refused, coded', async () => {
    const s = session([BASE, 'urn:ietf:params:netconf:capability:yang-library:1.1?revision=2019-01-04&content-id=1'], MODULES_STATE);
    await assert.rejects(readYangLibrary(s), (e) => code(e) === 'NETCONF_YANG_LIBRARY');
  });
});
