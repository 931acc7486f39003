import { CnsdnError } from '../common/errors.js';
import type { Change, EntityKind, EntityWrite, ExpectedRevision, StoredEntity, StoreTx } from './api.js';
import { SqlReader, storeError } from './reader.js';
import { chunkWrites, toInsertRow, upsert, upsertReturning } from './upsert.js';

/**
 * One attempt of a transaction. Records its changes; remembers the first driver error so that a fn which
 * swallows it cannot commit a transaction the database has already aborted.
 */
export class SqlTx extends SqlReader implements StoreTx {
  readonly changes: Change[] = [];
  failure: unknown;
  #finished = false;

  finish(): void {
    this.#finished = true;
  }

  protected override async run<R>(what: string, query: () => Promise<R>): Promise<R> {
    if (this.#finished) throw new CnsdnError('STORE_ERROR', `${what}: transaction already finished`);
    try {
      return await query();
    } catch (err) {
      const wrapped = storeError(what, err);
      this.failure ??= wrapped;
      throw wrapped;
    }
  }

  async put<T>(write: EntityWrite<T>, expectedRevision?: ExpectedRevision): Promise<StoredEntity<T>> {
    checkExpected(expectedRevision);
    const row = toInsertRow(write, new Date().toISOString());
    const { kind, uuid } = write;
    let revision: number;
    if (expectedRevision === undefined) {
      const r = await this.run('put', () => upsert(this.db, [row]).returning('revision').executeTakeFirstOrThrow());
      revision = Number(r.revision);
    } else if (expectedRevision === 0) {
      const r = await this.run('put', () =>
        this.db
          .insertInto('entity')
          .values({ ...row, revision: 1 })
          .onConflict((oc) => oc.columns(['kind', 'uuid']).doNothing())
          .returning('revision')
          .executeTakeFirst(),
      );
      if (!r) throw new CnsdnError('ALREADY_EXISTS', `${kind} ${uuid} already exists`);
      revision = 1;
    } else {
      const r = await this.run('put', () =>
        this.db
          .updateTable('entity')
          .set((eb) => ({
            parent: row.parent,
            name: row.name,
            body: row.body,
            updated_at: row.updated_at,
            revision: eb('revision', '+', 1),
          }))
          .where('kind', '=', kind)
          .where('uuid', '=', uuid)
          .where('revision', '=', expectedRevision)
          .returning('revision')
          .executeTakeFirst(),
      );
      if (!r) throw mismatch(kind, uuid, expectedRevision, await this.revisionOf(kind, uuid));
      revision = Number(r.revision);
    }
    this.record(write, revision === 1 ? 'CREATE' : 'UPDATE', revision);
    return {
      kind,
      uuid,
      parent: write.parent,
      name: write.name,
      revision,
      body: JSON.parse(row.body) as T,
      updatedAt: row.updated_at,
    };
  }

  async putMany(writes: readonly EntityWrite[]): Promise<void> {
    const updatedAt = new Date().toISOString();
    for (const chunk of chunkWrites(writes, this.traits.maxParams)) {
      const rows = chunk.map((w) => toInsertRow(w, updatedAt));
      const returned = await this.run('putMany', () => upsertReturning(this.db, this.traits.backend, rows));
      const revisions = new Map(returned.map((r) => [`${r.kind}\u0000${r.uuid}`, Number(r.revision)]));
      for (const w of chunk) {
        const revision = revisions.get(`${w.kind}\u0000${w.uuid}`);
        if (revision === undefined) throw new CnsdnError('STORE_ERROR', `putMany: no row returned for ${w.kind} ${w.uuid}`);
        this.record(w, revision === 1 ? 'CREATE' : 'UPDATE', revision);
      }
    }
  }

  async delete(kind: EntityKind, uuid: string, expectedRevision?: ExpectedRevision): Promise<boolean> {
    checkExpected(expectedRevision);
    const row = await this.run('delete', () => {
      let q = this.db.deleteFrom('entity').where('kind', '=', kind).where('uuid', '=', uuid);
      if (expectedRevision !== undefined) q = q.where('revision', '=', expectedRevision);
      return q.returning(['parent', 'name', 'revision']).executeTakeFirst();
    });
    if (!row) {
      if (expectedRevision === undefined) return false;
      const current = await this.revisionOf(kind, uuid);
      if (current === undefined && expectedRevision === 0) return false;
      throw mismatch(kind, uuid, expectedRevision, current);
    }
    this.record({ kind, uuid, parent: row.parent, name: row.name }, 'REMOVE', Number(row.revision));
    return true;
  }

  private record(w: Pick<EntityWrite, 'kind' | 'uuid' | 'parent' | 'name'>, op: Change['op'], revision: number): void {
    this.changes.push({ kind: w.kind, uuid: w.uuid, parent: w.parent, name: w.name, op, revision });
  }

  private async revisionOf(kind: EntityKind, uuid: string): Promise<number | undefined> {
    const r = await this.run('revision', () =>
      this.db.selectFrom('entity').select('revision').where('kind', '=', kind).where('uuid', '=', uuid).executeTakeFirst(),
    );
    return r && Number(r.revision);
  }
}

function mismatch(kind: EntityKind, uuid: string, expected: number, actual: number | undefined): CnsdnError {
  if (actual === undefined) return new CnsdnError('NOT_FOUND', `${kind} ${uuid} not found`);
  return new CnsdnError('REVISION_CONFLICT', `${kind} ${uuid} is at revision ${actual}, expected ${expected}`);
}

function checkExpected(expected: ExpectedRevision): void {
  if (expected !== undefined && !(Number.isSafeInteger(expected) && expected >= 0)) {
    throw new CnsdnError('INVALID_ARGUMENT', `expectedRevision must be a non-negative integer, got ${expected}`);
  }
}
