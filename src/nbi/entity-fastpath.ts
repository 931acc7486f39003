/**
 * `GET /tfs-api/device/{id}` and `GET /tfs-api/link/{id}` — the reads TFS scripts poll — answered
 * on the bare node:http request, before Fastify, when both the answer and the caller are known
 * from memory: the answer kept as bytes by the context manager, the caller from its bearer token
 * (or open mode). Status, headers and body are those of the Fastify route (tests compare them).
 * Everything else goes on to Fastify: a miss, a session cookie, an unknown or not-yet-cached
 * token, compression, HEAD, a query string, an encoded or over-long id, TLS (HSTS).
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FastPath } from './guard.js';
import type { HttpRecorder } from './metrics.js';

export type KeptKind = 'device' | 'link';

export interface EntityFastPathOptions {
  /** The kept answer of an entity, by id or name; undefined when not kept (no I/O). */
  kept(kind: KeptKind, ref: string): Buffer | undefined;
  /** Whether the caller may read the API, told from memory; undefined lets Fastify decide (and answer 401/403). */
  mayRead(req: IncomingMessage): boolean | undefined;
  /** The headers every API answer carries (security policy), as the Fastify route sends them. */
  securityHeaders: Readonly<Record<string, string>>;
  /** The request's id (x-request-id), as Fastify's genReqId gives it. */
  requestId(req: IncomingMessage): string;
  /** HTTP metrics, as the Fastify onResponse hook records them. */
  record: HttpRecorder;
}

const ROUTES: ReadonlyArray<{ prefix: string; kind: KeptKind; pattern: string }> = [
  { prefix: '/tfs-api/device/', kind: 'device', pattern: '/tfs-api/device/:id' },
  { prefix: '/tfs-api/link/', kind: 'link', pattern: '/tfs-api/link/:id' },
];
/** find-my-way's default: a longer parameter is not routed (404), so it is Fastify's to answer. */
const MAX_PARAM_LENGTH = 100;
const PLAIN_ID = /^[A-Za-z0-9._~-]+$/;
const JSON_TYPE = 'application/json; charset=utf-8';

export function entityFastPath(options: EntityFastPathOptions): FastPath {
  const base: OutgoingHttpHeaders = { ...options.securityHeaders };
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const started = performance.now();
    if (req.method !== 'GET') return false;
    const url = req.url;
    if (url === undefined) return false;
    const route = routeOf(url);
    if (route === undefined) return false;
    const id = url.slice(route.prefix.length);
    if (id.length === 0 || id.length > MAX_PARAM_LENGTH || !PLAIN_ID.test(id)) return false;
    const ae = req.headers['accept-encoding'];
    if (ae !== undefined && ae !== 'identity') return false;
    if (req.headers['x-forwarded-proto'] !== undefined || (req.socket as { encrypted?: boolean }).encrypted) return false;
    if (options.mayRead(req) !== true) return false;
    const body = options.kept(route.kind, id);
    if (body === undefined) return false;
    res.writeHead(200, { ...base, 'x-request-id': options.requestId(req), 'content-type': JSON_TYPE, 'content-length': body.length });
    res.end(body);
    options.record('GET', route.pattern, 200, (performance.now() - started) / 1000);
    return true;
  };
}

function routeOf(url: string): (typeof ROUTES)[number] | undefined {
  for (const r of ROUTES) if (url.startsWith(r.prefix)) return r;
  return undefined;
}
