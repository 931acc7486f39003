/**
 * A NETCONF notification (RFC 5277) as the controller reports it: element name and namespace,
 * a summary of the RFC 6470 base notifications (config change with its edit targets, session
 * start/end, confirmed commit, capability change). The XML bound is applied in app/device-notifications.ts.
 */
import { element, elements, textOf, type XmlElement } from '../../protocols/netconf/xml.js';

export const NC_NOTIFICATIONS_NS = 'urn:ietf:params:xml:ns:yang:ietf-netconf-notifications';
/** At most this many list entries (edits, capabilities) in a summary; the rest are counted. */
export const SUMMARY_LIST_MAX = 64;
const TEXT_MAX = 1024;

export interface NotificationSummary {
  [field: string]: unknown;
}

const cut = (s: string): string => (s.length > TEXT_MAX ? s.slice(0, TEXT_MAX) : s);

function leaf(el: XmlElement, name: string): string | undefined {
  const c = element(el, name);
  return c ? cut(textOf(c).trim()) : undefined;
}

function leaves(el: XmlElement, names: readonly string[]): NotificationSummary {
  const out: NotificationSummary = {};
  for (const n of names) {
    const v = leaf(el, n);
    if (v !== undefined) out[n] = v;
  }
  return out;
}

/** A bounded list plus how many were left out. */
function bounded<T>(items: readonly T[], field: string): NotificationSummary {
  const out: NotificationSummary = { [field]: items.slice(0, SUMMARY_LIST_MAX) };
  if (items.length > SUMMARY_LIST_MAX) out[`${field}Omitted`] = items.length - SUMMARY_LIST_MAX;
  return out;
}

const SESSION_LEAVES = ['username', 'session-id', 'source-host'];

/** RFC 6470 ietf-netconf-notifications events summarised; other events give {}. */
export function summarizeNotification(event: XmlElement): NotificationSummary {
  if (event.ns !== NC_NOTIFICATIONS_NS) return {};
  switch (event.name) {
    case 'netconf-config-change': {
      const by = element(event, 'changed-by');
      const changedBy = by ? { ...leaves(by, SESSION_LEAVES), ...(element(by, 'server') ? { server: true } : {}) } : undefined;
      const edits = elements(event, 'edit').map((e) => leaves(e, ['target', 'operation']));
      return { ...leaves(event, ['datastore']), ...(changedBy ? { changedBy } : {}), ...bounded(edits, 'edits') };
    }
    case 'netconf-session-start':
      return leaves(event, SESSION_LEAVES);
    case 'netconf-session-end':
      return leaves(event, [...SESSION_LEAVES, 'killed-by', 'termination-reason']);
    case 'netconf-confirmed-commit':
      return leaves(event, [...SESSION_LEAVES, 'confirm-event', 'timeout']);
    case 'netconf-capability-change': {
      const list = (name: string) => elements(event, name).map((c) => cut(textOf(c).trim()));
      return { ...bounded(list('added-capability'), 'added'), ...bounded(list('deleted-capability'), 'deleted'), ...bounded(list('modified-capability'), 'modified') };
    }
    default:
      return {};
  }
}
