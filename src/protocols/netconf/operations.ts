import type { Capabilities } from './capabilities.js';
import { NetconfError } from './errors.js';
import { NS_NOTIFICATION, checkFragment, escapeAttr, escapeText, xmlElement } from './xml.js';

/** Builders for the RFC 6241 and RFC 5277 operations, checked against the peer's capabilities. */

export type Datastore = 'running' | 'candidate' | 'startup';
export type ConfigTarget = Datastore | { url: string };
export type ConfigSource = ConfigTarget | { config: string };
export type Filter = { subtree: string } | { xpath: string; namespaces?: Record<string, string> };
export type WithDefaults = 'report-all' | 'report-all-tagged' | 'trim' | 'explicit';
export type DefaultOperation = 'merge' | 'replace' | 'none';
export type TestOption = 'test-then-set' | 'set' | 'test-only';
export type ErrorOption = 'stop-on-error' | 'continue-on-error' | 'rollback-on-error';

export interface EditConfigOptions {
  defaultOperation?: DefaultOperation;
  testOption?: TestOption;
  errorOption?: ErrorOption;
}

export interface CommitOptions {
  confirmed?: boolean;
  /** Seconds; the device's default is 600. */
  confirmTimeout?: number;
  /** Makes the confirmed commit survive this session (confirmed-commit:1.1). */
  persist?: string;
  /** Confirms or extends a persistent confirmed commit made by another session. */
  persistId?: string;
}

export interface SubscriptionOptions {
  stream?: string;
  /** Subtree filter content. */
  filter?: string;
  startTime?: string;
  stopTime?: string;
}

const NS_WITH_DEFAULTS = 'urn:ietf:params:xml:ns:yang:ietf-netconf-with-defaults';

function invalid(message: string): NetconfError {
  return new NetconfError('NETCONF_INVALID_ARGUMENT', message);
}

function unsupported(what: string, capability: string): NetconfError {
  return new NetconfError('NETCONF_UNSUPPORTED', `${what} needs the ${capability} capability, which the device does not offer`);
}

function oneOf<T extends string>(what: string, value: T | undefined, allowed: readonly T[]): void {
  if (value !== undefined && !allowed.includes(value)) {
    throw invalid(`${what} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`);
  }
}

function requireDatastore(caps: Capabilities, d: ConfigSource, what: string, writing: boolean): void {
  if (typeof d === 'string') {
    oneOf('datastore', d, ['running', 'candidate', 'startup']);
    if (d === 'candidate' && !caps.candidate) throw unsupported(`${what} on candidate`, ':candidate');
    if (d === 'startup' && !caps.startup) throw unsupported(`${what} on startup`, ':startup');
    if (d === 'running' && writing && !caps.writableRunning) throw unsupported(`${what} on running`, ':writable-running');
  } else if ('url' in d) {
    if (!caps.urlSchemes) throw unsupported(`${what} on a URL`, ':url');
  } else if (typeof d.config !== 'string') {
    throw invalid(`${what}: config must be an XML string`);
  }
}

function datastoreXml(d: ConfigSource): string {
  if (typeof d === 'string') return `<${d}/>`;
  if ('url' in d) return xmlElement('url', {}, escapeText(d.url));
  checkFragment(d.config, 'config');
  return `<config>${d.config}</config>`;
}

function filterXml(caps: Capabilities, f: Filter | undefined): string {
  if (!f) return '';
  if ('subtree' in f) {
    checkFragment(f.subtree, 'subtree filter');
    return `<filter type="subtree">${f.subtree}</filter>`;
  }
  if (!caps.xpath) throw unsupported('an XPath filter', ':xpath');
  const decls = Object.entries(f.namespaces ?? {})
    .map(([p, uri]) => {
      if (!/^[A-Za-z_][\w.-]*$/.test(p)) throw invalid(`not a namespace prefix: ${JSON.stringify(p)}`);
      return ` xmlns:${p}="${escapeAttr(uri)}"`;
    })
    .join('');
  return `<filter type="xpath" select="${escapeAttr(f.xpath)}"${decls}/>`;
}

function withDefaultsXml(caps: Capabilities, mode: WithDefaults | undefined): string {
  if (mode === undefined) return '';
  oneOf('withDefaults', mode, ['report-all', 'report-all-tagged', 'trim', 'explicit']);
  if (!caps.withDefaults) throw unsupported('with-defaults', ':with-defaults');
  return `<with-defaults xmlns="${NS_WITH_DEFAULTS}">${mode}</with-defaults>`;
}

export function buildGet(caps: Capabilities, filter?: Filter, withDefaults?: WithDefaults): string {
  return `<get>${filterXml(caps, filter)}${withDefaultsXml(caps, withDefaults)}</get>`;
}

export function buildGetConfig(
  caps: Capabilities,
  source: ConfigTarget,
  filter?: Filter,
  withDefaults?: WithDefaults,
): string {
  requireDatastore(caps, source, 'get-config', false);
  return `<get-config><source>${datastoreXml(source)}</source>${filterXml(caps, filter)}${withDefaultsXml(caps, withDefaults)}</get-config>`;
}

export function buildEditConfig(
  caps: Capabilities,
  target: ConfigTarget,
  config: string | { url: string },
  opts: EditConfigOptions = {},
): string {
  requireDatastore(caps, target, 'edit-config', true);
  oneOf('defaultOperation', opts.defaultOperation, ['merge', 'replace', 'none']);
  oneOf('testOption', opts.testOption, ['test-then-set', 'set', 'test-only']);
  oneOf('errorOption', opts.errorOption, ['stop-on-error', 'continue-on-error', 'rollback-on-error']);
  if (opts.testOption && !caps.validate) throw unsupported('test-option', ':validate');
  if (opts.testOption === 'test-only' && !caps.validate11) throw unsupported('test-option test-only', ':validate:1.1');
  if (opts.errorOption === 'rollback-on-error' && !caps.rollbackOnError) {
    throw unsupported('error-option rollback-on-error', ':rollback-on-error');
  }
  let body = `<target>${datastoreXml(target)}</target>`;
  if (opts.defaultOperation) body += `<default-operation>${opts.defaultOperation}</default-operation>`;
  if (opts.testOption) body += `<test-option>${opts.testOption}</test-option>`;
  if (opts.errorOption) body += `<error-option>${opts.errorOption}</error-option>`;
  if (typeof config === 'string') {
    checkFragment(config, 'config');
    body += `<config>${config}</config>`;
  } else {
    if (!caps.urlSchemes) throw unsupported('edit-config from a URL', ':url');
    body += xmlElement('url', {}, escapeText(config.url));
  }
  return `<edit-config>${body}</edit-config>`;
}

export function buildCopyConfig(caps: Capabilities, target: ConfigTarget, source: ConfigSource): string {
  requireDatastore(caps, target, 'copy-config', true);
  requireDatastore(caps, source, 'copy-config', false);
  return `<copy-config><target>${datastoreXml(target)}</target><source>${datastoreXml(source)}</source></copy-config>`;
}

export function buildDeleteConfig(caps: Capabilities, target: ConfigTarget): string {
  if (target === 'running') throw invalid('delete-config cannot delete the running datastore');
  requireDatastore(caps, target, 'delete-config', true);
  return `<delete-config><target>${datastoreXml(target)}</target></delete-config>`;
}

export function buildLock(caps: Capabilities, target: Datastore, op: 'lock' | 'unlock'): string {
  requireDatastore(caps, target, op, false);
  return `<${op}><target><${target}/></target></${op}>`;
}

export function buildKillSession(sessionId: number): string {
  if (!Number.isInteger(sessionId) || sessionId < 1 || sessionId > 4294967295) {
    throw invalid(`kill-session: session-id must be an integer 1..4294967295; got ${sessionId}`);
  }
  return `<kill-session><session-id>${sessionId}</session-id></kill-session>`;
}

export function buildCommit(caps: Capabilities, opts: CommitOptions = {}): string {
  if (!caps.candidate) throw unsupported('commit', ':candidate');
  const confirmedFeature = opts.confirmed || opts.confirmTimeout !== undefined || opts.persist !== undefined;
  if (confirmedFeature && !caps.confirmedCommit) throw unsupported('a confirmed commit', ':confirmed-commit');
  if ((opts.persist !== undefined || opts.persistId !== undefined) && !caps.confirmedCommit11) {
    throw unsupported('persist/persist-id', ':confirmed-commit:1.1');
  }
  if (opts.confirmTimeout !== undefined) {
    if (!Number.isInteger(opts.confirmTimeout) || opts.confirmTimeout < 1 || opts.confirmTimeout > 4294967295) {
      throw invalid(`commit: confirmTimeout must be a whole number of seconds ≥ 1; got ${opts.confirmTimeout}`);
    }
  }
  let body = '';
  if (confirmedFeature) body += '<confirmed/>';
  if (opts.confirmTimeout !== undefined) body += `<confirm-timeout>${opts.confirmTimeout}</confirm-timeout>`;
  if (opts.persist !== undefined) body += xmlElement('persist', {}, escapeText(opts.persist));
  if (opts.persistId !== undefined) body += xmlElement('persist-id', {}, escapeText(opts.persistId));
  return body ? `<commit>${body}</commit>` : '<commit/>';
}

export function buildCancelCommit(caps: Capabilities, persistId?: string): string {
  if (!caps.confirmedCommit11) throw unsupported('cancel-commit', ':confirmed-commit:1.1');
  return persistId === undefined
    ? '<cancel-commit/>'
    : `<cancel-commit>${xmlElement('persist-id', {}, escapeText(persistId))}</cancel-commit>`;
}

export function buildDiscardChanges(caps: Capabilities): string {
  if (!caps.candidate) throw unsupported('discard-changes', ':candidate');
  return '<discard-changes/>';
}

export function buildValidate(caps: Capabilities, source: ConfigSource): string {
  if (!caps.validate) throw unsupported('validate', ':validate');
  requireDatastore(caps, source, 'validate', false);
  return `<validate><source>${datastoreXml(source)}</source></validate>`;
}

export function buildCreateSubscription(caps: Capabilities, opts: SubscriptionOptions = {}): string {
  if (!caps.notification) throw unsupported('create-subscription', ':notification');
  const time = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
  for (const [k, v] of [
    ['startTime', opts.startTime],
    ['stopTime', opts.stopTime],
  ] as const) {
    if (v !== undefined && !time.test(v)) throw invalid(`create-subscription: ${k} must be an RFC 3339 date-time`);
  }
  if (opts.stopTime !== undefined && opts.startTime === undefined) {
    throw invalid('create-subscription: stopTime needs startTime');
  }
  let body = '';
  if (opts.stream !== undefined) body += xmlElement('stream', {}, escapeText(opts.stream));
  if (opts.filter !== undefined) {
    checkFragment(opts.filter, 'notification filter');
    body += `<filter type="subtree">${opts.filter}</filter>`;
  }
  if (opts.startTime !== undefined) body += `<startTime>${opts.startTime}</startTime>`;
  if (opts.stopTime !== undefined) body += `<stopTime>${opts.stopTime}</stopTime>`;
  return `<create-subscription xmlns="${NS_NOTIFICATION}">${body}</create-subscription>`;
}
