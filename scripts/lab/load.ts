/**
 * The lab's client: writers creating contexts through haproxy (PUT with fresh ids), a UI session in use (GET
 * /api/auth/me with the session cookie), and an SSE consumer of /api/events that resumes with
 * Last-Event-ID. Everything is recorded with times so a scenario can take its window.
 */
import { randomUUID } from 'node:crypto';
import { sleep } from './procs.js';

export interface Credentials {
  /** Headers every request carries (session cookie + CSRF token, or a bearer token). */
  headers: Record<string, string>;
  via: 'session' | 'token';
}

export interface WriteRecord {
  uuid: string;
  start: number;
  end: number;
  ok: boolean;
  status: number;
}

export interface CheckRecord {
  at: number;
  ok: boolean;
  status: number;
}

const TIMEOUT_MS = 10_000;

/** Logs in as the UI does; falls back to the admin token when the controller has no session login. */
export async function logIn(base: string, username: string, password: string, token: string): Promise<Credentials> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (res.status === 404) return { headers: { authorization: `Bearer ${token}` }, via: 'token' };
  if (!res.ok) throw new Error(`login: ${res.status} ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { headers: { cookie, 'x-csrf-token': csrfToken }, via: 'session' };
}

export class Load {
  readonly writes: WriteRecord[] = [];
  readonly checks: CheckRecord[] = [];
  /** Times each context uuid was delivered by the event stream, and each sequence number. */
  readonly eventsByUuid = new Map<string, number>();
  readonly eventsBySeq = new Map<number, number>();
  eventReconnects = 0;
  private running = false;
  private readonly tasks: Promise<void>[] = [];
  private lastEventId: string | undefined;
  private abort = new AbortController();

  constructor(
    private readonly base: string,
    private readonly creds: Credentials,
    private readonly opts: { writers: number; pauseMs: number; checkEveryMs: number },
  ) {}

  start(): void {
    this.running = true;
    for (let i = 0; i < this.opts.writers; i++) this.tasks.push(this.writer());
    this.tasks.push(this.sessionUser(), this.events());
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await Promise.all(this.tasks);
  }

  private async writer(): Promise<void> {
    while (this.running) {
      const uuid = randomUUID();
      const start = Date.now();
      let status = 0;
      try {
        // PUT with the id the client chose: idempotent, so haproxy may send it again to another
        // replica when the first one hangs or fails (a repeated POST would answer 409 once the
        // first attempt had landed).
        const res = await fetch(`${this.base}/tfs-api/context/${uuid}`, {
          method: 'PUT',
          headers: { ...this.creds.headers, 'content-type': 'application/json' },
          body: JSON.stringify({ context_id: { context_uuid: { uuid } }, name: `lab-${start}` }),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        status = res.status;
        await res.arrayBuffer();
      } catch {
        status = 0;
      }
      this.writes.push({ uuid, start, end: Date.now(), ok: status >= 200 && status < 300, status });
      await sleep(this.opts.pauseMs);
    }
  }

  private async sessionUser(): Promise<void> {
    while (this.running) {
      let status = 0;
      try {
        const res = await fetch(`${this.base}/api/auth/me`, { headers: this.creds.headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
        status = res.status;
        await res.arrayBuffer();
      } catch {
        status = 0;
      }
      this.checks.push({ at: Date.now(), ok: status === 200, status });
      await sleep(this.opts.checkEveryMs);
    }
  }

  private async events(): Promise<void> {
    while (this.running) {
      try {
        const headers: Record<string, string> = { ...this.creds.headers, accept: 'text/event-stream' };
        if (this.lastEventId) headers['last-event-id'] = this.lastEventId;
        const res = await fetch(`${this.base}/api/events?kinds=context`, { headers, signal: this.abort.signal });
        if (res.ok && res.body) {
          const decoder = new TextDecoder();
          let buffer = '';
          for await (const chunk of res.body) {
            buffer += decoder.decode(chunk as Uint8Array, { stream: true });
            let cut = buffer.indexOf('\n\n');
            while (cut >= 0) {
              this.onMessage(buffer.slice(0, cut));
              buffer = buffer.slice(cut + 2);
              cut = buffer.indexOf('\n\n');
            }
          }
        }
      } catch {
        // reconnect below
      }
      if (!this.running) return;
      this.eventReconnects++;
      await sleep(500);
    }
  }

  private onMessage(block: string): void {
    let id: string | undefined;
    let data: string | undefined;
    for (const line of block.split('\n')) {
      if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('data: ')) data = line.slice(6);
    }
    if (id === undefined || data === undefined) return;
    this.lastEventId = id;
    const seq = Number(id);
    this.eventsBySeq.set(seq, (this.eventsBySeq.get(seq) ?? 0) + 1);
    const e = JSON.parse(data) as { kind: string; uuid: string; op: string };
    if (e.kind === 'context' && e.op === 'CREATE') this.eventsByUuid.set(e.uuid, (this.eventsByUuid.get(e.uuid) ?? 0) + 1);
  }
}

/** Longest time in [from, to] without an acknowledged write completing. */
export function writeOutageMs(writes: WriteRecord[], from: number, to: number): number {
  const ends = writes.filter((w) => w.ok && w.end >= from && w.end <= to).map((w) => w.end);
  ends.sort((a, b) => a - b);
  let prev = from;
  let worst = 0;
  for (const e of [...ends, to]) {
    worst = Math.max(worst, e - prev);
    prev = e;
  }
  return worst;
}
