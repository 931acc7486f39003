/** Operational state for <get>: each `config` container mirrored as `state`, plus status and counters. */
import { NS } from './schema.js';
import { type DataNode, child, childLeaf, clone, leaf } from './tree.js';

/** Lists whose entries carry a `state` container mirroring their `config`. */
const WITH_STATE = new Set(['interface', 'subinterface', 'address', 'network-instance', 'protocol', 'static', 'next-hop', 'vlan']);

export interface StateClock {
  /** Seconds since the device started: counters grow with it. */
  uptimeSeconds(): number;
}

function interfaceExtras(entry: DataNode, clock: StateClock): DataNode[] {
  const cfg = child(entry, 'config');
  const enabled = (cfg && childLeaf(cfg, 'enabled')) !== 'false';
  const t = clock.uptimeSeconds();
  const seed = [...(childLeaf(entry, 'name') ?? '')].reduce((a, c) => a + c.charCodeAt(0), 0);
  const octets = enabled ? Math.floor(t * (1000 + seed)) : 0;
  return [
    leaf('admin-status', NS.ocIf, enabled ? 'UP' : 'DOWN'),
    leaf('oper-status', NS.ocIf, enabled ? 'UP' : 'DOWN'),
    {
      name: 'counters',
      ns: NS.ocIf,
      children: [
        leaf('in-octets', NS.ocIf, String(octets)),
        leaf('out-octets', NS.ocIf, String(Math.floor(octets / 2))),
        leaf('in-pkts', NS.ocIf, String(Math.floor(octets / 512))),
        leaf('out-pkts', NS.ocIf, String(Math.floor(octets / 1024))),
      ],
    },
  ];
}

function addState(n: DataNode, parent: DataNode | undefined, clock: StateClock): void {
  for (const c of n.children) addState(c, n, clock);
  if (!WITH_STATE.has(n.name) || !parent) return;
  const cfg = child(n, 'config', n.ns);
  if (!cfg) return;
  const state: DataNode = { name: 'state', ns: cfg.ns, children: cfg.children.map(clone) };
  if (n.name === 'interface' && n.ns === NS.ocIf && parent.name === 'interfaces') state.children.push(...interfaceExtras(n, clock));
  if (n.name === 'address' && n.ns === NS.ocIp) state.children.push(leaf('origin', NS.ocIp, 'STATIC'));
  n.children.push(state);
}

/** The running configuration with state added: what <get> returns. */
export function withState(running: DataNode, clock: StateClock): DataNode {
  const out = clone(running);
  addState(out, undefined, clock);
  return out;
}
