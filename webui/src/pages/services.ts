/** Services: list, detail with its connections drawn on the graph, and an L2VPN/L3VPN form. */
import { del, enc, get, post } from '../api.js';
import { badge, type Child, field, formValue, h, jsonBlock, replace, table } from '../dom.js';
import { type Graph, topologyGraph } from '../graph.js';
import {
  type ConfigRule,
  type Connection,
  type Device,
  deviceName,
  type EndpointId,
  type Link,
  linkUuid,
  type Names,
  type Service,
  serviceName,
  serviceStatus,
  serviceType,
  serviceUuid,
  statusTone,
} from '../model.js';
import type { Page } from '../page.js';
import { href, navigate } from '../router.js';
import { state } from '../state.js';
import { endpointList, errorBox, readOnlyNote, refreshOn, rulesTable, section } from './common.js';
import { loadNames } from './links.js';
import { loadTopology } from './topology.js';

const servicesPath = () => `/tfs-api/context/${enc(state.context)}/services`;
const servicePath = (s: string) => `/tfs-api/context/${enc(state.context)}/service/${enc(s)}`;

export const servicesPage: Page = async (main) => {
  const draw = async () => {
    const [{ services }, names] = await Promise.all([get<{ services: Service[] }>(servicesPath()), loadNames()]);
    services.sort((a, b) => serviceName(a).localeCompare(serviceName(b)));
    replace(
      main,
      h(
        'div',
        { class: 'page-head' },
        h('h1', null, 'Services'),
        h('span', { class: 'muted' }, `${services.length} in context ${state.context}`),
        state.canWrite ? h('a', { href: href('/services/new'), class: 'button primary', id: 'new-service' }, 'New L2VPN / L3VPN') : null,
      ),
      table(
        ['Name', 'Type', 'Status', 'Endpoints'],
        services.map((s) => [
          h('a', { href: href(`/services/${enc(serviceUuid(s))}`) }, serviceName(s)),
          serviceType(s),
          badge(serviceStatus(s), statusTone(serviceStatus(s))),
          (s.service_endpoint_ids ?? []).map((e) => names.endpoint(e)).join(', '),
        ]),
        { id: 'services-table' },
      ),
    );
  };
  await draw();
  return refreshOn(['service'], () => void draw().catch(() => {}));
};

/** The devices and links a connection's hops pass through, for drawing it on the graph. */
export function pathOf(connections: Connection[], links: Link[]): { devices: Set<string>; links: Set<string> } {
  const endpoints = new Set<string>();
  const devices = new Set<string>();
  for (const c of connections) {
    for (const hop of c.path_hops_endpoint_ids) {
      devices.add(hop.device_id.device_uuid.uuid);
      endpoints.add(`${hop.device_id.device_uuid.uuid}/${hop.endpoint_uuid.uuid}`);
    }
  }
  const onPath = new Set<string>();
  for (const l of links) {
    const ends = l.link_endpoint_ids.map((e) => `${e.device_id.device_uuid.uuid}/${e.endpoint_uuid.uuid}`);
    if (ends.length >= 2 && ends.every((e) => endpoints.has(e))) onPath.add(linkUuid(l));
  }
  return { devices, links: onPath };
}

function hopsText(c: Connection, names: Names): string {
  return c.path_hops_endpoint_ids.map((e) => names.endpoint(e)).join(' → ');
}

export function serviceDetailPage(ref: string): Page {
  return async (main) => {
    let graph: Graph | undefined;
    const draw = async () => {
      const [s, { connections }, names, topo] = await Promise.all([
        get<Service>(servicePath(ref)),
        get<{ connections: Connection[] }>(`${servicePath(ref)}/connections`),
        loadNames(),
        loadTopology(),
      ]);
      const message = h('div', { class: 'message' });
      const result = h('div', { class: 'result' });
      const act = (label: string, run: () => Promise<unknown>, cls = '') =>
        h(
          'button',
          {
            type: 'button',
            class: cls,
            onclick: async (e) => {
              const b = e.currentTarget as HTMLButtonElement;
              b.disabled = true;
              replace(message);
              try {
                const r = await run();
                if (r !== undefined) replace(result, section(label, jsonBlock(r)));
                await draw();
              } catch (err) {
                replace(message, errorBox(err));
              } finally {
                b.disabled = false;
              }
            },
          },
          label,
        );
      const base = `/api/services/${enc(state.context)}/${enc(serviceUuid(s))}`;
      const actions: Child = state.canWrite
        ? h(
            'div',
            { class: 'actions' },
            act('Activate', () => post(`${base}/activate`)),
            act('Deactivate', () => post(`${base}/deactivate`)),
            act('Check sync', () => get(`${base}/check-sync`)),
            act('Re-sync', () => post(`${base}/re-sync`)),
            act(
              'Remove',
              async () => {
                if (!confirm(`Remove service ${serviceName(s)}? Its configuration leaves the devices first.`)) return;
                await del(servicePath(serviceUuid(s)));
                navigate('/services');
              },
              'danger',
            ),
          )
        : h('div', { class: 'actions' }, act('Check sync', () => get(`${base}/check-sync`)));
      graph?.destroy();
      graph = topo ? topologyGraph({ devices: topo.devices, links: topo.links, highlight: pathOf(connections, topo.links), onDevice: (u) => navigate(`/devices/${enc(u)}`) }) : undefined;
      replace(
        main,
        h('div', { class: 'page-head' }, h('h1', null, serviceName(s)), badge(serviceStatus(s), statusTone(serviceStatus(s))), h('span', { class: 'muted' }, serviceType(s))),
        readOnlyNote(),
        actions,
        message,
        result,
        section(
          'Connections',
          table(
            ['Connection', 'Path'],
            connections.map((c) => [h('code', null, c.connection_id.connection_uuid.uuid.slice(0, 8)), hopsText(c, names)]),
            { id: 'connections-table' },
          ),
          graph ? graph.element : h('p', { class: 'muted' }, 'Select a topology to see the path.'),
        ),
        section('Endpoints', endpointList(s.service_endpoint_ids, names)),
        section('Constraints', (s.service_constraints ?? []).length > 0 ? jsonBlock(s.service_constraints) : h('p', { class: 'muted' }, 'None')),
        section('Configuration', rulesTable(s.service_config?.config_rules ?? [])),
      );
    };
    await draw();
    const off = refreshOn(['service', 'connection'], () => void draw().catch(() => {}));
    return () => {
      off();
      graph?.destroy();
    };
  };
}

// ---- creating a service

interface EndpointChoice {
  device: string;
  endpoint: string;
}

function endpointOptions(devices: Device[]): EndpointChoice[] {
  const out: EndpointChoice[] = [];
  for (const d of devices) for (const e of d.device_endpoints ?? []) out.push({ device: deviceName(d), endpoint: e.name || e.endpoint_id.endpoint_uuid.uuid });
  return out.sort((a, b) => `${a.device}/${a.endpoint}`.localeCompare(`${b.device}/${b.endpoint}`));
}

function endpointSelect(name: string, choices: EndpointChoice[], index: number): HTMLSelectElement {
  return h(
    'select',
    { name, required: true },
    choices.map((c, i) => h('option', { value: JSON.stringify([c.device, c.endpoint]), selected: i === index }, `${c.device} / ${c.endpoint}`)),
  );
}

function rule(key: string, value: unknown): ConfigRule {
  return { action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: value } };
}

/** Builds a TFS L2NM/L3NM service from the form, in the shape the REST API and dry run take. */
export function serviceFromForm(form: HTMLFormElement, context: string): Service {
  const name = formValue(form, 'name');
  const type = formValue(form, 'type');
  const ends = ['a', 'b'].map((k) => JSON.parse(formValue(form, `ep_${k}`)) as [string, string]);
  const endpointIds: EndpointId[] = ends.map(([device, endpoint]) => ({ device_id: { device_uuid: { uuid: device } }, endpoint_uuid: { uuid: endpoint } }));
  const rules: ConfigRule[] = [];
  const settings: Record<string, unknown> = {};
  if (type === 'SERVICETYPE_L2NM') {
    settings.vlan_id = Number(formValue(form, 'vlan'));
    if ((form.elements.namedItem('tagged') as HTMLInputElement).checked) settings.access_vlan_tagged = true;
  } else {
    const vrf = formValue(form, 'vrf');
    if (vrf) settings.vrf_name = vrf;
    const rd = formValue(form, 'rd');
    if (rd) settings.route_distinguisher = rd;
  }
  const mtu = formValue(form, 'mtu');
  if (mtu) settings.mtu = Number(mtu);
  rules.push(rule('/settings', settings));
  if (type === 'SERVICETYPE_L3NM') {
    ['a', 'b'].forEach((k, i) => {
      const cidr = formValue(form, `ip_${k}`);
      if (!cidr) return;
      const [address, prefix] = cidr.split('/');
      const [device, endpoint] = ends[i]!;
      rules.push(rule(`/device[${device}]/endpoint[${endpoint}]/settings`, { address_ip: address, address_prefix: Number(prefix ?? 24) }));
    });
  }
  const constraints: unknown[] = [];
  const latency = formValue(form, 'latency');
  if (latency) constraints.push({ action: 'CONSTRAINTACTION_SET', sla_latency: { e2e_latency_ms: Number(latency) } });
  const capacity = formValue(form, 'capacity');
  if (capacity) constraints.push({ action: 'CONSTRAINTACTION_SET', sla_capacity: { capacity_gbps: Number(capacity) } });
  return {
    service_id: { context_id: { context_uuid: { uuid: context } }, service_uuid: { uuid: name } },
    name,
    service_type: type,
    service_status: { service_status: 'SERVICESTATUS_PLANNED' },
    service_endpoint_ids: endpointIds,
    service_constraints: constraints,
    service_config: { config_rules: rules },
  };
}

interface DryRun {
  diffs: { deviceName: string; set: { key: string; value: unknown }[]; delete: { key: string }[] }[];
}

export const newServicePage: Page = async (main) => {
  const { devices } = await get<{ devices: Device[] }>('/tfs-api/devices');
  const choices = endpointOptions(devices);
  const message = h('div', { class: 'message' });
  const preview = h('div', { class: 'preview', id: 'service-preview' });
  const createButton = h('button', { type: 'button', class: 'primary', disabled: true, id: 'create-service' }, 'Create and activate');
  let planned: Service | undefined;

  const typeSelect = h(
    'select',
    { name: 'type' },
    h('option', { value: 'SERVICETYPE_L2NM' }, 'L2VPN (L2NM)'),
    h('option', { value: 'SERVICETYPE_L3NM' }, 'L3VPN (L3NM)'),
  );
  const l2 = h('fieldset', { class: 'l2' }, h('legend', null, 'L2VPN'), field('VLAN id', h('input', { name: 'vlan', type: 'number', min: 1, max: 4094, value: '100' })), field('Tagged access', h('input', { name: 'tagged', type: 'checkbox' })));
  const l3 = h(
    'fieldset',
    { class: 'l3', hidden: true },
    h('legend', null, 'L3VPN'),
    field('VRF name', h('input', { name: 'vrf', placeholder: 'defaults to the service name' })),
    field('Route distinguisher', h('input', { name: 'rd', placeholder: '65000:100' })),
    field('Address at A', h('input', { name: 'ip_a', placeholder: '172.16.1.1/24' })),
    field('Address at B', h('input', { name: 'ip_b', placeholder: '172.16.2.1/24' })),
  );
  const invalidate = () => {
    planned = undefined;
    createButton.disabled = true;
  };
  typeSelect.addEventListener('change', () => {
    l2.hidden = typeSelect.value !== 'SERVICETYPE_L2NM';
    l3.hidden = !l2.hidden;
  });

  const form: HTMLFormElement = h(
    'form',
    {
      class: 'card service-form',
      id: 'service-form',
      oninput: invalidate,
      onchange: invalidate,
      onsubmit: async (e) => {
        e.preventDefault();
        replace(message);
        replace(preview);
        try {
          const s = serviceFromForm(form, state.context);
          const r = await post<DryRun>(`/api/services/${enc(state.context)}/dry-run`, s);
          replace(
            preview,
            section(
              'Dry run: what each device would get',
              table(
                ['Device', 'Set', 'Delete'],
                r.diffs.map((d) => [d.deviceName, h('ul', null, d.set.map((x) => h('li', null, h('code', null, x.key)))), String(d.delete.length)]),
              ),
            ),
          );
          planned = s;
          createButton.disabled = false;
        } catch (err) {
          replace(message, errorBox(err));
        }
      },
    },
    h('h1', null, 'New service'),
    choices.length < 2 ? h('p', { class: 'error' }, 'At least two device endpoints are needed.') : null,
    field('Name', h('input', { name: 'name', required: true, placeholder: 'vpn-blue' })),
    field('Type', typeSelect),
    field('Endpoint A', endpointSelect('ep_a', choices, 0)),
    field('Endpoint B', endpointSelect('ep_b', choices, Math.min(1, choices.length - 1))),
    l2,
    l3,
    h('fieldset', null, h('legend', null, 'Constraints (optional)'), field('Max latency (ms)', h('input', { name: 'latency', type: 'number', min: 0 })), field('Capacity (Gb/s)', h('input', { name: 'capacity', type: 'number', min: 0 })), field('MTU', h('input', { name: 'mtu', type: 'number', min: 68, max: 9216 }))),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Dry run'), createButton),
    message,
  );
  createButton.addEventListener('click', async () => {
    if (!planned) return;
    createButton.disabled = true;
    try {
      await post(servicesPath(), planned);
      navigate(`/services/${enc(planned.name!)}`);
    } catch (err) {
      replace(message, errorBox(err));
      createButton.disabled = false;
    }
  });
  replace(main, form, preview);
};


