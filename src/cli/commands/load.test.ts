import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { run } from '../program.js';
import { type CannedResponse, captureIO, closedPortUrl, type FakeController, problem, startFakeController } from '../testing.js';

const report = (dryRun: boolean): CannedResponse => ({
  status: dryRun ? 200 : 201,
  body: {
    dry_run: dryRun,
    summary: { created: 2, updated: 1, unchanged: 0 },
    entities: [
      { kind: 'device', name: 'R1', uuid: 'u-r1', action: 'created' },
      { kind: 'link', name: 'L1', uuid: 'L1', action: 'updated' },
    ],
  },
});

describe('cnsdn load', () => {
  let dir: string;
  let fake: FakeController;
  let good: string;
  let good2: string;
  let invalid: string;
  let malformed: string;
  const goodText = '{\n  "devices": [ {"device_id": {"device_uuid": {"uuid": "R1"}}} ],\n\t"links": []\n}\n';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cnsdn-cli-'));
    good = join(dir, 'topology.json');
    good2 = join(dir, 'service.json');
    invalid = join(dir, 'invalid.json');
    malformed = join(dir, 'malformed.json');
    await writeFile(good, goodText);
    await writeFile(good2, '{"services": []}');
    await writeFile(invalid, '{"devices": [{"device_id": 3}]}');
    await writeFile(malformed, '{\n  "devices": [\n    {"name": "R1",}\n  ]\n}\n');
    fake = await startFakeController({
      // A sequence whose second descriptor would be rejected: results stop there.
      'POST /tfs-api/descriptors/dry-run': () => ({
        body: {
          dry_run: true,
          results: [
            report(true).body,
            { problem: { status: 422, code: 'CNSDN_DANGLING_REFERENCE', title: 'Dangling reference', errors: [{ path: '/services/0/service_endpoint_ids/0/device_id', message: 'device dc1 does not exist' }] } },
          ],
        },
      }),
      'POST /tfs-api/descriptors': (req) => {
        if (req.body.includes('"device_id": 3')) {
          return problem(400, {
            code: 'CNSDN_VALIDATION_FAILED',
            title: 'Invalid descriptor',
            detail: 'the descriptor has 2 errors',
            errors: [
              { path: '/devices/0/device_id', message: 'must be an object' },
              { path: '/devices/0/device_type', message: 'is required' },
            ],
          });
        }
        if (req.body.includes('"conflict"')) {
          return problem(409, { code: 'CNSDN_REVISION_CONFLICT', title: 'Conflict', detail: 'device R1 changed meanwhile' });
        }
        return report(req.url.includes('dry_run=true'));
      },
    });
  });
  after(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    fake.requests.length = 0;
  });

  it('posts each file unchanged with the token and prints the summary', async () => {
    const io = captureIO({ CNSDN_TOKEN: 'tok-1' });
    const code = await run(['--url', fake.url, 'load', good, good2], io);
    assert.equal(code, 0, io.err());
    assert.equal(fake.requests.length, 2);
    const [first, second] = fake.requests;
    assert.equal(first.method, 'POST');
    assert.equal(first.url, '/tfs-api/descriptors');
    assert.equal(first.body, goodText);
    assert.equal(first.headers['content-type'], 'application/json');
    assert.equal(first.headers.authorization, 'Bearer tok-1');
    assert.equal(second.body, '{"services": []}');
    assert.equal(
      io.out(),
      `${good}: created 2, updated 1, unchanged 0\n${good2}: created 2, updated 1, unchanged 0\n2 files: 2 loaded, 0 failed\n`,
    );
    assert.equal(io.err(), '');
  });

  it('a dry run of several files checks each against what the files before it would leave', async () => {
    const needsTopology = join(dir, 'needs-topology.json');
    await writeFile(needsTopology, '{"services": []}');
    const io = captureIO();
    assert.equal(await run(['--url', fake.url, 'load', '--dry-run', good, needsTopology, good2], io), 1);
    assert.equal(fake.requests.length, 1, 'one request for the whole sequence');
    assert.equal(fake.requests[0]!.url, '/tfs-api/descriptors/dry-run');
    assert.equal(fake.requests[0]!.body, `{"descriptors":[${goodText},{"services": []},{"services": []}]}`);
    assert.equal(io.out(), `${good}: dry run: would create 2, would update 1, would leave unchanged 0\n3 files: 1 valid, 2 failed\n`);
    assert.equal(
      io.err(),
      `${needsTopology}: CNSDN_DANGLING_REFERENCE: Dangling reference\n${needsTopology}: /services/0/service_endpoint_ids/0/device_id: device dc1 does not exist\n${good2}: not checked: a file before it would be rejected\n`,
    );
  });

  it('--token wins over the environment', async () => {
    const io = captureIO({ CNSDN_TOKEN: 'from-env' });
    await run(['load', '--url', fake.url, '--token', 'from-flag', good], io);
    assert.equal(fake.requests[0].headers.authorization, 'Bearer from-flag');
  });

  it('--dry-run adds dry_run=true and says what would change', async () => {
    const io = captureIO();
    const code = await run(['--url', fake.url, 'load', '--dry-run', good], io);
    assert.equal(code, 0, io.err());
    assert.equal(fake.requests[0].url, '/tfs-api/descriptors?dry_run=true');
    assert.equal(io.out(), `${good}: dry run: would create 2, would update 1, would leave unchanged 0\n`);
  });

  it('--verbose lists the entities', async () => {
    const io = captureIO();
    await run(['--url', fake.url, 'load', '-v', good], io);
    assert.equal(io.out(), `${good}: created 2, updated 1, unchanged 0\n  created device R1 (u-r1)\n  updated link L1\n`);
  });

  it('prints every problem with file and path, exits 1 and stops at the failing file', async () => {
    const io = captureIO();
    const code = await run(['--url', fake.url, 'load', invalid, good], io);
    assert.equal(code, 1);
    assert.equal(fake.requests.length, 1, 'the file after the failing one is not sent');
    assert.equal(
      io.err(),
      [
        `${invalid}: CNSDN_VALIDATION_FAILED: Invalid descriptor`,
        `${invalid}: /devices/0/device_id: must be an object`,
        `${invalid}: /devices/0/device_type: is required`,
        '',
      ].join('\n'),
    );
    assert.equal(io.out(), '');
  });

  it('prints the detail of a problem without a list of errors', async () => {
    const conflict = join(dir, 'conflict.json');
    await writeFile(conflict, '{"conflict": true}');
    const io = captureIO();
    assert.equal(await run(['--url', fake.url, 'load', conflict], io), 1);
    assert.equal(io.err(), `${conflict}: CNSDN_REVISION_CONFLICT: Conflict: device R1 changed meanwhile\n`);
  });

  it('--keep-going loads the remaining files and still exits 1', async () => {
    const io = captureIO();
    const code = await run(['--url', fake.url, 'load', '--keep-going', invalid, good], io);
    assert.equal(code, 1);
    assert.equal(fake.requests.length, 2);
    assert.match(io.out(), /topology\.json: created 2/);
    assert.match(io.out(), /2 files: 1 loaded, 1 failed\n$/);
  });

  it('reports malformed local JSON with file, line and column, and sends nothing', async () => {
    const io = captureIO();
    const code = await run(['--url', fake.url, 'load', good, malformed], io);
    assert.equal(code, 1);
    assert.equal(fake.requests.length, 0);
    assert.equal(io.err(), `${malformed}:3:19: malformed JSON: trailing comma before "}" (at offset 35)\n`);
  });

  it('reports a missing file without sending anything', async () => {
    const io = captureIO();
    const missing = join(dir, 'nope.json');
    const code = await run(['--url', fake.url, 'load', good, missing], io);
    assert.equal(code, 1);
    assert.equal(fake.requests.length, 0);
    assert.equal(io.err(), `${missing}: cannot read: no such file\n`);
  });

  it('strips a UTF-8 byte order mark before sending', async () => {
    const bom = join(dir, 'bom.json');
    await writeFile(bom, '\ufeff{"devices": []}');
    const io = captureIO();
    assert.equal(await run(['--url', fake.url, 'load', bom], io), 0, io.err());
    assert.equal(fake.requests[0].body, '{"devices": []}');
  });

  it('explains a refused connection and exits 1', async () => {
    const url = await closedPortUrl();
    const io = captureIO();
    const code = await run(['--url', url, 'load', '--keep-going', good, good2], io);
    assert.equal(code, 1);
    assert.equal(io.err(), `cannot reach the controller at ${url}: is \`cnsdn serve\` running? (set --url or CNSDN_URL)\n`);
  });

  it('draws a progress bar on a terminal and keeps the summaries', async () => {
    let drawn = '';
    const terminal = {
      isTTY: true,
      columns: 100,
      write: (s: string) => {
        drawn += s;
        return true;
      },
    };
    const io = { ...captureIO(), progressStream: terminal as unknown as NodeJS.WritableStream, stderrIsTTY: true };
    const code = await run(['--url', fake.url, 'load', good, good2], io);
    assert.equal(code, 0);
    assert.match(drawn, /2\/2 files/);
    assert.match(drawn, /topology\.json: created 2, updated 1, unchanged 0\n/);
    assert.match(drawn, /service\.json: created 2/);
    assert.doesNotMatch(io.out(), /topology\.json:/, 'summaries go through the bar, not around it');
  });
});

describe('cnsdn load against a controller that requires a token', () => {
  let fake: FakeController;
  before(async () => {
    fake = await startFakeController({
      'POST /tfs-api/descriptors': problem(401, { code: 'CNSDN_UNAUTHENTICATED', title: 'Unauthenticated' }),
    });
  });
  after(() => fake.close());

  it('asks for a token', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cnsdn-cli-'));
    const file = join(dir, 'a.json');
    await writeFile(file, '{}');
    const io = captureIO();
    const code = await run(['--url', fake.url, 'load', '--keep-going', file, file], io);
    assert.equal(code, 1);
    assert.equal(fake.requests.length, 1, 'no point in sending more files without a token');
    assert.equal(io.err(), 'the controller requires a token: pass --token or set CNSDN_TOKEN\n');
    await rm(dir, { recursive: true, force: true });
  });
});
