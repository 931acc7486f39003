/**
 * GET /api/events: the bus as a Server-Sent Events stream. Resumable (Last-Event-ID or
 * ?from=), filterable (?kinds=), bounded in memory per client and in number of clients.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { Bus, BusEventKind, BusSubscription, DeliveredEvent } from '../bus/api.js';
import { CnsdnError } from '../common/errors.js';
import { problemSchema } from './problem.js';

export interface SseOptions {
  bus: Bus;
  /** Concurrent streams allowed; more get 503. Default 1000. */
  maxClients?: number;
  /** Events queued for one slow client before it is dropped with `event: overflow`. Default 10000. */
  maxBufferedEvents?: number;
  /** Interval of `: heartbeat` comments. Default 15000 ms. */
  heartbeatMs?: number;
  /** Suggested reconnection delay sent as `retry:`. Default 3000 ms. */
  retryMs?: number;
}

/** Exhaustive by construction: adding an event kind fails compilation here until listed. */
const KNOWN_KINDS: Record<BusEventKind, true> = {
  context: true,
  topology: true,
  device: true,
  link: true,
  service: true,
  slice: true,
  connection: true,
  // A device's own event (NETCONF notification), data.notification holds it.
  notification: true,
};

const querystring = Type.Object(
  {
    from: Type.Optional(Type.Integer({ minimum: 0, description: 'Deliver events from this sequence on (inclusive)' })),
    kinds: Type.Optional(
      Type.String({
        pattern: '^[a-z]+(,[a-z]+)*$',
        description: `Comma-separated event kinds: ${Object.keys(KNOWN_KINDS).join(', ')}`,
      }),
    ),
  },
);

export function parseKinds(raw: string | undefined): BusEventKind[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  const kinds = [...new Set(raw.split(','))];
  const unknown = kinds.filter((k) => !Object.hasOwn(KNOWN_KINDS, k));
  if (unknown.length > 0) {
    throw new CnsdnError('VALIDATION_FAILED', `Unknown event kind(s): ${unknown.join(', ')}`, [
      { path: '/kinds', message: `must be a comma-separated list of ${Object.keys(KNOWN_KINDS).join(', ')}` },
    ]);
  }
  return kinds as BusEventKind[];
}

/** Last-Event-ID names the last event the client saw, so delivery resumes right after it. */
export function parseLastEventId(raw: string | string[] | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (value.trim() === '') return undefined;
  if (!/^\d{1,15}$/.test(value.trim())) {
    throw new CnsdnError('VALIDATION_FAILED', 'Last-Event-ID must be an event sequence number', [
      { path: '/last-event-id', message: 'must be a non-negative integer' },
    ]);
  }
  return Number(value.trim()) + 1;
}

export function formatEvent(event: DeliveredEvent): string {
  return `id: ${event.seq}\nevent: ${event.kind}\ndata: ${JSON.stringify(event)}\n\n`;
}

interface Stream {
  close(reason: string): void;
}

export const sseRoutes: FastifyPluginAsync<SseOptions> = async (app, opts) => {
  const maxClients = opts.maxClients ?? 1000;
  const maxBuffered = opts.maxBufferedEvents ?? 10_000;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const retryMs = opts.retryMs ?? 3000;
  const streams = new Set<Stream>();
  let reserved = 0;

  // Open streams would otherwise keep app.close() waiting forever.
  app.addHook('preClose', async () => {
    for (const s of [...streams]) s.close('server closing');
  });

  app.get<{ Querystring: Static<typeof querystring> }>(
    '/api/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Stream of change events (text/event-stream)',
        description:
          'Each event is `id: <seq>`, `event: <kind>`, `data: <json>`. Resume with the Last-Event-ID header or ?from=<seq>. ' +
          'A client too slow to keep up receives `event: overflow` (data: {"lastSeq": n}) and is disconnected.',
        querystring,
        response: { '4xx': problemSchema, '5xx': problemSchema },
      },
    },
    async (request, reply) => {
      const kinds = parseKinds(request.query.kinds);
      const fromSeq = parseLastEventId(request.headers['last-event-id']) ?? request.query.from;
      if (streams.size + reserved >= maxClients) {
        reply.header('retry-after', '5');
        throw new CnsdnError('UNAVAILABLE', `Too many event streams (limit ${maxClients})`);
      }
      reserved++;

      const res = reply.raw;
      const queue: DeliveredEvent[] = [];
      let open = true;
      let started = false;
      let lastWritten = 0;
      let heartbeat: NodeJS.Timeout | undefined;
      let subscription: BusSubscription | undefined;

      const write = (event: DeliveredEvent): void => {
        res.write(formatEvent(event));
        lastWritten = event.seq;
      };
      const flush = (): void => {
        while (open && queue.length > 0 && !res.writableNeedDrain) write(queue.shift()!);
      };
      const stream: Stream = {
        close(reason: string) {
          if (!open) return;
          open = false;
          streams.delete(stream);
          clearInterval(heartbeat);
          queue.length = 0;
          res.off('drain', flush);
          if (subscription) {
            subscription.unsubscribe().catch((err: unknown) => request.log.warn({ err }, 'event stream unsubscribe failed'));
          }
          if (started && !res.writableEnded && !res.destroyed) res.end();
          request.log.debug({ reason }, 'event stream closed');
        },
      };
      const overflow = (): void => {
        request.log.warn({ buffered: queue.length, lastSeq: lastWritten }, 'event stream client too slow; dropping it');
        queue.length = 0;
        res.write(`event: overflow\ndata: ${JSON.stringify({ lastSeq: lastWritten })}\n\n`);
        stream.close('overflow');
        // A client that stopped reading never lets end() finish.
        setTimeout(() => {
          if (!res.writableFinished) res.destroy();
        }, 5000).unref();
      };
      const deliver = (event: DeliveredEvent): void => {
        if (!open) return;
        if (started && queue.length === 0 && !res.writableNeedDrain) {
          write(event);
          return;
        }
        if (queue.length >= maxBuffered) {
          if (started) overflow();
          else {
            // Too much history to replay before the stream even started.
            open = false;
          }
          return;
        }
        queue.push(event);
      };

      try {
        subscription = await opts.bus.subscribe(deliver, { fromSeq, kinds });
      } catch (err) {
        throw new CnsdnError('UNAVAILABLE', 'Event bus unavailable', [], { cause: err });
      } finally {
        reserved--;
      }
      if (!open) {
        await subscription.unsubscribe();
        throw new CnsdnError('UNAVAILABLE', `More than ${maxBuffered} events to replay; resume from a later sequence`);
      }

      reply.hijack();
      streams.add(stream);
      res.on('close', () => stream.close('client closed'));
      res.on('drain', flush);
      const headers: Record<string, string | number | string[]> = {};
      for (const [k, v] of Object.entries(reply.getHeaders())) {
        if (v !== undefined) headers[k] = v;
      }
      res.writeHead(200, {
        ...headers,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // nginx (the ingress) would otherwise buffer the stream.
        'x-accel-buffering': 'no',
      });
      res.write(`retry: ${retryMs}\n: connected\n\n`);
      started = true;
      flush();
      heartbeat = setInterval(() => {
        if (open && !res.writableNeedDrain) res.write(': heartbeat\n\n');
      }, heartbeatMs);
      heartbeat.unref();
      if (request.raw.socket?.destroyed) stream.close('client closed');
    },
  );
};
