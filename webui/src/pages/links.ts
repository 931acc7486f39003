/** Links: the list and one link's endpoints and attributes. */
import { del, enc, get, post } from '../api.js';
import { field, formValue, h, jsonBlock, replace, table } from '../dom.js';
import { endpointChoices, LINK_TYPES, linkFromChoices, suggestedLinkName } from '../link-form.js';
import { type Device, type Link, linkName, linkUuid, Names } from '../model.js';
import type { Page } from '../page.js';
import { href, navigate } from '../router.js';
import { state } from '../state.js';
import { endpointList, errorBox, readOnlyNote, refreshOn, section, onSubmit } from './common.js';

export async function loadNames(): Promise<Names> {
  const { devices } = await get<{ devices: Device[] }>('/tfs-api/devices');
  return new Names(devices);
}

function addLinkForm(devices: Device[]): HTMLElement {
  const message = h('div', { class: 'message' });
  const choices = endpointChoices(devices);
  const endpointSelect = (name: string) =>
    h('select', { name, required: true }, h('option', { value: '' }, '— endpoint —'), choices.map((c) => h('option', { value: c.value }, c.label)));
  const a = endpointSelect('a');
  const b = endpointSelect('b');
  const name = h('input', { name: 'name', required: true, placeholder: 'R1/eth1==R2/eth1' });
  // The name follows the chosen endpoints until it is typed in.
  let typed = false;
  name.addEventListener('input', () => {
    typed = name.value !== '';
  });
  const suggest = () => {
    if (!typed) name.value = suggestedLinkName(a.selectedOptions[0]?.value ? a.selectedOptions[0].text : '', b.selectedOptions[0]?.value ? b.selectedOptions[0].text : '');
  };
  a.addEventListener('change', suggest);
  b.addEventListener('change', suggest);
  const form: HTMLFormElement = h(
    'form',
    {
      class: 'inline-form',
      id: 'add-link',
      onsubmit: onSubmit(message, async () => {
        const link = linkFromChoices({ name: formValue(form, 'name'), a: a.value, b: b.value, type: formValue(form, 'type') });
        await post('/tfs-api/links', link);
        navigate(`/links/${enc(linkUuid(link))}`);
      }),
    },
    field('From', a),
    field('To', b),
    field('Type', h('select', { name: 'type' }, LINK_TYPES.map((t) => h('option', { value: t }, t.replace(/^LINKTYPE_/, ''))))),
    field('Name', name),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Add link')),
    message,
  );
  return h('details', { class: 'card' }, h('summary', null, 'Add a link'), choices.length < 2 ? h('p', { class: 'note' }, 'Devices with endpoints are needed first.') : form);
}

export const linksPage: Page = async (main) => {
  const draw = async () => {
    const [{ links }, { devices }] = await Promise.all([get<{ links: Link[] }>('/tfs-api/links'), get<{ devices: Device[] }>('/tfs-api/devices')]);
    const names = new Names(devices);
    links.sort((a, b) => linkName(a).localeCompare(linkName(b)));
    replace(
      main,
      h('div', { class: 'page-head' }, h('h1', null, 'Links'), h('span', { class: 'muted' }, `${links.length} links`)),
      state.canWrite ? addLinkForm(devices) : null,
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
  // The add form keeps what was chosen: redraw only when it is closed.
  return refreshOn(['link', 'device'], () => {
    if (!main.querySelector('details[open]')) void draw().catch(() => {});
  });
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
