/**
 * The WebUI answered on the bare node:http request, before Fastify: same bytes and same
 * headers as the Fastify route, including the security headers helmet adds there (learnt
 * once from a request through Fastify, then merged into each variant's headers once).
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { answer, isWebuiPath, WEBUI_PREFIX, type WebuiAssets } from '../webui/index.js';
import { type FastPath, pathOf } from './guard.js';

/** Headers that belong to one response, not to the security policy. */
const PER_RESPONSE = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'cache-control',
  'etag',
  'vary',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'x-request-id',
  'last-modified',
  'retry-after',
]);

/** The headers Fastify's hooks (helmet) add to a WebUI answer, learnt by asking Fastify once. */
export async function learnSecurityHeaders(app: FastifyInstance): Promise<Record<string, string>> {
  const res = await app.inject({ method: 'GET', url: WEBUI_PREFIX, headers: { 'accept-encoding': 'identity' } });
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    const n = name.toLowerCase();
    if (PER_RESPONSE.has(n) || n.startsWith('x-ratelimit-') || value === undefined) continue;
    out[n] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/**
 * The fast path: GET/HEAD of a WebUI path from memory. The headers of each answer are the
 * learnt security headers overlaid with the variant's own (as on the Fastify route, where the
 * route sets its headers after helmet), merged once per variant and cached.
 */
export function webuiFastPath(assets: WebuiAssets, securityHeaders: Readonly<Record<string, string>>): FastPath {
  const merged = new WeakMap<object, OutgoingHttpHeaders>();
  const headersFor = (own: Readonly<Record<string, string>>): OutgoingHttpHeaders => {
    let h = merged.get(own);
    if (h === undefined) {
      h = { ...securityHeaders, ...own };
      merged.set(own, h);
    }
    return h;
  };
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = pathOf(req.url);
    if (!isWebuiPath(path)) return false;
    const a = answer(assets, path, req.headers['accept-encoding'], req.headers['if-none-match']);
    res.writeHead(a.status, headersFor(a.headers));
    if (req.method === 'HEAD' || a.status === 304) res.end();
    else res.end(a.body);
    return true;
  };
}
