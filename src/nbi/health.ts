/** Liveness (/healthz) and readiness (/readyz) probes. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<boolean>;
  /**
   * A failure within this many ms of the check's last success still counts as ready: a client
   * that reconnects by itself (NATS re-election, database failover) should not take every replica
   * out of the load balancer at once. Default 0.
   */
  graceMs?: number;
}

export interface HealthOptions {
  readiness: readonly ReadinessCheck[];
  /** Per-check timeout; a check that has not answered by then counts as not ready. Default 2000 ms. */
  checkTimeoutMs?: number;
}

/** Runs one check; a rejection, a non-true answer or a timeout all mean false. */
export async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    const outcome = Promise.resolve()
      .then(() => check.check())
      .then(
        (ok) => ok === true,
        () => false,
      );
    return await Promise.race([outcome, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const healthzResponse = Type.Object({ status: Type.Literal('ok') });
const readyzResponse = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not-ready')]),
  checks: Type.Record(Type.String(), Type.Boolean()),
});

export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (app, opts) => {
  const timeoutMs = opts.checkTimeoutMs ?? 2000;
  const checks = [...opts.readiness];
  const lastOk = new Map<string, number>();

  app.get(
    '/healthz',
    {
      schema: { tags: ['operations'], summary: 'Liveness: 200 while the process serves requests', response: { 200: healthzResponse } },
      // A busy process is alive; failing liveness under load would only get it restarted.
      config: { pressureHandler: () => undefined },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: 200 when every dependency answers (or answered within its grace period), else 503',
        response: { 200: readyzResponse, 503: readyzResponse },
      },
    },
    async (_request, reply) => {
      const results = await Promise.all(checks.map((c) => runCheck(c, timeoutMs)));
      const out: Record<string, boolean> = {};
      const now = Date.now();
      let ready = true;
      checks.forEach((c, i) => {
        out[c.name] = results[i];
        if (results[i]) lastOk.set(c.name, now);
        else if (now - (lastOk.get(c.name) ?? Number.NEGATIVE_INFINITY) > (c.graceMs ?? 0)) ready = false;
      });
      if (!ready) reply.code(503);
      return { status: ready ? ('ready' as const) : ('not-ready' as const), checks: out };
    },
  );
};
