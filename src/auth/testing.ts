/** Test support: an NBI server with auth over a SQLite file store, and a client that keeps a session. */
import type { FastifyInstance, FastifyPluginAsync, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildServer } from '../nbi/server.js';
import { openStore, type Store } from '../store/index.js';
import { type AuthOptions, type AuthService, createAuth } from './service.js';

export interface AuthServer {
  app: FastifyInstance;
  auth: AuthService;
  store: Store;
  announced: string[];
  close(): Promise<void>;
}

export async function startAuthServer(
  dbFile: string,
  options: Partial<Omit<AuthOptions, 'store' | 'logger'>> & { routes?: FastifyPluginAsync[]; trustProxy?: boolean; bodyLimit?: number } = {},
): Promise<AuthServer> {
  const store = await openStore({ url: `sqlite:${dbFile}` });
  const announced: string[] = [];
  const { routes = [], trustProxy, bodyLimit, ...authOptions } = options;
  const { pino } = await import('pino');
  const auth = await createAuth({ mode: 'on', logger: pino({ level: 'silent' }), announce: (l) => announced.push(l), ...authOptions, store });
  const app = await buildServer({ logger: false, readiness: [], routes, rateLimit: false, version: 't', auth, trustProxy, bodyLimit });
  await app.ready();
  return {
    app,
    auth,
    store,
    announced,
    async close() {
      await app.close();
      await auth.close();
      await store.close();
    },
  };
}

/** A browser-like client: keeps the session cookie and sends the CSRF token on writes. */
export class SessionClient {
  cookie: string | undefined;
  csrf = '';

  constructor(private app: FastifyInstance) {}

  async login(username: string, password: string): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
    if (res.statusCode === 200) {
      this.takeCookie(res);
      this.csrf = res.json().csrfToken;
    }
    return res;
  }

  takeCookie(res: LightMyRequestResponse): void {
    const set = res.headers['set-cookie'];
    const first = Array.isArray(set) ? set[0] : set;
    if (first) this.cookie = first.split(';')[0];
  }

  request(opts: InjectOptions & { csrf?: boolean }): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...(opts.headers as Record<string, string>) };
    if (this.cookie) headers.cookie = this.cookie;
    if (opts.csrf !== false && opts.method !== 'GET' && this.csrf) headers['x-csrf-token'] = this.csrf;
    const { csrf: _csrf, ...rest } = opts;
    return this.app.inject({ ...rest, headers });
  }
}
