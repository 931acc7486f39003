/** NBI for telemetry: recent samples and newest values (JSON) and a live sample stream (SSE). */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { CnsdnError } from '../common/index.js';
import { requireRole, typeboxValidator } from '../nbi/index.js';
import type { Ingest } from './ingest.js';
import { COUNTER_KPIS, counterKpi } from './kpi.js';
import { latestSamples, recentSamples } from './query.js';
import type { SeriesFilter } from './series-store.js';
import { SampleStream } from './stream.js';

export interface TelemetryRoutesOptions {
  ingest: Ingest;
  /**
   * The uuid of a device given by name or uuid, for devices the store has no series of yet;
   * throws NOT_FOUND when there is no such device. Without it such devices are NOT_FOUND.
   */
  resolveDevice?: (ref: string) => Promise<string>;
  /** Concurrent sample streams (default 100); more get 503. */
  maxStreams?: number;
  /** Samples buffered for one slow stream client before it is dropped (default 10,000). */
  maxBufferedSamples?: number;
  /** Default 15,000 ms. */
  heartbeatMs?: number;
  /** Suggested reconnection delay sent as `retry:` (default 3000 ms). */
  retryMs?: number;
}

export const MAX_LIMIT = 100_000;
const problem = { $ref: 'Problem#' };

const filterParams = {
  device: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'Device name or uuid' })),
  endpoint: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'Endpoint name' })),
  kpi: Type.Optional(Type.Union([...COUNTER_KPIS.values()].map((k) => Type.Literal(k)), { description: 'KPI sample type name' })),
};
const limitParam = Type.Optional(Type.String({ pattern: '^[0-9]{1,9}$', description: `Most samples returned (1–${MAX_LIMIT})` }));

const samplesQuery = Type.Object(
  {
    ...filterParams,
    since: Type.Optional(
      Type.String({ pattern: '^([0-9]{1,15}|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9]{2}:[0-9]{2}))$', description: 'ISO 8601 time or epoch milliseconds' }),
    ),
    limit: limitParam,
  },
  { additionalProperties: false },
);
const latestQuery = Type.Object({ ...filterParams, limit: limitParam }, { additionalProperties: false });
const streamQuery = Type.Object(filterParams, { additionalProperties: false });

const sampleSchema = Type.Object({
  ts: Type.Number({ description: 'Epoch milliseconds' }),
  device: Type.String(),
  device_uuid: Type.String(),
  endpoint: Type.String(),
  kpi: Type.String(),
  value: Type.Number(),
  rate: Type.Optional(Type.Number({ description: 'Per-second increase since the previous sample' })),
});
const samplesReply = Type.Object({ samples: Type.Array(sampleSchema) });

function invalid(path: string, message: string): CnsdnError {
  return new CnsdnError('VALIDATION_FAILED', `request querystring is not valid: ${path}: ${message}`, [{ path, message }]);
}

function parseLimit(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (n < 1 || n > MAX_LIMIT) throw invalid('/limit', `must be between 1 and ${MAX_LIMIT}`);
  return n;
}

function parseSince(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const ms = /^[0-9]+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms)) throw invalid('/since', 'is not a valid time');
  return ms;
}

export function telemetryRoutes(options: TelemetryRoutesOptions): FastifyPluginAsync {
  const { ingest } = options;
  const store = ingest.store;
  const maxStreams = options.maxStreams ?? 100;
  const limits = { maxBufferedSamples: options.maxBufferedSamples ?? 10_000, heartbeatMs: options.heartbeatMs ?? 15_000 };
  const retryMs = options.retryMs ?? 3000;

  async function filterOf(q: { device?: string; endpoint?: string; kpi?: string }): Promise<SeriesFilter> {
    const filter: SeriesFilter = {};
    if (q.device !== undefined) {
      const uuid = store.resolveDevice(q.device) ?? (options.resolveDevice ? await options.resolveDevice(q.device) : undefined);
      if (uuid === undefined) throw new CnsdnError('NOT_FOUND', `device ${q.device} has no telemetry`, [{ path: '/device', message: 'no such device' }]);
      filter.deviceUuid = uuid;
    }
    if (q.endpoint !== undefined) filter.endpoint = q.endpoint;
    if (q.kpi !== undefined) filter.kpi = counterKpi(q.kpi);
    return filter;
  }

  return async (app) => {
    app.setValidatorCompiler(typeboxValidator());
    const viewer = requireRole('viewer');
    const streams = new Set<SampleStream>();
    app.addHook('preClose', async () => {
      for (const s of [...streams]) s.close('server closing');
    });

    app.get<{ Querystring: Static<typeof samplesQuery> }>(
      '/api/telemetry/samples',
      {
        preHandler: viewer,
        schema: {
          tags: ['telemetry'],
          summary: 'Recent samples of device endpoint counters, oldest first (the newest `limit`, default 1000)',
          querystring: samplesQuery,
          response: { 200: samplesReply, 400: problem, 401: problem, 404: problem },
        },
      },
      async (req) => {
        const filter = await filterOf(req.query);
        return { samples: recentSamples(store, filter, parseSince(req.query.since), parseLimit(req.query.limit, 1000)) };
      },
    );

    app.get<{ Querystring: Static<typeof latestQuery> }>(
      '/api/telemetry/latest',
      {
        preHandler: viewer,
        schema: {
          tags: ['telemetry'],
          summary: 'Newest sample of each device endpoint counter (default limit 10,000)',
          querystring: latestQuery,
          response: { 200: samplesReply, 400: problem, 401: problem, 404: problem },
        },
      },
      async (req) => {
        const filter = await filterOf(req.query);
        return { samples: latestSamples(store, filter, parseLimit(req.query.limit, 10_000)) };
      },
    );

    app.get<{ Querystring: Static<typeof streamQuery> }>(
      '/api/telemetry/stream',
      {
        preHandler: viewer,
        schema: {
          tags: ['telemetry'],
          summary: 'Live samples as they are ingested (text/event-stream)',
          description:
            'Each sample is `event: sample` with a JSON `data:` line (as in /api/telemetry/samples). ' +
            'A client too slow to keep up receives `event: overflow` (data: {"dropped": n}) and is disconnected.',
          querystring: streamQuery,
          response: { 400: problem, 401: problem, 404: problem, 503: problem },
        },
      },
      async (req, reply) => {
        const filter = await filterOf(req.query);
        if (streams.size >= maxStreams) {
          reply.header('retry-after', '5');
          throw new CnsdnError('UNAVAILABLE', `Too many telemetry streams (limit ${maxStreams})`);
        }
        reply.hijack();
        const res = reply.raw;
        const headers: Record<string, string | number | string[]> = {};
        for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = v;
        res.writeHead(200, {
          ...headers,
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        res.write(`retry: ${retryMs}\n: connected\n\n`);
        let off: () => void = () => undefined;
        const stream = new SampleStream(res, filter, limits, (reason) => {
          off();
          streams.delete(stream);
          req.log.debug({ reason }, 'telemetry stream closed');
        });
        streams.add(stream);
        off = ingest.onBatch((batch) => stream.deliver(batch));
        if (req.raw.socket?.destroyed) stream.close('client closed');
      },
    );
  };
}
