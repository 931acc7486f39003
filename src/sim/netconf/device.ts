/** One simulated NETCONF device: running and candidate datastores, locks, commits, sessions. */
import { NS_NOTIFICATION, type XmlElement } from '../../protocols/netconf/xml.js';
import { configEdits } from './diff.js';
import { RpcFault, fault } from './errors.js';
import { type Actor, type ConfirmEvent, configChangeEvent, confirmedCommitEvent, sessionEndEvent } from './events.js';
import { subtreeFilter } from './filter.js';
import { initialConfig } from './initial.js';
import { libraryCapability, type YangLibraryVersion } from './library.js';
import { MODULES } from './schema.js';
import { type DataNode, clone, equalTrees, root, toXml } from './tree.js';
import { validateConfig } from './validate.js';

export type Datastore = 'running' | 'candidate';

export interface SessionHandle extends Actor {
  /** Set by create-subscription: the subtree filter applied to each event, if any. */
  subscription?: { filter?: XmlElement[] };
  /** Sends a complete <notification> message. */
  sendNotification(xml: string): void;
  /** Ends the session (kill-session). */
  terminate(): void;
}

export interface DeviceOptions {
  name: string;
  /** Device number, 1-based; picks its addresses. */
  index: number;
  interfaces: string[];
  /** Offer :writable-running besides :candidate. */
  writableRunning?: boolean;
  /** Announce the models only through this version of the YANG library, not as module capabilities in the hello. */
  yangLibrary?: YangLibraryVersion;
}

const CAP = 'urn:ietf:params:netconf:capability:';
export const DEFAULT_CONFIRM_TIMEOUT_S = 600;

interface PendingConfirm {
  backup: DataNode;
  sessionId: number;
  persist?: string;
  timer: NodeJS.Timeout;
}

export interface CommitRequest {
  confirmed: boolean;
  timeoutSeconds?: number;
  persist?: string;
  persistId?: string;
}

export class SimDevice {
  readonly name: string;
  readonly writableRunning: boolean;
  readonly yangLibrary: YangLibraryVersion | undefined;
  running: DataNode;
  candidate: DataNode;
  /** The candidate holds changes not yet committed or discarded. */
  candidateDirty = false;
  readonly locks = new Map<Datastore, number>();
  readonly sessions = new Map<number, SessionHandle>();
  private nextSessionId = 1;
  private pending: PendingConfirm | undefined;
  readonly startedAt = Date.now();

  constructor(opts: DeviceOptions) {
    this.name = opts.name;
    this.writableRunning = opts.writableRunning === true;
    this.yangLibrary = opts.yangLibrary;
    this.running = initialConfig({ index: opts.index, interfaces: opts.interfaces });
    this.candidate = clone(this.running);
  }

  capabilities(): string[] {
    const caps = [
      'urn:ietf:params:netconf:base:1.0',
      'urn:ietf:params:netconf:base:1.1',
      `${CAP}candidate:1.0`,
      `${CAP}validate:1.1`,
      `${CAP}confirmed-commit:1.1`,
      `${CAP}rollback-on-error:1.0`,
      `${CAP}notification:1.0`,
      `${CAP}interleave:1.0`,
    ];
    if (this.writableRunning) caps.push(`${CAP}writable-running:1.0`);
    if (this.yangLibrary) caps.push(libraryCapability(this.yangLibrary));
    else for (const m of MODULES) caps.push(`${m.ns}?module=${m.module}&revision=${m.revision}`);
    return caps;
  }

  get confirmPending(): boolean {
    return this.pending !== undefined;
  }

  allocateSessionId(): number {
    return this.nextSessionId++;
  }

  attach(s: SessionHandle): void {
    this.sessions.set(s.sessionId, s);
  }

  /** A session ended: its locks go, an uncommitted candidate it locked is discarded, its confirmed commit rolls back. */
  detach(s: SessionHandle, reason: 'closed' | 'killed' | 'dropped', killedBy?: number): void {
    if (!this.sessions.delete(s.sessionId)) return;
    if (this.locks.get('candidate') === s.sessionId) {
      this.locks.delete('candidate');
      this.discardCandidate();
    }
    if (this.locks.get('running') === s.sessionId) this.locks.delete('running');
    if (this.pending && this.pending.persist === undefined && this.pending.sessionId === s.sessionId) this.rollback('cancel', s);
    this.emit(sessionEndEvent(s, reason, killedBy));
  }

  datastore(name: Datastore): DataNode {
    return name === 'running' ? this.running : this.candidate;
  }

  /** Refuses a change to `name` while another session holds its lock. */
  checkWritable(s: Actor, name: Datastore): void {
    const holder = this.locks.get(name);
    if (holder !== undefined && holder !== s.sessionId) throw fault.inUse(holder, name);
  }

  lock(s: Actor, name: Datastore): void {
    const holder = this.locks.get(name);
    if (holder !== undefined) throw fault.lockDenied(holder, name);
    if (name === 'candidate' && this.candidateDirty) {
      throw new RpcFault('protocol', 'lock-denied', 'the candidate datastore has uncommitted changes; commit or discard them first', {
        info: { 'session-id': '0' },
      });
    }
    if (name === 'running' && this.pending) {
      throw new RpcFault('protocol', 'lock-denied', 'a confirmed commit is pending; confirm or cancel it first', {
        info: { 'session-id': String(this.pending.sessionId) },
      });
    }
    this.locks.set(name, s.sessionId);
  }

  unlock(s: Actor, name: Datastore): void {
    const holder = this.locks.get(name);
    if (holder === undefined) throw fault.operationFailed(`the ${name} datastore is not locked`, 'protocol');
    if (holder !== s.sessionId) throw fault.operationFailed(`the ${name} datastore is locked by session ${holder}, not this one`, 'protocol');
    this.locks.delete(name);
  }

  /** Replaces a datastore's content (after edit-config or copy-config). */
  store(s: Actor, name: Datastore, data: DataNode): void {
    if (name === 'candidate') {
      this.candidate = data;
      this.candidateDirty = !equalTrees(this.candidate, this.running);
      return;
    }
    const before = this.running;
    this.running = data;
    if (!this.candidateDirty) this.candidate = clone(data);
    this.announceChange(s, before);
  }

  discardCandidate(): void {
    this.candidate = clone(this.running);
    this.candidateDirty = false;
  }

  commit(s: Actor, req: CommitRequest): void {
    const p = this.pending;
    if (p) {
      if (p.persist !== undefined && req.persistId !== p.persist) {
        throw fault.invalidValue(req.persistId === undefined ? 'a persistent confirmed commit is pending: give its persist-id' : 'persist-id does not match the pending confirmed commit');
      }
      if (p.persist === undefined && p.sessionId !== s.sessionId) {
        throw fault.operationFailed(`a confirmed commit of session ${p.sessionId} is pending; only that session can confirm it`);
      }
    } else if (req.persistId !== undefined) {
      throw fault.invalidValue('no confirmed commit is pending for this persist-id');
    }
    this.checkWritable(s, 'running');
    const errors = validateConfig(this.candidate);
    if (errors.length > 0) throw errors[0];
    const before = this.running;
    this.running = clone(this.candidate);
    this.candidateDirty = false;
    if (req.confirmed) {
      const timeout = req.timeoutSeconds ?? DEFAULT_CONFIRM_TIMEOUT_S;
      if (p) clearTimeout(p.timer);
      this.pending = {
        backup: p ? p.backup : before,
        sessionId: s.sessionId,
        persist: req.persist ?? p?.persist,
        timer: setTimeout(() => this.rollback('timeout'), timeout * 1000),
      };
      this.pending.timer.unref();
      this.emit(confirmedCommitEvent(s, p ? 'extend' : 'start', timeout));
    } else if (p) {
      clearTimeout(p.timer);
      this.pending = undefined;
      this.emit(confirmedCommitEvent(s, 'complete'));
    }
    this.announceChange(s, before);
  }

  cancelCommit(s: Actor, persistId: string | undefined): void {
    const p = this.pending;
    if (!p) throw fault.operationFailed('no confirmed commit is pending');
    if (p.persist !== undefined && persistId !== p.persist) throw fault.invalidValue('persist-id does not match the pending confirmed commit');
    if (p.persist === undefined && p.sessionId !== s.sessionId) {
      throw fault.operationFailed(`the pending confirmed commit belongs to session ${p.sessionId}`);
    }
    this.rollback('cancel', s);
  }

  /** Restores the configuration from before a confirmed commit. */
  private rollback(event: ConfirmEvent, by?: Actor): void {
    const p = this.pending;
    if (!p) return;
    clearTimeout(p.timer);
    this.pending = undefined;
    const before = this.running;
    this.running = p.backup;
    this.discardCandidate();
    this.emit(confirmedCommitEvent(by, event));
    this.announceChange(by ?? { username: '', sessionId: 0, sourceHost: '' }, before);
  }

  private announceChange(by: Actor, before: DataNode): void {
    const edits = configEdits(before, this.running);
    if (edits.length > 0) this.emit(configChangeEvent(by, 'running', edits));
  }

  /** Sends an event to every subscribed session whose filter selects it. */
  emit(event: DataNode): void {
    const time = new Date().toISOString();
    for (const s of this.sessions.values()) {
      if (!s.subscription) continue;
      const selected = subtreeFilter(root([event]), s.subscription.filter);
      if (selected.children.length === 0) continue;
      s.sendNotification(
        `<notification xmlns="${NS_NOTIFICATION}"><eventTime>${time}</eventTime>${toXml(selected.children[0])}</notification>`,
      );
    }
  }

  close(): void {
    if (this.pending) clearTimeout(this.pending.timer);
    this.pending = undefined;
  }
}
