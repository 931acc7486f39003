/** The audit log (admins): who changed what, when, from where, and the outcome. */
import { ApiError, get } from '../api.js';
import { h, replace, table } from '../dom.js';
import type { Page } from '../page.js';
import { state } from '../state.js';
import { formatTime } from './common.js';

type Entry = Record<string, unknown>;

/** The entries of the answer, whether it is a list or an object holding one. */
export function entriesOf(body: unknown): Entry[] {
  if (Array.isArray(body)) return body as Entry[];
  if (body && typeof body === 'object') {
    for (const v of Object.values(body)) if (Array.isArray(v)) return v as Entry[];
  }
  return [];
}

const PREFERRED = ['at', 'ts', 'time', 'principal', 'user', 'username', 'via', 'method', 'path', 'action', 'target', 'clientIp', 'ip', 'status', 'outcome', 'code'];

function cell(key: string, v: unknown): string {
  if (v === null || v === undefined) return '';
  if (/^(ts|time|at|timestamp)$/.test(key)) return formatTime(v as string | number);
  if (typeof v === 'object' && !Array.isArray(v)) return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${String(x)}`).join(' ');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export const auditPage: Page = async (main) => {
  if (!state.isAdmin) {
    replace(main, h('h1', null, 'Audit log'), h('p', { class: 'note' }, 'Only administrators can read the audit log.'));
    return;
  }
  let body: unknown;
  try {
    body = await get<unknown>('/api/audit?limit=200');
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
    replace(main, h('h1', null, 'Audit log'), h('p', { class: 'note' }, 'This server keeps no audit log.'));
    return;
  }
  const entries = entriesOf(body);
  const keys = [...new Set(entries.flatMap((e) => Object.keys(e)))];
  const hidden = ['id', 'requestId'];
  const columns = [...PREFERRED.filter((k) => keys.includes(k)), ...keys.filter((k) => !PREFERRED.includes(k) && !hidden.includes(k))].slice(0, 11);
  replace(
    main,
    h('div', { class: 'page-head' }, h('h1', null, 'Audit log'), h('span', { class: 'muted' }, `newest ${entries.length}`)),
    table(
      columns,
      entries.map((e) => columns.map((k) => cell(k, e[k]))),
      { id: 'audit-table' },
    ),
  );
};
