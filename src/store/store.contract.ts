import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CnsdnError } from '../common/errors.js';
import type { EntityKind, EntityWrite, Store, StoredEntity } from './index.js';

/** The one suite every Store backend must pass. Tests share one store and keep apart by unique uuids/parents. */
export function runStoreContract(name: string, open: () => Promise<Store>, cleanup?: () => Promise<void>): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    const run = randomUUID().slice(0, 8);
    let seq = 0;
    const uid = (label: string) => `${run}-${label}-${++seq}`;
    const write = <T>(kind: EntityKind, uuid: string, body: T, extra: Partial<Omit<EntityWrite, 'body'>> = {}): EntityWrite<T> => ({
      kind,
      uuid,
      parent: null,
      name: uuid,
      body,
      ...extra,
    });
    const code = (c: string) => (err: unknown) => err instanceof CnsdnError && err.code === c;

    before(async () => {
      store = await open();
    });
    after(async () => {
      await store?.close();
      await cleanup?.();
    });

    it('answers ping', async () => {
      assert.equal(await store.ping(), true);
    });

    it('creates, then gets what it stored', async () => {
      const uuid = uid('dev');
      const w = write('device', uuid, { type: 'emu', ports: [1, 2] }, { parent: 'ctx-1', name: 'R1' });
      const { result, changes } = await store.transaction((tx) => tx.put(w, 0));
      assert.equal(result.revision, 1);
      assert.deepEqual(result.body, w.body);
      assert.deepEqual(changes, [{ kind: 'device', uuid, parent: 'ctx-1', name: 'R1', op: 'CREATE', revision: 1 }]);
      const got = await store.get('device', uuid);
      assert.ok(got);
      assert.deepEqual({ ...got, updatedAt: undefined }, { ...w, revision: 1, updatedAt: undefined });
      assert.ok(!Number.isNaN(Date.parse(got.updatedAt)), `updatedAt ${got.updatedAt} is ISO-8601`);
      assert.equal(got.updatedAt, result.updatedAt);
      assert.equal(await store.get('device', uid('missing')), undefined);
      assert.equal(await store.get('link', uuid), undefined, 'kinds are separate key spaces');
    });

    it('returns the result of fn', async () => {
      const { result, changes } = await store.transaction(async () => ({ answer: 42 }));
      assert.deepEqual(result, { answer: 42 });
      assert.deepEqual(changes, []);
    });

    it('lists ordered by name then uuid (byte order), filters by parent and name, and counts', async () => {
      const parent = uid('ctx');
      const other = uid('ctx');
      const names = ['b', 'a', 'Z', 'é', 'b', 'c', 'ab', 'b'];
      const writes = names.map((n, i) => write('topology', `${run}-t${names.length - i}`, { i }, { parent, name: n }));
      const foreign = write('topology', uid('t'), { i: -1 }, { parent: other, name: 'b' });
      await store.transaction(async (tx) => {
        for (const w of [...writes, foreign]) await tx.put(w);
      });
      const utf8 = (s: string) => Buffer.from(s, 'utf8');
      const byNameUuid = (a: { name: string; uuid: string }, b: { name: string; uuid: string }) =>
        Buffer.compare(utf8(a.name), utf8(b.name)) || Buffer.compare(utf8(a.uuid), utf8(b.uuid));
      const expected = [...writes].sort(byNameUuid).map((w) => [w.name, w.uuid]);
      assert.deepEqual(
        expected.map(([n]) => n),
        ['Z', 'a', 'ab', 'b', 'b', 'b', 'c', 'é'],
      );

      const listed = await store.list('topology', { parent });
      assert.deepEqual(
        listed.map((e) => [e.name, e.uuid]),
        expected,
      );
      assert.equal(await store.count('topology', { parent }), names.length);

      const bs = await store.list('topology', { parent, name: 'b' });
      assert.deepEqual(
        bs.map((e) => e.uuid),
        expected.filter(([n]) => n === 'b').map(([, u]) => u),
      );
      assert.equal(await store.count('topology', { parent, name: 'b' }), 3);
      assert.equal((await store.list('topology', { name: 'b' })).filter((e) => e.parent === other).length, 1);
      assert.equal(await store.count('topology', { parent: uid('nobody') }), 0);
      assert.deepEqual(await store.list('topology', { parent: uid('nobody') }), []);

      const all = await store.list('topology');
      assert.equal(all.length, await store.count('topology'));
      assert.deepEqual([...all].sort(byNameUuid), all, 'unfiltered list is ordered too');
      assert.ok(writes.every((w) => all.some((e) => e.uuid === w.uuid)));
    });

    it('bumps the revision on every update and reports CREATE then UPDATE', async () => {
      const uuid = uid('svc');
      const first = await store.transaction((tx) => tx.put(write('service', uuid, { v: 1 }, { parent: 'c1', name: 'a' })));
      const second = await store.transaction((tx) => tx.put(write('service', uuid, { v: 2 }, { parent: 'c2', name: 'b' })));
      const third = await store.transaction((tx) => tx.put(write('service', uuid, { v: 3 }, { parent: 'c2', name: 'c' }), 2));
      assert.deepEqual(
        [first, second, third].map((t) => [t.result.revision, t.changes[0].op, t.changes[0].revision]),
        [
          [1, 'CREATE', 1],
          [2, 'UPDATE', 2],
          [3, 'UPDATE', 3],
        ],
      );
      const got = await store.get('service', uuid);
      assert.deepEqual([got?.revision, got?.body, got?.parent, got?.name], [3, { v: 3 }, 'c2', 'c']);
    });

    it('refuses to create over an existing entity (expectedRevision 0 → ALREADY_EXISTS)', async () => {
      const uuid = uid('dev');
      await store.transaction((tx) => tx.put(write('device', uuid, { v: 1 })));
      await assert.rejects(
        store.transaction((tx) => tx.put(write('device', uuid, { v: 2 }), 0)),
        code('ALREADY_EXISTS'),
      );
      const got = await store.get('device', uuid);
      assert.deepEqual([got?.revision, got?.body], [1, { v: 1 }]);
    });

    it('refuses a stale revision (REVISION_CONFLICT) and a revision on a missing entity (NOT_FOUND)', async () => {
      const uuid = uid('dev');
      await store.transaction((tx) => tx.put(write('device', uuid, { v: 1 })));
      await store.transaction((tx) => tx.put(write('device', uuid, { v: 2 }), 1));
      await assert.rejects(
        store.transaction((tx) => tx.put(write('device', uuid, { v: 3 }), 1)),
        code('REVISION_CONFLICT'),
      );
      await assert.rejects(
        store.transaction((tx) => tx.put(write('device', uid('missing'), {}), 3)),
        code('NOT_FOUND'),
      );
      await assert.rejects(
        store.transaction((tx) => tx.put(write('device', uuid, {}), -1)),
        code('INVALID_ARGUMENT'),
      );
      await assert.rejects(
        store.transaction((tx) => tx.putMany([write('device', uuid, { n: 1n })])),
        code('INVALID_ARGUMENT'),
      );
      const got = await store.get('device', uuid);
      assert.deepEqual([got?.revision, got?.body], [2, { v: 2 }]);
    });

    it('deletes with and without a revision', async () => {
      const a = uid('link');
      const b = uid('link');
      await store.transaction(async (tx) => {
        await tx.put(write('link', a, {}, { parent: 'p', name: 'A' }));
        await tx.put(write('link', b, {}, { parent: 'p', name: 'B' }));
        await tx.put(write('link', b, {}, { parent: 'p', name: 'B' }));
      });
      const first = await store.transaction((tx) => tx.delete('link', a));
      assert.equal(first.result, true);
      assert.deepEqual(first.changes, [{ kind: 'link', uuid: a, parent: 'p', name: 'A', op: 'REMOVE', revision: 1 }]);
      const again = await store.transaction((tx) => tx.delete('link', a));
      assert.deepEqual([again.result, again.changes], [false, []]);

      await assert.rejects(
        store.transaction((tx) => tx.delete('link', b, 1)),
        code('REVISION_CONFLICT'),
      );
      assert.ok(await store.get('link', b), 'a refused delete leaves the entity');
      await assert.rejects(
        store.transaction((tx) => tx.delete('link', a, 1)),
        code('NOT_FOUND'),
      );
      const withRev = await store.transaction((tx) => tx.delete('link', b, 2));
      assert.deepEqual(
        [withRev.result, withRev.changes],
        [true, [{ kind: 'link', uuid: b, parent: 'p', name: 'B', op: 'REMOVE', revision: 2 }]],
      );
      assert.equal(await store.get('link', b), undefined);
    });

    it('rolls back everything when fn throws, and reports no changes', async () => {
      const kept = uid('dev');
      await store.transaction((tx) => tx.put(write('device', kept, { v: 1 })));
      const [a, b, c] = [uid('dev'), uid('dev'), uid('dev')];
      const boom = new Error('boom');
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.put(write('device', a, {}));
          await tx.putMany([write('device', b, {}), write('device', c, {})]);
          await tx.put(write('device', kept, { v: 2 }));
          assert.equal(await tx.delete('device', kept), true);
          assert.equal((await tx.get('device', a))?.revision, 1, 'a transaction reads its own writes');
          throw boom;
        }),
        (err) => err === boom,
        'the error of fn comes out unchanged',
      );
      assert.deepEqual(await store.getMany('device', [a, b, c]), []);
      const got = await store.get('device', kept);
      assert.deepEqual([got?.revision, got?.body], [1, { v: 1 }]);
      const next = await store.transaction((tx) => tx.put(write('device', a, {})));
      assert.equal(next.changes.length, 1, 'the store is usable after a rollback');
    });

    it('does not commit when fn swallows a failed statement', async () => {
      const a = uid('dev');
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.put(write('device', a, {}));
          const bad = { ...write('device', uid('dev'), {}), name: null as unknown as string };
          await tx.put(bad).catch(() => undefined);
        }),
        code('STORE_ERROR'),
      );
      assert.equal(await store.get('device', a), undefined);
    });

    it('refuses a transaction handle used after its transaction ended', async () => {
      const { result: leaked } = await store.transaction(async (tx) => tx);
      await assert.rejects(leaked.get('device', uid('dev')), code('STORE_ERROR'));
    });

    it('putMany writes 5,000 rows that read back intact, with CREATE/UPDATE changes', async () => {
      const parent = uid('ctx');
      const writes = Array.from({ length: 5000 }, (_, i) =>
        write('device', `${parent}-d${String(i).padStart(5, '0')}`, { i, tags: ['x', i % 7], s: 'é'.repeat(i % 5) }, {
          parent,
          name: `dev-${String(i).padStart(5, '0')}`,
        }),
      );
      const { changes } = await store.transaction((tx) => tx.putMany(writes));
      assert.equal(changes.length, 5000);
      assert.ok(changes.every((c, i) => c.op === 'CREATE' && c.revision === 1 && c.uuid === writes[i].uuid));
      assert.equal(await store.count('device', { parent }), 5000);
      const listed = await store.list('device', { parent });
      assert.deepEqual(
        listed.map((e) => [e.uuid, e.name, e.parent, e.revision, e.body]),
        writes.map((w) => [w.uuid, w.name, w.parent, 1, w.body]),
      );
      const fetched = await store.getMany(
        'device',
        writes.map((w) => w.uuid),
      );
      assert.equal(fetched.length, 5000);

      const fresh = write('device', uid('dev'), { n: 1 }, { parent, name: 'zz' });
      const again = await store.transaction((tx) =>
        tx.putMany([fresh, { ...writes[0], body: { changed: true } }, { ...fresh, body: { n: 2 } }]),
      );
      assert.deepEqual(
        again.changes.map((c) => [c.uuid, c.op, c.revision]),
        [
          [fresh.uuid, 'CREATE', 1],
          [writes[0].uuid, 'UPDATE', 2],
          [fresh.uuid, 'UPDATE', 2],
        ],
      );
      const [f, w0] = [await store.get('device', fresh.uuid), await store.get('device', writes[0].uuid)];
      assert.deepEqual([f?.body, w0?.body, w0?.revision], [{ n: 2 }, { changed: true }, 2]);
      assert.deepEqual((await store.transaction((tx) => tx.putMany([]))).changes, []);
    });

    it('getMany returns the entities found, ignoring missing and repeated uuids and other kinds', async () => {
      const [a, b] = [uid('slice'), uid('slice')];
      await store.transaction(async (tx) => {
        await tx.put(write('slice', a, { a: 1 }));
        await tx.put(write('slice', b, { b: 1 }));
        await tx.put(write('service', uid('svc'), {}));
      });
      const got = await store.getMany('slice', [b, uid('missing'), a, b]);
      assert.deepEqual(got.map((e) => e.uuid).sort(), [a, b].sort());
      assert.deepEqual(await store.getMany('slice', []), []);
      assert.deepEqual(await store.getMany('service', [a]), []);
    });

    it('keeps JSON bodies exact: unicode, nesting, big numbers as numbers', async () => {
      const body = {
        text: 'héllo wörld — 日本語 — עברית — 🚀👩‍💻 — "quotes" \\ backslash \n newline',
        nul: 'a\u0000b',
        lone: '\ud800',
        nested: { a: { b: { c: [1, [2, [3, { d: null }]]] } }, empty: {}, list: [] },
        numbers: [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e300, -1.5e-300, 0.1, 0, 123456789012345680000],
        flags: [true, false, null],
      };
      const uuid = uid('conn');
      await store.transaction((tx) => tx.put(write('connection', uuid, body, { name: '名前 🚀' })));
      const got = await store.get<typeof body>('connection', uuid);
      assert.deepEqual(got?.body, body);
      assert.equal(got?.name, '名前 🚀');
      assert.ok(got?.body.numbers.every((n) => typeof n === 'number'));
      assert.deepEqual((await store.getMany('connection', [uuid]))[0].body, body);
      const top = await store.transaction((tx) => tx.put(write('connection', uid('conn'), 'just a string')));
      assert.equal((await store.get('connection', top.result.uuid))?.body, 'just a string');
    });

    it('loses no update when two transactions read-modify-write the same entity concurrently', async () => {
      const uuid = uid('ctr');
      await store.transaction((tx) => tx.put(write('context', uuid, { n: 0 })));
      const worker = async () => {
        const revisions: number[] = [];
        for (let i = 0; i < 20; i++) {
          const { changes } = await store.transaction(async (tx) => {
            const cur = (await tx.get<{ n: number }>('context', uuid)) as StoredEntity<{ n: number }>;
            await new Promise((resolve) => setImmediate(resolve));
            await tx.put(write('context', uuid, { n: cur.body.n + 1 }));
          });
          assert.equal(changes.length, 1, 'a retried attempt reports its changes once');
          revisions.push(changes[0].revision);
        }
        return revisions;
      };
      const [r1, r2] = await Promise.all([worker(), worker()]);
      const got = await store.get<{ n: number }>('context', uuid);
      assert.equal(got?.body.n, 40);
      assert.equal(got?.revision, 41);
      assert.deepEqual(
        [...r1, ...r2].sort((x, y) => x - y),
        Array.from({ length: 40 }, (_, i) => i + 2),
        'every committed change carries its own revision',
      );
    });

    it('gives stored bodies as JSON text, in list order, equal to the parsed ones', async () => {
      const parent = uid('rawp');
      const uuids = [uid('raw'), uid('raw'), uid('raw')];
      await store.transaction(async (tx) => {
        for (const [i, u] of uuids.entries()) await tx.put(write('slice', u, { i, s: 'é"\\n' }, { parent, name: `n${2 - i}` }));
      });
      const listed = await store.list('slice', { parent });
      const texts = await store.listJson('slice', { parent });
      assert.deepEqual(texts.map((t) => JSON.parse(t)), listed.map((e) => e.body));
      assert.deepEqual(JSON.parse((await store.getJson('slice', uuids[0]!))!), { i: 0, s: 'é"\\n' });
      assert.equal(await store.getJson('slice', uid('missing')), undefined);
    });

    it('records each committed change set in the outbox, in the same commit, until acknowledged', async () => {
      const a = uid('ob');
      const b = uid('ob');
      const committed = await store.transaction(async (tx) => {
        await tx.put(write('link', a, { n: 1 }));
        await tx.put(write('link', b, { n: 2 }));
      });
      assert.ok(committed.outbox, 'a writing transaction has an outbox entry');
      const readOnly = await store.transaction((tx) => tx.get('link', a));
      assert.equal(readOnly.outbox, undefined);
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.put(write('link', uid('ob'), {}));
          throw new Error('abort');
        }),
      );
      const later = new Date(Date.now() + 60_000).toISOString();
      const pending = await store.outboxPending(later, 100000);
      const mine = pending.find((e) => e.id === committed.outbox!.id);
      assert.ok(mine, 'the entry is pending');
      assert.equal(mine.createdAt, committed.outbox!.createdAt);
      assert.deepEqual(mine.changes, committed.changes);
      const rolledBack = pending.filter((e) => e.changes.some((c) => c.uuid.startsWith(`${run}-ob-`) && c.uuid !== a && c.uuid !== b));
      assert.deepEqual(rolledBack, [], 'a rolled-back transaction leaves no outbox entry');
      assert.equal((await store.outboxPending(committed.outbox!.createdAt, 100000)).some((e) => e.id === committed.outbox!.id), false, 'olderThan is exclusive');
      await store.outboxAck([committed.outbox!.id]);
      assert.equal((await store.outboxPending(later, 100000)).some((e) => e.id === committed.outbox!.id), false);
    });

    it('reports every change of a transaction, in order, only after commit', async () => {
      const [a, b, c] = [uid('dev'), uid('dev'), uid('dev')];
      await store.transaction((tx) => tx.put(write('device', c, {}, { parent: 'p', name: 'C' })));
      const { changes } = await store.transaction(async (tx) => {
        await tx.put(write('device', a, {}, { parent: 'p', name: 'A' }), 0);
        await tx.put(write('device', a, { x: 1 }, { parent: 'p', name: 'A' }), 1);
        await tx.putMany([write('device', b, {}, { parent: 'p', name: 'B' }), write('device', c, {}, { parent: 'p', name: 'C' })]);
        await tx.delete('device', a);
        await tx.delete('device', uid('missing'));
      });
      assert.deepEqual(changes, [
        { kind: 'device', uuid: a, parent: 'p', name: 'A', op: 'CREATE', revision: 1 },
        { kind: 'device', uuid: a, parent: 'p', name: 'A', op: 'UPDATE', revision: 2 },
        { kind: 'device', uuid: b, parent: 'p', name: 'B', op: 'CREATE', revision: 1 },
        { kind: 'device', uuid: c, parent: 'p', name: 'C', op: 'UPDATE', revision: 2 },
        { kind: 'device', uuid: a, parent: 'p', name: 'A', op: 'REMOVE', revision: 2 },
      ]);
    });
  });
}
