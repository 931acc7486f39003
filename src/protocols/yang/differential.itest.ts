/**
 * Differential tests against yanglint (libyang 2): mutated instance documents get the same verdict
 * (valid or not) from both, and the data path yanglint names is among the paths we report.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SHARED_DIR } from '../../common/fixtures.js';
import { compileModules } from './compiler.js';
import { ModuleLoader } from './loader.js';
import type { CompiledSchema } from './schema.js';
import { type InstanceFormat, validateInstance } from './validate.js';

const DATA = new URL('./testdata/instances/', import.meta.url).pathname;
const OC = join(SHARED_DIR, 'fixtures', 'yang', 'openconfig');
const hasYanglint = spawnSync('yanglint', ['--version']).status === 0;
const tmp = mkdtempSync(join(tmpdir(), 'cnsdn-yang-diff-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

// biome-ignore lint/suspicious/noExplicitAny: mutations edit arbitrary JSON
type Doc = any;
type Mutation = [name: string, edit: (d: Doc) => void];

interface Suite {
  schema: CompiledSchema;
  yanglintArgs: string[];
  cwd: string;
}

function compare(suite: Suite, name: string, text: string, format: InstanceFormat): void {
  const file = join(tmp, `${name.replace(/\W+/g, '-')}.${format}`);
  writeFileSync(file, text);
  const yl = spawnSync('yanglint', ['-t', 'config', ...suite.yanglintArgs, file], { cwd: suite.cwd, encoding: 'utf8', timeout: 120_000 });
  // yanglint 2.1.30 exits 7 on most data faults, 5 on some (a missing instance-identifier target); 1 is a schema fault.
  assert.ok(yl.status === 0 || yl.status === 5 || yl.status === 7, `${name}: yanglint exited ${yl.status}: ${yl.stderr}`);
  const ours = validateInstance(suite.schema, text, { format, type: 'config' });
  const ylValid = yl.status === 0;
  const detail = `${name}: yanglint says ${ylValid ? 'valid' : yl.stderr.split('\n').find((l) => l.startsWith('libyang err'))}; ours: ${JSON.stringify(ours.errors)}`;
  assert.equal(ours.valid, ylValid, detail);
  if (!ylValid) {
    const ylPath = /(?:Data|Schema) location "([^"]+)"/.exec(yl.stderr)?.[1];
    if (ylPath && !ours.errors.some((e) => e.code === 'YANG_DATA_SYNTAX')) assert.ok(ours.errors.some((e) => e.path === ylPath), `${detail}\n  path ${ylPath} not among ours`);
  }
}

function runMutations(suite: () => Suite, base: string, mutations: Mutation[]): void {
  for (const [name, edit] of mutations) {
    it(name, () => {
      const doc = JSON.parse(readFileSync(base, 'utf8'));
      edit(doc);
      compare(suite(), name, JSON.stringify(doc), 'json');
    });
  }
}

const VT: Mutation[] = [
  ['valid', () => {}],
  ['range through a typedef chain', (d) => (d['vt:top'].level = 25)],
  ['uint8 written as a JSON string', (d) => (d['vt:top'].level = '15')],
  ['pattern', (d) => (d['vt:top'].host = 'Bad')],
  ['invert-match pattern', (d) => (d['vt:top'].host = 'badhost')],
  ['length', (d) => (d['vt:top'].host = 'a'.repeat(21))],
  ['XSD \\p{L} pattern', (d) => (d['vt:top'].word = '123')],
  ['identity not derived from the base', (d) => (d['vt:top'].proto = 'vt:secure')],
  ['identity of the own module without prefix', (d) => (d['vt:top'].proto = 'tls')],
  ['identityref with two bases', (d) => (d['vt:top'].sec = 'vt:tcp')],
  ['union without a matching member', (d) => (d['vt:top']['port-or-name'] = 'x')],
  ['union matching its number member', (d) => (d['vt:top']['port-or-name'] = 80)],
  ['enumeration', (d) => (d['vt:top'].mode = 'medium')],
  ['bits', (d) => (d['vt:top'].flags = 'c')],
  ['decimal64 range', (d) => (d['vt:top'].ratio = '10.00')],
  ['decimal64 as a JSON number', (d) => (d['vt:top'].ratio = 1.5)],
  ['decimal64 fraction digits', (d) => (d['vt:top'].ratio = '1.555')],
  ['int64 as a JSON number', (d) => (d['vt:top'].big = 5)],
  ['empty not [null]', (d) => (d['vt:top'].marker = true)],
  ['binary length', (d) => (d['vt:top'].blob = 'AQIDBAU=')],
  ['binary not base64', (d) => (d['vt:top'].blob = '@@')],
  ['instance-identifier to nothing', (d) => (d['vt:top'].target = "/vt:server[name='q'][port='1']/weight")],
  ['instance-identifier syntax', (d) => (d['vt:top'].target = 'server')],
  ['leaf-list max-elements', (d) => (d['vt:top'].tags = ['a', 'b', 'c', 'd'])],
  ['leaf-list duplicate', (d) => (d['vt:top'].tags = ['a', 'a'])],
  ['must', (d) => (d['vt:top'].mtu = 60)],
  ['when on a comparison', (d) => (d['vt:top'].mtu = 1500)],
  ['when on a boolean', (d) => (d['vt:top'].enabled = false)],
  ['two cases of a choice', (d) => (d['vt:top'].ipv4 = '1.1.1.1')],
  ['mandatory choice', (d) => delete d['vt:top'].ipv6],
  ['config false node', (d) => (d['vt:top'].state = { counter: '1' })],
  ['mandatory leaf in a presence container', (d) => (d['vt:top'].opts = {})],
  ['missing key', (d) => delete d['vt:server'][1].port],
  ['duplicate keys', (d) => (d['vt:server'][1].name = 'a')],
  ['unique', (d) => (d['vt:server'][1].addr = '10.0.0.1')],
  [
    'list min-elements',
    (d) => {
      delete d['vt:server'];
      delete d['vt:refs'];
      d['vt:top'].target = '/vt:top';
    },
  ],
  ['list max-elements', (d) => d['vt:server'].push({ name: 'c', port: 1, addr: '3', weight: 1 }, { name: 'd', port: 1, addr: '4', weight: 1 })],
  ['mandatory leaf', (d) => delete d['vt:server'][0].weight],
  ['dangling absolute leafref', (d) => (d['vt:refs']['server-name'] = 'zz')],
  ['leafref with a current() predicate', (d) => (d['vt:refs']['server-port'] = 2)],
  ['must with deref()', (d) => (d['vt:server'][1].weight = 0)],
  ['must with derived-from-or-self()', (d) => (d['vt:refs'].kind = 'vt:udp')],
  ['must with count()', (d) => (d['vt:refs']['count-check'] = 3)],
  ['unknown node', (d) => (d['vt:top'].foo = 1)],
  ['unknown module', (d) => (d['xx:top'] = {})],
  ['top-level member without module', (d) => (d.top = {})],
  ['container written as an array', (d) => (d['vt:refs'] = [])],
  ['boolean as a string', (d) => (d['vt:top'].enabled = 'true')],
];

const IF = (d: Doc) => d['openconfig-interfaces:interfaces'].interface;
const NI = (d: Doc) => d['openconfig-network-instance:network-instances']['network-instance'];
const OC_MUTATIONS: Mutation[] = [
  ['valid', () => {}],
  ['mtu out of range', (d) => (IF(d)[0].config.mtu = 70000)],
  ['mtu negative', (d) => (IF(d)[0].config.mtu = -1)],
  ['mtu as a string', (d) => (IF(d)[0].config.mtu = '1500')],
  ['unknown interface type', (d) => (IF(d)[0].config.type = 'iana-if-type:noSuchType')],
  ['interface type without module', (d) => (IF(d)[0].config.type = 'ethernetCsmacd')],
  ['enabled not boolean', (d) => (IF(d)[0].config.enabled = 'yes')],
  ['IPv4 address pattern', (d) => (IF(d)[0].subinterfaces.subinterface[0]['openconfig-if-ip:ipv4'].addresses.address[0].config.ip = '10.0.0.300')],
  ['prefix-length range', (d) => (IF(d)[0].subinterfaces.subinterface[0]['openconfig-if-ip:ipv4'].addresses.address[0].config['prefix-length'] = 33)],
  ['missing list key', (d) => delete IF(d)[1].name],
  ['duplicate interface', (d) => (IF(d)[1].name = IF(d)[1].config.name = 'eth0')],
  ['key leafref to a different config/name', (d) => (IF(d)[1].config.name = 'lo1')],
  ['network-instance interface to no interface', (d) => (NI(d)[0].interfaces.interface[0].config.interface = 'eth9')],
  ['network-instance subinterface to no subinterface', (d) => (NI(d)[0].interfaces.interface[0].config.subinterface = 5)],
  ['unknown node', (d) => (IF(d)[0].config.speed = 10)],
  ['unknown module', (d) => (d['openconfig-nothing:x'] = {})],
  ['state in a configuration', (d) => (IF(d)[0].state = { name: 'eth0' })],
  ['network-instance type not an instance type', (d) => (NI(d)[0].config.type = 'iana-if-type:ethernetCsmacd')],
  ['when: encapsulation on the default instance', (d) => (NI(d)[0].encapsulation = { config: { 'encapsulation-type': 'openconfig-network-instance-types:MPLS' } })],
  ['hold-time as a string', (d) => (IF(d)[0]['hold-time'] = { config: { up: '10' } })],
  ['description as a number', (d) => (IF(d)[0].config.description = 5)],
];

describe('differential against yanglint: small module of our own', { skip: hasYanglint ? false : 'yanglint not installed' }, () => {
  let suite: Suite | undefined;
  const get = (): Suite => {
    suite ??= { schema: compileModules(new ModuleLoader([DATA]), [{ file: join(DATA, 'vt.yang') }]), yanglintArgs: ['vt.yang'], cwd: DATA };
    return suite;
  };
  runMutations(get, join(DATA, 'ok.json'), VT);

  const XML_CASES: [string, string][] = [
    ['xml: valid', readFileSync(join(DATA, 'ok.xml'), 'utf8')],
    ['xml: identityref with a namespace prefix of its own', readFileSync(join(DATA, 'ok.xml'), 'utf8').replace('<proto xmlns:vt="urn:cnsdn:test:vt">vt:tls</proto>', '<proto xmlns:x="urn:cnsdn:test:vt">x:udp</proto>')],
    ['xml: identityref with an unbound prefix', readFileSync(join(DATA, 'ok.xml'), 'utf8').replace('<proto xmlns:vt="urn:cnsdn:test:vt">vt:tls</proto>', '<proto>zz:udp</proto>')],
    ['xml: unknown namespace', '<top xmlns="urn:cnsdn:test:nothing"/>'],
    ['xml: not well-formed', '<top xmlns="urn:cnsdn:test:vt"><level>15</top>'],
    ['xml: element in a leaf', readFileSync(join(DATA, 'ok.xml'), 'utf8').replace('<level>15</level>', '<level><x/></level>')],
    ['xml: leaf twice', readFileSync(join(DATA, 'ok.xml'), 'utf8').replace('<level>15</level>', '<level>15</level><level>16</level>')],
  ];
  for (const [name, text] of XML_CASES) it(name, () => compare(get(), name.replace(/\W+/g, '-'), text, 'xml'));
});

describe('differential against yanglint: OpenConfig interfaces and network-instance', { skip: !hasYanglint ? 'yanglint not installed' : existsSync(OC) ? false : `no OpenConfig fixture at ${OC}` }, () => {
  const files = [
    'models/interfaces/openconfig-interfaces.yang',
    'models/interfaces/openconfig-if-ip.yang',
    'models/network-instance/openconfig-network-instance.yang',
    'models/network-instance/openconfig-network-instance-types.yang',
    'third_party/ietf/iana-if-type.yang',
  ];
  let suite: Suite | undefined;
  const get = (): Suite => {
    suite ??= {
      schema: compileModules(new ModuleLoader([join(OC, 'models'), join(OC, 'third_party', 'ietf')]), files.map((f) => ({ file: join(OC, f) }))),
      yanglintArgs: ['-i', '-Q', '-p', 'models', '-p', 'third_party/ietf', ...files],
      cwd: OC,
    };
    return suite;
  };
  runMutations(get, join(DATA, 'oc-ok.json'), OC_MUTATIONS);
});
