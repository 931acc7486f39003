/**
 * A small HTTP client for the controller's REST API (TFS-compatible `/tfs-api/...`).
 * It knows nothing of the controller's internals: only paths and JSON bodies.
 */

export interface ClientOptions {
  /** Base URL of the controller, e.g. http://127.0.0.1:8080 */
  url: string;
  /** Bearer token sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Per-request timeout in ms (default 30000). */
  timeoutMs?: number;
  /** Replaces the global fetch (tests, instrumentation). */
  fetch?: typeof fetch;
}

export interface RequestOptions {
  /** A string is sent unchanged; anything else is sent as JSON. */
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** One problem in an input document, as the controller reports it. */
export interface ProblemError {
  path: string;
  message: string;
  code?: string;
}

/** An RFC 9457 problem document as the controller sends it (application/problem+json). */
export interface Problem {
  type?: string;
  code?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: ProblemError[];
}

/** The controller answered with an HTTP error status. */
export class ApiError extends Error {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  /** Stable error code (CNSDN_...) when the controller sent a problem document. */
  readonly code: string | undefined;
  readonly title: string | undefined;
  readonly detail: string | undefined;
  readonly errors: ProblemError[];
  /** Whether the request carried a bearer token (a 401 then means it was refused, not missing). */
  readonly tokenSent: boolean;
  /** The path part of the controller URL when it has one (`--url http://h:8080/tfs-api`): a likely cause of a 404. */
  readonly urlPath: string | undefined;

  constructor(method: string, path: string, status: number, problem: Problem | undefined, bodyExcerpt?: string, tokenSent = false, urlPath?: string) {
    const what = problem?.detail ?? problem?.title ?? bodyExcerpt ?? `HTTP ${status}`;
    super(`${method} ${path}: ${status} ${what}`);
    this.name = 'ApiError';
    this.status = status;
    this.method = method;
    this.path = path;
    this.code = problem?.code;
    this.title = problem?.title;
    this.detail = problem?.detail;
    this.errors = problem?.errors ?? [];
    this.tokenSent = tokenSent;
    this.urlPath = urlPath;
  }
}

/** The controller could not be reached at all (refused, unresolvable host, reset...). */
export class ConnectionError extends Error {
  readonly url: string;
  /** System error code such as ECONNREFUSED, when known. */
  readonly code: string | undefined;
  /** The innermost cause's message, e.g. "connect ECONNREFUSED 127.0.0.1:9" or "bad port". */
  readonly reason: string;

  constructor(url: string, cause: unknown) {
    const code = systemErrorCode(cause);
    const reason = innermostMessage(cause);
    super(`cannot reach the controller at ${url}: ${reason}`, { cause });
    this.name = 'ConnectionError';
    this.url = url;
    this.code = code;
    this.reason = reason;
  }
}

/** No complete answer arrived within the timeout. */
export class TimeoutError extends Error {
  readonly url: string;
  readonly timeoutMs: number;

  constructor(url: string, timeoutMs: number) {
    super(`no answer from the controller at ${url} within ${timeoutMs} ms`);
    this.name = 'TimeoutError';
    this.url = url;
    this.timeoutMs = timeoutMs;
  }
}

/** The controller answered 2xx with a body that is not the JSON it announced. */
export class ResponseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ResponseError';
  }
}

/** Change report of `POST /tfs-api/descriptors`. */
export interface DescriptorReport {
  dry_run?: boolean;
  summary?: { created?: number; updated?: number; unchanged?: number; [k: string]: number | undefined };
  entities?: Array<{ kind: string; name?: string; uuid?: string; action: string }>;
}

/** TFS JSON entities are open-ended; the CLI reads only a few well-known fields. */
export type TfsObject = Record<string, unknown>;

export const DEFAULT_TIMEOUT_MS = 30_000;

export class CnsdnClient {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly #token: string | undefined;
  readonly #fetch: typeof fetch;

  constructor(options: ClientOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.#token = options.token || undefined;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /** Performs one request and returns the parsed JSON body (undefined when empty). */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = this.#url(path, options.query);
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...options.headers };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const signal = AbortSignal.timeout(timeoutMs);
    let text: string;
    let response: Response;
    try {
      response = await this.#fetch(url, { method, headers, body, signal });
      text = await response.text();
    } catch (e) {
      if (signal.aborted || isAbortError(e)) throw new TimeoutError(this.baseUrl, timeoutMs);
      throw new ConnectionError(this.baseUrl, e);
    }
    const contentType = response.headers.get('content-type') ?? '';
    if (!response.ok) {
      const problem = contentType.includes('json') ? parseProblem(text) : undefined;
      const excerpt = problem ? undefined : excerptOf(text);
      const urlPath = new URL(this.baseUrl).pathname.replace(/\/+$/, '') || undefined;
      throw new ApiError(method, path, response.status, problem, excerpt, headers.authorization !== undefined, urlPath);
    }
    if (text.length === 0) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new ResponseError(`${method} ${path}: the controller answered with a body that is not JSON: ${excerptOf(text)}`, {
        cause: e,
      });
    }
  }

  get<T = unknown>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  /** Loads a TFS descriptor document; `descriptor` as a string is sent byte for byte. */
  loadDescriptors(descriptor: string | object, options: { dryRun?: boolean } = {}): Promise<DescriptorReport> {
    return this.request<DescriptorReport>('POST', '/tfs-api/descriptors', {
      body: descriptor,
      query: options.dryRun ? { dry_run: true } : undefined,
    });
  }

  /**
   * Dry run of several descriptors (JSON texts) as if loaded one after the other. A result per
   * descriptor up to the first that would be rejected (its problem instead of a report).
   */
  dryRunSequence(texts: readonly string[]): Promise<{ results: Array<DescriptorReport & { problem?: Problem }> }> {
    return this.request('POST', '/tfs-api/descriptors/dry-run', { body: `{"descriptors":[${texts.join(',')}]}` });
  }

  exportDescriptors(): Promise<TfsObject> {
    return this.get('/tfs-api/descriptors');
  }

  async listContexts(): Promise<TfsObject[]> {
    return listOf(await this.get('/tfs-api/contexts'), 'contexts');
  }

  async listDevices(): Promise<TfsObject[]> {
    return listOf(await this.get('/tfs-api/devices'), 'devices');
  }

  async listLinks(): Promise<TfsObject[]> {
    return listOf(await this.get('/tfs-api/links'), 'links');
  }

  async listServices(context = 'admin'): Promise<TfsObject[]> {
    return listOf(await this.get(`/tfs-api/context/${enc(context)}/services`), 'services');
  }

  async listSlices(context = 'admin'): Promise<TfsObject[]> {
    return listOf(await this.get(`/tfs-api/context/${enc(context)}/slices`), 'slices');
  }

  async topologyDetails(context = 'admin', topology = 'admin'): Promise<{ devices: TfsObject[]; links: TfsObject[] }> {
    const body = await this.get(`/tfs-api/context/${enc(context)}/topology_details/${enc(topology)}`);
    return { devices: listOf(body, 'devices'), links: listOf(body, 'links') };
  }

  #url(path: string, query: RequestOptions['query']): string {
    const url = new URL(this.baseUrl + (path.startsWith('/') ? path : `/${path}`));
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    return url.toString();
  }
}

export function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function listOf(body: unknown, key: string): TfsObject[] {
  const list = body && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new ResponseError(`expected "${key}" to be a list in the controller's answer`);
  return list as TfsObject[];
}

function parseProblem(text: string): Problem | undefined {
  try {
    const body: unknown = JSON.parse(text);
    if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
    const p = body as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const errors = Array.isArray(p.errors)
      ? p.errors
          .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
          .map((e) => ({ path: str(e.path) ?? '', message: str(e.message) ?? String(e.message ?? ''), code: str(e.code) }))
      : undefined;
    return {
      type: str(p.type),
      code: str(p.code),
      title: str(p.title),
      status: typeof p.status === 'number' ? p.status : undefined,
      detail: str(p.detail) ?? str(p.message),
      errors,
    };
  } catch {
    return undefined;
  }
}

function excerptOf(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine;
}

function isAbortError(e: unknown): boolean {
  return e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
}

/** undici wraps socket errors: TypeError('fetch failed', { cause: Error & { code } | AggregateError }). */
function systemErrorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; cur && typeof cur === 'object' && depth < 5; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    const inner = (cur as { errors?: unknown[] }).errors;
    if (Array.isArray(inner) && inner.length > 0) {
      const found = systemErrorCode(inner[0]);
      if (found) return found;
    }
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function innermostMessage(e: unknown): string {
  let cur: unknown = e;
  let message = e instanceof Error ? e.message : String(e);
  for (let depth = 0; cur instanceof Error && depth < 5; depth++) {
    if (cur.message) message = cur.message;
    const inner = (cur as { errors?: unknown[] }).errors;
    cur = Array.isArray(inner) && inner.length > 0 ? inner[0] : cur.cause;
  }
  return message;
}
