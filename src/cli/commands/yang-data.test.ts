import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { run } from '../program.js';
import { captureIO } from '../testing.js';

const DATA = new URL('../../protocols/yang/testdata/instances/', import.meta.url).pathname;
const MOD = join(DATA, 'vt.yang');
const tmp = mkdtempSync(join(tmpdir(), 'cnsdn-yang-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('cnsdn yang validate / convert', () => {
  it('exits 0 for a valid document', async () => {
    const io = captureIO();
    assert.equal(await run(['yang', 'validate', '--type', 'config', MOD, join(DATA, 'ok.json'), join(DATA, 'ok.xml')], io), 0, io.err());
  });

  it('exits 7 for invalid data and prints one error per line', async () => {
    const doc = JSON.parse(readFileSync(join(DATA, 'ok.json'), 'utf8'));
    doc['vt:top'].level = 99;
    doc['vt:top'].mode = 'medium';
    const file = join(tmp, 'bad.json');
    writeFileSync(file, JSON.stringify(doc));
    const io = captureIO();
    assert.equal(await run(['yang', 'validate', '-t', 'config', MOD, file], io), 7);
    const lines = io.err().trim().split('\n');
    assert.equal(lines.length, 2, io.err());
    assert.match(lines[0], /YANG_DATA_RANGE \/vt:top\/level: /);
    assert.match(lines[1], /YANG_DATA_ENUM \/vt:top\/mode: /);
  });

  it('exits 1 for a bad module or a missing file', async () => {
    const io = captureIO();
    assert.equal(await run(['yang', 'validate', join(DATA, 'nope.yang'), join(DATA, 'ok.json')], io), 1);
    const io2 = captureIO();
    assert.equal(await run(['yang', 'validate', MOD, join(tmp, 'missing.json')], io2), 1);
    assert.match(io2.err(), /missing\.json/);
  });

  it('converts JSON to XML into a file and XML to JSON on stdout', async () => {
    const out = join(tmp, 'ok.xml');
    const io = captureIO();
    assert.equal(await run(['yang', 'convert', '-f', 'xml', '-t', 'config', '-o', out, MOD, join(DATA, 'ok.json')], io), 0, io.err());
    assert.match(readFileSync(out, 'utf8'), /<top xmlns="urn:cnsdn:test:vt">/);
    const io2 = captureIO();
    assert.equal(await run(['yang', 'convert', '-f', 'json', '-t', 'config', MOD, out], io2), 0, io2.err());
    assert.equal(JSON.parse(io2.out())['vt:refs']['server-name'], 'b');
  });
});
