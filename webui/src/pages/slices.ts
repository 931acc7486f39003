/** Slices: list and detail (endpoints, constraints, configuration, the services they hold). */
import { enc, get } from '../api.js';
import { badge, h, jsonBlock, replace, table } from '../dom.js';
import { type Slice, sliceName, sliceStatus, sliceUuid, statusTone } from '../model.js';
import type { Page } from '../page.js';
import { href } from '../router.js';
import { state } from '../state.js';
import { endpointList, refreshOn, rulesTable, section } from './common.js';
import { loadNames } from './links.js';

export const slicesPage: Page = async (main) => {
  const draw = async () => {
    const [{ slices }, names] = await Promise.all([get<{ slices: Slice[] }>(`/tfs-api/context/${enc(state.context)}/slices`), loadNames()]);
    slices.sort((a, b) => sliceName(a).localeCompare(sliceName(b)));
    replace(
      main,
      h('div', { class: 'page-head' }, h('h1', null, 'Slices'), h('span', { class: 'muted' }, `${slices.length} in context ${state.context}`)),
      table(
        ['Name', 'Status', 'Endpoints', 'Services'],
        slices.map((s) => [
          h('a', { href: href(`/slices/${enc(sliceUuid(s))}`) }, sliceName(s)),
          badge(sliceStatus(s), statusTone(sliceStatus(s))),
          (s.slice_endpoint_ids ?? []).map((e) => names.endpoint(e)).join(', '),
          String(s.slice_service_ids?.length ?? 0),
        ]),
        { id: 'slices-table' },
      ),
    );
  };
  await draw();
  return refreshOn(['slice'], () => void draw().catch(() => {}));
};

export function sliceDetailPage(ref: string): Page {
  return async (main) => {
    const [s, names] = await Promise.all([get<Slice>(`/tfs-api/context/${enc(state.context)}/slice/${enc(ref)}`), loadNames()]);
    replace(
      main,
      h('div', { class: 'page-head' }, h('h1', null, sliceName(s)), badge(sliceStatus(s), statusTone(sliceStatus(s)))),
      section('Endpoints', endpointList(s.slice_endpoint_ids, names)),
      section(
        'Services',
        table(
          ['Service'],
          (s.slice_service_ids ?? []).map((id) => [h('a', { href: href(`/services/${enc(id.service_uuid.uuid)}`) }, id.service_uuid.uuid)]),
        ),
      ),
      section('Constraints', (s.slice_constraints ?? []).length > 0 ? jsonBlock(s.slice_constraints) : h('p', { class: 'muted' }, 'None')),
      section('Configuration', rulesTable(s.slice_config?.config_rules ?? [])),
    );
  };
}
