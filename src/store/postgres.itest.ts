import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import postgres from 'postgres';
import { describePostgres } from './pg-testing.js';
import { CnsdnError } from '../common/errors.js';
import { type EntityWrite, MIGRATIONS, openStore, type Store } from './index.js';
import { runStoreContract } from './store.contract.js';

await describePostgres('postgres store', async (freshDatabase) => {
  const url = await freshDatabase();
  runStoreContract('postgres', () => openStore({ url }));

  describe('postgres store', () => {
    const stores: Store[] = [];
    const open = async (options: { url?: string; maxAttempts?: number } = {}) => {
      const store = await openStore({ url: options.url ?? url, maxAttempts: options.maxAttempts });
      stores.push(store);
      return store;
    };
    after(async () => {
      for (const s of stores) await s.close();
    });

    const counter = (uuid: string, n = 0): EntityWrite<{ n: number }> => ({
      kind: 'context',
      uuid,
      parent: null,
      name: uuid,
      body: { n },
    });

    /** Resolves once `parties` callers are waiting: makes transactions overlap for certain. */
    const barrier = (parties: number) => {
      let waiting = 0;
      let release!: () => void;
      const all = new Promise<void>((resolve) => {
        release = resolve;
      });
      return () => {
        if (++waiting === parties) release();
        return all;
      };
    };

    it('connects through a multi-host URL with target_session_attrs=read-write', async () => {
      const deadFirst = url.replace(/^postgres(?:ql)?:\/\/(?:[^@/]*@)?/, (prefix) => `${prefix}127.0.0.1:1,`);
      const multi = `${deadFirst}${deadFirst.includes('?') ? '&' : '?'}target_session_attrs=read-write`;
      const store = await open({ url: multi });
      assert.equal(await store.ping(), true);
      const uuid = `mh-${randomBytes(4).toString('hex')}`;
      await store.transaction((tx) => tx.put(counter(uuid, 7)));
      assert.deepEqual((await store.get('context', uuid))?.body, { n: 7 });
    });

    it('migrates once when several processes open a fresh database at the same time', async () => {
      const fresh = await freshDatabase();
      const opened = await Promise.all(Array.from({ length: 4 }, () => open({ url: fresh })));
      assert.equal(opened.length, 4);
      const sql = postgres(fresh, { max: 1, onnotice: () => {} });
      try {
        const rows = await sql`select version from schema_migrations order by version`;
        assert.deepEqual(
          rows.map((r) => r.version),
          MIGRATIONS.map((m) => m.version),
        );
        const [{ n }] = await sql`select count(*)::int as n from entity`;
        assert.equal(n, 0);
      } finally {
        await sql.end();
      }
    });

    it('retries real serialization conflicts until every transaction commits', async () => {
      const store = await open();
      const uuid = `ser-${randomBytes(4).toString('hex')}`;
      await store.transaction((tx) => tx.put(counter(uuid)));
      const parties = 6;
      const overlap = barrier(parties);
      let invocations = 0;
      const results = await Promise.all(
        Array.from({ length: parties }, () => {
          let attempt = 0;
          return store.transaction(async (tx) => {
            invocations++;
            const cur = await tx.get<{ n: number }>('context', uuid);
            if (++attempt === 1) await overlap();
            await tx.put(counter(uuid, (cur?.body.n ?? 0) + 1));
            return attempt;
          });
        }),
      );
      const final = await store.get<{ n: number }>('context', uuid);
      assert.equal(final?.body.n, parties);
      assert.ok(invocations > parties, `conflicts forced retries (${invocations} attempts for ${parties} transactions)`);
      assert.ok(results.some((r) => r.result > 1));
      assert.deepEqual(
        results.map((r) => r.changes.length),
        Array(parties).fill(1),
        'a failed attempt contributes no changes',
      );
      assert.deepEqual(
        results.map((r) => r.changes[0].revision).sort((a, b) => a - b),
        Array.from({ length: parties }, (_, i) => i + 2),
      );
    });

    it('runs SERIALIZABLE: write skew between two transactions is prevented', async () => {
      const store = await open();
      const tag = randomBytes(4).toString('hex');
      const doctors = [`doc-a-${tag}`, `doc-b-${tag}`];
      const parent = `ward-${tag}`;
      const doctor = (uuid: string, onCall: boolean): EntityWrite<{ onCall: boolean }> => ({
        kind: 'device',
        uuid,
        parent,
        name: uuid,
        body: { onCall },
      });
      await store.transaction((tx) => tx.putMany(doctors.map((d) => doctor(d, true))));
      const overlap = barrier(2);
      await Promise.all(
        doctors.map((me) => {
          let attempt = 0;
          return store.transaction(async (tx) => {
            const onCall = (await tx.list<{ onCall: boolean }>('device', { parent })).filter((d) => d.body.onCall);
            if (++attempt === 1) await overlap();
            if (onCall.length >= 2) await tx.put(doctor(me, false));
          });
        }),
      );
      const after = await store.list<{ onCall: boolean }>('device', { parent });
      assert.equal(after.filter((d) => d.body.onCall).length, 1, 'exactly one doctor stays on call');
    });

    it('gives up with UNAVAILABLE after maxAttempts when fn keeps conflicting', async () => {
      const store = await open({ maxAttempts: 3 });
      const other = await open();
      const uuid = `doomed-${randomBytes(4).toString('hex')}`;
      await store.transaction((tx) => tx.put(counter(uuid)));
      let attempts = 0;
      await assert.rejects(
        store.transaction(async (tx) => {
          attempts++;
          const cur = await tx.get<{ n: number }>('context', uuid);
          await other.transaction(async (o) => {
            const theirs = await o.get<{ n: number }>('context', uuid);
            await o.put(counter(uuid, (theirs?.body.n ?? 0) + 100));
          });
          await tx.put(counter(uuid, (cur?.body.n ?? 0) + 1));
        }),
        (e) => e instanceof CnsdnError && e.code === 'UNAVAILABLE',
      );
      assert.equal(attempts, 3);
      const final = await store.get<{ n: number }>('context', uuid);
      assert.deepEqual([final?.body.n, final?.revision], [300, 4], 'only the other writer committed');
    });

    it('fails to open an unreachable server with STORE_ERROR', async () => {
      await assert.rejects(
        openStore({ url: 'postgres://postgres@127.0.0.1:1/nothing' }),
        (e) => e instanceof CnsdnError && e.code === 'STORE_ERROR',
      );
    });
  });
});
