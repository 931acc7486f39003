/** A device's YANG models as a browsable tree: one module per card, nodes opened on demand. */
import { enc, get } from '../api.js';
import { field, h, replace } from '../dom.js';
import type { Page } from '../page.js';
import { href, navigate } from '../router.js';
import { type AnnouncedYangModel, countNodes, filterYang, type YangModuleTree, type YangNode, type YangTreeAnswer, yangLabel, yangPath } from '../yang.js';
import { section } from './common.js';

/** Nodes with children are <details>; their children are built when first opened (OpenConfig trees have thousands of nodes). */
function nodeItem(module: string, node: YangNode, trail: YangNode[], open: boolean): HTMLLIElement {
  const here = [...trail, node];
  const label = h('span', { class: `yang-node kind-${node.kind}`, title: yangPath(module, here) }, yangLabel(node));
  const desc = node.description ? h('small', { class: 'muted yang-desc' }, node.description) : null;
  const kids = node.children ?? [];
  if (kids.length === 0) return h('li', null, label, node.status ? h('em', { class: 'muted' }, ` ${node.status}`) : null, desc);
  const details = h('details', null, h('summary', null, label, h('span', { class: 'muted' }, ` (${kids.length})`)), desc);
  let built = false;
  const build = () => {
    if (built) return;
    built = true;
    details.append(h('ul', { class: 'yang-tree' }, kids.map((k) => nodeItem(module, k, here, open))));
  };
  details.addEventListener('toggle', () => {
    if (details.open) build();
  });
  if (open) {
    details.open = true;
    build();
  }
  return h('li', null, details);
}

function moduleCard(t: YangModuleTree, filter: string): HTMLElement {
  const open = filter.trim() !== '';
  const groups: [string, YangNode[]][] = [
    ['data', filterYang(t.nodes, filter)],
    ['rpcs', filterYang(t.rpcs, filter)],
    ['notifications', filterYang(t.notifications, filter)],
  ];
  const total = countNodes(t.nodes) + countNodes(t.rpcs) + countNodes(t.notifications);
  return section(
    `${t.module}${t.revision ? `@${t.revision}` : ''}`,
    h('p', { class: 'muted' }, h('code', null, t.namespace), ` — ${total} schema nodes`),
    groups
      .filter(([, nodes]) => nodes.length > 0)
      .map(([title, nodes]) => [h('h3', null, title), h('ul', { class: 'yang-tree', data: { module: t.module } }, nodes.map((n) => nodeItem(t.module, n, [], open)))]),
  );
}

/** The models the device announced, each marked available (compiled, shown below) or not (the search path lacks it). */
function announcedTable(models: readonly AnnouncedYangModel[], unavailable: readonly string[]): HTMLElement {
  const missing = new Set(unavailable.map((u) => u.split('@')[0]));
  return section(
    `Announced by the device (${models.length})`,
    h(
      'table',
      { id: 'yang-announced' },
      h('thead', null, h('tr', null, ['Module', 'Revision / version', 'Organization / namespace', 'Features', 'Available'].map((t) => h('th', null, t)))),
      h(
        'tbody',
        null,
        models.map((m) => {
          const absent = missing.has(m.name);
          return h(
            'tr',
            { ...(absent ? { class: 'unavailable' } : {}), data: { module: m.name, available: absent ? 'no' : 'yes' } },
            h('td', null, h('code', null, m.name)),
            h('td', null, m.revision ?? m.version ?? ''),
            h('td', null, m.organization ?? m.namespace ?? ''),
            h('td', null, (m.features ?? []).join(', ')),
            h('td', null, absent ? h('span', { class: 'muted', title: 'not in the YANG search path' }, 'not available') : 'yes'),
          );
        }),
      ),
    ),
  );
}

function sourceText(answer: YangTreeAnswer): string {
  if (answer.source === 'announced') return 'The modules this device announced: ';
  if (answer.source === 'drivers') return 'The modules this device’s drivers write its configuration in: ';
  return 'The modules asked for: ';
}

export function deviceYangPage(ref: string): Page {
  return async (main, route) => {
    const modules = route.query.get('modules') ?? '';
    const answer = await get<YangTreeAnswer>(`/api/devices/${enc(ref)}/yang-tree${modules ? `?modules=${enc(modules)}` : ''}`);
    const search = h('input', { name: 'filter', placeholder: 'find a node by name', id: 'yang-filter', autocomplete: 'off' });
    const trees = h('div', { id: 'yang-trees' });
    const drawTrees = () =>
      replace(
        trees,
        answer.trees.length === 0 ? h('p', { class: 'note' }, 'No module of this device could be compiled.') : answer.trees.map((t) => moduleCard(t, search.value)),
      );
    let pending: number | undefined;
    search.addEventListener('input', () => {
      if (pending !== undefined) clearTimeout(pending);
      pending = window.setTimeout(drawTrees, 250);
    });
    const other = h('input', { name: 'modules', value: modules, placeholder: 'ietf-system, openconfig-bgp', id: 'yang-modules' });
    replace(
      main,
      h('div', { class: 'page-head' }, h('h1', null, 'YANG models'), h('a', { href: href(`/devices/${enc(ref)}`) }, 'back to the device')),
      h(
        'p',
        { class: 'muted' },
        sourceText(answer),
        answer.modules.join(', ') || 'none',
        '.',
      ),
      answer.announcedError ? h('p', { class: 'note', id: 'yang-announced-error' }, `The device’s announced models are not known: ${answer.announcedError}`) : null,
      answer.announced && answer.announced.length > 0 ? announcedTable(answer.announced, answer.unavailable ?? []) : null,
      answer.missing.length > 0 ? h('p', { class: 'note', id: 'yang-missing' }, `Not found in the YANG search path (${answer.searchPath.join(':') || 'empty'}): ${answer.missing.join(', ')}`) : null,
      answer.error ? h('p', { class: 'error', role: 'alert' }, answer.error) : null,
      h(
        'form',
        {
          class: 'inline-form',
          onsubmit: (e) => {
            e.preventDefault();
            const q = other.value.trim();
            navigate(`/devices/${enc(ref)}/yang${q ? `?modules=${enc(q)}` : ''}`);
          },
        },
        field('Other modules', other, 'comma-separated names (name@revision); empty: the modules the device announced (else its drivers’ modules)'),
        h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Show')),
      ),
      field('Filter', search),
      trees,
    );
    drawTrees();
  };
}
