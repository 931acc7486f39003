/** Pieces several pages share: error boxes, live refresh on events, endpoint lists. */
import { ApiError } from '../api.js';
import { type Child, h, replace, table } from '../dom.js';
import type { ConfigRule, EndpointId, Names } from '../model.js';
import { configAction, ruleValueText } from '../model.js';
import { href } from '../router.js';
import { type BusEvent, state } from '../state.js';

/** An error as the server reported it, with each fault's JSON pointer. */
export function errorBox(err: unknown): HTMLElement {
  const box = h('div', { class: 'error', role: 'alert' });
  if (err instanceof ApiError) {
    box.append(h('strong', null, err.code.replace(/^CNSDN_/, '')), ': ', err.message);
    if (err.details.length > 0) box.append(h('ul', null, err.details.slice(0, 50).map((d) => h('li', null, h('code', null, d.path || '/'), ' ', d.message))));
  } else box.append(err instanceof Error ? err.message : String(err));
  return box;
}

/** A form's submit handler: no page load, the message box emptied, then `action`; its error goes in the box. */
export function onSubmit(message: HTMLElement, action: () => Promise<void>): (e: SubmitEvent) => Promise<void> {
  return async (e) => {
    e.preventDefault();
    replace(message);
    try {
      await action();
    } catch (err) {
      replace(message, errorBox(err));
    }
  };
}

/** Calls refresh (at most once per interval) after events of these kinds; returns the detach function. */
export function refreshOn(kinds: string[], refresh: () => void, filter: (e: BusEvent) => boolean = () => true, intervalMs = 700): () => void {
  let timer: number | undefined;
  const off = state.onEvent((e) => {
    if (!kinds.includes(e.kind) || !filter(e) || timer !== undefined) return;
    timer = window.setTimeout(() => {
      timer = undefined;
      refresh();
    }, intervalMs);
  });
  const offResync = state.onResync(refresh);
  return () => {
    off();
    offResync();
    if (timer !== undefined) clearTimeout(timer);
  };
}

export function deviceLink(uuid: string, text: string): HTMLAnchorElement {
  return h('a', { href: href(`/devices/${encodeURIComponent(uuid)}`) }, text);
}

export function endpointList(ids: EndpointId[] | undefined, names: Names): HTMLElement {
  return table(
    ['Device', 'Endpoint'],
    (ids ?? []).map((id) => {
      const [device, endpoint] = names.endpoint(id).split(' / ');
      return [deviceLink(id.device_id.device_uuid.uuid, device ?? ''), endpoint ?? ''];
    }),
    { class: 'endpoints' },
  );
}

export function rulesTable(rules: ConfigRule[], actions?: (r: ConfigRule) => Child): HTMLElement {
  const head = ['Action', 'Key', 'Value'];
  if (actions) head.push('');
  return table(
    head,
    rules.map((r) => {
      const row: Child[] = [configAction(r), h('code', null, r.custom?.resource_key ?? '(not a custom rule)'), h('code', { class: 'value' }, r.custom ? ruleValueText(r) : JSON.stringify(r))];
      if (actions) row.push(actions(r));
      return row;
    }),
    { class: 'rules' },
  );
}

export function section(title: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'card' }, h('h2', null, title), children);
}

export function readOnlyNote(): HTMLElement | null {
  return state.canWrite ? null : h('p', { class: 'note', data: { testid: 'read-only' } }, 'Read-only: your role (viewer) cannot change anything.');
}

export function formatTime(ts: number | string | undefined): string {
  if (ts === undefined) return '—';
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? String(ts) : d.toLocaleString();
}
