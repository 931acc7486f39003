import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiError, CnsdnClient, ConnectionError, ResponseError, TimeoutError } from './client.js';
import { closedPortUrl, type FakeController, problem, startFakeController } from './testing.js';

describe('CnsdnClient', () => {
  let fake: FakeController;
  before(async () => {
    fake = await startFakeController({
      'GET /tfs-api/devices': { body: { devices: [{ name: 'r1' }] } },
      'POST /tfs-api/descriptors': { status: 201, body: { summary: { created: 1 } } },
      'GET /tfs-api/links': problem(422, {
        code: 'CNSDN_VALIDATION_FAILED',
        title: 'Validation failed',
        detail: '2 errors',
        errors: [
          { path: '/links/0', message: 'bad' },
          { path: '/links/1', message: 'worse' },
        ],
      }),
      'GET /tfs-api/contexts': { status: 502, contentType: 'text/html', body: '<html>\n<b>Bad gateway</b></html>' },
      'GET /tfs-api/context/admin/services': { contentType: 'application/json', body: 'not json' },
      'GET /slow': { hang: true },
      'GET /tfs-api/context/a%2Fb/slices': { body: { slices: [] } },
    });
  });
  after(() => fake.close());

  it('sends the bearer token and parses the list', async () => {
    const client = new CnsdnClient({ url: `${fake.url}/`, token: 's3cret' });
    const devices = await client.listDevices();
    assert.deepEqual(devices, [{ name: 'r1' }]);
    const req = fake.requests.at(-1)!;
    assert.equal(req.url, '/tfs-api/devices');
    assert.equal(req.headers.authorization, 'Bearer s3cret');
  });

  it('sends no authorization header without a token', async () => {
    await new CnsdnClient({ url: fake.url, token: '' }).listDevices();
    assert.equal(fake.requests.at(-1)!.headers.authorization, undefined);
  });

  it('posts a descriptor string byte for byte, with dry_run when asked', async () => {
    const client = new CnsdnClient({ url: fake.url });
    const text = '{ "devices" :[ ],\n  "links": [] }';
    const report = await client.loadDescriptors(text, { dryRun: true });
    assert.deepEqual(report, { summary: { created: 1 } });
    const req = fake.requests.at(-1)!;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/tfs-api/descriptors?dry_run=true');
    assert.equal(req.body, text);
    assert.equal(req.headers['content-type'], 'application/json');
    await client.loadDescriptors({ devices: [] });
    assert.equal(fake.requests.at(-1)!.url, '/tfs-api/descriptors');
    assert.equal(fake.requests.at(-1)!.body, '{"devices":[]}');
  });

  it('encodes path segments', async () => {
    await new CnsdnClient({ url: fake.url }).listSlices('a/b');
    assert.equal(fake.requests.at(-1)!.url, '/tfs-api/context/a%2Fb/slices');
  });

  it('turns a problem document into an ApiError with code and paths', async () => {
    const err = await new CnsdnClient({ url: fake.url }).listLinks().catch((e: unknown) => e);
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 422);
    assert.equal(err.code, 'CNSDN_VALIDATION_FAILED');
    assert.equal(err.title, 'Validation failed');
    assert.equal(err.detail, '2 errors');
    assert.deepEqual(
      err.errors.map((e) => [e.path, e.message]),
      [
        ['/links/0', 'bad'],
        ['/links/1', 'worse'],
      ],
    );
  });

  it('keeps an excerpt of a non-JSON error body', async () => {
    const err = await new CnsdnClient({ url: fake.url }).listContexts().catch((e: unknown) => e);
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 502);
    assert.equal(err.code, undefined);
    assert.match(err.message, /502 <html> <b>Bad gateway<\/b><\/html>/);
  });

  it('reports a 2xx body that is not JSON', async () => {
    const err = await new CnsdnClient({ url: fake.url }).listServices().catch((e: unknown) => e);
    assert.ok(err instanceof ResponseError);
    assert.match(err.message, /not JSON: not json/);
  });

  it('times out', async () => {
    const started = Date.now();
    const err = await new CnsdnClient({ url: fake.url, timeoutMs: 150 }).get('/slow').catch((e: unknown) => e);
    assert.ok(err instanceof TimeoutError, String(err));
    assert.equal(err.timeoutMs, 150);
    assert.ok(Date.now() - started < 5000);
  });

  it('reports a refused connection with its code', async () => {
    const url = await closedPortUrl();
    const err = await new CnsdnClient({ url }).listDevices().catch((e: unknown) => e);
    assert.ok(err instanceof ConnectionError, String(err));
    assert.equal(err.code, 'ECONNREFUSED');
    assert.equal(err.url, url);
  });
});
