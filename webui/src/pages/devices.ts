/** Devices: the list, adding one, and a device's detail (status, endpoints, config rules). */
import { del, enc, get, post, put } from '../api.js';
import { badge, field, formValue, h, replace, table } from '../dom.js';
import {
  type ConfigRule,
  type Device,
  deviceName,
  deviceStatus,
  deviceUuid,
  driverLabel,
  kpiLabel,
  statusTone,
  userRules,
} from '../model.js';
import type { Page } from '../page.js';
import { href, navigate } from '../router.js';
import { state } from '../state.js';
import { deviceLink, errorBox, formatTime, readOnlyNote, refreshOn, rulesTable, section, onSubmit } from './common.js';

const DRIVERS = ['DEVICEDRIVER_UNDEFINED', 'DEVICEDRIVER_OPENCONFIG', 'DEVICEDRIVER_GNMI_OPENCONFIG'];
const DRIVER_HINT: Record<string, string> = {
  DEVICEDRIVER_UNDEFINED: 'emulated',
  DEVICEDRIVER_OPENCONFIG: 'NETCONF OpenConfig',
  DEVICEDRIVER_GNMI_OPENCONFIG: 'gNMI OpenConfig',
};

function statusCell(d: Device): HTMLElement {
  const s = deviceStatus(d);
  return h('span', { class: 'status' }, badge(s, statusTone(s)), d.cnsdn?.status_reason ? h('small', { class: 'reason' }, d.cnsdn.status_reason) : null);
}

/** Builds a device from the add form: connection rules, and for emulated devices their endpoints. */
export function deviceFromForm(form: HTMLFormElement): Device {
  const name = formValue(form, 'name');
  const driver = formValue(form, 'driver');
  const rules: ConfigRule[] = [
    { action: 'CONFIGACTION_SET', custom: { resource_key: '_connect/address', resource_value: formValue(form, 'address') || '127.0.0.1' } },
    { action: 'CONFIGACTION_SET', custom: { resource_key: '_connect/port', resource_value: formValue(form, 'port') || '0' } },
  ];
  const endpoints = formValue(form, 'endpoints')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((spec) => {
      const [uuid, type] = spec.split(':');
      return { uuid: uuid!.trim(), type: (type ?? 'copper').trim(), sample_types: [101, 102, 201, 202] };
    });
  const settings: Record<string, unknown> = {};
  if (endpoints.length > 0) settings.endpoints = endpoints;
  const username = formValue(form, 'username');
  if (username) settings.username = username;
  const password = (form.elements.namedItem('password') as HTMLInputElement | null)?.value;
  if (password) settings.password = password;
  if (Object.keys(settings).length > 0) rules.push({ action: 'CONFIGACTION_SET', custom: { resource_key: '_connect/settings', resource_value: settings } });
  return {
    device_id: { device_uuid: { uuid: name } },
    name,
    device_type: formValue(form, 'type') || 'emu-packet-router',
    device_operational_status: 'DEVICEOPERATIONALSTATUS_UNDEFINED',
    device_drivers: [driver],
    device_endpoints: [],
    device_config: { config_rules: rules },
  };
}

function addDeviceForm(): HTMLElement {
  const message = h('div', { class: 'message' });
  const form: HTMLFormElement = h(
    'form',
    {
      class: 'inline-form',
      id: 'add-device',
      onsubmit: onSubmit(message, async () => {
        const device = deviceFromForm(form);
        await post('/tfs-api/devices', device);
        navigate(`/devices/${enc(device.name!)}`);
      }),
    },
    field('Name', h('input', { name: 'name', required: true, placeholder: 'R9' })),
    field('Type', h('input', { name: 'type', value: 'emu-packet-router' })),
    field('Driver', h('select', { name: 'driver' }, DRIVERS.map((d) => h('option', { value: d }, `${driverLabel(d)} (${DRIVER_HINT[d]})`)))),
    field('Address', h('input', { name: 'address', value: '127.0.0.1' })),
    field('Port', h('input', { name: 'port', value: '0', type: 'number', min: 0, max: 65535 })),
    field('Endpoints', h('input', { name: 'endpoints', placeholder: 'eth1:copper, eth2:optical' }), 'emulated devices: name:type, comma-separated'),
    field('Username', h('input', { name: 'username', autocomplete: 'off' })),
    field('Password', h('input', { name: 'password', type: 'password', autocomplete: 'new-password' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Add device')),
    message,
  );
  return h('details', { class: 'card' }, h('summary', null, 'Add a device'), form);
}

export const devicesPage: Page = async (main) => {
  const draw = async () => {
    const { devices } = await get<{ devices: Device[] }>('/tfs-api/devices');
    devices.sort((a, b) => deviceName(a).localeCompare(deviceName(b)));
    replace(
      main,
      h('div', { class: 'page-head' }, h('h1', null, 'Devices'), h('span', { class: 'muted' }, `${devices.length} devices`)),
      readOnlyNote(),
      state.canWrite ? addDeviceForm() : null,
      table(
        ['Name', 'Type', 'Status', 'Drivers', 'Endpoints'],
        devices.map((d) => [deviceLink(deviceUuid(d), deviceName(d)), d.device_type, statusCell(d), (d.device_drivers ?? []).map(driverLabel).join(', '), String(d.device_endpoints?.length ?? 0)]),
        { id: 'devices-table' },
      ),
    );
  };
  await draw();
  // The add form keeps what was typed: redraw only when it is closed.
  return refreshOn(['device'], () => {
    if (!main.querySelector('details[open]')) void draw().catch(() => {});
  });
};

/** Sends one rule change; the controller merges it by key (SET replaces, DELETE removes). */
async function changeRule(d: Device, rule: ConfigRule): Promise<void> {
  await put(`/tfs-api/device/${enc(deviceUuid(d))}`, {
    device_id: d.device_id,
    ...(d.name ? { name: d.name } : {}),
    device_type: d.device_type,
    device_drivers: d.device_drivers ?? [],
    ...(d.device_operational_status !== undefined ? { device_operational_status: d.device_operational_status } : {}),
    device_endpoints: [],
    device_config: { config_rules: [rule] },
  });
}

function ruleForm(d: Device, message: HTMLElement, after: () => void): HTMLFormElement {
  const form: HTMLFormElement = h(
    'form',
    {
      class: 'inline-form',
      id: 'rule-form',
      onsubmit: async (e) => {
        e.preventDefault();
        replace(message);
        const key = formValue(form, 'key');
        const text = formValue(form, 'value');
        let value: unknown = text;
        try {
          value = text === '' ? '' : JSON.parse(text);
        } catch {
          // a plain string value
        }
        try {
          await changeRule(d, { action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: value } });
          form.reset();
          after();
        } catch (err) {
          replace(message, errorBox(err));
        }
      },
    },
    field('Key', h('input', { name: 'key', required: true, placeholder: '/interface[eth1]/settings' })),
    field('Value (JSON or text)', h('textarea', { name: 'value', rows: 3, placeholder: '{"enabled": true}' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Set rule')),
  );
  return form;
}

export function deviceDetailPage(ref: string): Page {
  return async (main) => {
    const draw = async () => {
      const d = await get<Device>(`/tfs-api/device/${enc(ref)}`);
      const message = h('div', { class: 'message' });
      const status = deviceStatus(d);
      const canWrite = state.canWrite;
      const rules = userRules(d);
      const removeRule = (r: ConfigRule) =>
        canWrite && r.custom && !r.custom.resource_key.startsWith('_connect/')
          ? h(
              'button',
              {
                type: 'button',
                class: 'small danger',
                title: `Delete rule ${r.custom.resource_key}`,
                onclick: async () => {
                  try {
                    await changeRule(d, { action: 'CONFIGACTION_DELETE', custom: { resource_key: r.custom!.resource_key, resource_value: '' } });
                    await draw();
                  } catch (err) {
                    replace(message, errorBox(err));
                  }
                },
              },
              'Delete',
            )
          : null;
      replace(
        main,
        h(
          'div',
          { class: 'page-head' },
          h('h1', { id: 'device-name' }, deviceName(d)),
          badge(status, statusTone(status)),
          h('a', { href: href(`/devices/${enc(deviceUuid(d))}/yang`), id: 'device-yang' }, 'YANG models'),
          canWrite
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'danger',
                  id: 'delete-device',
                  onclick: async () => {
                    if (!confirm(`Remove device ${deviceName(d)}?`)) return;
                    try {
                      await del(`/tfs-api/device/${enc(deviceUuid(d))}`);
                      navigate('/devices');
                    } catch (err) {
                      replace(message, errorBox(err));
                    }
                  },
                },
                'Remove device',
              )
            : null,
        ),
        message,
        readOnlyNote(),
        section(
          'Device',
          h(
            'dl',
            { class: 'props' },
            h('dt', null, 'UUID'),
            h('dd', null, h('code', null, deviceUuid(d))),
            h('dt', null, 'Type'),
            h('dd', null, d.device_type),
            h('dt', null, 'Drivers'),
            h('dd', null, (d.device_drivers ?? []).map(driverLabel).join(', ') || '—'),
            h('dt', null, 'Status'),
            h('dd', { id: 'device-status' }, status),
            h('dt', null, 'Reason'),
            h('dd', { id: 'device-reason' }, d.cnsdn?.status_reason ?? '—'),
            h('dt', null, 'Since'),
            h('dd', null, formatTime(d.cnsdn?.status_since)),
            d.cnsdn?.config_error ? [h('dt', null, 'Config error'), h('dd', { class: 'error' }, d.cnsdn.config_error)] : null,
          ),
        ),
        section(
          'Endpoints',
          table(
            ['Name', 'Type', 'Sample types', ''],
            (d.device_endpoints ?? []).map((e) => {
              const name = e.name || e.endpoint_id.endpoint_uuid.uuid;
              const kpis = e.kpi_sample_types ?? [];
              return [
                name,
                e.endpoint_type ?? '',
                kpis.map(kpiLabel).join(', ') || '—',
                kpis.length > 0 ? h('a', { href: href(`/telemetry?device=${enc(deviceName(d))}&endpoint=${enc(name)}`) }, 'Chart') : '',
              ];
            }),
            { id: 'endpoints-table' },
          ),
        ),
        section('Config rules', rulesTable(rules, removeRule), canWrite ? ruleForm(d, message, () => void draw()) : null),
      );
    };
    await draw();
    return refreshOn(['device'], () => {
      if (!main.querySelector('#rule-form textarea:focus, #rule-form input:focus')) void draw().catch(() => {});
    }, (e) => e.uuid === ref || e.name === ref);
  };
}

