/**
 * The baseline of `npm run bench:dos`: a bare node:http server answering every request with
 * the same bytes and headers the controller sends for /webui (gzip when asked, else identity).
 * Usage: node --import tsx bench/dos-bare.ts <port> <controller /webui URL>; prints "ready" when listening.
 */
import { createServer, type OutgoingHttpHeaders } from 'node:http';
import { request } from 'node:http';

const [portArg, source] = process.argv.slice(2);
if (!portArg || !source) {
  process.stderr.write('usage: dos-bare.ts <port> <url of the controller /webui>\n');
  process.exit(2);
}

const HOP = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

/** The controller's answer without decoding, so the gzip variant is the same bytes on the wire. */
function fetchRaw(url: string, encoding: string): Promise<{ headers: OutgoingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { 'accept-encoding': encoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
        const headers: OutgoingHttpHeaders = {};
        for (const [k, v] of Object.entries(res.headers)) if (!HOP.has(k) && v !== undefined) headers[k] = v;
        resolve({ headers, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const identity = await fetchRaw(source, 'identity');
const gzip = await fetchRaw(source, 'gzip');

const server = createServer((req, res) => {
  const ae = req.headers['accept-encoding'];
  const v = typeof ae === 'string' && ae.includes('gzip') ? gzip : identity;
  res.writeHead(200, v.headers);
  res.end(v.body);
});
server.listen(Number(portArg), '127.0.0.1', () => {
  process.stdout.write(`ready identity=${identity.body.length} gzip=${gzip.body.length}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
