/**
 * Kysely over postgres.js, safe across lost connections (failover, partition, server restart).
 *
 * Kysely reserves a postgres.js connection for every query and every transaction. postgres.js
 * 3.4 hands a reserved connection's queries to the connection object even after its socket has
 * closed, and `release()` puts such a closed connection back among the open ones: the next query
 * on it is written to a null socket from a setImmediate, an uncaught TypeError ("reading 'write'")
 * that ends the process. That is what made replicas exit during a PostgreSQL failover.
 *
 * This driver never touches a reserved connection once it is known to be lost: after a
 * connection-level error, or once postgres.js has moved the connection to its closed queue
 * (it clears `reserved` then), queries on it fail with CONNECTION_CLOSED and it is not released
 * (the pool already took it back as closed and reconnects it on demand).
 */
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresDriver,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from 'kysely';
import postgres, { type ReservedSql, type Sql } from 'postgres';

const CONNECT_TIMEOUT_S = 10;

/**
 * A postgres.js client for `url` (one or several hosts). Our defaults apply only where the URL is
 * silent (postgres.js lets explicit options win over the URL). `target_session_attrs=read-write`
 * is asked of postgres.js as `primary`: its read-write test looks only at
 * default_transaction_read_only, which a PostgreSQL 14+ hot standby reports as off, so during a
 * failover it settled on the standby and every write failed there until the promotion.
 */
export function postgresClient(url: string, options: { max: number; applicationName: string; connectTimeoutS?: number }): Sql {
  const params = new URLSearchParams(url.split('?')[1] ?? '');
  return postgres(url, {
    max: options.max,
    ...(params.has('connect_timeout') ? {} : { connect_timeout: options.connectTimeoutS ?? CONNECT_TIMEOUT_S }),
    ...(params.get('target_session_attrs') === 'read-write' ? { target_session_attrs: 'primary' as const } : {}),
    onnotice: () => {},
    connection: { application_name: options.applicationName },
  });
}

/** postgres.js error codes of a connection that is gone or could not be made. */
const CONNECTION_CODES = new Set(['CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECTION_ENDED', 'CONNECT_TIMEOUT']);

/**
 * True when err (or its cause chain) says the connection itself failed, not the statement: the
 * server never ran it or its outcome is unknown. Node socket errors carry `syscall`.
 */
export function isConnectionError(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, syscall } = e as { code?: unknown; syscall?: unknown };
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || (typeof syscall === 'string' && /^E[A-Z]+$/.test(code)))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** How long a query waits for a pool connection before it fails as a connection error. */
const RESERVE_WAIT_MS = 5000;

function lostError(): Error {
  return Object.assign(new Error('the database connection was lost'), { code: 'CONNECTION_CLOSED' });
}

/** The one field of a postgres.js connection object read here: set while reserved, cleared on close. */
interface ConnectionInternals {
  reserved: unknown;
}

class SafeConnection implements DatabaseConnection {
  #reserved: ReservedSql | undefined;
  /** The postgres.js connection, learned from the first statement without parameters (BEGIN). */
  #internals: ConnectionInternals | undefined;
  #lost = false;
  readonly #capture = {
    onexecute: (c: ConnectionInternals) => {
      this.#internals = c;
      return true;
    },
  };

  constructor(private readonly sql: Sql) {}

  get lost(): boolean {
    if (!this.#lost && this.#internals !== undefined && this.#internals.reserved == null) this.#lost = true;
    return this.#lost;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.lost) throw lostError();
    this.#reserved ??= await this.#reserve();
    try {
      const result = await this.#reserved.unsafe(query.sql, query.parameters as never[], this.#capture as never);
      const { command, count } = result;
      return {
        numAffectedRows: command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE' ? BigInt(count) : undefined,
        rows: Array.from(result.values()) as R[],
      };
    } catch (err) {
      if (isConnectionError(err)) this.#lost = true;
      throw err;
    }
  }

  /**
   * A connection from the pool, waited for at most RESERVE_WAIT_MS: while no host qualifies (a
   * failover in progress) postgres.js keeps trying the hosts and would hold the caller forever.
   * A connection that arrives after the wait goes back to the pool.
   */
  async #reserve(): Promise<ReservedSql> {
    const pending = this.sql.reserve();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error(`no database connection within ${RESERVE_WAIT_MS} ms`), { code: 'CONNECT_TIMEOUT' })),
        RESERVE_WAIT_MS,
      );
    });
    try {
      return await Promise.race([pending, timeout]);
    } catch (err) {
      pending.then(
        (late) => late.release(),
        () => undefined,
      );
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  // biome-ignore lint/correctness/useYield: streaming is not offered
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported by this driver');
  }

  release(): void {
    const reserved = this.#reserved;
    this.#reserved = undefined;
    if (reserved && !this.lost) reserved.release();
  }
}

class SafeDriver extends PostgresDriver implements Driver {
  constructor(private readonly sql: Sql) {
    super({ pool: undefined as never });
  }

  override async init(): Promise<void> {}

  override async acquireConnection(): Promise<DatabaseConnection> {
    return new SafeConnection(this.sql);
  }

  override async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as SafeConnection).release();
  }

  override async destroy(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
}

/** A Kysely dialect over a postgres.js client (see the module comment for why not kysely-postgres-js). */
export class SafePostgresJSDialect implements Dialect {
  constructor(private readonly sql: Sql) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new SafeDriver(this.sql);
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}
