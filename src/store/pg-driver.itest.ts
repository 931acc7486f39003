import assert from 'node:assert/strict';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { after, beforeEach, describe, it } from 'node:test';
import { Kysely, sql } from 'kysely';
import postgres from 'postgres';
import { CnsdnError } from '../common/errors.js';
import { openStore, type Store } from './index.js';
import { isConnectionError, SafePostgresJSDialect } from './pg-driver.js';
import { isTransientDatabaseError } from './reconnect.js';
import { describePostgres } from './pg-testing.js';

/** Backends ended by the server while a client holds them: what a failover does to every connection. */
await describePostgres('postgres.js connections lost under Kysely', async (freshDatabase) => {
  const url = await freshDatabase();
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const terminate = (pid: number) => admin`select pg_terminate_backend(${pid})`;
  // A pool per test: each starts from healthy connections.
  const pools: Kysely<unknown>[] = [];
  let db!: Kysely<unknown>;
  beforeEach(() => {
    db = new Kysely<unknown>({ dialect: new SafePostgresJSDialect(postgres(url, { max: 2, onnotice: () => {} })) });
    pools.push(db);
  });
  const stores: Store[] = [];
  after(async () => {
    for (const s of stores) await s.close();
    for (const p of pools) await p.destroy();
    await admin.end();
  });
  const pidOf = async (conn: Kysely<unknown>) => (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn)).rows[0]!.pid;
  /**
   * A pool query. A connection error may still reach a few (postgres.js passes a terminated
   * backend's 57P01 to a query racing the close; the store retries those): at most one per pooled
   * connection, then it must answer.
   */
  const one = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await sql<{ x: number }>`select 1 as x`.execute(db)).rows[0]!.x;
      } catch (e) {
        if (attempt > 2 || !isTransientDatabaseError(e)) throw e;
      }
    }
  };

  describe('SafePostgresJSDialect', () => {
    it('refuses a connection that closed while reserved and idle, and the pool serves on', async () => {
      const err = await db
        .connection()
        .execute(async (conn) => {
          await terminate(await pidOf(conn));
          // The close reaches the client asynchronously: wait until it did.
          for (let i = 0; i < 100; i++) {
            try {
              await sql`select 1`.execute(conn);
            } catch (e) {
              return e;
            }
            await new Promise((r) => setTimeout(r, 50));
          }
          return undefined;
        });
      assert.ok(isConnectionError(err), `expected a connection error, got ${err}`);
      for (let i = 0; i < 4; i++) assert.equal(await one(), 1);
    });

    it('does not hand a connection that died under a query back to the pool', async () => {
      const err = await db
        .connection()
        .execute(async (conn) => {
          const pid = await pidOf(conn);
          const slow = sql`select pg_sleep(30)`.execute(conn).then(
            () => undefined,
            (e: unknown) => e,
          );
          await new Promise((r) => setTimeout(r, 200));
          await terminate(pid);
          return slow;
        });
      assert.ok(isConnectionError(err), `expected a connection error, got ${err}`);
      for (let i = 0; i < 4; i++) assert.equal(await one(), 1);
    });
  });

  describe('store over a lost connection', () => {
    it('runs a transaction again when its connection died before COMMIT', async () => {
      const store = await openStore({ url });
      stores.push(store);
      let attempts = 0;
      const { result } = await store.transaction(async (tx) => {
        attempts++;
        await tx.put({ kind: 'context', uuid: 'retried', parent: null, name: 'retried', body: {} });
        if (attempts === 1) {
          const [{ pid }] = await admin<{ pid: number }[]>`select pid from pg_stat_activity where application_name = 'cnsdn' and state like 'idle in transaction%'`;
          await terminate(pid!);
          await new Promise((r) => setTimeout(r, 200));
        }
        return attempts;
      });
      assert.equal(result, 2);
      assert.equal((await store.get('context', 'retried'))?.name, 'retried');
    });

    it('waits through a short outage, and answers UNAVAILABLE past the budget', async () => {
      const proxy = new TcpProxy(url);
      await proxy.start();
      const store = await openStore({ url: proxy.url });
      stores.push(store);
      await store.transaction((tx) => tx.put({ kind: 'context', uuid: 'before', parent: null, name: 'before', body: {} }));
      proxy.stop();
      const waited = store.get('context', 'before');
      await new Promise((r) => setTimeout(r, 1500));
      await proxy.start();
      assert.equal((await waited)?.name, 'before');
      proxy.stop();
      await assert.rejects(
        () => store.get('context', 'before'),
        (e: unknown) => e instanceof CnsdnError && e.code === 'UNAVAILABLE',
      );
      await proxy.start();
      assert.equal((await store.get('context', 'before'))?.name, 'before');
      proxy.stop();
    });
  });
});

/** A TCP relay to the test server that can be stopped (every connection cut, new ones refused) and started again on its port. */
class TcpProxy {
  #server: Server | undefined;
  #port = 0;
  readonly #sockets = new Set<Socket>();
  readonly #target: { host: string; port: number };
  constructor(private readonly targetUrl: string) {
    const m = /@([^:/]+):(\d+)\//.exec(targetUrl);
    if (!m) throw new Error(`cannot parse ${targetUrl}`);
    this.#target = { host: m[1]!, port: Number(m[2]) };
  }
  get url(): string {
    return this.targetUrl.replace(/@[^/]+\//, `@127.0.0.1:${this.#port}/`);
  }
  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = createConnection(this.#target);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => {
          this.#sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.#port, '127.0.0.1', resolve));
    this.#port = (server.address() as { port: number }).port;
    this.#server = server;
  }
  stop(): void {
    this.#server?.close();
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
  }
}
