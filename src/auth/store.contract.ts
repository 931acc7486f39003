/** The auth store contract: every database backend the controller supports runs it. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { CnsdnError } from '../common/errors.js';
import type { Store } from '../store/index.js';
import { AuthStore } from './store.js';

export function runAuthStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`auth store contract: ${name}`, () => {
    const opened: Store[] = [];
    after(async () => {
      for (const s of opened) await s.close();
    });
    const fresh = async () => {
      const store = await open();
      opened.push(store);
      return AuthStore.of(store);
    };

    it('creates, reads, updates and deletes users; a taken name is ALREADY_EXISTS', async () => {
      const a = await fresh();
      assert.equal(await a.countUsers(), 0);
      const u = await a.createUser({ username: 'alice', role: 'operator', passwordHash: 'h1' });
      assert.deepEqual([u.username, u.role, u.disabled, u.sessionsSince], ['alice', 'operator', false, 0]);
      await assert.rejects(a.createUser({ username: 'alice', role: 'viewer', passwordHash: 'h2' }), (e) => e instanceof CnsdnError && e.code === 'ALREADY_EXISTS');
      await a.createUser({ username: 'bob', role: 'viewer', passwordHash: 'h3' });
      assert.deepEqual((await a.listUsers()).map((x) => x.username), ['alice', 'bob']);
      const since = Date.parse('2026-01-02T03:04:05.678Z');
      const changed = await a.updateUser('alice', { role: 'admin', disabled: true, passwordHash: 'h9', sessionsSince: since });
      assert.deepEqual([changed?.role, changed?.disabled, changed?.passwordHash, changed?.sessionsSince], ['admin', true, 'h9', since]);
      assert.equal(await a.updateUser('nobody', { role: 'admin' }), undefined);
      assert.equal((await a.getUser('alice'))?.passwordHash, 'h9');
      assert.equal(await a.deleteUser('alice'), true);
      assert.equal(await a.deleteUser('alice'), false);
      assert.equal(await a.getUser('alice'), undefined);
      assert.equal(await a.countUsers(), 1);
    });

    it('keeps API tokens by hash, lists them without secrets, removes a deleted owner’s tokens', async () => {
      const a = await fresh();
      await a.createUser({ username: 'carol', role: 'operator', passwordHash: 'h' });
      const t1 = await a.createToken({ name: 'ci', role: 'viewer', tokenHash: 'hash-1', owner: 'carol' });
      const t2 = await a.createToken({ name: 'root script', role: 'admin', tokenHash: 'hash-2', owner: null });
      assert.deepEqual((await a.getTokenByHash('hash-1'))?.id, t1.id);
      assert.equal(await a.getTokenByHash('hash-x'), undefined);
      const all = await a.listTokens();
      assert.deepEqual(all.map((t) => t.id).sort(), [t1.id, t2.id].sort());
      assert.ok(all.every((t) => !JSON.stringify(t).includes('hash-')), 'no hashes listed');
      assert.deepEqual((await a.listTokens('carol')).map((t) => t.name), ['ci']);
      await a.deleteUser('carol');
      assert.equal(await a.getTokenByHash('hash-1'), undefined);
      assert.equal(await a.deleteToken(t2.id), true);
      assert.equal(await a.deleteToken(t2.id), false);
    });

    it('audit entries: newest first, filtered by user, time and outcome, paged by (at, id)', async () => {
      const a = await fresh();
      const base = Date.parse('2026-05-01T00:00:00.000Z');
      const entries = Array.from({ length: 12 }, (_, i) => ({
        id: `id-${String(i).padStart(2, '0')}`,
        at: new Date(base + Math.floor(i / 2) * 1000).toISOString(),
        principal: i % 3 === 0 ? 'alice' : 'bob',
        via: 'session',
        method: 'POST',
        path: `/tfs-api/device/d${i}`,
        action: null,
        target: { device_uuid: `d${i}` },
        clientIp: '127.0.0.2',
        status: i % 4 === 0 ? 403 : 200,
        code: i % 4 === 0 ? 'CNSDN_PERMISSION_DENIED' : null,
        requestId: `r${i}`,
      }));
      await a.appendAudit(entries);
      const all = await a.queryAudit({ limit: 100 });
      assert.deepEqual(all.map((e) => e.id), entries.map((e) => e.id).reverse());
      assert.deepEqual(all[0], entries[11]);
      assert.deepEqual((await a.queryAudit({ limit: 100, principal: 'alice' })).map((e) => e.id), ['id-09', 'id-06', 'id-03', 'id-00']);
      assert.deepEqual((await a.queryAudit({ limit: 100, outcome: 'failure' })).map((e) => e.id), ['id-08', 'id-04', 'id-00']);
      assert.equal((await a.queryAudit({ limit: 100, outcome: 'success' })).length, 9);
      const since = new Date(base + 2000).toISOString();
      const until = new Date(base + 4000).toISOString();
      assert.deepEqual((await a.queryAudit({ limit: 100, since, until })).map((e) => e.id), ['id-07', 'id-06', 'id-05', 'id-04']);
      const pages: string[] = [];
      let before: { at: string; id: string } | undefined;
      for (;;) {
        const page = await a.queryAudit({ limit: 5, ...(before ? { before } : {}) });
        pages.push(...page.map((e) => e.id));
        if (page.length < 5) break;
        const last = page[page.length - 1]!;
        before = { at: last.at, id: last.id };
      }
      assert.deepEqual(pages, all.map((e) => e.id), 'pages cover everything once, in order, across equal timestamps');
    });

    it('settings: the first writer wins (one session key for every replica)', async () => {
      const a = await fresh();
      assert.equal(await a.getSetting('k'), undefined);
      const results = await Promise.all(['v1', 'v2', 'v3'].map((v) => a.settingIfAbsent('k', v)));
      assert.equal(new Set(results).size, 1);
      assert.equal(await a.getSetting('k'), results[0]);
    });

    it('setup completes once: a wrong token is refused, a second setup is SETUP_COMPLETED, tokens are gone', async () => {
      const a = await fresh();
      await a.addSetupToken('tok-a');
      await a.addSetupToken('tok-b');
      assert.equal(await a.setupTokenExists('tok-a'), true);
      await assert.rejects(
        a.completeSetup({ username: 'root', passwordHash: 'h' }, (known) => known('tok-wrong')),
        (e) => e instanceof CnsdnError && e.code === 'INVALID_CREDENTIALS',
      );
      assert.equal(await a.countUsers(), 0, 'nothing written');
      const results = await Promise.allSettled([
        a.completeSetup({ username: 'root', passwordHash: 'h' }, (known) => known('tok-a')),
        a.completeSetup({ username: 'other', passwordHash: 'h' }, (known) => known('tok-b')),
      ]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, 'exactly one setup wins');
      assert.equal(await a.countUsers(), 1);
      assert.equal(await a.setupDone(), true);
      assert.equal(await a.setupTokenExists('tok-a'), false);
      assert.equal(await a.setupTokenExists('tok-b'), false);
      await assert.rejects(
        a.completeSetup({ username: 'late', passwordHash: 'h' }, async () => true),
        (e) => e instanceof CnsdnError && e.code === 'SETUP_COMPLETED',
      );
    });

    it('keeps revoked sessions until their expiry, lists those written since a time, drops expired ones on the next revocation', async () => {
      const a = await fresh();
      const t0 = new Date('2026-03-01T10:00:00.000Z');
      await a.revokeSession('s1', t0.getTime() + 60_000, t0);
      await a.revokeSession('s2', t0.getTime() + 3600_000, new Date(t0.getTime() + 1000));
      await a.revokeSession('s2', t0.getTime() + 3600_000, new Date(t0.getTime() + 1000));
      assert.deepEqual([...(await a.revokedSessions(new Date(0).toISOString(), t0))].sort(), [
        ['s1', t0.getTime() + 60_000],
        ['s2', t0.getTime() + 3600_000],
      ]);
      assert.deepEqual([...(await a.revokedSessions(new Date(t0.getTime() + 500).toISOString(), t0)).keys()], ['s2'], 'written since');
      const later = new Date(t0.getTime() + 120_000);
      assert.deepEqual([...(await a.revokedSessions(new Date(0).toISOString(), later)).keys()], ['s2'], 's1 expired');
      await a.revokeSession('s3', later.getTime() + 60_000, later);
      assert.equal(await a.getSetting('auth.revoked_session.s1'), undefined, 'expired revocations are removed');
      assert.notEqual(await a.getSetting('auth.revoked_session.s2'), undefined);
    });
  });
}
