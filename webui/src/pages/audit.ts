/** The audit log (admins): who changed what, when, from where, and the outcome. */
import { ApiError, get } from '../api.js';
import { field, h, replace, table } from '../dom.js';
import type { Page } from '../page.js';
import { state } from '../state.js';
import { errorBox, formatTime } from './common.js';

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

const PAGE = 200;

const FILTERS: [string, string][] = [
  ['', 'all outcomes'],
  ['failure', 'failures'],
  ['success', 'successes'],
];

export const auditPage: Page = async (main) => {
  if (!state.isAdmin) {
    replace(main, h('h1', null, 'Audit log'), h('p', { class: 'note' }, 'Only administrators can read the audit log.'));
    return;
  }
  const user = h('input', { name: 'user', placeholder: 'user', id: 'audit-user' });
  const outcome = h('select', { name: 'outcome', id: 'audit-outcome' }, FILTERS.map(([v, t]) => h('option', { value: v }, t)));
  const body = h('div', { id: 'audit-body' });
  const more = h('button', { type: 'button', hidden: true, id: 'audit-more' }, 'Older entries');
  const count = h('span', { class: 'muted' });
  let entries: Entry[] = [];
  let cursor: string | undefined;

  const load = async (append: boolean) => {
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (user.value.trim()) q.set('user', user.value.trim());
    if (outcome.value) q.set('outcome', outcome.value);
    if (append && cursor) q.set('cursor', cursor);
    let answer: unknown;
    try {
      answer = await get<unknown>(`/api/audit?${q}`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        replace(body, h('p', { class: 'note' }, 'This server keeps no audit log.'));
        return;
      }
      replace(body, errorBox(err));
      return;
    }
    const page = entriesOf(answer);
    entries = append ? [...entries, ...page] : page;
    const next = (answer as { next?: unknown } | null)?.next;
    cursor = typeof next === 'string' ? next : undefined;
    more.hidden = cursor === undefined || page.length < PAGE;
    count.textContent = `${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}, newest first`;
    const keys = [...new Set(entries.flatMap((e) => Object.keys(e)))];
    const hidden = ['id', 'requestId'];
    const columns = [...PREFERRED.filter((k) => keys.includes(k)), ...keys.filter((k) => !PREFERRED.includes(k) && !hidden.includes(k))].slice(0, 11);
    replace(
      body,
      table(
        columns,
        entries.map((e) => columns.map((k) => cell(k, e[k]))),
        { id: 'audit-table' },
      ),
    );
  };
  user.addEventListener('change', () => void load(false));
  outcome.addEventListener('change', () => void load(false));
  more.addEventListener('click', () => void load(true));
  replace(
    main,
    h('div', { class: 'page-head' }, h('h1', null, 'Audit log'), count),
    h('div', { class: 'inline-form card' }, field('User', user), field('Outcome', outcome)),
    body,
    more,
  );
  await load(false);
};
