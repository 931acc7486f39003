/** Checks of a configuration: leaf syntax, OpenConfig key mirrors, and references between lists. */
import { isIPv4, isIPv6 } from 'node:net';
import { RpcFault } from './errors.js';
import { NS, TOP_LEVEL, listKeys } from './schema.js';
import { type DataNode, child, childLeaf, pathOf } from './tree.js';

type Check = (value: string, chain: DataNode[]) => string | undefined;

const uint = (max: number, min = 0): Check => (v) =>
  /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max ? undefined : `"${v}" is not an integer in ${min}..${max}`;

const boolean: Check = (v) => (v === 'true' || v === 'false' ? undefined : `"${v}" is not a boolean (true or false)`);

const inIpv6 = (chain: DataNode[]) => chain.some((n) => n.name === 'ipv6');

const address: Check = (v, chain) =>
  (inIpv6(chain) ? isIPv6(v) : isIPv4(v)) ? undefined : `"${v}" is not an IPv${inIpv6(chain) ? 6 : 4} address`;

const prefixLength: Check = (v, chain) => uint(inIpv6(chain) ? 128 : 32)(v, chain);

const cidr: Check = (v) => {
  const [ip, len, extra] = v.split('/');
  if (extra !== undefined || len === undefined || !/^\d+$/.test(len)) return `"${v}" is not an IP prefix (address/length)`;
  if (isIPv4(ip) && Number(len) <= 32) return undefined;
  if (isIPv6(ip) && Number(len) <= 128) return undefined;
  return `"${v}" is not an IP prefix (address/length)`;
};

const nextHop: Check = (v) =>
  isIPv4(v) || isIPv6(v) || /^[A-Za-z_][\w.-]*:[A-Z_]+$/.test(v) ? undefined : `"${v}" is not a next-hop address`;

const identity: Check = (v) => (/^[A-Za-z_][\w.-]*:[\w.-]+$/.test(v) ? undefined : `"${v}" is not an identity (prefix:NAME)`);

/** Leaf checks by `${ns} ${name}`. */
const LEAVES = new Map<string, Check>([
  [`${NS.ocIf} enabled`, boolean],
  [`${NS.ocIf} mtu`, uint(65535, 68)],
  [`${NS.ocIf} index`, uint(4294967295)],
  [`${NS.ocIf} type`, identity],
  [`${NS.ocIp} ip`, address],
  [`${NS.ocIp} prefix-length`, prefixLength],
  [`${NS.ocIp} enabled`, boolean],
  [`${NS.ocNi} enabled`, boolean],
  [`${NS.ocNi} type`, identity],
  [`${NS.ocNi} identifier`, identity],
  [`${NS.ocNi} prefix`, cidr],
  [`${NS.ocNi} next-hop`, nextHop],
  [`${NS.ocNi} vlan-id`, uint(4094, 1)],
  [`${NS.ocNi} subinterface`, uint(4294967295)],
]);

function checkNode(n: DataNode, chain: DataNode[], errors: RpcFault[]): void {
  const path = [...chain, n];
  const parent = chain[chain.length - 1];
  if (n.name === 'state' && (n.ns === NS.ocIf || n.ns === NS.ocIp || n.ns === NS.ocNi)) {
    errors.push(new RpcFault('application', 'invalid-value', `${n.name} is read-only (config false)`, { path: pathOf(path) }));
    return;
  }
  if (n.children.length === 0) {
    const check = LEAVES.get(`${n.ns} ${n.name}`);
    const msg = check?.(n.value ?? '', chain);
    if (msg) errors.push(new RpcFault('application', 'invalid-value', `${n.name}: ${msg}`, { path: pathOf(path) }));
    return;
  }
  const keys = parent ? listKeys(n.ns, parent.name, n.name) : undefined;
  if (keys) {
    const cfg = child(n, 'config', n.ns);
    for (const k of keys) {
      const key = childLeaf(n, k);
      if (key === undefined || key === '') {
        errors.push(new RpcFault('protocol', 'missing-element', `${n.name} is missing its key ${k}`, { path: pathOf(path), info: { 'bad-element': k } }));
        continue;
      }
      const mirrored = cfg ? childLeaf(cfg, k) : undefined;
      if (mirrored !== undefined && mirrored !== key) {
        errors.push(
          new RpcFault('application', 'invalid-value', `config/${k} "${mirrored}" differs from the list key "${key}"`, {
            path: pathOf([...path, cfg as DataNode]),
          }),
        );
      }
    }
  }
  for (const c of n.children) checkNode(c, path, errors);
}

/** Syntax checks, as done on every edit (test-then-set). */
export function checkSyntax(data: DataNode): RpcFault[] {
  const errors: RpcFault[] = [];
  for (const top of data.children) {
    if (!TOP_LEVEL[top.ns]?.includes(top.name)) {
      errors.push(
        new RpcFault('application', top.ns in TOP_LEVEL ? 'unknown-element' : 'unknown-namespace', `unknown top-level element <${top.name}> in "${top.ns}"`, {
          info: { 'bad-element': top.name, ...(top.ns in TOP_LEVEL ? {} : { 'bad-namespace': top.ns }) },
        }),
      );
      continue;
    }
    checkNode(top, [], errors);
  }
  return errors;
}

function interfaceEntry(data: DataNode, name: string): DataNode | undefined {
  const ifs = child(data, 'interfaces', NS.ocIf);
  return ifs?.children.find((i) => childLeaf(i, 'name') === name);
}

/** References that must resolve: network-instance interfaces name existing (sub)interfaces. */
function checkReferences(data: DataNode): RpcFault[] {
  const errors: RpcFault[] = [];
  const nis = child(data, 'network-instances', NS.ocNi);
  for (const ni of nis?.children ?? []) {
    for (const ref of child(ni, 'interfaces', NS.ocNi)?.children ?? []) {
      const cfg = child(ref, 'config', NS.ocNi);
      const name = cfg && childLeaf(cfg, 'interface');
      if (!cfg || name === undefined) continue;
      const path = pathOf([nis as DataNode, ni, child(ni, 'interfaces') as DataNode, ref, cfg]);
      const target = interfaceEntry(data, name);
      if (!target) {
        errors.push(new RpcFault('application', 'data-missing', `network-instance ${childLeaf(ni, 'name')} refers to interface "${name}", which does not exist`, { path: `${path}/oc-netinst:interface`, appTag: 'instance-required' }));
        continue;
      }
      const sub = childLeaf(cfg, 'subinterface');
      const subs = child(target, 'subinterfaces', NS.ocIf)?.children ?? [];
      if (sub !== undefined && !subs.some((s) => childLeaf(s, 'index') === sub)) {
        errors.push(new RpcFault('application', 'data-missing', `network-instance ${childLeaf(ni, 'name')} refers to subinterface ${name}.${sub}, which does not exist`, { path: `${path}/oc-netinst:subinterface`, appTag: 'instance-required' }));
      }
    }
  }
  return errors;
}

/** Every check, as done by <validate> and <commit>. */
export function validateConfig(data: DataNode): RpcFault[] {
  const errors = checkSyntax(data);
  return errors.length > 0 ? errors : checkReferences(data);
}
