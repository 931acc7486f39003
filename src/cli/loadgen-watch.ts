/**
 * Waits for services to become ACTIVE without polling hard: the controller's event stream
 * (`GET /api/events?kinds=service`, SSE) says when a service changed, and only then is it read.
 * A slow poll (every 250 ms) covers events lost to a reconnection.
 */
import { ApiError, type CnsdnClient, enc } from './client.js';

interface Waiter {
  name: string;
  resolve(): void;
  reject(e: Error): void;
  checking: boolean;
  again: boolean;
}

const FAILURE_KEY = '/cnsdn/failure';
const SLOW_POLL_MS = 250;

interface StoredService {
  name?: string;
  service_status?: { service_status?: string };
  service_config?: { config_rules?: Array<{ custom?: { resource_key: string; resource_value: string } }> };
}

export class StatusWatcher {
  readonly #client: CnsdnClient;
  readonly #context: string;
  readonly #abort = new AbortController();
  readonly #waiters = new Map<string, Waiter>();
  readonly #poll: NodeJS.Timeout;
  #closed = false;

  private constructor(client: CnsdnClient, context: string) {
    this.#client = client;
    this.#context = context;
    this.#poll = setInterval(() => {
      for (const w of this.#waiters.values()) void this.#check(w);
    }, SLOW_POLL_MS);
  }

  /** Opens the event stream (resolves once it is connected). */
  static async open(client: CnsdnClient, context: string, token?: string): Promise<StatusWatcher> {
    const w = new StatusWatcher(client, context);
    await w.#connect(token);
    return w;
  }

  async #connect(token: string | undefined): Promise<void> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${this.#client.baseUrl}/api/events?kinds=service`, { headers, signal: this.#abort.signal });
    if (!res.ok || !res.body) throw new ApiError('GET', '/api/events', res.status, undefined, await res.text().catch(() => ''));
    void this.#read(res.body).catch(() => undefined);
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data: '));
        if (data) {
          try {
            const event = JSON.parse(data.slice(6)) as { name?: string };
            const w = event.name === undefined ? undefined : this.#waiters.get(event.name);
            if (w) void this.#check(w);
          } catch {
            // not an entity event
          }
        }
        end = buffer.indexOf('\n\n');
      }
    }
  }

  /** Resolves when service `name` is ACTIVE; rejects with its recorded failure, or after timeoutMs. */
  untilActive(name: string, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => finish(new ApiError('GET', name, 504, { code: 'SETUP_TIMEOUT', detail: `${name} not ACTIVE within ${timeoutMs} ms` })), timeoutMs);
      const finish = (e?: Error) => {
        clearTimeout(timer);
        this.#waiters.delete(name);
        if (e) reject(e);
        else resolve();
      };
      const w: Waiter = { name, resolve: () => finish(), reject: finish, checking: false, again: false };
      this.#waiters.set(name, w);
      void this.#check(w);
    });
  }

  /** One read at a time per waiter; a change heard meanwhile reads again. */
  async #check(w: Waiter): Promise<void> {
    if (w.checking) {
      w.again = true;
      return;
    }
    w.checking = true;
    try {
      do {
        w.again = false;
        const s = await this.#client.get<StoredService>(`/tfs-api/context/${enc(this.#context)}/service/${enc(w.name)}`).catch((e: unknown) => {
          if (e instanceof ApiError && e.status === 404) return undefined;
          throw e;
        });
        if (s?.service_status?.service_status === 'SERVICESTATUS_ACTIVE') return w.resolve();
        const failure = s?.service_config?.config_rules?.find((r) => r.custom?.resource_key === FAILURE_KEY)?.custom?.resource_value;
        if (failure) {
          const f = JSON.parse(failure) as { code?: string; message?: string };
          return w.reject(new ApiError('POST', w.name, 502, { code: f.code ?? 'CNSDN_DRIVER_ERROR', detail: f.message }));
        }
      } while (w.again && this.#waiters.has(w.name));
    } catch (e) {
      w.reject(e instanceof Error ? e : new Error(String(e)));
    } finally {
      w.checking = false;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#poll);
    this.#abort.abort();
    for (const w of [...this.#waiters.values()]) w.reject(new Error('load generator stopped'));
  }
}
