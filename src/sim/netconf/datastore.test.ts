import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseXml, type XmlElement, isElement } from '../../protocols/netconf/xml.js';
import { applyEdit } from './edit.js';
import { RpcFault } from './errors.js';
import { subtreeFilter } from './filter.js';
import { initialConfig } from './initial.js';
import { NS } from './schema.js';
import { type DataNode, child, childLeaf, clone, toXml } from './tree.js';
import { validateConfig } from './validate.js';

const IF = NS.ocIf;
const NC = 'urn:ietf:params:xml:ns:netconf:base:1.0';

function config(xml: string): XmlElement[] {
  return parseXml(`<config xmlns="${NC}" xmlns:nc="${NC}">${xml}</config>`).children.filter(isElement);
}

const base = () => initialConfig({ index: 1, interfaces: ['Ethernet1', 'Ethernet2'] });

function ifNames(data: DataNode): string[] {
  return (child(data, 'interfaces', IF)?.children ?? []).map((i) => childLeaf(i, 'name') ?? '');
}

function ifConfig(data: DataNode, name: string): DataNode | undefined {
  const entry = child(data, 'interfaces', IF)?.children.find((i) => childLeaf(i, 'name') === name);
  return entry && child(entry, 'config');
}

function faultOf(fn: () => unknown): RpcFault {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof RpcFault, String(e));
    return e;
  }
  assert.fail('expected an RpcFault');
}

const iface = (name: string, body: string, attrs = '') =>
  `<interfaces xmlns="${IF}"><interface${attrs}><name>${name}</name>${body}</interface></interfaces>`;

describe('edit-config on the data tree', () => {
  it('merge changes one leaf and keeps its siblings; a new list entry is created', () => {
    const d = base();
    applyEdit(d, config(iface('Ethernet1', '<config><mtu>9000</mtu></config>')), 'merge', false);
    applyEdit(d, config(iface('Ethernet9', '<config><name>Ethernet9</name></config>')), 'merge', false);
    assert.equal(childLeaf(ifConfig(d, 'Ethernet1') as DataNode, 'mtu'), '9000');
    assert.equal(childLeaf(ifConfig(d, 'Ethernet1') as DataNode, 'description'), 'simulated port Ethernet1');
    assert.deepEqual(ifNames(d), ['Ethernet1', 'Ethernet2', 'Ethernet9']);
  });

  it('replace swaps the whole node; create refuses an existing one; delete refuses a missing one; remove does not', () => {
    const d = base();
    applyEdit(d, config(iface('Ethernet1', '<config nc:operation="replace"><name>Ethernet1</name></config>')), 'merge', false);
    assert.equal(toXml(ifConfig(d, 'Ethernet1') as DataNode), `<config xmlns="${IF}"><name>Ethernet1</name></config>`);
    assert.equal(faultOf(() => applyEdit(d, config(iface('Ethernet2', '', ' nc:operation="create"')), 'merge', false)).tag, 'data-exists');
    const missing = faultOf(() => applyEdit(d, config(iface('Ethernet7', '', ' nc:operation="delete"')), 'merge', false));
    assert.equal(missing.tag, 'data-missing');
    assert.equal(missing.detail.path, "/oc-if:interfaces/oc-if:interface[oc-if:name='Ethernet7']");
    applyEdit(d, config(iface('Ethernet7', '', ' nc:operation="remove"')), 'merge', false);
    applyEdit(d, config(iface('Ethernet2', '', ' nc:operation="delete"')), 'merge', false);
    assert.deepEqual(ifNames(d), ['Ethernet1']);
  });

  it('default-operation none leaves untouched what has no operation; replace drops what is not named', () => {
    const d = base();
    applyEdit(d, config(iface('Ethernet1', '<config><mtu>1234</mtu><description nc:operation="delete"/></config>')), 'none', false);
    const cfg = ifConfig(d, 'Ethernet1') as DataNode;
    assert.equal(childLeaf(cfg, 'mtu'), '1500');
    assert.equal(childLeaf(cfg, 'description'), undefined);
    applyEdit(d, config(iface('Ethernet2', '<config><name>Ethernet2</name></config>')), 'replace', false);
    assert.deepEqual(ifNames(d), ['Ethernet2']);
    assert.equal(child(d, 'network-instances'), undefined);
  });

  it('continue-on-error applies the good parts and reports every error; an unknown operation is a bad-attribute', () => {
    const d = base();
    const xml =
      `<interfaces xmlns="${IF}"><interface nc:operation="delete"><name>nope</name></interface>` +
      `<interface><name>Ethernet2</name><config><mtu>2000</mtu></config></interface></interfaces>`;
    const { errors } = applyEdit(d, config(xml), 'merge', true);
    assert.deepEqual(errors.map((e) => e.tag), ['data-missing']);
    assert.equal(childLeaf(ifConfig(d, 'Ethernet2') as DataNode, 'mtu'), '2000');
    assert.equal(faultOf(() => applyEdit(d, config(iface('Ethernet1', '', ' nc:operation="frobnicate"')), 'merge', false)).tag, 'bad-attribute');
  });

  it('refuses entries without their key and elements of unknown namespaces', () => {
    const d = base();
    const noKey = faultOf(() => applyEdit(d, config(`<interfaces xmlns="${IF}"><interface><config><mtu>1</mtu></config></interface></interfaces>`), 'merge', false));
    assert.deepEqual([noKey.tag, noKey.detail.info?.['bad-element']], ['missing-element', 'name']);
    const other = faultOf(() => applyEdit(d, config('<system xmlns="urn:example:system"/>'), 'merge', false));
    assert.deepEqual([other.tag, other.detail.info?.['bad-namespace']], ['unknown-namespace', 'urn:example:system']);
  });
});

describe('validation', () => {
  it('checks leaf types, key mirrors and interface references', () => {
    assert.deepEqual(validateConfig(base()), []);
    const d = base();
    applyEdit(d, config(iface('Ethernet1', '<config><name>Ethernet3</name><enabled>yes</enabled></config>')), 'merge', false);
    assert.deepEqual(
      validateConfig(d).map((e) => e.message),
      ['config/name "Ethernet3" differs from the list key "Ethernet1"', 'enabled: "yes" is not a boolean (true or false)'],
    );
    const r = base();
    applyEdit(r, config(iface('Ethernet2', '', ' nc:operation="delete"')), 'merge', false);
    const refs = validateConfig(r);
    assert.equal(refs.length, 1);
    assert.equal(refs[0].tag, 'data-missing');
    assert.match(refs[0].message, /refers to interface "Ethernet2", which does not exist/);
  });
});

describe('subtree filters', () => {
  const data = base();
  const filter = (xml: string) => toXml({ name: 'data', ns: NC, children: subtreeFilter(clone(data), config(xml)).children });

  it('content match selects one entry; selection nodes pick leaves', () => {
    const out = filter(`<interfaces xmlns="${IF}"><interface><name>Ethernet2</name><config><mtu/></config></interface></interfaces>`);
    assert.equal(out, `<data xmlns="${NC}"><interfaces xmlns="${IF}"><interface><name>Ethernet2</name><config><mtu>1500</mtu></config></interface></interfaces></data>`);
  });

  it('a content match alone returns the whole entry; no match returns nothing; an empty filter selects nothing', () => {
    assert.match(filter(`<interfaces xmlns="${IF}"><interface><name>Ethernet1</name></interface></interfaces>`), /<subinterfaces>.*10\.1\.1\.1/);
    assert.equal(filter(`<interfaces xmlns="${IF}"><interface><name>nope</name></interface></interfaces>`), `<data xmlns="${NC}"/>`);
    assert.equal(filter(''), `<data xmlns="${NC}"/>`);
  });

  it('a namespace selects the module: interfaces of the network instance are not the interface list', () => {
    const out = filter(`<network-instances xmlns="${NS.ocNi}"><network-instance><name>default</name><interfaces/></network-instance></network-instances>`);
    assert.match(out, /<id>Ethernet1\.0<\/id>/);
    assert.doesNotMatch(out, /<mtu>/);
  });
});
