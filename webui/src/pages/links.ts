/** Links: the list and one link's endpoints and attributes. */
import { del, enc, get } from '../api.js';
import { h, jsonBlock, replace, table } from '../dom.js';
import { type Device, type Link, linkName, linkUuid, Names } from '../model.js';
import type { Page } from '../page.js';
import { href, navigate } from '../router.js';
import { state } from '../state.js';
import { endpointList, errorBox, readOnlyNote, refreshOn, section } from './common.js';

export async function loadNames(): Promise<Names> {
  const { devices } = await get<{ devices: Device[] }>('/tfs-api/devices');
  return new Names(devices);
}

export const linksPage: Page = async (main) => {
  const draw = async () => {
    const [{ links }, names] = await Promise.all([get<{ links: Link[] }>('/tfs-api/links'), loadNames()]);
    links.sort((a, b) => linkName(a).localeCompare(linkName(b)));
    replace(
      main,
      h('div', { class: 'page-head' }, h('h1', null, 'Links'), h('span', { class: 'muted' }, `${links.length} links`)),
      table(
        ['Name', 'From', 'To', 'Type'],
        links.map((l) => [
          h('a', { href: href(`/links/${enc(linkUuid(l))}`) }, linkName(l)),
          l.link_endpoint_ids[0] ? names.endpoint(l.link_endpoint_ids[0]) : '—',
          l.link_endpoint_ids[1] ? names.endpoint(l.link_endpoint_ids[1]) : '—',
          (l.link_type ?? '').replace(/^LINKTYPE_/, ''),
        ]),
        { id: 'links-table' },
      ),
    );
  };
  await draw();
  return refreshOn(['link'], () => void draw().catch(() => {}));
};

export function linkDetailPage(ref: string): Page {
  return async (main) => {
    const [l, names] = await Promise.all([get<Link>(`/tfs-api/link/${enc(ref)}`), loadNames()]);
    const message = h('div', { class: 'message' });
    replace(
      main,
      h(
        'div',
        { class: 'page-head' },
        h('h1', null, linkName(l)),
        state.canWrite
          ? h(
              'button',
              {
                type: 'button',
                class: 'danger',
                onclick: async () => {
                  if (!confirm(`Remove link ${linkName(l)}?`)) return;
                  try {
                    await del(`/tfs-api/link/${enc(linkUuid(l))}`);
                    navigate('/links');
                  } catch (err) {
                    replace(message, errorBox(err));
                  }
                },
              },
              'Remove link',
            )
          : null,
      ),
      message,
      readOnlyNote(),
      section('Link', h('dl', { class: 'props' }, h('dt', null, 'UUID'), h('dd', null, h('code', null, linkUuid(l))), h('dt', null, 'Type'), h('dd', null, l.link_type ?? '—'))),
      section('Endpoints', endpointList(l.link_endpoint_ids, names)),
      l.attributes && Object.keys(l.attributes).length > 0 ? section('Attributes', jsonBlock(l.attributes)) : null,
    );
  };
}
