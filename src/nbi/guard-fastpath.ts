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

/** Ready answers kept (distinct URL and Accept-Encoding pairs); the map starts again when full. */
const MAX_READY = 512;
const MAX_KEY_LENGTH = 1024;

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
  // Answers without a validator depend only on the path and Accept-Encoding: a flood repeats the
  // same few, so they are kept ready (status, merged headers, body) instead of worked out again.
  const ready = new Map<string, { status: number; headers: OutgoingHttpHeaders; body: Buffer }>();
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = req.url ?? '/';
    if (!url.startsWith(WEBUI_PREFIX)) return false;
    const ae = req.headers['accept-encoding'];
    const inm = req.headers['if-none-match'];
    const key = inm === undefined && typeof ae !== 'object' ? `${url}\n${ae ?? ''}` : undefined;
    let a = key === undefined ? undefined : ready.get(key);
    if (a === undefined) {
      const path = pathOf(url);
      if (!isWebuiPath(path)) return false;
      const computed = answer(assets, path, ae, inm);
      a = { status: computed.status, headers: headersFor(computed.headers), body: computed.body };
      if (key !== undefined && key.length <= MAX_KEY_LENGTH) {
        if (ready.size >= MAX_READY) ready.clear();
        ready.set(key, a);
      }
    }
    res.writeHead(a.status, a.headers);
    if (req.method === 'HEAD' || a.status === 304) res.end();
    else res.end(a.body);
    return true;
  };
}
