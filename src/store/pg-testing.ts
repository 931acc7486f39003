/** Test support: fresh PostgreSQL databases on the test server (CNSDN_TEST_PG_URL), dropped afterwards. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import postgres from 'postgres';

export const TEST_PG_URL = process.env.CNSDN_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** The same server URL pointing at another database (string surgery: multi-host URLs are not WHATWG URLs). */
export function withDatabase(url: string, database: string): string {
  const [base, query] = url.split('?', 2);
  const m = /^(postgres(?:ql)?:\/\/[^/]*)(\/.*)?$/.exec(base!);
  if (!m) throw new Error(`cannot parse ${url}`);
  return `${m[1]}/${database}${query === undefined ? '' : `?${query}`}`;
}

/** Why the test server cannot be used, or undefined when it answers. */
export async function unreachableReason(url = TEST_PG_URL): Promise<string | undefined> {
  const sql = postgres(withDatabase(url, 'postgres'), { connect_timeout: 3, max: 1, onnotice: () => {} });
  try {
    await sql`select 1`;
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/**
 * Registers the PostgreSQL tests `body` defines when the server answers; otherwise one failing
 * test under CI=true (the server is required there) or a skipped suite with the reason.
 * body receives a factory of fresh databases, all dropped after the file's tests.
 */
export async function describePostgres(name: string, body: (freshDatabase: () => Promise<string>) => void | Promise<void>): Promise<void> {
  const reason = await unreachableReason();
  if (reason !== undefined) {
    const message = `PostgreSQL at ${TEST_PG_URL} is unreachable (${reason})`;
    if (process.env.CI === 'true') it(`${name}: PostgreSQL is reachable (required when CI=true)`, () => assert.fail(message));
    else describe(name, { skip: `${message}; set CI=true to make this a failure` }, () => {});
    return;
  }
  const admin = postgres(withDatabase(TEST_PG_URL, 'postgres'), { max: 2, onnotice: () => {} });
  const databases: string[] = [];
  after(async () => {
    for (const db of databases) await admin.unsafe(`drop database if exists ${db} with (force)`);
    await admin.end();
  });
  await body(async () => {
    const db = `cnsdn_test_${randomBytes(6).toString('hex')}`;
    await admin.unsafe(`create database ${db}`);
    databases.push(db);
    return withDatabase(TEST_PG_URL, db);
  });
}
