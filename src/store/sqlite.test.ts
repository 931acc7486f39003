import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { CnsdnError } from '../common/errors.js';
import { MIGRATIONS, openStore } from './index.js';
import { runStoreContract } from './store.contract.js';

const dir = mkdtempSync(join(tmpdir(), 'cnsdn-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

runStoreContract('sqlite file', () => openStore({ url: `sqlite:${join(dir, 'contract', 'store.db')}` }));
runStoreContract('sqlite :memory:', () => openStore({ url: 'sqlite::memory:' }));

describe('sqlite backend', () => {
  it('creates the parent directory, uses WAL, and keeps data and schema across reopen', async () => {
    const file = join(dir, 'a', 'b', 'c.db');
    const first = await openStore({ url: `sqlite:${file}` });
    assert.equal(first.backend, 'sqlite');
    await first.transaction((tx) => tx.put({ kind: 'device', uuid: 'd1', parent: null, name: 'd1', body: { x: 1 } }));
    await first.close();
    assert.ok(existsSync(file));

    const second = await openStore({ url: `sqlite:${file}` });
    assert.deepEqual((await second.get('device', 'd1'))?.body, { x: 1 });
    await second.close();

    const raw = new Database(file, { readonly: true });
    try {
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      const versions = raw.prepare('select version from schema_migrations order by version').pluck().all();
      assert.deepEqual(
        versions,
        MIGRATIONS.map((m) => m.version),
      );
    } finally {
      raw.close();
    }
  });

  it('reads of one entity see committed state only, also while a transaction is open', async () => {
    const store = await openStore({ url: `sqlite:${join(dir, 'isolation', 'store.db')}` });
    try {
      await store.transaction((tx) => tx.put({ kind: 'device', uuid: 'd1', parent: null, name: 'd1', body: { v: 1 } }));
      let seenInside: unknown;
      await store.transaction(async (tx) => {
        await tx.put({ kind: 'device', uuid: 'd1', parent: null, name: 'd1', body: { v: 2 } }, 1);
        await tx.put({ kind: 'device', uuid: 'd2', parent: null, name: 'd2', body: { v: 1 } });
        seenInside = [(await store.get('device', 'd1'))?.body, await store.getJson('device', 'd1'), await store.getJson('device', 'd2')];
      });
      assert.deepEqual(seenInside, [{ v: 1 }, '{"v":1}', undefined]);
      assert.deepEqual([(await store.get('device', 'd1'))?.revision, await store.getJson('device', 'd1'), await store.getJson('device', 'd2')], [2, '{"v":2}', '{"v":1}']);
    } finally {
      await store.close();
    }
  });

  it('loses no update when two processes increment the same entity in one file', async () => {
    const url = `sqlite:${join(dir, 'shared', 'store.db')}`;
    const store = await openStore({ url });
    await store.transaction((tx) => tx.put({ kind: 'context', uuid: 'ctr', parent: null, name: 'ctr', body: { n: 0 } }));
    const fixture = join(dirname(fileURLToPath(import.meta.url)), 'sqlite-increment.fixture.ts');
    const startAt = String(Date.now() + 2500);
    const child = () => promisify(execFile)(process.execPath, ['--import', 'tsx', fixture, url, 'ctr', '50', startAt]);
    await Promise.all([child(), child()]);
    const got = await store.get<{ n: number }>('context', 'ctr');
    await store.close();
    assert.deepEqual([got?.body.n, got?.revision], [100, 101]);
  });

  it('rejects malformed and unknown URLs with INVALID_ARGUMENT', async () => {
    for (const url of ['sqlite:', 'mysql://localhost/x', 'file.db']) {
      await assert.rejects(openStore({ url }), (e) => e instanceof CnsdnError && e.code === 'INVALID_ARGUMENT', url);
    }
  });

  it('fails to open a path that cannot be a database with STORE_ERROR', async () => {
    await assert.rejects(
      openStore({ url: `sqlite:${dir}` }),
      (e) => e instanceof CnsdnError && e.code === 'STORE_ERROR',
    );
  });
});
