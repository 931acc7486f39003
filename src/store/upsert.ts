import { CompiledQuery, sql } from 'kysely';
import type { EntityWrite } from './api.js';
import type { Db, EntityTable } from './schema.js';
import { serializeBody } from './schema.js';

/** Bind parameters per row: kind, uuid, parent, name, body, updated_at (revision is the literal 1). */
export const PARAMS_PER_ROW = 6;
/** Rows per statement beyond which bigger statements stop paying off. */
const MAX_ROWS_PER_STATEMENT = 500;

export type InsertRow = Omit<EntityTable, 'revision'>;

export function toInsertRow(write: EntityWrite, updatedAt: string): InsertRow {
  return {
    kind: write.kind,
    uuid: write.uuid,
    parent: write.parent,
    name: write.name,
    body: serializeBody(write.body, `${write.kind} ${write.uuid}`),
    updated_at: updatedAt,
  };
}

/**
 * Splits writes into statement-sized chunks. A key never appears twice in one chunk (one INSERT ... ON CONFLICT
 * may not touch a row twice), so repeated writes of one entity apply in order, each bumping the revision.
 */
export function chunkWrites<W extends EntityWrite>(writes: readonly W[], maxParams: number): W[][] {
  const rowsPerChunk = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(maxParams / PARAMS_PER_ROW)));
  const chunks: W[][] = [];
  let current: W[] = [];
  let keys = new Set<string>();
  for (const w of writes) {
    const key = `${w.kind}\u0000${w.uuid}`;
    if (current.length >= rowsPerChunk || keys.has(key)) {
      chunks.push(current);
      current = [];
      keys = new Set();
    }
    current.push(w);
    keys.add(key);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** INSERT ... ON CONFLICT (kind, uuid) DO UPDATE: a new row gets revision 1, an existing one revision + 1. */
export function upsert(db: Db, rows: readonly InsertRow[]) {
  return db
    .insertInto('entity')
    .values(rows.map((r) => ({ ...r, revision: sql<number>`1` })))
    .onConflict((oc) =>
      oc.columns(['kind', 'uuid']).doUpdateSet((eb) => ({
        parent: eb.ref('excluded.parent'),
        name: eb.ref('excluded.name'),
        body: eb.ref('excluded.body'),
        updated_at: eb.ref('excluded.updated_at'),
        revision: eb(eb.ref('entity.revision'), '+', eb.lit(1)),
      })),
    );
}

export interface UpsertedRow {
  kind: EntityTable['kind'];
  uuid: string;
  revision: number;
}

/** SQL text of the bulk upsert per dialect and row count (chunks are mostly full, so a handful of entries). */
const bulkSql = new Map<string, string>();

function flatParams(rows: readonly InsertRow[]): unknown[] {
  const params: unknown[] = [];
  for (const r of rows) params.push(r.kind, r.uuid, r.parent, r.name, r.body, r.updated_at);
  return params;
}

/**
 * The bulk upsert with RETURNING. Kysely builds and compiles it once per row count; later chunks reuse the
 * text with fresh parameters, since building the syntax tree of thousands of rows costs more than sending them.
 */
export async function upsertReturning(db: Db, dialect: string, rows: readonly InsertRow[]): Promise<UpsertedRow[]> {
  const key = `${dialect}:${rows.length}`;
  const params = flatParams(rows);
  let text = bulkSql.get(key);
  if (text === undefined) {
    const compiled = upsert(db, rows).returning(['kind', 'uuid', 'revision']).compile();
    if (compiled.parameters.length !== params.length || compiled.parameters.some((p, i) => p !== params[i])) {
      throw new Error('bulk upsert: parameter order differs from the compiled statement');
    }
    text = compiled.sql;
    bulkSql.set(key, text);
  }
  const result = await db.executeQuery<UpsertedRow>(CompiledQuery.raw(text, params));
  return result.rows;
}
