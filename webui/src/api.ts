/** The NBI from the browser: same-origin fetches with the session cookie and the CSRF token. */

export type Role = 'viewer' | 'operator' | 'admin';

export interface User {
  username: string;
  role: Role;
}

export interface Session {
  user: User;
  csrfToken: string;
  /** 'open' when the server runs without authentication (every caller acts as admin). */
  via: string;
}

export interface ProblemDetail {
  path: string;
  message: string;
}

/** An error answer (problem+json) or a network failure, with what the server said. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ProblemDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken = '';
let onUnauthenticated: () => void = () => {};

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Called when a request answers 401: the session ended (expired, logged out elsewhere). */
export function onSessionLost(handler: () => void): void {
  onUnauthenticated = handler;
}

async function toError(res: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    // not JSON: fall back to the status line
  }
  const errors = Array.isArray(body.errors) ? (body.errors as ProblemDetail[]) : [];
  const detail = typeof body.detail === 'string' ? body.detail : typeof body.title === 'string' ? body.title : `${res.status} ${res.statusText}`;
  return new ApiError(res.status, typeof body.code === 'string' ? body.code : `HTTP_${res.status}`, detail, errors);
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Do not treat a 401 as the end of the session (login, session probe). */
  quiet401?: boolean;
}

export function writeHeaders(json: boolean): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (json) headers['content-type'] = 'application/json';
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  return headers;
}

const MAX_RETRIES = 3;

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const hasBody = options.body !== undefined;
  let res: Response;
  for (let attempt = 0; ; attempt++) {
    try {
      res = await fetch(path, {
        method,
        credentials: 'same-origin',
        headers: method === 'GET' ? { accept: 'application/json' } : writeHeaders(hasBody),
        body: hasBody ? JSON.stringify(options.body) : undefined,
      });
    } catch (err) {
      throw new ApiError(0, 'NETWORK', `Cannot reach the controller: ${(err as Error).message}`);
    }
    // An overloaded server sheds load with 503 + Retry-After: reads are retried a few times.
    if (res.status !== 503 || method !== 'GET' || attempt >= MAX_RETRIES) break;
    const after = Number(res.headers.get('retry-after'));
    await new Promise((r) => setTimeout(r, Math.min(Number.isFinite(after) && after > 0 ? after * 1000 : 500, 2000) * (attempt + 1)));
  }
  if (!res.ok) {
    const error = await toError(res);
    if (res.status === 401 && !options.quiet401) onUnauthenticated();
    throw error;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

export const get = <T>(path: string) => request<T>(path);
export const post = <T>(path: string, body?: unknown) => request<T>(path, { method: 'POST', body });
export const put = <T>(path: string, body: unknown) => request<T>(path, { method: 'PUT', body });
export const del = <T>(path: string) => request<T>(path, { method: 'DELETE' });

export const enc = encodeURIComponent;

// ---- sessions (the auth contract)

const OPEN: Session = { user: { username: 'open access', role: 'admin' }, csrfToken: '', via: 'open' };

/** The current session; null when logging in is needed. A server without the auth routes runs open. */
export async function currentSession(): Promise<Session | null> {
  try {
    const me = await request<Session>('/api/auth/me', { quiet401: true });
    setCsrfToken(me.csrfToken ?? '');
    return me;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    if (err instanceof ApiError && err.status === 404) return OPEN;
    throw err;
  }
}

export async function setupRequired(): Promise<boolean> {
  try {
    return (await request<{ setupRequired: boolean }>('/api/auth/status', { quiet401: true })).setupRequired === true;
  } catch {
    return false;
  }
}

export async function login(username: string, password: string): Promise<Session> {
  const r = await request<{ user: User; csrfToken: string }>('/api/auth/login', { method: 'POST', body: { username, password }, quiet401: true });
  setCsrfToken(r.csrfToken);
  return { user: r.user, csrfToken: r.csrfToken, via: 'session' };
}

export async function logout(): Promise<void> {
  try {
    await request('/api/auth/logout', { method: 'POST', quiet401: true });
  } finally {
    setCsrfToken('');
  }
}

export async function setup(token: string, username: string, password: string): Promise<void> {
  await request('/api/auth/setup', { method: 'POST', body: { token, username, password }, quiet401: true });
}
