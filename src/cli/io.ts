import { ApiError, ConnectionError, ResponseError, TimeoutError } from './client.js';

export interface Writer {
  write(text: string): unknown;
}

/** Where a command reads its environment and writes its output; injected so tests run commands in-process. */
export interface CliIO {
  stdout: Writer;
  stderr: Writer;
  env: Record<string, string | undefined>;
  /** A terminal stream for the progress bar; absent when stdout is not a terminal. */
  progressStream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Whether stderr is the same kind of terminal as the progress stream (errors may then go through the bar). */
  stderrIsTTY?: boolean;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A mistake in how the command was called (bad option value, missing file...): exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure already reported to the user; only its exit code remains to be returned. */
export class ReportedFailure extends Error {
  readonly exitCode: number;
  constructor(exitCode = EXIT_FAILURE) {
    super('reported');
    this.name = 'ReportedFailure';
    this.exitCode = exitCode;
  }
}

/** What to tell the user about an error that is not tied to one input file. */
export function describeError(e: unknown, what?: string): string {
  if (e instanceof ConnectionError) {
    if (e.code === 'ECONNREFUSED') {
      return `cannot reach the controller at ${e.url}: is \`cnsdn serve\` running? (set --url or CNSDN_URL)`;
    }
    if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') {
      return `cannot resolve the controller's host in ${e.url} (set --url or CNSDN_URL)`;
    }
    return `cannot reach the controller at ${e.url}: ${e.reason} (set --url or CNSDN_URL)`;
  }
  if (e instanceof TimeoutError) {
    return `the controller at ${e.url} did not answer within ${e.timeoutMs} ms (raise --timeout if it is busy)`;
  }
  if (e instanceof ApiError) {
    if (e.status === 401) {
      if (e.tokenSent) return `the controller refused the token${e.detail ? ` (${e.detail})` : ''}: check --token or CNSDN_TOKEN`;
      return 'the controller requires a token: pass --token or set CNSDN_TOKEN';
    }
    if (e.status === 403) return `the token is not allowed to do this: ${e.detail ?? e.title ?? 'permission denied'}`;
    if (e.status === 404 && e.urlPath && !what) return `not found: ${e.method} ${e.urlPath}${e.path}: --url should be the controller's address without a path (e.g. http://127.0.0.1:8080), not ...${e.urlPath}`;
    if (e.status === 404) return what ? `${what} not found` : `not found: ${e.method} ${e.path}`;
    const head = e.code ? `${e.code}: ` : '';
    const text = e.detail ?? e.title ?? `HTTP ${e.status}`;
    const lines = [`${head}${text}`];
    for (const err of e.errors) lines.push(`  ${err.path ? `${err.path}: ` : ''}${err.message}`);
    return lines.join('\n');
  }
  if (e instanceof ResponseError || e instanceof UsageError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Errors that make further requests pointless (no controller, no permission). */
export function isFatal(e: unknown): boolean {
  return (
    e instanceof ConnectionError ||
    e instanceof TimeoutError ||
    (e instanceof ApiError && (e.status === 401 || e.status === 403))
  );
}
