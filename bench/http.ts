/** HTTP helpers for the bench: raw wire sizes for large bodies, fetch (undici, keep-alive) for the rest. */
import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

export interface RawResponse {
  status: number;
  /** Bytes on the wire (after any content-encoding). */
  wireBytes: number;
  contentEncoding: string | undefined;
  body: Buffer;
}

/** GET with node:http so the body is not decoded: the size reported is what crossed the socket. */
export function rawGet(url: string, headers: Record<string, string>, timeoutMs: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, wireBytes: body.length, contentEncoding: res.headers['content-encoding'], body });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export async function getJson<T>(url: string, timeoutMs = 60_000, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export function closeAgents(): void {
  agent.destroy();
}
