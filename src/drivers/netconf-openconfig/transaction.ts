/**
 * One configuration transaction on a NETCONF session (RFC 6241):
 *   candidate: lock → edit-config per resource (pipelined) → validate (when offered) → commit
 *              → unlock; on any refusal discard-changes → unlock, running untouched.
 *   running:   lock → one edit-config with error-option rollback-on-error → unlock, when the
 *              device offers :rollback-on-error; otherwise one edit-config per resource, each
 *              result its own.
 * <validate> is left out on yuma123 netconfd (see validateBeforeCommit in models.ts): it drops
 * the candidate's edits from the next commit after a <validate> of <candidate/>.
 */
import { CnsdnError } from '../../common/errors.js';
import type { ResourceResult } from '../../device/index.js';
import { type NetconfClient, NetconfRpcError } from '../../protocols/netconf/index.js';
import { breaksSession, toDriverError } from './errors.js';
import { mergeTrees, serialize, type XNode } from './xtree.js';

export interface TxEdit {
  key: string;
  trees: XNode[];
}

export interface TxOptions {
  target: 'candidate' | 'running';
  /** Commit (candidate) or apply (running) each resource on its own. */
  perResource: boolean;
  /** Running only: the device offers :rollback-on-error. */
  rollbackOnError: boolean;
  /** Candidate only: <validate> the candidate before <commit>. */
  validate: boolean;
  /** How long a lock held by another session is waited for. */
  lockWaitMs: number;
  /** Device label for messages. */
  label: string;
}

/** Thrown when the session broke mid-transaction; the device drops the session's lock and candidate. */
export class SessionBroken extends Error {
  constructor(readonly error: CnsdnError) {
    super(error.message, { cause: error });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function check(e: unknown, what: string): CnsdnError {
  const error = toDriverError(e, what);
  if (breaksSession(e)) throw new SessionBroken(error);
  return error;
}

async function lock(client: NetconfClient, o: TxOptions): Promise<void> {
  const deadline = Date.now() + o.lockWaitMs;
  for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
    try {
      return await client.lock(o.target);
    } catch (e) {
      if (!(e instanceof NetconfRpcError && e.tag === 'lock-denied') || Date.now() + delay > deadline) throw e;
      await sleep(delay);
    }
  }
}

const config = (edit: TxEdit): string => edit.trees.map((t) => serialize(t)).join('');

function notApplied(key: string, o: TxOptions, because: string, error: CnsdnError): CnsdnError {
  return new CnsdnError('DRIVER_ERROR', `${key} not applied on ${o.label}: ${because}: ${error.message}`, [], { cause: error });
}

async function discard(client: NetconfClient, o: TxOptions): Promise<void> {
  try {
    await client.discardChanges();
  } catch (e) {
    check(e, `discard-changes on ${o.label}`);
  }
}

async function candidateBatch(client: NetconfClient, edits: readonly TxEdit[], o: TxOptions): Promise<ResourceResult[]> {
  const sent = await Promise.allSettled(edits.map((e) => client.editConfig('candidate', config(e))));
  const errors = sent.map((r, i) => (r.status === 'rejected' ? check(r.reason, `edit-config of ${edits[i].key} on ${o.label}`) : undefined));
  const first = errors.findIndex((e) => e !== undefined);
  if (first >= 0) {
    await discard(client, o);
    return errors.map((e, i) => e ?? notApplied(edits[i].key, o, `discarded because ${edits[first].key} was refused`, errors[first]!));
  }
  if (o.validate) {
    try {
      await client.validate('candidate');
    } catch (e) {
      const error = check(e, `validate of the candidate on ${o.label}`);
      await discard(client, o);
      return edits.map((edit) => notApplied(edit.key, o, 'the candidate did not validate', error));
    }
  }
  try {
    await client.commit();
  } catch (e) {
    const error = check(e, `commit on ${o.label}`);
    await discard(client, o);
    return edits.map((edit) => notApplied(edit.key, o, 'the commit was refused', error));
  }
  return edits.map(() => true);
}

async function candidateEach(client: NetconfClient, edits: readonly TxEdit[], o: TxOptions): Promise<ResourceResult[]> {
  const out: ResourceResult[] = [];
  for (const edit of edits) {
    try {
      await client.editConfig('candidate', config(edit));
      if (o.validate) await client.validate('candidate');
      await client.commit();
      out.push(true);
    } catch (e) {
      out.push(check(e, `edit-config${o.validate ? ', validate' : ''} and commit of ${edit.key} on ${o.label}`));
      await discard(client, o);
    }
  }
  return out;
}

async function runningAtomic(client: NetconfClient, edits: readonly TxEdit[], o: TxOptions): Promise<ResourceResult[]> {
  const merged = mergeTrees(edits.flatMap((e) => e.trees));
  try {
    await client.editConfig('running', merged.map((t) => serialize(t)).join(''), { errorOption: 'rollback-on-error' });
    return edits.map(() => true);
  } catch (e) {
    const error = check(e, `edit-config (rollback-on-error) of ${edits.length} resource(s) on ${o.label}`);
    return edits.map((edit) => notApplied(edit.key, o, 'the device refused the edit and rolled it back', error));
  }
}

async function runningEach(client: NetconfClient, edits: readonly TxEdit[], o: TxOptions): Promise<ResourceResult[]> {
  const out: ResourceResult[] = [];
  for (const edit of edits) {
    try {
      await client.editConfig('running', config(edit));
      out.push(true);
    } catch (e) {
      out.push(check(e, `edit-config of ${edit.key} on ${o.label}`));
    }
  }
  return out;
}

/** Applies the edits as one transaction (see the top of this file); throws SessionBroken when the session fails. */
export async function applyEdits(client: NetconfClient, edits: readonly TxEdit[], o: TxOptions): Promise<ResourceResult[]> {
  if (edits.length === 0) return [];
  try {
    await lock(client, o);
  } catch (e) {
    const error = check(e, `lock of ${o.target} on ${o.label}`);
    return edits.map((edit) => notApplied(edit.key, o, `the ${o.target} datastore could not be locked`, error));
  }
  try {
    if (o.target === 'candidate') return o.perResource ? await candidateEach(client, edits, o) : await candidateBatch(client, edits, o);
    return o.rollbackOnError && !o.perResource ? await runningAtomic(client, edits, o) : await runningEach(client, edits, o);
  } finally {
    if (!client.closed) await client.unlock(o.target).catch(() => undefined);
  }
}
