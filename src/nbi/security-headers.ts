/**
 * Security headers computed once. @fastify/helmet runs helmet's middleware on every request,
 * which parses the Content-Security-Policy directives each time (≈5 % of a single-device GET);
 * the headers depend only on the options, so they are taken from helmet once and copied.
 */
import { createRequire } from 'node:module';

type HelmetMiddleware = (req: unknown, res: unknown, next: (err?: unknown) => void) => void;
type Helmet = (options: Record<string, unknown>) => HelmetMiddleware;

/** The helmet that @fastify/helmet depends on (so its version follows that plugin's). */
function loadHelmet(): Helmet {
  const plugin = createRequire(import.meta.url).resolve('@fastify/helmet');
  return createRequire(plugin)('helmet') as Helmet;
}

/** The headers helmet sets with these options, lower-cased names. */
export function securityHeaders(options: Record<string, unknown>): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  loadHelmet()(options)({ headers: {} }, res, (err) => {
    failure = err;
  });
  if (failure) throw failure;
  return Object.freeze(headers);
}
