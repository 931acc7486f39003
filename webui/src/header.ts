/** The header: context and topology selectors, event stream state, who is logged in, logout. */
import { enc, get, logout } from './api.js';
import { h, replace } from './dom.js';
import { type Context, contextName, contextUuid, type Topology, topologyName, topologyUuid } from './model.js';
import { navigate } from './router.js';
import { state } from './state.js';

function option(value: string, text: string, selected: boolean): HTMLOptionElement {
  return h('option', { value, selected }, text);
}

/** Matches a saved selection given either as uuid or as name. */
function pick<T>(items: T[], saved: string, uuid: (t: T) => string, name: (t: T) => string): T | undefined {
  return items.find((t) => uuid(t) === saved) ?? items.find((t) => name(t) === saved) ?? items[0];
}

/** Listeners of the previous header, detached when a new one is drawn (after a new login). */
let detach: (() => void)[] = [];

export function renderHeader(onSelection: () => void): HTMLElement {
  for (const d of detach) d();
  detach = [];
  const contextSelect = h('select', { id: 'context-select', title: 'Context', aria: { label: 'Context' } });
  const topologySelect = h('select', { id: 'topology-select', title: 'Topology', aria: { label: 'Topology' } });
  const live = h('span', { class: 'stream', data: { testid: 'stream-state' } });
  const user = state.session?.user;

  const showStream = () => {
    live.className = `stream ${state.streamState}`;
    live.textContent = state.streamState === 'live' ? '● live' : state.streamState === 'connecting' ? '○ connecting' : '○ offline';
    live.title = `Event stream: ${state.streamState}`;
  };
  showStream();
  detach.push(state.onStreamState(showStream));

  const loadTopologies = async (context: string) => {
    const { topologies } = await get<{ topologies: Topology[] }>(`/tfs-api/context/${enc(context)}/topologies`);
    const chosen = pick(topologies, state.topology, topologyUuid, topologyName);
    replace(
      topologySelect,
      topologies.map((t) => option(topologyName(t), topologyName(t), t === chosen)),
    );
    if (topologies.length === 0) replace(topologySelect, option('', '(no topology)', true));
    return chosen ? topologyName(chosen) : '';
  };

  const loadContexts = async () => {
    const { contexts } = await get<{ contexts: Context[] }>('/tfs-api/contexts');
    const chosen = pick(contexts, state.context, contextUuid, contextName);
    replace(
      contextSelect,
      contexts.map((c) => option(contextName(c), contextName(c), c === chosen)),
    );
    if (!chosen) {
      replace(contextSelect, option('', '(no context)', true));
      return;
    }
    const topology = await loadTopologies(contextName(chosen));
    if (contextName(chosen) !== state.context || topology !== state.topology) {
      state.select(contextName(chosen), topology);
      onSelection();
    }
  };

  contextSelect.addEventListener('change', async () => {
    const topology = await loadTopologies(contextSelect.value);
    state.select(contextSelect.value, topology);
    onSelection();
  });
  topologySelect.addEventListener('change', () => {
    state.select(contextSelect.value, topologySelect.value);
    onSelection();
  });
  // New contexts/topologies (an upload) appear in the selectors.
  let pending: number | undefined;
  const offEvents = state.onEvent((e) => {
    if ((e.kind !== 'context' && e.kind !== 'topology') || pending !== undefined) return;
    pending = window.setTimeout(() => {
      pending = undefined;
      void loadContexts().catch(() => {});
    }, 500);
  });
  detach.push(offEvents);
  void loadContexts().catch(() => {});

  const logoutButton =
    state.session?.via === 'open'
      ? null
      : h(
          'button',
          {
            type: 'button',
            class: 'link',
            id: 'logout',
            onclick: async () => {
              await logout().catch(() => {});
              state.session = null;
              state.stopEvents();
              navigate('/login', true);
            },
          },
          'Log out',
        );

  return h(
    'header',
    { class: 'top' },
    h('a', { href: '/webui/', class: 'brand' }, 'cnsdn'),
    h('div', { class: 'selectors' }, h('label', null, 'Context ', contextSelect), h('label', null, 'Topology ', topologySelect)),
    live,
    h(
      'div',
      { class: 'user' },
      h('span', { id: 'user-name' }, user?.username ?? ''),
      h('span', { class: `role ${user?.role ?? ''}`, id: 'user-role' }, user?.role ?? ''),
      logoutButton,
    ),
  );
}
