/**
 * Requests to a device's owner over NATS request/reply: one subject per member
 * (`<prefix>.<member>.rpc`, outside the event stream's subjects). The owner checks it still
 * holds the device, runs the request and answers with the result or a coded error.
 */
import { type Msg, type NatsConnection, NoRespondersError, RequestError, type Subscription, TimeoutError } from '@nats-io/transport-node';
import { CnsdnError, type ErrorCode, ErrorCodes, isCnsdnError } from '../common/errors.js';
import type { DeviceLogger } from '../device/index.js';
import type { ClusterMetrics } from './metrics.js';

export const DRIVER_METHODS = ['getInitialConfig', 'getConfig', 'setConfig', 'deleteConfig', 'discoverEndpoints', 'announcedModels'] as const;
export type DriverMethod = (typeof DRIVER_METHODS)[number];

export type OwnerRequest = { op: 'driver'; device: string; method: DriverMethod; args: unknown[] } | { op: 'configure'; device: string };

export interface OwnerHandlers {
  driver(device: string, method: DriverMethod, args: unknown[]): Promise<unknown>;
  configure(device: string): Promise<unknown>;
}

type Reply = { ok: true; result: unknown } | { ok: false; notOwner?: true; code?: string; message: string; details?: unknown };

/** The owner answered that it does not hold the device (any more). */
export class NotOwnerError extends Error {}
/** Nobody listens on the member's subject: the member is gone. */
export class OwnerGoneError extends Error {}

/** Errors inside results (per-resource outcomes) travel as {"$error": {code, message}}. */
export function encodeResult(v: unknown): unknown {
  if (v instanceof Error) return { $error: { code: isCnsdnError(v) ? v.code : 'DRIVER_ERROR', message: v.message } };
  if (Array.isArray(v)) return v.map(encodeResult);
  return v;
}

function isCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ErrorCodes, code);
}

export function decodeResult(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeResult);
  if (v && typeof v === 'object' && Object.keys(v).length === 1 && '$error' in v) {
    const e = (v as { $error: { code?: unknown; message?: unknown } }).$error;
    return new CnsdnError(isCode(e.code) ? e.code : 'DRIVER_ERROR', String(e.message ?? 'error'));
  }
  return v;
}

/** A member id as one subject token (ids are [A-Za-z0-9._-]; dots would split tokens). */
export function memberSubject(prefix: string, member: string): string {
  return `${prefix}.${member.replace(/\./g, '~')}.rpc`;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class ClusterRpc {
  #sub: Subscription | undefined;
  readonly #inflight = new Set<Promise<void>>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly memberId: string,
    private readonly handlers: OwnerHandlers,
    private readonly owns: (device: string) => boolean,
    private readonly log: DeviceLogger,
    private readonly metrics?: ClusterMetrics,
  ) {}

  start(): void {
    this.#sub = this.nc.subscribe(memberSubject(this.prefix, this.memberId), {
      callback: (err, msg) => {
        if (err) return this.log.warn({ err }, 'cluster request subscription failed');
        const p = this.#serve(msg).finally(() => this.#inflight.delete(p));
        this.#inflight.add(p);
      },
    });
  }

  async stop(): Promise<void> {
    this.#sub?.unsubscribe();
    this.#sub = undefined;
    await Promise.allSettled([...this.#inflight]);
  }

  async #serve(msg: Msg): Promise<void> {
    let reply: Reply;
    let op = 'invalid';
    try {
      const req = JSON.parse(decoder.decode(msg.data)) as OwnerRequest;
      op = req.op === 'driver' ? `driver.${req.method}` : String(req.op);
      if (typeof req.device !== 'string') throw new CnsdnError('INVALID_ARGUMENT', 'cluster request without a device');
      if (!this.owns(req.device)) {
        reply = { ok: false, notOwner: true, message: `${this.memberId} does not hold device ${req.device}` };
      } else if (req.op === 'configure') {
        reply = { ok: true, result: encodeResult(await this.handlers.configure(req.device)) };
      } else if (req.op === 'driver' && (DRIVER_METHODS as readonly string[]).includes(req.method) && Array.isArray(req.args)) {
        reply = { ok: true, result: encodeResult(await this.handlers.driver(req.device, req.method, req.args)) };
      } else {
        throw new CnsdnError('INVALID_ARGUMENT', `unknown cluster request ${op}`);
      }
    } catch (e) {
      const err = isCnsdnError(e) ? e : new CnsdnError('INTERNAL', e instanceof Error ? e.message : String(e));
      reply = { ok: false, code: err.code, message: err.message, details: err.details };
    }
    this.metrics?.rpc.inc({ op, outcome: reply.ok ? 'ok' : reply.notOwner ? 'not_owner' : 'error' });
    msg.respond(encoder.encode(JSON.stringify(reply)));
  }

  /** Sends a request to a member; throws its coded error, NotOwnerError, OwnerGoneError or UNAVAILABLE on timeout. */
  async call(member: string, req: OwnerRequest, timeoutMs: number): Promise<unknown> {
    let msg: Msg;
    try {
      msg = await this.nc.request(memberSubject(this.prefix, member), encoder.encode(JSON.stringify(req)), { timeout: timeoutMs });
    } catch (e) {
      if (e instanceof NoRespondersError || (e instanceof RequestError && e.isNoResponders())) throw new OwnerGoneError(`member ${member} does not answer (gone)`);
      if (e instanceof TimeoutError) throw new CnsdnError('UNAVAILABLE', `member ${member}, the owner of device ${req.device}, did not answer within ${timeoutMs} ms`, [{ path: '/owner', message: member }]);
      throw new CnsdnError('UNAVAILABLE', `request to member ${member}: ${e instanceof Error ? e.message : String(e)}`, [{ path: '/owner', message: member }], { cause: e });
    }
    const reply = JSON.parse(decoder.decode(msg.data)) as Reply;
    if (reply.ok) return decodeResult(reply.result);
    if (reply.notOwner) throw new NotOwnerError(reply.message);
    const details = Array.isArray(reply.details) ? (reply.details as CnsdnError['details']) : [];
    throw new CnsdnError(isCode(reply.code) ? reply.code : 'INTERNAL', reply.message, details);
  }
}
