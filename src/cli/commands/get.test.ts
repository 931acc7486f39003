import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { contexts, devices, links, services, slices } from '../fixtures.js';
import { run } from '../program.js';
import { captureIO, type FakeController, problem, startFakeController } from '../testing.js';

describe('cnsdn get and export', () => {
  let fake: FakeController;
  const descriptors = { contexts: [{ context_id: { context_uuid: { uuid: 'admin' } } }], devices: [], links: [] };
  before(async () => {
    fake = await startFakeController({
      'GET /tfs-api/devices': { body: { devices } },
      'GET /tfs-api/links': { body: { links } },
      'GET /tfs-api/contexts': { body: { contexts } },
      'GET /tfs-api/context/admin/services': { body: { services } },
      'GET /tfs-api/context/other/services': { body: { services: [] } },
      'GET /tfs-api/context/admin/slices': { body: { slices } },
      'GET /tfs-api/context/admin/topology_details/admin': { body: { devices, links: links.slice(0, 1) } },
      'GET /tfs-api/device/uuid-r1': { body: devices[0] },
      'GET /tfs-api/context/admin/service/svc1': { body: services[0] },
      'GET /tfs-api/descriptors': { body: descriptors },
      'GET /behind-proxy/tfs-api/devices': { hang: true },
      'GET /tfs-api/context/admin/topology_details/missing': problem(404, { code: 'CNSDN_NOT_FOUND', title: 'Not Found' }),
    });
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
  });

  const get = async (...args: string[]) => {
    const io = captureIO();
    const code = await run(['--url', fake.url, 'get', ...args], io);
    return { code, out: io.out(), err: io.err() };
  };

  it('lists devices as a table', async () => {
    const r = await get('devices');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(
      fake.requests.map((q) => q.url),
      ['/tfs-api/devices'],
    );
    const lines = r.out.split('\n');
    assert.equal(lines[0], 'NAME          UUID     TYPE               STATUS    DRIVERS                     ENDPOINTS');
    assert.equal(lines[1], 'R1            uuid-r1  emu-packet-router  ENABLED   UNDEFINED                           2');
    assert.equal(lines.length, 4);
  });

  it('lists links with endpoint names resolved through one devices request', async () => {
    const r = await get('links');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(
      fake.requests.map((q) => q.url),
      ['/tfs-api/links', '/tfs-api/devices'],
    );
    assert.match(r.out, /^R1\/1\/1==R2\/Ethernet1 {2}uuid-l1 {2}R1:1\/1 ↔ R2-long-name:Ethernet1$/m);
  });

  it('lists services of the chosen context', async () => {
    let r = await get('services');
    assert.match(r.out, /^svc1 {2}uuid-s1 {2}L2NM {2}ACTIVE {2}R1:1\/2, R2-long-name:Ethernet1$/m);
    fake.requests.length = 0;
    r = await get('services', '--context', 'other');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(
      fake.requests.map((q) => q.url),
      ['/tfs-api/context/other/services'],
      'no devices request for an empty list',
    );
    assert.equal(r.out, 'NAME  UUID  TYPE  STATUS  ENDPOINTS\n');
  });

  it('lists slices and contexts', async () => {
    const s = await get('slices');
    assert.match(s.out, /^slice1 {2}uuid-sl1 {2}PLANNED {9}1 {2}R1:1\/1$/m);
    const c = await get('contexts');
    assert.equal(c.out, 'NAME   UUID      TOPOLOGIES  SERVICES  SLICES\nadmin  ctx-uuid           1         1       0\n');
  });

  it('shows a topology with its devices and links', async () => {
    const r = await get('topology');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(
      fake.requests.map((q) => q.url),
      ['/tfs-api/context/admin/topology_details/admin'],
    );
    assert.match(r.out, /^DEVICES \(2\)$/m);
    assert.match(r.out, /^LINKS \(1\)$/m);
    assert.match(r.out, /R1:1\/1 ↔ R2-long-name:Ethernet1/);
  });

  it('prints JSON with -o json', async () => {
    const r = await get('devices', '-o', 'json');
    assert.deepEqual(JSON.parse(r.out), { devices });
    const t = await get('topology', '--output', 'json');
    assert.deepEqual(JSON.parse(t.out), { devices, links: links.slice(0, 1) });
  });

  it('shows one device with its endpoints, accepting the singular', async () => {
    const r = await get('device', 'uuid-r1');
    assert.equal(r.code, 0, r.err);
    assert.equal(fake.requests[0].url, '/tfs-api/device/uuid-r1');
    assert.match(r.out, /^ENDPOINTS\nNAME {2}UUID {5}TYPE\n1\/1 {3}ep-r1-1 {2}copper$/m);
  });

  it('shows one service by name in its context', async () => {
    const r = await get('service', 'svc1');
    assert.equal(r.code, 0, r.err);
    assert.equal(fake.requests[0].url, '/tfs-api/context/admin/service/svc1');
    assert.match(r.out, /^svc1 {2}uuid-s1/m);
  });

  it('says not found for a missing item and exits 1', async () => {
    const r = await get('devices', 'nope');
    assert.equal(r.code, 1);
    assert.equal(r.err, 'device "nope" not found\n');
    const t = await get('topology', 'missing');
    assert.equal(t.code, 1);
    assert.equal(t.err, 'topology admin/missing not found\n');
  });

  it('rejects an unknown kind or output format as a usage error', async () => {
    const r = await get('routers');
    assert.equal(r.code, 2);
    assert.match(r.err, /use one of devices, links/);
    const o = await get('devices', '-o', 'yaml');
    assert.equal(o.code, 2);
    assert.match(o.err, /Allowed choices are table, json/);
    assert.equal(fake.requests.length, 0);
  });

  it('reports a timeout clearly', async () => {
    const io = captureIO();
    const code = await run(['--url', `${fake.url}/behind-proxy`, '--timeout', '100', 'get', 'devices'], io);
    assert.equal(code, 1);
    assert.equal(fake.requests.at(-1)?.url, '/behind-proxy/tfs-api/devices');
    assert.match(io.err(), /did not answer within 100 ms \(raise --timeout if it is busy\)/);
  });

  it('export prints the descriptors as pretty JSON', async () => {
    const io = captureIO();
    const code = await run(['--url', fake.url, 'export'], io);
    assert.equal(code, 0, io.err());
    assert.equal(io.out(), `${JSON.stringify(descriptors, null, 2)}\n`);
    assert.equal(fake.requests[0].url, '/tfs-api/descriptors');
  });

  it('export -o writes a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cnsdn-cli-'));
    const file = join(dir, 'out.json');
    const io = captureIO();
    const code = await run(['--url', fake.url, 'export', '-o', file], io);
    assert.equal(code, 0, io.err());
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), descriptors);
    assert.equal(io.out(), '');
    assert.match(io.err(), /^wrote .*out\.json/);
    await rm(dir, { recursive: true, force: true });
  });
});
