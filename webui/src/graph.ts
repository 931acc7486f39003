/** The topology graph (cytoscape, loaded on first use): devices by type and status, links, paths. */
import type { Core, ElementDefinition, StylesheetJson } from 'cytoscape';
import { h } from './dom.js';
import { type Device, deviceName, deviceStatus, deviceUuid, type Link, linkName, linkUuid } from './model.js';

export interface GraphOptions {
  devices: Device[];
  links: Link[];
  onDevice?: (uuid: string) => void;
  onLink?: (uuid: string) => void;
  /** Devices and links drawn as a path (a service's connections). */
  highlight?: { devices: Set<string>; links: Set<string> };
}

/** Groups device types into the shapes drawn. */
export function deviceKind(type: string): 'router' | 'datacenter' | 'optical' | 'client' | 'other' {
  const t = type.toLowerCase();
  if (t.includes('datacenter') || t.includes('data-center') || t === 'emu-datacenter') return 'datacenter';
  if (t.includes('optical') || t.includes('line-system') || t.includes('ols') || t.includes('roadm') || t.includes('transponder') || t.includes('xr')) return 'optical';
  if (t.includes('client') || t.includes('host') || t.includes('server')) return 'client';
  if (t.includes('router') || t.includes('switch') || t.includes('packet')) return 'router';
  return 'other';
}

const STYLE: StylesheetJson = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'font-size': 11,
      'text-valign': 'bottom',
      'text-margin-y': 4,
      color: '#1d2733',
      'background-color': '#5b8fd6',
      'border-width': 3,
      'border-color': '#8a96a3',
      width: 34,
      height: 34,
    },
  },
  { selector: 'node[kind = "router"]', style: { shape: 'round-rectangle', 'background-color': '#4f7cc0' } },
  { selector: 'node[kind = "datacenter"]', style: { shape: 'barrel', 'background-color': '#7b61a8' } },
  { selector: 'node[kind = "optical"]', style: { shape: 'diamond', 'background-color': '#d0892e' } },
  { selector: 'node[kind = "client"]', style: { shape: 'ellipse', 'background-color': '#4fa08b' } },
  { selector: 'node[status = "ENABLED"]', style: { 'border-color': '#1f9d55' } },
  { selector: 'node[status = "DISABLED"]', style: { 'border-color': '#d64545' } },
  {
    selector: 'edge',
    style: { width: 2, 'line-color': '#9aa7b4', 'curve-style': 'bezier' },
  },
  { selector: '.hl', style: { 'line-color': '#e0338b', 'border-color': '#e0338b', width: 5, 'z-index': 10 } },
  { selector: 'node.hl', style: { width: 40, height: 40, 'border-width': 5 } },
  { selector: 'node:selected', style: { 'overlay-opacity': 0.15, 'overlay-color': '#1f3b57' } },
];

function elements(options: GraphOptions): ElementDefinition[] {
  const present = new Set(options.devices.map(deviceUuid));
  const out: ElementDefinition[] = options.devices.map((d) => ({
    group: 'nodes',
    data: { id: deviceUuid(d), label: deviceName(d), kind: deviceKind(d.device_type), status: deviceStatus(d), type: d.device_type },
    classes: options.highlight?.devices.has(deviceUuid(d)) ? 'hl' : '',
  }));
  for (const l of options.links) {
    const [a, b] = l.link_endpoint_ids.map((e) => e.device_id.device_uuid.uuid);
    if (!a || !b || !present.has(a) || !present.has(b)) continue;
    out.push({ group: 'edges', data: { id: `link:${linkUuid(l)}`, source: a, target: b, label: linkName(l) }, classes: options.highlight?.links.has(linkUuid(l)) ? 'hl' : '' });
  }
  return out;
}

export interface Graph {
  element: HTMLElement;
  /**
   * Redraws in place when the same devices and links are shown (a status or name changed) and
   * returns true; returns false when they differ, and the caller draws a new graph.
   */
  update(options: Pick<GraphOptions, 'devices' | 'links'>): boolean;
  destroy(): void;
}

/** The element ids of a graph's content, to tell an in-place update from a new graph. */
function shape(defs: ElementDefinition[]): string {
  return defs
    .map((d) => `${d.group}:${d.data.id}:${d.data.source ?? ''}:${d.data.target ?? ''}`)
    .sort()
    .join('|');
}

/**
 * Cytoscape adds a <style> for its container unless an element with this id exists; the CSP
 * refuses inline styles, so a placeholder takes the id and style.css positions the container.
 */
function claimCytoscapeStylesheet(): void {
  const id = '__________cytoscape_stylesheet';
  if (document.getElementById(id)) return;
  const placeholder = document.createElement('meta');
  placeholder.id = id;
  document.head.appendChild(placeholder);
}

/** Draws the graph into a new element; cytoscape is fetched the first time. */
export function topologyGraph(options: GraphOptions): Graph {
  const element = h('div', { class: 'graph', data: { testid: 'graph' }, role: 'img', aria: { label: 'Topology graph' } });
  let cy: Core | undefined;
  let destroyed = false;
  void import('cytoscape').then(({ default: cytoscape }) => {
    if (destroyed) return;
    claimCytoscapeStylesheet();
    cy = cytoscape({
      container: element,
      elements: elements(options),
      style: STYLE,
      layout: { name: 'cose', animate: false, randomize: false, nodeRepulsion: () => 60_000, idealEdgeLength: () => 110, nodeOverlap: 20, componentSpacing: 80, padding: 30 },
      minZoom: 0.2,
      maxZoom: 3,
    });
    // A handful of devices would otherwise be blown up to fill the box.
    if (cy.zoom() > 1.5) {
      cy.zoom(1.5);
      cy.center();
    }
    cy.on('tap', 'node', (e) => options.onDevice?.(e.target.id()));
    cy.on('tap', 'edge', (e) => options.onLink?.(String(e.target.id()).slice('link:'.length)));
    // Where each device is drawn (the canvas has no elements): for tests and assistive tools.
    const describe = () => {
      if (!cy) return;
      element.dataset.nodes = JSON.stringify(cy.nodes().map((n) => ({ id: n.id(), label: n.data('label'), path: n.hasClass('hl'), ...n.renderedPosition() })));
    };
    describe();
    cy.on('viewport', describe);
    element.dataset.ready = String(cy.nodes().length);
  });
  let drawn = shape(elements(options));
  return {
    element,
    update(next) {
      const defs = elements({ ...options, ...next });
      if (shape(defs) !== drawn || !cy) return false;
      const graph = cy;
      graph.batch(() => {
        for (const d of defs) {
          const { id, source: _source, target: _target, ...mutable } = d.data;
          graph.getElementById(id!).data(mutable);
        }
      });
      drawn = shape(defs);
      return true;
    },
    destroy() {
      destroyed = true;
      cy?.destroy();
    },
  };
}

export function graphLegend(): HTMLElement {
  const item = (cls: string, text: string) => h('span', { class: 'legend-item' }, h('span', { class: `swatch ${cls}` }), text);
  return h(
    'div',
    { class: 'legend' },
    item('router', 'router/switch'),
    item('datacenter', 'datacenter'),
    item('optical', 'optical'),
    item('client', 'client'),
    item('other', 'other'),
    item('st-ok', 'enabled'),
    item('st-bad', 'disabled'),
    item('st-unk', 'other status'),
  );
}
