/** Building a link from the add form's choices (no DOM here, so it is unit-tested under Node). */
import { type Device, deviceUuid, type EndpointId, type Link } from './model.js';

export const LINK_TYPES = ['LINKTYPE_COPPER', 'LINKTYPE_FIBER', 'LINKTYPE_RADIO', 'LINKTYPE_VIRTUAL', 'LINKTYPE_MANAGEMENT', 'LINKTYPE_UNKNOWN'];

export interface EndpointChoice {
  /** `device uuid` + ' ' + `endpoint uuid`: the value of an option in the endpoint selects. */
  value: string;
  label: string;
}

/** Every endpoint of every device, as select options, sorted by label ("device / endpoint"). */
export function endpointChoices(devices: readonly Device[]): EndpointChoice[] {
  const out: EndpointChoice[] = [];
  for (const d of devices) {
    const dev = d.name || deviceUuid(d);
    for (const e of d.device_endpoints ?? []) {
      const ep = e.endpoint_id.endpoint_uuid.uuid;
      out.push({ value: `${deviceUuid(d)} ${ep}`, label: `${dev} / ${e.name || ep}` });
    }
  }
  return out.sort((a, b) => a.label.localeCompare(b.label));
}

function endpointOf(value: string, which: string): EndpointId {
  const space = value.indexOf(' ');
  if (space <= 0 || space === value.length - 1) throw new Error(`Choose the ${which} endpoint`);
  return { device_id: { device_uuid: { uuid: value.slice(0, space) } }, endpoint_uuid: { uuid: value.slice(space + 1) } };
}

/** The link to POST; throws with a message for the form when a choice is missing or both ends are the same endpoint. */
export function linkFromChoices(input: { name: string; a: string; b: string; type: string }): Link {
  const name = input.name.trim();
  if (name === '') throw new Error('The link needs a name');
  const a = endpointOf(input.a, 'first');
  const b = endpointOf(input.b, 'second');
  if (input.a === input.b) throw new Error('A link joins two different endpoints');
  return {
    link_id: { link_uuid: { uuid: name } },
    name,
    link_type: LINK_TYPES.includes(input.type) ? input.type : 'LINKTYPE_UNKNOWN',
    link_endpoint_ids: [a, b],
  };
}

/** A default name for a link between two endpoint labels: "R1/eth1==R2/eth1". */
export function suggestedLinkName(aLabel: string, bLabel: string): string {
  const short = (l: string) => l.replace(/\s*\/\s*/, '/');
  return aLabel && bLabel ? `${short(aLabel)}==${short(bLabel)}` : '';
}
