import { CnsdnError, type ErrorDetail } from '../common/errors.js';
import { ENTITY_KINDS } from '../store/api.js';
import type { BusEvent, SubscribeOptions } from './api.js';

const EVENT_KINDS: readonly string[] = [...ENTITY_KINDS, 'notification'];
const KINDS = new Set<string>(EVENT_KINDS);
/** Bound on a notification event's JSON (the producer cuts the XML well below it). */
export const MAX_NOTIFICATION_EVENT_BYTES = 256 * 1024;
const OPS = new Set<string>(['CREATE', 'UPDATE', 'REMOVE']);

function problems(e: BusEvent, at: string): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const bad = (field: string, message: string) => out.push({ path: `${at}/${field}`, message });
  if (typeof e !== 'object' || e === null) return [{ path: at, message: 'must be an object' }];
  if (!KINDS.has(e.kind)) bad('kind', `must be one of ${EVENT_KINDS.join(', ')}`);
  if (e.kind === 'notification') {
    const n = e.notification;
    if (typeof n !== 'object' || n === null || typeof n.xml !== 'string' || typeof n.name !== 'string') bad('notification', 'must be an object with name and xml');
    else if (JSON.stringify(n).length > MAX_NOTIFICATION_EVENT_BYTES) bad('notification', `must be at most ${MAX_NOTIFICATION_EVENT_BYTES} bytes as JSON`);
  } else if (e.notification !== undefined) bad('notification', 'only on kind notification');
  if (typeof e.uuid !== 'string' || e.uuid === '') bad('uuid', 'must be a non-empty string');
  if (typeof e.name !== 'string') bad('name', 'must be a string');
  if (e.parent !== null && typeof e.parent !== 'string') bad('parent', 'must be a string or null');
  if (!OPS.has(e.op)) bad('op', 'must be CREATE, UPDATE or REMOVE');
  if (!Number.isSafeInteger(e.revision) || e.revision < 0) bad('revision', 'must be a non-negative integer');
  if (!Number.isFinite(e.ts)) bad('ts', 'must be a number (ms since the epoch)');
  return out;
}

/** Rejects the whole batch before anything is published when one event is malformed. */
export function checkEvents(events: readonly BusEvent[]): void {
  if (!Array.isArray(events)) throw new CnsdnError('BUS_ERROR', 'publish() takes an array of events');
  const details = events.flatMap((e, i) => problems(e, `/${i}`));
  if (details.length > 0) throw new CnsdnError('BUS_ERROR', 'malformed bus event', details);
}

/** Copies only the BusEvent fields, so extra properties and later mutations by the caller do not leak. */
export function pickEvent(e: BusEvent): BusEvent {
  const out: BusEvent = { kind: e.kind, uuid: e.uuid, name: e.name, parent: e.parent, op: e.op, revision: e.revision, ts: e.ts };
  if (e.kind === 'notification' && e.notification) out.notification = structuredClone(e.notification);
  return out;
}

/** Normalised subscribe options: fromSeq ≥ 1 or undefined (only new events), kinds as a set or null (all). */
export function checkSubscribeOptions(options: SubscribeOptions | undefined): { fromSeq: number | undefined; kinds: Set<string> | null } {
  const fromSeq = options?.fromSeq;
  if (fromSeq !== undefined && (!Number.isSafeInteger(fromSeq) || fromSeq < 0)) {
    throw new CnsdnError('BUS_ERROR', 'fromSeq must be a non-negative integer', [{ path: '/fromSeq', message: String(fromSeq) }]);
  }
  const kinds = options?.kinds;
  if (kinds !== undefined) {
    const unknown = kinds.filter((k) => !KINDS.has(k));
    if (unknown.length > 0) {
      throw new CnsdnError('BUS_ERROR', `unknown event kind(s): ${unknown.join(', ')}`, [{ path: '/kinds', message: 'unknown kind' }]);
    }
  }
  return { fromSeq: fromSeq === undefined ? undefined : Math.max(1, fromSeq), kinds: kinds ? new Set(kinds) : null };
}
