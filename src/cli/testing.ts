/** Test doubles for CLI tests: a recording fake of the controller's HTTP API and captured output. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CliIO } from './io.js';

export interface RecordedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface CannedResponse {
  status?: number;
  contentType?: string;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** Never answer (to exercise timeouts). */
  hang?: boolean;
}

export type Route = CannedResponse | ((req: RecordedRequest) => CannedResponse);

export interface FakeController {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Serves canned answers keyed by "METHOD /path" (query ignored); unknown routes get a 404 problem. */
export async function startFakeController(routes: Record<string, Route>): Promise<FakeController> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(rec);
      const key = `${rec.method} ${rec.url.split('?')[0]}`;
      const route = routes[key];
      const answer: CannedResponse =
        route === undefined
          ? {
              status: 404,
              contentType: 'application/problem+json',
              body: { code: 'CNSDN_NOT_FOUND', title: 'Not Found', status: 404, detail: `${key} not found` },
            }
          : typeof route === 'function'
            ? route(rec)
            : route;
      if (answer.hang) return;
      const text = typeof answer.body === 'string' ? answer.body : answer.body === undefined ? '' : JSON.stringify(answer.body);
      res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'application/json' });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL on 127.0.0.1 where nothing listens: a port just bound and released. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export interface CapturedIO extends CliIO {
  out(): string;
  err(): string;
}

export function captureIO(env: Record<string, string | undefined> = {}): CapturedIO {
  let out = '';
  let err = '';
  return {
    stdout: {
      write: (s: string) => {
        out += s;
      },
    },
    stderr: {
      write: (s: string) => {
        err += s;
      },
    },
    env,
    out: () => out,
    err: () => err,
  };
}

export const problem = (status: number, body: Record<string, unknown>): CannedResponse => ({
  status,
  contentType: 'application/problem+json',
  body: { status, ...body },
});
