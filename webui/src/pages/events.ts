/** The live event log: every change event from the SSE stream, newest first. */
import { h, replace } from '../dom.js';
import type { Page } from '../page.js';
import { href } from '../router.js';
import { type BusEvent, state } from '../state.js';

const SHOWN = 300;
const DETAIL_PAGES: Record<string, string> = { device: 'devices', link: 'links', service: 'services', slice: 'slices' };

function row(e: BusEvent): HTMLTableRowElement {
  const page = DETAIL_PAGES[e.kind];
  const name = e.name || e.uuid;
  return h(
    'tr',
    { class: `op-${e.op.toLowerCase()}`, data: { seq: String(e.seq), kind: e.kind } },
    h('td', { data: { label: 'Seq' } }, String(e.seq)),
    h('td', { data: { label: 'Time' } }, new Date(e.ts).toLocaleTimeString()),
    h('td', { data: { label: 'Kind' } }, e.kind),
    h('td', { data: { label: 'Op' } }, e.op),
    h('td', { data: { label: 'Name' } }, page && e.op !== 'REMOVE' ? h('a', { href: href(`/${page}/${encodeURIComponent(e.uuid)}`) }, name) : name),
    h('td', { data: { label: 'Revision' } }, e.revision === undefined ? '' : String(e.revision)),
  );
}

export const eventsPage: Page = async (main) => {
  const kindSelect = h(
    'select',
    { aria: { label: 'Kind' }, id: 'event-kind' },
    ['all', 'context', 'topology', 'device', 'link', 'service', 'slice', 'connection'].map((k) => h('option', { value: k }, k)),
  );
  const body = h('tbody', { id: 'event-rows' });
  const count = h('span', { class: 'muted' });
  const shows = (e: BusEvent) => kindSelect.value === 'all' || e.kind === kindSelect.value;
  const fill = () => {
    replace(body, state.events.filter(shows).slice(0, SHOWN).map(row));
    count.textContent = `${state.events.length} events since the dashboard opened (newest first)`;
  };
  kindSelect.addEventListener('change', fill);
  fill();
  replace(
    main,
    h('div', { class: 'page-head' }, h('h1', null, 'Events'), count, h('label', null, 'Kind ', kindSelect)),
    h(
      'table',
      { class: 'grid events', id: 'events-table' },
      h('thead', null, h('tr', null, ['Seq', 'Time', 'Kind', 'Op', 'Name', 'Revision'].map((t) => h('th', null, t)))),
      body,
    ),
  );
  return state.onEvent((e) => {
    count.textContent = `${state.events.length} events since the dashboard opened (newest first)`;
    if (!shows(e)) return;
    body.insertBefore(row(e), body.firstChild);
    while (body.childElementCount > SHOWN) body.lastElementChild?.remove();
  });
};
