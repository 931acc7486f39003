import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { buildServer } from '../nbi/index.js';
import { IMMUTABLE, loadWebuiAssets, pickEncoding, serveWebuiRaw, type WebuiAssets, webuiRoutes } from './index.js';

const SCRIPT = `console.log(${JSON.stringify('cnsdn '.repeat(400))});\n`;
const SHELL = `<!doctype html><html><head><script type="module" src="/webui/assets/index-AbC123.js"></script></head><body>${'<div></div>'.repeat(50)}</body></html>\n`;

function buildFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cnsdn-webui-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), SHELL);
  writeFileSync(join(dir, 'assets', 'index-AbC123.js'), SCRIPT);
  writeFileSync(join(dir, 'assets', 'tiny-x1.css'), 'a{}');
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return dir;
}

describe('pickEncoding', () => {
  const both = { br: true, gzip: true };
  it('prefers br, then gzip, then identity', () => {
    assert.equal(pickEncoding('gzip, deflate, br', both), 'br');
    assert.equal(pickEncoding('gzip, deflate', both), 'gzip');
    assert.equal(pickEncoding('gzip, br', { br: false, gzip: true }), 'gzip');
    assert.equal(pickEncoding(undefined, both), 'identity');
    assert.equal(pickEncoding('', both), 'identity');
    assert.equal(pickEncoding('deflate', both), 'identity');
  });
  it('honours q=0 and *', () => {
    assert.equal(pickEncoding('br;q=0, gzip', both), 'gzip');
    assert.equal(pickEncoding('br;q=0, gzip;q=0', both), 'identity');
    assert.equal(pickEncoding('*', both), 'br');
    assert.equal(pickEncoding('*;q=0', both), 'identity');
  });
});

describe('WebUI serving', () => {
  let dir: string;
  let assets: WebuiAssets;
  before(() => {
    dir = buildFixture();
    assets = loadWebuiAssets(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loads every file with precompressed variants only where they help', () => {
    assert.equal(assets.built, true);
    const js = assets.files.get('/webui/assets/index-AbC123.js')!;
    assert.equal(js.cacheControl, IMMUTABLE);
    assert.equal(js.contentType, 'text/javascript; charset=utf-8');
    assert.equal(gunzipSync(js.gzip!.body).toString(), SCRIPT);
    assert.equal(brotliDecompressSync(js.br!.body).toString(), SCRIPT);
    assert.ok(js.br!.body.length < SCRIPT.length / 10);
    assert.equal(assets.files.get('/webui/assets/tiny-x1.css')!.gzip, undefined);
    assert.equal(assets.shell.cacheControl, 'no-cache');
  });

  it('uses the .gz/.br files the build wrote', () => {
    const d = buildFixture();
    try {
      writeFileSync(join(d, 'index.html.br'), Buffer.from([1, 2, 3]));
      const a = loadWebuiAssets(d);
      assert.deepEqual([...a.shell.br!.body], [1, 2, 3]);
      assert.equal(a.files.has('/webui/index.html.br'), false);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('serves a placeholder shell when nothing was built', async () => {
    const a = loadWebuiAssets(join(dir, 'missing'));
    assert.equal(a.built, false);
    assert.match(a.shell.identity.body.toString(), /npm run build/);
  });

  describe('through Fastify (with the NBI plugins)', () => {
    const inject = async (url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') => {
      const app = await buildServer({ logger: false, readiness: [], routes: [webuiRoutes(assets)], version: 't', rateLimit: false });
      try {
        return await app.inject({ method, url, headers });
      } finally {
        await app.close();
      }
    };

    it('/webui and /webui/ serve the shell with an ETag and no-cache, in br when accepted', async () => {
      for (const url of ['/webui', '/webui/', '/webui/devices/r1', '/webui/?x=1']) {
        const res = await inject(url, { 'accept-encoding': 'gzip, deflate, br' });
        assert.equal(res.statusCode, 200, url);
        assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
        assert.equal(res.headers['cache-control'], 'no-cache');
        assert.equal(res.headers['content-encoding'], 'br');
        assert.equal(res.headers.vary, 'Accept-Encoding');
        assert.match(String(res.headers.etag), /^"[A-Za-z0-9_-]+-br"$/);
        assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
        assert.equal(brotliDecompressSync(res.rawPayload).toString(), SHELL);
      }
    });

    it('gzip when br is not accepted (not compressed twice), identity when nothing is', async () => {
      const gz = await inject('/webui/assets/index-AbC123.js', { 'accept-encoding': 'gzip, deflate' });
      assert.equal(gz.headers['content-encoding'], 'gzip');
      assert.equal(gz.headers['cache-control'], IMMUTABLE);
      assert.equal(gunzipSync(gz.rawPayload).toString(), SCRIPT);
      const plain = await inject('/webui/assets/index-AbC123.js');
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.equal(plain.body, SCRIPT);
    });

    it('If-None-Match → 304, for any encoding of the same file', async () => {
      const first = await inject('/webui', { 'accept-encoding': 'gzip' });
      const etag = String(first.headers.etag);
      const again = await inject('/webui', { 'accept-encoding': 'br', 'if-none-match': etag });
      assert.equal(again.statusCode, 304);
      assert.equal(again.rawPayload.length, 0);
      assert.ok(again.headers.etag);
      const stale = await inject('/webui', { 'if-none-match': '"other"' });
      assert.equal(stale.statusCode, 200);
    });

    it('HEAD has the headers and no body; missing files are 404, not the shell', async () => {
      const head = await inject('/webui/assets/index-AbC123.js', { 'accept-encoding': 'br' }, 'HEAD');
      assert.equal(head.statusCode, 200);
      assert.equal(head.rawPayload.length, 0);
      assert.equal(head.headers['content-encoding'], 'br');
      for (const url of ['/webui/assets/gone-123.js', '/webui/nope.css', '/webui/assets/x']) {
        const res = await inject(url);
        assert.equal(res.statusCode, 404, url);
        assert.equal(res.json().code, 'CNSDN_NOT_FOUND');
      }
    });
  });

  it('serveWebuiRaw answers WebUI paths on a bare node:http server and declines the rest', async () => {
    const server = createServer((req, res) => {
      if (!serveWebuiRaw(assets, req, res)) {
        res.writeHead(418);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
      new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path, headers, method }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      const br = await get('/webui', { 'accept-encoding': 'br' });
      assert.equal(br.status, 200);
      assert.equal(brotliDecompressSync(br.body).toString(), SHELL);
      const nm = await get('/webui/', { 'if-none-match': String(br.headers.etag) });
      assert.equal(nm.status, 304);
      const head = await get('/webui/assets/index-AbC123.js', {}, 'HEAD');
      assert.equal(head.headers['content-length'], String(SCRIPT.length));
      assert.equal((await get('/api/events')).status, 418);
      assert.equal((await get('/webuix')).status, 418);
      assert.equal((await get('/webui', {}, 'POST')).status, 418);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
