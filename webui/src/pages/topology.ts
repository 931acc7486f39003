/** The selected topology as a graph: click a device or link for its detail. */
import { ApiError, enc, get } from '../api.js';
import { h, replace } from '../dom.js';
import { type Graph, graphLegend, topologyGraph } from '../graph.js';
import { deviceStatus, type TopologyDetails } from '../model.js';
import { navigate } from '../router.js';
import { state } from '../state.js';
import { errorBox, refreshOn } from './common.js';

export async function loadTopology(): Promise<TopologyDetails | null> {
  if (!state.context || !state.topology) return null;
  try {
    return await get<TopologyDetails>(`/tfs-api/context/${enc(state.context)}/topology_details/${enc(state.topology)}`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

export async function topologyPage(main: HTMLElement): Promise<() => void> {
  let graph: Graph | undefined;
  const draw = async () => {
    let details: TopologyDetails | null;
    try {
      details = await loadTopology();
    } catch (err) {
      replace(main, h('h1', null, 'Topology'), errorBox(err));
      return;
    }
    const enabled = details ? details.devices.filter((d) => deviceStatus(d) === 'ENABLED').length : 0;
    const counts = details ? `${details.devices.length} devices (${enabled} enabled), ${details.links.length} links` : '';
    // Status changes recolour the drawn graph; only new or removed devices/links lay it out again.
    if (graph && details && details.devices.length > 0 && graph.update(details)) {
      const label = main.querySelector('[data-testid=topology-counts]');
      if (label) label.textContent = counts;
      return;
    }
    graph?.destroy();
    graph = undefined;
    if (!details || details.devices.length === 0) {
      replace(
        main,
        h('h1', null, 'Topology'),
        h('p', { class: 'muted', data: { testid: 'empty-topology' } }, `No devices in ${state.context} / ${state.topology}. `, state.canWrite ? h('a', { href: '/webui/upload' }, 'Upload a descriptor') : null),
      );
      return;
    }
    graph = topologyGraph({
      devices: details.devices,
      links: details.links,
      onDevice: (uuid) => navigate(`/devices/${enc(uuid)}`),
      onLink: (uuid) => navigate(`/links/${enc(uuid)}`),
    });
    replace(
      main,
      h(
        'div',
        { class: 'page-head' },
        h('h1', null, `Topology ${details.name ?? state.topology}`),
        h('span', { class: 'muted', data: { testid: 'topology-counts' } }, counts),
      ),
      graph.element,
      graphLegend(),
    );
  };
  await draw();
  const off = refreshOn(['device', 'link', 'topology'], () => void draw(), () => true, 1500);
  return () => {
    off();
    graph?.destroy();
  };
}
