import type { Command } from 'commander';
import { CnsdnClient } from '../client.js';
import { type CliIO, UsageError } from '../io.js';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** Options every client command accepts (declared on the root program). */
export interface GlobalOptions {
  url: string;
  token?: string;
  timeout?: number;
}

export interface CommandContext {
  io: CliIO;
  /** Exit code the current command asks for; run() returns it. */
  exitCode: number;
}

export function clientFor(cmd: Command, io: CliIO): CnsdnClient {
  const g = cmd.optsWithGlobals<GlobalOptions>();
  const token = g.token ?? (io.env.CNSDN_TOKEN || io.env.CNSDN_ADMIN_TOKEN || undefined);
  return new CnsdnClient({ url: controllerUrl(g.url), token, timeoutMs: g.timeout });
}

/** Accepts "host:port" as a shorthand for "http://host:port". */
export function controllerUrl(raw: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`invalid controller URL "${raw}": expected e.g. http://127.0.0.1:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`invalid controller URL "${raw}": only http:// and https:// are supported`);
  }
  return url.toString().replace(/\/+$/, '');
}

export function printJson(io: CliIO, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
