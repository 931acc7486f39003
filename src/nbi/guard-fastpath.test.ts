import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { loadWebuiAssets } from '../webui/index.js';
import { webuiFastPath } from './guard-fastpath.js';

const SHELL = `<!doctype html><html><head><script type="module" src="/webui/assets/app-X1.js"></script></head><body>${'<p>cnsdn</p>'.repeat(100)}</body></html>\n`;

describe('webuiFastPath', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnsdn-fastpath-'));
  let server: Server;
  let port = 0;
  before(async () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), SHELL);
    writeFileSync(join(dir, 'assets', 'app-X1.js'), `console.log(${JSON.stringify('x'.repeat(3000))});\n`);
    const fast = webuiFastPath(loadWebuiAssets(dir), { 'x-frame-options': 'DENY', 'content-security-policy': "default-src 'self'" });
    server = createServer((req, res) => {
      if (!fast(req, res)) {
        res.writeHead(599);
        res.end('not mine');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });

  it('answers the same bytes and headers every time, per encoding, with the security headers', async () => {
    for (let i = 0; i < 3; i++) {
      const gz = await get('/webui', { 'accept-encoding': 'gzip' });
      assert.equal(gz.status, 200);
      assert.equal(gz.headers['content-encoding'], 'gzip');
      assert.equal(gz.headers['x-frame-options'], 'DENY');
      assert.equal(gunzipSync(gz.body).toString(), SHELL);
      const plain = await get('/webui/devices?x=1');
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.equal(plain.body.toString(), SHELL, 'a client-side route gets the shell');
    }
  });

  it('a validator gets 304, HEAD no body, a missing file 404; other paths are left alone', async () => {
    const first = await get('/webui/');
    const etag = String(first.headers.etag);
    assert.equal((await get('/webui/', { 'if-none-match': etag })).status, 304);
    assert.equal((await get('/webui/', { 'if-none-match': '"other"' })).status, 200);
    const head = await get('/webui/assets/app-X1.js', {}, 'HEAD');
    assert.deepEqual([head.status, head.body.length], [200, 0]);
    assert.equal((await get('/webui/assets/app-X1.js')).body.length > 3000, true);
    assert.equal((await get('/webui/assets/missing.js')).status, 404);
    assert.equal((await get('/webuix')).status, 599);
    assert.equal((await get('/api/x')).status, 599);
    assert.equal((await get('/webui', {}, 'POST')).status, 599);
  });
});
