/** The dashboard's pure functions (webui/src modules without DOM), run under Node with the rest of the suite. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endpointChoices, linkFromChoices, suggestedLinkName } from '../../webui/src/link-form.js';
import { type Device, deviceStatus, label, Names, ruleValueText, statusTone, userRules } from '../../webui/src/model.js';
import { countNodes, filterYang, type YangNode, yangFlags, yangLabel, yangPath } from '../../webui/src/yang.js';

const dev = (uuid: string, name: string, eps: [string, string?][]): Device => ({
  device_id: { device_uuid: { uuid } },
  name,
  device_type: 'emu-packet-router',
  device_endpoints: eps.map(([ep, epName]) => ({ endpoint_id: { device_id: { device_uuid: { uuid } }, endpoint_uuid: { uuid: ep } }, ...(epName ? { name: epName } : {}) })),
});

describe('webui model', () => {
  it('labels TFS enums without their prefix and picks a tone', () => {
    assert.equal(label('DEVICEOPERATIONALSTATUS_ENABLED', 'DEVICEOPERATIONALSTATUS_'), 'ENABLED');
    assert.equal(label(2, 'X_'), '2');
    assert.equal(label(undefined, 'X_'), '—');
    assert.equal(deviceStatus({ ...dev('u', 'n', []), device_operational_status: 'DEVICEOPERATIONALSTATUS_DISABLED' }), 'DISABLED');
    assert.deepEqual(['ENABLED', 'DISABLED', '—', 'PLANNED'].map(statusTone), ['ok', 'bad', 'muted', 'warn']);
  });

  it('names endpoints "device / endpoint", falling back to uuids', () => {
    const names = new Names([dev('d1', 'R1', [['e1', 'eth1'], ['e2']])]);
    assert.equal(names.endpoint({ device_id: { device_uuid: { uuid: 'd1' } }, endpoint_uuid: { uuid: 'e1' } }), 'R1 / eth1');
    assert.equal(names.endpoint({ device_id: { device_uuid: { uuid: 'd1' } }, endpoint_uuid: { uuid: 'e2' } }), 'R1 / e2');
    assert.equal(names.endpoint({ device_id: { device_uuid: { uuid: 'dx' } }, endpoint_uuid: { uuid: 'ex' } }), 'dx / ex');
  });

  it('shows custom rules only, with their value as text', () => {
    const d: Device = {
      ...dev('d', 'D', []),
      device_config: { config_rules: [{ action: 1, custom: { resource_key: '/a', resource_value: { x: 1 } } }, { action: 1, acl: {} }, { action: 1, custom: { resource_key: '/b', resource_value: 'text' } }] },
    };
    assert.deepEqual(userRules(d).map(ruleValueText), ['{"x":1}', 'text']);
  });
});

describe('webui link form', () => {
  const devices = [dev('d2', 'R2', [['e3', 'eth1']]), dev('d1', 'R1', [['e1', 'eth1'], ['e2', 'eth2']])];

  it('offers every endpoint sorted by label, valued by device and endpoint uuid', () => {
    assert.deepEqual(endpointChoices(devices), [
      { value: 'd1 e1', label: 'R1 / eth1' },
      { value: 'd1 e2', label: 'R1 / eth2' },
      { value: 'd2 e3', label: 'R2 / eth1' },
    ]);
  });

  it('builds the link to POST and refuses a missing end, a blank name or a loop', () => {
    assert.deepEqual(linkFromChoices({ name: ' L1 ', a: 'd1 e1', b: 'd2 e3', type: 'LINKTYPE_FIBER' }), {
      link_id: { link_uuid: { uuid: 'L1' } },
      name: 'L1',
      link_type: 'LINKTYPE_FIBER',
      link_endpoint_ids: [
        { device_id: { device_uuid: { uuid: 'd1' } }, endpoint_uuid: { uuid: 'e1' } },
        { device_id: { device_uuid: { uuid: 'd2' } }, endpoint_uuid: { uuid: 'e3' } },
      ],
    });
    assert.equal(linkFromChoices({ name: 'L', a: 'd1 e1', b: 'd2 e3', type: 'bogus' }).link_type, 'LINKTYPE_UNKNOWN');
    assert.throws(() => linkFromChoices({ name: 'L', a: '', b: 'd2 e3', type: '' }), /first endpoint/);
    assert.throws(() => linkFromChoices({ name: 'L', a: 'd1 e1', b: 'd1 ', type: '' }), /second endpoint/);
    assert.throws(() => linkFromChoices({ name: ' ', a: 'd1 e1', b: 'd2 e3', type: '' }), /name/);
    assert.throws(() => linkFromChoices({ name: 'L', a: 'd1 e1', b: 'd1 e1', type: '' }), /two different/);
  });

  it('suggests a name from both ends only', () => {
    assert.equal(suggestedLinkName('R1 / eth1', 'R2 / eth1'), 'R1/eth1==R2/eth1');
    assert.equal(suggestedLinkName('R1 / eth1', ''), '');
  });
});

describe('webui YANG tree', () => {
  const leaf = (name: string, extra: Partial<YangNode> = {}): YangNode => ({ name, kind: 'leaf', config: true, type: 'string', ...extra });
  const tree: YangNode[] = [
    {
      name: 'interfaces',
      kind: 'container',
      config: true,
      children: [
        {
          name: 'interface',
          kind: 'list',
          config: true,
          keys: ['name'],
          children: [leaf('name', { mandatory: true }), leaf('mtu', { module: 'ietf-ip', type: 'uint16' }), leaf('oper-status', { config: false })],
        },
      ],
    },
    { name: 'reset', kind: 'rpc', config: false, children: [{ name: 'input', kind: 'input', config: false, children: [leaf('name', { config: false })] }] },
  ];

  it('labels nodes as tree diagrams do: flags, markers, keys, types, other modules prefixed', () => {
    const list = tree[0]!.children![0]!;
    assert.equal(yangLabel(tree[0]!), 'rw interfaces');
    assert.equal(yangLabel(list), 'rw interface* [name]');
    assert.equal(yangLabel(list.children![0]!), 'rw name string');
    assert.equal(yangLabel(list.children![1]!), 'rw ietf-ip:mtu? uint16');
    assert.equal(yangLabel(list.children![2]!), 'ro oper-status? string');
    assert.equal(yangLabel(tree[1]!), '-x reset');
    assert.equal(yangFlags({ name: 'c', kind: 'choice', config: true }), '');
    assert.equal(yangLabel({ name: 'c', kind: 'case', config: true }), ':(c)');
  });

  it('counts nodes and filters by name, keeping the ancestors of matches', () => {
    assert.equal(countNodes(tree), 8);
    const found = filterYang(tree, 'MTU');
    assert.equal(found.length, 1);
    assert.deepEqual(found[0]!.children![0]!.children!.map((n) => n.name), ['mtu']);
    assert.equal(filterYang(tree, '  ').length, 2);
    assert.deepEqual(filterYang(tree, 'nothing-like-this'), []);
  });

  it('gives schema paths with the module on the first step and where the module changes', () => {
    const list = tree[0]!.children![0]!;
    assert.equal(yangPath('ietf-interfaces', [tree[0]!, list, list.children![1]!]), '/ietf-interfaces:interfaces/interface/ietf-ip:mtu');
    assert.equal(yangPath('m', [{ name: 'ch', kind: 'choice', config: true }, leaf('x')]), '/m:x');
  });
});
