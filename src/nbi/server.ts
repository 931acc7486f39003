/** The NBI HTTP server: Fastify with problem+json errors, auth, probes, metrics, OpenAPI and SSE. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import compress from '@fastify/compress';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import underPressure from '@fastify/under-pressure';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type AuthService, installAuthentication, roleAtLeast } from '../auth/index.js';
import type { Bus } from '../bus/api.js';
import { CnsdnError, pointer } from '../common/errors.js';
import { installAuth } from './auth.js';
import { entityFastPath, type KeptKind } from './entity-fastpath.js';
import type { WebTierGuard } from './guard.js';
import { healthRoutes, type ReadinessCheck } from './health.js';
import { createMetricsRegistry, installHttpMetrics, metricsRoute } from './metrics.js';
import { PROBLEM_SCHEMA_ID, problemErrorHandler, problemSchema, sendProblem } from './problem.js';
import { securityHeaders } from './security-headers.js';
import { type SseOptions, sseRoutes } from './sse.js';

export interface RateLimitOptions {
  /** Requests per client address per window. */
  max: number;
  /** Window in ms, or a string such as '1 minute'. */
  timeWindow: number | string;
  /** Addresses never limited (none by default, loopback included). */
  allowList?: string[];
}

export interface ServerOptions {
  /** A pino logger (redaction of credentials is added on top), or false for none. */
  logger: Logger | Logger<string> | false;
  /** Largest accepted request body in bytes. Default 8 MiB. */
  bodyLimit?: number;
  /** Deepest accepted JSON nesting (objects and arrays). Default 64. */
  maxJsonDepth?: number;
  /** When set, /tfs-api, /restconf and /api require `Authorization: Bearer <adminToken>`. */
  adminToken?: string;
  /** Accounts, sessions, API tokens, roles on every route, CSRF and audit (src/auth); replaces adminToken. */
  auth?: AuthService;
  readiness: ReadinessCheck[];
  /** Per readiness check timeout. Default 2000 ms. */
  readinessTimeoutMs?: number;
  /** When given, GET /api/events streams its events. */
  bus?: Bus;
  sse?: Omit<SseOptions, 'bus'>;
  /** Registry served at /metrics; created with default metrics when absent. */
  metricsRegistry?: Registry;
  /** Route plugins, each declaring its own paths/prefix. Their schemas feed the OpenAPI document. */
  routes: FastifyPluginAsync[];
  /** Per client address. Default { max: 2000, timeWindow: '1 minute' }; false disables. */
  rateLimit?: RateLimitOptions | false;
  /** Fastify trustProxy: set behind an ingress so rate limits apply per real client. Default false. */
  trustProxy?: FastifyServerOptions['trustProxy'];
  /** Event-loop delay above which requests get 503 UNAVAILABLE. Default 1000 ms. */
  maxEventLoopDelayMs?: number;
  /** After start, requests are not shed for this long (default 10 s). */
  pressureGraceMs?: number;
  /**
   * The web tier guard in front of Fastify (connection caps, timeouts, rate limits, shedding,
   * fast path). When given it owns load shedding (under-pressure is not registered), and the
   * client address Fastify reports follows the guard's trusted-proxy setting.
   */
  guard?: WebTierGuard;
  /**
   * The device and link answers kept in memory (the context manager's keptJson): with a guard and
   * auth, GETs of them are answered before Fastify when the caller is known from memory.
   */
  keptAnswers?: (kind: KeptKind, ref: string) => Buffer | undefined;
  version: string;
}

export const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;
export const DEFAULT_MAX_JSON_DEPTH = 64;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The id of a request: its valid x-request-id, or a new UUID (Fastify's genReqId). */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Builds the NBI server, ready to listen; the caller owns listen() and close(). */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const maxDepth = options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH;

  const loggerInstance: FastifyBaseLogger | undefined = options.logger
    ? options.logger.child(
        {},
        {
          redact: {
            paths: [
              'req.headers.authorization',
              'req.headers.cookie',
              'req.headers["x-api-key"]',
              'res.headers["set-cookie"]',
              'headers.authorization',
              'headers.cookie',
            ],
            censor: '[redacted]',
          },
        },
      )
    : undefined;
  const app: FastifyInstance = Fastify({
    ...(loggerInstance ? { loggerInstance } : { logger: false }),
    bodyLimit,
    genReqId: requestId,
    requestIdHeader: false,
    // One line per request at info level costs more than a small request itself under load:
    // requests are logged by installRequestLog instead (errors, slow ones; all at debug).
    logController: new LogController({ disableRequestLogging: true }),
    // Errors Fastify raises before routing (bad URL encoding, over-long ids) are problems too.
    frameworkErrors: (error, _request, reply) => {
      sendProblem(reply, error);
    },
    trustProxy: options.trustProxy ?? (options.guard ? (address: string, hop: number) => options.guard!.trusts(address, hop) : false),
    ...(options.guard ? { serverFactory: (handler: Parameters<WebTierGuard['createServer']>[0]) => options.guard!.createServer(handler) } : {}),
    ajv: {
      // additionalProperties: false must reject, not silently strip.
      customOptions: { removeAdditional: false },
    },
  });

  app.setErrorHandler(problemErrorHandler);
  installRequestLog(app);
  app.addSchema({ ...problemSchema, $id: PROBLEM_SCHEMA_ID });

  installJsonParser(app, maxDepth);
  const registry = options.metricsRegistry ?? createMetricsRegistry();
  const record = installHttpMetrics(app, registry);

  const security = securityHeaders({
    // The API serves JSON; the docs and the WebUI are same-origin static files.
    // No inline scripts anywhere (the WebUI and /docs load theirs from files); nothing may frame us.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
    frameguard: { action: 'deny' },
    // HSTS only on requests that came over TLS (directly or from a trusted proxy), below.
    strictTransportSecurity: false,
  });
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(security);
    reply.header('x-request-id', request.id);
    if (request.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    done();
  });
  // The first samples include start-up work (module loading, migrations, devices connecting):
  // shedding load then would refuse a client's first requests for no lasting reason.
  const builtAt = Date.now();
  const graceMs = options.pressureGraceMs ?? 10_000;
  if (!options.guard) await app.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs ?? 1000,
    pressureHandler: async (_request, reply) => {
      if (Date.now() - builtAt < graceMs) return;
      reply.header('retry-after', '1');
      throw new CnsdnError('UNAVAILABLE', 'Server overloaded; retry shortly');
    },
  });
  if (options.rateLimit !== false) {
    const rl = options.rateLimit ?? { max: 2000, timeWindow: '1 minute' };
    await app.register(rateLimit, {
      global: true,
      max: rl.max,
      timeWindow: rl.timeWindow,
      allowList: rl.allowList ?? [],
      errorResponseBuilder: (_request, context) =>
        new CnsdnError('RATE_LIMITED', `Rate limit of ${context.max} requests per ${context.after} exceeded; retry later`),
    });
    const limitUnmatched = app.rateLimit();
    // The plugin only hooks declared routes; requests matching none are throttled here, before authentication.
    app.addHook('preParsing', async (request, reply, payload) => {
      if (request.routeOptions.url === undefined) await limitUnmatched.call(app, request, reply);
      return payload;
    });
  }
  // After the rate limit and load shedding, so failed token guesses are throttled as well.
  const authRoutes = options.auth ? installAuthentication(app, options.auth) : (installAuth(app, options.adminToken), undefined);
  const auth = options.auth;
  if (options.guard && auth && options.keptAnswers) {
    options.guard.setApiFastPath(
      entityFastPath({
        kept: options.keptAnswers,
        mayRead: (req) => {
          const principal = auth.resolveFromMemory(req.headers);
          return principal === undefined ? undefined : roleAtLeast(principal.role, 'viewer');
        },
        securityHeaders: security,
        requestId,
        record,
      }),
    );
  }
  // gzip at level 1 only: brotli costs seconds on multi-MB answers (a 10k-device import report
  // took 29 s), and higher gzip levels buy a few % of size for several times the CPU.
  await app.register(compress, { global: true, threshold: 1024, encodings: ['gzip', 'deflate'], zlibOptions: { level: 1 } });

  await app.register(swagger, {
    // Shared schemas keep their $id as their component name (components.schemas.Problem).
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'cnsdn',
        version: options.version,
        description: 'cnsdn northbound API. Errors are RFC 9457 problem documents (application/problem+json).',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      ...(options.adminToken || options.auth ? { security: [{ bearer: [] }] } : {}),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.setNotFoundHandler(async (request) => {
    throw new CnsdnError('NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`);
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(healthRoutes, { readiness: options.readiness, checkTimeoutMs: options.readinessTimeoutMs });
  await app.register(metricsRoute, { registry });
  if (options.bus) await app.register(sseRoutes, { ...options.sse, bus: options.bus });
  for (const plugin of options.routes) await app.register(plugin);
  if (authRoutes) await app.register(authRoutes);

  app.log.info({ version: options.version, auth: options.auth ? options.auth.mode : options.adminToken ? 'token' : 'open' }, 'NBI server built');
  return app;
}

/**
 * JSON body parser: JSON.parse, then a non-recursive walk that enforces the depth limit and
 * rejects prototype-poisoning keys. Failures carry a byte offset or a JSON pointer.
 */
function installJsonParser(app: FastifyInstance, maxDepth: number): void {
  app.removeContentTypeParser('application/json');
  const parser = (_request: unknown, body: string | Buffer, done: (err: Error | null, value?: unknown) => void): void => {
    try {
      done(null, parseJsonBody(typeof body === 'string' ? body : body.toString('utf8'), maxDepth));
    } catch (err) {
      done(err as Error);
    }
  };
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parser);
  // RESTCONF (application/yang-data+json) and other +json media types.
  app.addContentTypeParser(/^application\/[a-z0-9.!#$&^_-]+\+json$/i, { parseAs: 'string' }, parser);
}

export function parseJsonBody(text: string, maxDepth: number): unknown {
  if (text.trim() === '') throw new CnsdnError('MALFORMED_JSON', 'Empty JSON body');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const where = locateJsonError(text);
    if (!where) throw new CnsdnError('MALFORMED_JSON', `Malformed JSON: ${(err as Error).message}`);
    const byte = Buffer.byteLength(text.slice(0, where.index), 'utf8');
    const before = text.slice(0, where.index);
    const line = before.split('\n').length;
    const column = where.index - before.lastIndexOf('\n');
    throw new CnsdnError('MALFORMED_JSON', `Malformed JSON at byte ${byte} (line ${line}, column ${column}): ${where.message}`, [
      { path: '', message: where.message },
    ]);
  }
  checkJsonTree(value, maxDepth);
  return value;
}

interface Frame {
  value: object;
  depth: number;
  parent: Frame | null;
  key: string;
}

function framePointer(frame: Frame): string {
  const keys: string[] = [];
  for (let f: Frame | null = frame; f?.parent; f = f.parent) keys.push(f.key);
  let p = '';
  for (let i = keys.length - 1; i >= 0; i--) p = pointer(p, keys[i]);
  return p;
}

/** Enforces maxDepth (the top-level container is depth 1) and forbids __proto__ / constructor.prototype. */
export function checkJsonTree(root: unknown, maxDepth: number): void {
  if (root === null || typeof root !== 'object') return;
  const stack: Frame[] = [{ value: root, depth: 1, parent: null, key: '' }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth > maxDepth) {
      const path = framePointer(frame);
      throw new CnsdnError('VALIDATION_FAILED', `JSON nested deeper than ${maxDepth} levels at ${path}`, [
        { path, message: `exceeds the maximum nesting depth of ${maxDepth}` },
      ]);
    }
    if (Array.isArray(frame.value)) {
      const arr = frame.value as unknown[];
      for (let i = 0; i < arr.length; i++) {
        const v = arr[i];
        if (v !== null && typeof v === 'object') stack.push({ value: v, depth: frame.depth + 1, parent: frame, key: String(i) });
      }
      continue;
    }
    const obj = frame.value as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      const v = obj[key];
      if (key === '__proto__' || (key === 'constructor' && v !== null && typeof v === 'object' && Object.hasOwn(v, 'prototype'))) {
        const path = pointer(framePointer(frame), key);
        throw new CnsdnError('VALIDATION_FAILED', `Forbidden property name at ${path}`, [
          { path, message: 'is a forbidden property name' },
        ]);
      }
      if (v !== null && typeof v === 'object') stack.push({ value: v, depth: frame.depth + 1, parent: frame, key });
    }
  }
}

/**
 * Finds where JSON text stops being valid (only called after JSON.parse failed, whose
 * messages in Node 20 do not always carry a position). Returns null when it finds nothing.
 */
export function locateJsonError(s: string): { index: number; message: string } | null {
  type State = 'value' | 'value-or-array-end' | 'key-or-object-end' | 'key' | 'colon' | 'after-value';
  const stack: boolean[] = []; // true = object
  let state: State = 'value';
  let i = 0;
  const n = s.length;
  const describe = (at: number): string => (at >= n ? 'end of input' : `'${s[at]}'`);
  const fail = (at: number, expected: string) => ({ index: at, message: `expected ${expected}, found ${describe(at)}` });

  const scanString = (start: number): number | { index: number; message: string } => {
    let j = start + 1;
    for (;;) {
      if (j >= n) return { index: n, message: 'unterminated string' };
      const c = s.charCodeAt(j);
      if (c === 0x22) return j + 1;
      if (c < 0x20) return { index: j, message: 'control character in string' };
      if (c === 0x5c) {
        const e = s[j + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(j + 2, j + 6))) return { index: j, message: 'invalid \\u escape' };
          j += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) return { index: j, message: 'invalid escape sequence' };
        j += 2;
        continue;
      }
      j++;
    }
  };
  const number = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

  for (;;) {
    while (i < n && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++;
    if (i >= n) {
      if (state === 'after-value' && stack.length === 0) return null;
      return { index: n, message: 'unexpected end of input' };
    }
    const c = s[i];
    switch (state) {
      case 'value':
      case 'value-or-array-end': {
        if (c === ']' && state === 'value-or-array-end') {
          stack.pop();
          state = 'after-value';
          i++;
        } else if (c === '{') {
          stack.push(true);
          state = 'key-or-object-end';
          i++;
        } else if (c === '[') {
          stack.push(false);
          state = 'value-or-array-end';
          i++;
        } else if (c === '"') {
          const r = scanString(i);
          if (typeof r !== 'number') return r;
          i = r;
          state = 'after-value';
        } else if (s.startsWith('true', i) || s.startsWith('null', i)) {
          i += 4;
          state = 'after-value';
        } else if (s.startsWith('false', i)) {
          i += 5;
          state = 'after-value';
        } else {
          number.lastIndex = i;
          const m = number.exec(s);
          if (!m) return fail(i, 'a value');
          i += m[0].length;
          state = 'after-value';
        }
        break;
      }
      case 'key-or-object-end':
      case 'key': {
        if (c === '}' && state === 'key-or-object-end') {
          stack.pop();
          state = 'after-value';
          i++;
          break;
        }
        if (c !== '"') return fail(i, state === 'key' ? 'a property name' : "a property name or '}'");
        const r = scanString(i);
        if (typeof r !== 'number') return r;
        i = r;
        state = 'colon';
        break;
      }
      case 'colon':
        if (c !== ':') return fail(i, "':'");
        i++;
        state = 'value';
        break;
      case 'after-value': {
        if (stack.length === 0) return { index: i, message: `unexpected ${describe(i)} after the JSON value` };
        const inObject = stack[stack.length - 1];
        if (c === ',') {
          state = inObject ? 'key' : 'value';
          i++;
        } else if (c === (inObject ? '}' : ']')) {
          stack.pop();
          state = 'after-value';
          i++;
        } else {
          return fail(i, inObject ? "',' or '}'" : "',' or ']'");
        }
        break;
      }
    }
  }
}

const SLOW_REQUEST_MS = 1000;

function installRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const ms = reply.elapsedTime;
    const entry = { reqId: request.id, method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(ms * 10) / 10 };
    if (reply.statusCode >= 500) request.log.error(entry, 'request failed');
    else if (ms > SLOW_REQUEST_MS) request.log.warn(entry, 'slow request');
    else request.log.debug(entry, 'request');
  });
}
