import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { commandOf, run } from './program.js';
import { captureIO, type FakeController, problem, startFakeController } from './testing.js';

describe('cnsdn program', () => {
  let fake: FakeController;
  before(async () => {
    fake = await startFakeController({
      'GET /tfs-api/devices': (req) =>
        req.headers.authorization === 'Bearer admin-tok'
          ? { body: { devices: [] } }
          : problem(401, { code: 'CNSDN_UNAUTHENTICATED', title: 'Unauthenticated' }),
    });
  });
  after(() => fake.close());

  it('takes the URL from CNSDN_URL and the token from CNSDN_ADMIN_TOKEN', async () => {
    const io = captureIO({ CNSDN_URL: fake.url, CNSDN_ADMIN_TOKEN: 'admin-tok' });
    assert.equal(await run(['get', 'devices'], io), 0, io.err());
    assert.equal(fake.requests.at(-1)?.headers.authorization, 'Bearer admin-tok');
  });

  it('accepts host:port as the URL', async () => {
    const io = captureIO({ CNSDN_TOKEN: 'admin-tok' });
    assert.equal(await run(['--url', fake.url.replace('http://', ''), 'get', 'devices'], io), 0, io.err());
  });

  it('finds the command after global options and their values', () => {
    assert.equal(commandOf(['--url', 'http://h:1', '--token', 't', 'serve', '--port', '1']), 'serve');
    assert.equal(commandOf(['--timeout', '10s', 'gnmi', 'get']), 'gnmi');
    assert.equal(commandOf(['--url=http://h', 'get', 'devices']), 'get');
    assert.equal(commandOf(['--help']), undefined);
    assert.equal(commandOf(['--', 'load']), 'load');
  });

  it('still knows the protocol commands (loaded on demand)', async () => {
    const io = captureIO();
    assert.equal(await run(['--help'], io), 0);
    for (const c of ['serve', 'load', 'export', 'get', 'gnmi', 'yang', 'netconf', 'loadgen']) assert.match(io.out(), new RegExp(`\\n  ${c} `), c);
  });

  it('explains a 401', async () => {
    const io = captureIO();
    assert.equal(await run(['--url', fake.url, 'get', 'devices'], io), 1);
    assert.equal(io.err(), 'error: the controller requires a token: pass --token or set CNSDN_TOKEN\n');
  });

  it('a 404 with a path in --url says the URL should have none', async () => {
    const io = captureIO({ CNSDN_TOKEN: 'admin-tok' });
    assert.equal(await run(['--url', `${fake.url}/tfs-api`, 'get', 'devices'], io), 1);
    assert.match(io.err(), /^error: not found: GET \/tfs-api\/tfs-api\/devices: --url should be the controller's address without a path/);
  });

  it('says a token that was sent was refused', async () => {
    const io = captureIO();
    assert.equal(await run(['--url', fake.url, '--token', 'wrong-tok', 'get', 'devices'], io), 1);
    assert.match(io.err(), /^error: the controller refused the token.*: check --token or CNSDN_TOKEN\n$/);
  });

  it('exits 2 on usage errors without contacting the controller', async () => {
    const before = fake.requests.length;
    const cases: Array<[string[], RegExp]> = [
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['get'], /missing required argument 'kind'/],
      [['load'], /missing required argument 'file'/],
      [['--timeout', 'soon', 'get', 'devices'], /expected a positive number of milliseconds/],
      [['--url', 'ftp://127.0.0.1', 'get', 'devices'], /only http:\/\/ and https:\/\//],
      [['get', 'devices', '--bogus'], /unknown option '--bogus'/],
      [[], /Usage: cnsdn/],
    ];
    for (const [args, message] of cases) {
      const io = captureIO();
      assert.equal(await run(args, io), 2, args.join(' '));
      assert.match(io.err(), message, args.join(' '));
    }
    assert.equal(fake.requests.length, before);
  });

  it('prints help and version with exit 0', async () => {
    const io = captureIO();
    assert.equal(await run(['get', '--help'], io), 0);
    assert.match(io.out(), /--context <name>/);
    const v = captureIO();
    assert.equal(await run(['--version'], v), 0);
    assert.match(v.out(), /^\d+\.\d+\.\d+/);
  });

  it('bin/cnsdn.js --help runs and lists the commands', () => {
    const bin = fileURLToPath(new URL('../../bin/cnsdn.js', import.meta.url));
    const r = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    for (const command of ['serve', 'load', 'export', 'get']) assert.match(r.stdout, new RegExp(`^  ${command} `, 'm'));
  });
});
