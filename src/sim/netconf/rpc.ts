/** The RFC 6241 and RFC 5277 operations of a simulated device. */
import { NS_BASE, NS_NOTIFICATION, type XmlElement, element, isElement, textOf } from '../../protocols/netconf/xml.js';
import type { Datastore, SessionHandle, SimDevice } from './device.js';
import { type DefaultOperation, applyEdit } from './edit.js';
import { RpcFault, RpcFaultList, fault } from './errors.js';
import { subtreeFilter } from './filter.js';
import { libraryTree } from './library.js';
import { withState } from './state.js';
import { type DataNode, clone, fromXml, root, toXml } from './tree.js';
import { checkSyntax, validateConfig } from './validate.js';
import { MODULES } from './schema.js';
import { simEditRefusal } from './yang-check.js';

export interface RpcResult {
  /** Content of <rpc-reply>: <ok/> or <data>...</data>. */
  body: string;
  /** close-session: end the session once the reply is out. */
  close?: boolean;
}

type Handler = (dev: SimDevice, s: SessionHandle, op: XmlElement) => RpcResult;

const OK: RpcResult = { body: '<ok/>' };

function param(op: XmlElement, name: string): XmlElement | undefined {
  return element(op, name, NS_BASE);
}

function text(op: XmlElement, name: string): string | undefined {
  const el = param(op, name);
  return el === undefined ? undefined : textOf(el).trim();
}

function required(op: XmlElement, name: string): XmlElement {
  const el = param(op, name);
  if (!el) throw fault.missingElement(`<${op.name}>`, name);
  return el;
}

type Source = { datastore: Datastore } | { config: XmlElement[] };

function datastoreParam(dev: SimDevice, op: XmlElement, name: 'source' | 'target', allowConfig: boolean): Source {
  const holder = required(op, name);
  const choice = holder.children.filter(isElement)[0];
  if (!choice) throw fault.missingElement(`<${name}>`, 'running or candidate');
  if (choice.ns === NS_BASE && (choice.name === 'running' || choice.name === 'candidate')) return { datastore: choice.name };
  if (choice.ns === NS_BASE && choice.name === 'config' && allowConfig) return { config: choice.children.filter(isElement) };
  if (choice.ns === NS_BASE && (choice.name === 'startup' || choice.name === 'url')) {
    throw fault.notSupported(`<${choice.name}> is not supported by ${dev.name} (no :startup, no :url)`);
  }
  throw fault.badElement(choice.name, `<${choice.name}> is not a datastore this device has (running, candidate)`);
}

function datastoreOnly(dev: SimDevice, op: XmlElement, name: 'source' | 'target'): Datastore {
  const ds = datastoreParam(dev, op, name, false);
  return (ds as { datastore: Datastore }).datastore;
}

function writableTarget(dev: SimDevice, op: XmlElement): Datastore {
  const target = datastoreOnly(dev, op, 'target');
  if (target === 'running' && !dev.writableRunning) {
    throw fault.notSupported(`${dev.name} does not offer :writable-running: edit the candidate and commit`);
  }
  return target;
}

function filterOf(op: XmlElement): XmlElement[] | undefined {
  const f = param(op, 'filter');
  if (!f) return undefined;
  const type = f.attrs.find((a) => a.name === 'type' && (a.ns === '' || a.ns === NS_BASE))?.value ?? 'subtree';
  if (type === 'xpath') throw fault.notSupported('XPath filters need the :xpath capability, which this device does not offer');
  if (type !== 'subtree') throw new RpcFault('protocol', 'bad-attribute', `filter type "${type}" is unknown`, { info: { 'bad-attribute': 'type', 'bad-element': 'filter' } });
  return f.children.filter(isElement);
}

function dataReply(data: DataNode): RpcResult {
  let body = '<data>';
  for (const c of data.children) body += toXml(c);
  return { body: `${body}</data>` };
}

function oneOf<T extends string>(op: XmlElement, name: string, allowed: readonly T[], fallback: T): T {
  const v = text(op, name);
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) throw fault.badElement(name, `<${name}> must be one of ${allowed.join(', ')}; got "${v}"`);
  return v as T;
}

function configTree(nodes: XmlElement[]): DataNode {
  const data = root(nodes.map(fromXml));
  const errors = checkSyntax(data);
  if (errors.length > 0) throw new RpcFaultList(errors);
  return data;
}

const editConfig: Handler = (dev, s, op) => {
  const target = writableTarget(dev, op);
  const defaultOperation = oneOf<DefaultOperation>(op, 'default-operation', ['merge', 'replace', 'none'], 'merge');
  const testOption = oneOf(op, 'test-option', ['test-then-set', 'set', 'test-only'], 'test-then-set');
  const errorOption = oneOf(op, 'error-option', ['stop-on-error', 'continue-on-error', 'rollback-on-error'], 'stop-on-error');
  const config = param(op, 'config');
  if (!config) {
    if (param(op, 'url')) throw fault.notSupported(`${dev.name} does not offer :url`);
    throw fault.missingElement('<edit-config>', 'config');
  }
  dev.checkWritable(s, target);
  const refused = simEditRefusal(MODULES, config.children.filter(isElement));
  if (refused) throw refused;
  const work = clone(dev.datastore(target));
  const { errors } = applyEdit(work, config.children.filter(isElement), defaultOperation, errorOption === 'continue-on-error');
  if (testOption !== 'set') {
    const invalid = checkSyntax(work);
    if (invalid.length > 0) throw new RpcFaultList(invalid);
  }
  if (testOption !== 'test-only') dev.store(s, target, work);
  if (errors.length > 0) throw new RpcFaultList(errors);
  return OK;
};

const getConfig: Handler = (dev, _s, op) => {
  const source = datastoreOnly(dev, op, 'source');
  return dataReply(subtreeFilter(dev.datastore(source), filterOf(op)));
};

const get: Handler = (dev, _s, op) => {
  const clock = { uptimeSeconds: () => (Date.now() - dev.startedAt) / 1000 };
  const data = withState(dev.running, clock);
  if (dev.yangLibrary) data.children.push(libraryTree(dev.yangLibrary));
  return dataReply(subtreeFilter(data, filterOf(op)));
};

const copyConfig: Handler = (dev, s, op) => {
  const target = writableTarget(dev, op);
  const source = datastoreParam(dev, op, 'source', true);
  dev.checkWritable(s, target);
  const data = 'datastore' in source ? clone(dev.datastore(source.datastore)) : configTree(source.config);
  dev.store(s, target, data);
  return OK;
};

const deleteConfig: Handler = (dev, _s, op) => {
  const target = datastoreOnly(dev, op, 'target');
  if (target === 'running') throw fault.invalidValue('the running datastore cannot be deleted');
  throw fault.notSupported('delete-config applies to startup and URLs, which this device does not have');
};

const validate: Handler = (dev, _s, op) => {
  const source = datastoreParam(dev, op, 'source', true);
  const data = 'datastore' in source ? dev.datastore(source.datastore) : root(source.config.map(fromXml));
  const errors = validateConfig(data);
  if (errors.length > 0) throw new RpcFaultList(errors);
  return OK;
};

const lock: Handler = (dev, s, op) => {
  dev.lock(s, datastoreOnly(dev, op, 'target'));
  return OK;
};

const unlock: Handler = (dev, s, op) => {
  dev.unlock(s, datastoreOnly(dev, op, 'target'));
  return OK;
};

const commit: Handler = (dev, s, op) => {
  const confirmed = param(op, 'confirmed') !== undefined;
  const timeoutText = text(op, 'confirm-timeout');
  let timeoutSeconds: number | undefined;
  if (timeoutText !== undefined) {
    if (!/^\d+$/.test(timeoutText) || Number(timeoutText) < 1 || Number(timeoutText) > 4294967295) {
      throw fault.badElement('confirm-timeout', `confirm-timeout must be a whole number of seconds ≥ 1; got "${timeoutText}"`);
    }
    timeoutSeconds = Number(timeoutText);
  }
  const persist = text(op, 'persist');
  if (!confirmed && (timeoutSeconds !== undefined || persist !== undefined)) {
    throw fault.badElement(timeoutSeconds !== undefined ? 'confirm-timeout' : 'persist', 'confirm-timeout and persist need <confirmed/>');
  }
  dev.commit(s, { confirmed, timeoutSeconds, persist, persistId: text(op, 'persist-id') });
  return OK;
};

const cancelCommit: Handler = (dev, s, op) => {
  dev.cancelCommit(s, text(op, 'persist-id'));
  return OK;
};

const discardChanges: Handler = (dev, s) => {
  dev.checkWritable(s, 'candidate');
  dev.discardCandidate();
  return OK;
};

const closeSession: Handler = () => ({ body: '<ok/>', close: true });

const killSession: Handler = (dev, s, op) => {
  const idText = textOf(required(op, 'session-id')).trim();
  const id = Number(idText);
  if (!/^\d+$/.test(idText)) throw fault.badElement('session-id', `session-id must be a number; got "${idText}"`);
  if (id === s.sessionId) throw fault.invalidValue('kill-session cannot end the session that sends it: use close-session');
  const victim = dev.sessions.get(id);
  if (!victim) throw fault.invalidValue(`no session ${id} on ${dev.name}`);
  victim.terminate();
  dev.detach(victim, 'killed', s.sessionId);
  return OK;
};

const createSubscription: Handler = (_dev, s, op) => {
  if (s.subscription) throw fault.operationFailed('this session already has a subscription', 'protocol');
  const param5277 = (name: string) => element(op, name, NS_NOTIFICATION);
  const stream = param5277('stream');
  if (stream && textOf(stream).trim() !== 'NETCONF') throw fault.invalidValue(`no stream "${textOf(stream).trim()}": the only stream is NETCONF`);
  if (param5277('startTime')) throw fault.operationFailed('replay is not supported (no :replay capability): drop startTime', 'protocol');
  const f = param5277('filter');
  let filter: XmlElement[] | undefined;
  if (f) {
    const type = f.attrs.find((a) => a.name === 'type')?.value ?? 'subtree';
    if (type !== 'subtree') throw fault.notSupported(`${type} filters are not supported on notifications`);
    filter = f.children.filter(isElement);
  }
  s.subscription = filter ? { filter } : {};
  return OK;
};

const BASE_OPS: Record<string, Handler> = {
  get,
  'get-config': getConfig,
  'edit-config': editConfig,
  'copy-config': copyConfig,
  'delete-config': deleteConfig,
  validate,
  lock,
  unlock,
  commit,
  'cancel-commit': cancelCommit,
  'discard-changes': discardChanges,
  'close-session': closeSession,
  'kill-session': killSession,
};

/** Runs one operation; RpcFault or RpcFaultList on failure. */
export function runOperation(dev: SimDevice, s: SessionHandle, op: XmlElement): RpcResult {
  let handler: Handler | undefined;
  if (op.ns === NS_BASE && Object.hasOwn(BASE_OPS, op.name)) handler = BASE_OPS[op.name];
  else if (op.ns === NS_NOTIFICATION && op.name === 'create-subscription') handler = createSubscription;
  if (!handler) {
    throw new RpcFault('protocol', 'operation-not-supported', `operation <${op.name}> in "${op.ns}" is not supported by this device`, {
      info: { 'bad-element': op.name },
    });
  }
  return handler(dev, s, op);
}
