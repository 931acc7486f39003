/** Events of the NETCONF stream (RFC 6470) as data nodes, so subscription filters apply to them. */
import type { ConfigEdit } from './diff.js';
import { NS, PREFIXES } from './schema.js';
import { type DataNode, container, leaf } from './tree.js';

const N = NS.ncNotif;

export interface Actor {
  username: string;
  sessionId: number;
  sourceHost: string;
}

function changedBy(a: Actor): DataNode {
  return container('changed-by', N, [
    leaf('username', N, a.username),
    leaf('session-id', N, String(a.sessionId)),
    leaf('source-host', N, a.sourceHost),
  ]);
}

function declsFor(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [uri, p] of Object.entries(PREFIXES)) if (path.includes(`${p}:`)) out[p] = uri;
  return out;
}

export function configChangeEvent(by: Actor, datastore: 'running' | 'candidate', edits: ConfigEdit[]): DataNode {
  return container('netconf-config-change', N, [
    changedBy(by),
    leaf('datastore', N, datastore),
    ...edits.map((e) => {
      const target: DataNode = { name: 'target', ns: N, value: e.target, valueDecls: declsFor(e.target), children: [] };
      return container('edit', N, [target, leaf('operation', N, e.operation)]);
    }),
  ]);
}

export type ConfirmEvent = 'start' | 'cancel' | 'timeout' | 'extend' | 'complete';

export function confirmedCommitEvent(by: Actor | undefined, event: ConfirmEvent, timeoutSeconds?: number): DataNode {
  const kids: DataNode[] = [];
  if (by) kids.push(leaf('username', N, by.username), leaf('session-id', N, String(by.sessionId)), leaf('source-host', N, by.sourceHost));
  kids.push(leaf('confirm-event', N, event));
  if (timeoutSeconds !== undefined) kids.push(leaf('timeout', N, String(timeoutSeconds)));
  return container('netconf-confirmed-commit', N, kids);
}

export function sessionEndEvent(by: Actor, reason: 'closed' | 'killed' | 'dropped', killedBy?: number): DataNode {
  const kids: DataNode[] = [leaf('username', N, by.username), leaf('session-id', N, String(by.sessionId)), leaf('source-host', N, by.sourceHost)];
  if (killedBy !== undefined) kids.push(leaf('killed-by', N, String(killedBy)));
  kids.push(leaf('termination-reason', N, reason));
  return container('netconf-session-end', N, kids);
}
