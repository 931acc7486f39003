import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { devices, links, services } from './fixtures.js';
import { deviceTable, enumName, formatTable, linkTable, NameBook, serviceTable } from './table.js';

describe('formatTable', () => {
  it('aligns columns, right-aligns numbers, shows blanks as -', () => {
    const text = formatTable(
      ['NAME', 'N', 'NOTE'],
      [
        ['a', 1, 'x'],
        ['long-name', 123, undefined],
      ],
    );
    assert.equal(text, ['NAME         N  NOTE', 'a            1  x', 'long-name  123  -', ''].join('\n'));
  });

  it('counts code points, not UTF-16 units, and flattens newlines', () => {
    const text = formatTable(['A', 'B'], [['𝔸↔', 'x\ny']]);
    assert.equal(text, 'A   B\n𝔸↔  x y\n');
  });

  it('prints only the header for no rows', () => {
    assert.equal(formatTable(['NAME', 'UUID'], []), 'NAME  UUID\n');
  });
});

describe('TFS tables', () => {
  it('lists devices with short enum names and endpoint counts', () => {
    assert.equal(
      deviceTable(devices),
      [
        'NAME          UUID     TYPE               STATUS    DRIVERS                     ENDPOINTS',
        'R1            uuid-r1  emu-packet-router  ENABLED   UNDEFINED                           2',
        'R2-long-name  uuid-r2  packet-router      DISABLED  OPENCONFIG,GNMI_OPENCONFIG          1',
        '',
      ].join('\n'),
    );
  });

  it('shows link endpoints by device and endpoint name, uuids when unknown', () => {
    const text = linkTable(links, new NameBook(devices));
    assert.equal(
      text,
      [
        'NAME                  UUID     ENDPOINTS',
        'R1/1/1==R2/Ethernet1  uuid-l1  R1:1/1 ↔ R2-long-name:Ethernet1',
        'to-unknown            uuid-l2  R1:1/2 ↔ uuid-x:ep-x',
        '',
      ].join('\n'),
    );
  });

  it('shows services with type, status and endpoints', () => {
    const lines = serviceTable(services, new NameBook(devices)).split('\n');
    assert.equal(lines[0], 'NAME  UUID     TYPE  STATUS  ENDPOINTS');
    assert.equal(lines[1], 'svc1  uuid-s1  L2NM  ACTIVE  R1:1/2, R2-long-name:Ethernet1');
  });

  it('resolves devices referenced by name as well as by uuid', () => {
    const book = new NameBook(devices);
    assert.equal(book.endpoint({ device_id: { device_uuid: { uuid: 'R1' } }, endpoint_uuid: { uuid: '1/1' } }), 'R1:1/1');
    assert.equal(book.device('uuid-r2'), 'R2-long-name');
    assert.equal(book.endpoint({}), '?:?');
  });

  it('leaves values without the prefix alone', () => {
    assert.equal(enumName('DEVICEDRIVER_P4', 'DEVICEDRIVER_'), 'P4');
    assert.equal(enumName(2, 'DEVICEDRIVER_'), '2');
    assert.equal(enumName(undefined, 'X_'), undefined);
  });
});
