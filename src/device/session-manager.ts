import { CnsdnError, type ErrorCode, isCnsdnError } from '../common/errors.js';
import type { Allowlist } from './allowlist.js';
import type { DeviceOperationalStatus, DeviceStatusSink, Driver, DriverFactory, EndpointInfo, ManagedDevice } from './api.js';
import { type BackoffOptions, backoffDelay, validateBackoff } from './backoff.js';
import type { DriverRegistry } from './registry.js';
import { Semaphore } from './semaphore.js';
import { stableStringify } from './stable-json.js';

/**
 * queued: waiting for a connect slot; connecting: connecting or discovering endpoints;
 * connected: session up; backoff: waiting to retry; refused: outside the southbound
 * allowlist (no retry); failed: cannot work until the device changes (no driver, bad settings).
 */
export type SessionState = 'queued' | 'connecting' | 'connected' | 'backoff' | 'refused' | 'failed';

export interface SessionStatus {
  uuid: string;
  name: string;
  state: SessionState;
  /** The TFS driver name chosen for the device, once resolved. */
  driver?: string;
  /** Retries scheduled since the session was last stable (up for at least backoff.maxMs). */
  attempts: number;
  /** Coded reason of the last failure, e.g. "CNSDN_DEVICE_UNREACHABLE: ...". */
  lastError?: string;
  /** Epoch ms of the next connect attempt, while in backoff. */
  nextRetryAt?: number;
  /** Epoch ms the current session came up, while connected. */
  connectedAt?: number;
}

export interface SessionStats {
  devices: number;
  connected: number;
  /** Queued for a slot or connecting. */
  connecting: number;
  /** In backoff, refused or failed. */
  failed: number;
}

/** The subset of a pino logger the session manager uses. */
export interface DeviceLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SessionManagerOptions {
  registry: DriverRegistry;
  allowlist: Allowlist;
  sink: DeviceStatusSink;
  logger?: DeviceLogger;
  /** Default {initialMs: 1000, maxMs: 60000}. */
  backoff?: BackoffOptions;
  /** Bound on connect and on endpoint discovery, each (default 15000 ms). */
  connectTimeoutMs?: number;
  /** Connects in flight at once (default 32). */
  maxConcurrentConnects?: number;
  /** For tests: the jitter source (default Math.random). */
  random?: () => number;
}

/** Called with the driver when a session comes up, and with undefined when it goes away. */
export type SessionListener = (deviceUuid: string, driver: Driver | undefined) => void;

/** Failures that retrying cannot fix: only a change of the device (a new add()) can. */
const PERMANENT: ReadonlySet<ErrorCode> = new Set(['SOUTHBOUND_NOT_ALLOWED', 'INVALID_ARGUMENT', 'DRIVER_NOT_FOUND']);

interface Session {
  device: ManagedDevice;
  fingerprint: string;
  stopped: boolean;
  state: SessionState;
  driverName?: string;
  /** Set from a successful connect until the session is torn down or lost. */
  driver?: Driver;
  /** The driver of the attempt in progress. */
  pending?: Driver;
  /** A drop the pending driver reported while its attempt was still running. */
  lostWhileConnecting?: Error;
  offDisconnect?: () => void;
  attempts: number;
  lastError?: string;
  retryTimer?: NodeJS.Timeout;
  nextRetryAt?: number;
  connectedAt?: number;
  reported?: string;
  reports: Promise<void>;
  /** Resolves when the previous session of the same device has let go of its driver. */
  predecessor: Promise<void>;
  /** Operations waiting for the attempt in progress to end (connected or not). */
  settled: Array<() => void>;
}

const NO_LOG: DeviceLogger = { debug() {}, info() {}, warn() {}, error() {} };

function toCnsdnError(e: unknown): CnsdnError {
  if (isCnsdnError(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new CnsdnError('DRIVER_ERROR', message, [], { cause: e });
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  p.catch(() => undefined);
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Keeps one driver session per managed device: connects (bounded concurrency, timeouts,
 * southbound allowlist), reports status and endpoints to the sink, reconnects with
 * exponential backoff, and serialises operations per device.
 */
export class SessionManager {
  readonly #registry: DriverRegistry;
  readonly #allowlist: Allowlist;
  readonly #sink: DeviceStatusSink;
  readonly #log: DeviceLogger;
  readonly #backoff: BackoffOptions;
  readonly #connectTimeoutMs: number;
  readonly #random: () => number;
  readonly #slots: Semaphore;
  readonly #sessions = new Map<string, Session>();
  readonly #chains = new Map<string, Promise<void>>();
  readonly #listeners = new Set<SessionListener>();
  #closed = false;

  constructor(options: SessionManagerOptions) {
    this.#registry = options.registry;
    this.#allowlist = options.allowlist;
    this.#sink = options.sink;
    this.#log = options.logger ?? NO_LOG;
    this.#backoff = validateBackoff(options.backoff ?? { initialMs: 1000, maxMs: 60_000 });
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
    this.#random = options.random ?? Math.random;
    this.#slots = new Semaphore(options.maxConcurrentConnects ?? 32);
  }

  /**
   * Starts managing a device. Adding the same device again changes nothing; adding it with
   * other settings replaces the session (the old one is closed first). Resolves once the
   * connect is scheduled, not when it is done: the outcome goes to the sink.
   */
  async add(device: ManagedDevice): Promise<void> {
    if (this.#closed) throw new CnsdnError('INVALID_ARGUMENT', 'the session manager is closed');
    const fingerprint = stableStringify({
      name: device.name,
      drivers: device.drivers,
      address: device.address,
      port: device.port,
      settings: device.settings,
    });
    const existing = this.#sessions.get(device.uuid);
    if (existing?.fingerprint === fingerprint) return;
    const predecessor = existing ? this.#teardown(existing) : Promise.resolve();
    const session: Session = {
      device: structuredClone(device),
      fingerprint,
      stopped: false,
      state: 'queued',
      attempts: 0,
      reports: Promise.resolve(),
      predecessor,
      settled: [],
    };
    this.#sessions.set(device.uuid, session);
    void this.#attempt(session);
    await predecessor;
  }

  /** Stops managing a device: cancels retries and closes its session. Reports nothing to the sink. */
  async remove(uuid: string): Promise<void> {
    const session = this.#sessions.get(uuid);
    if (!session) return;
    this.#sessions.delete(uuid);
    await this.#teardown(session);
  }

  /** The connected driver of a device, or undefined. Prefer withDriver for operations. */
  get(uuid: string): Driver | undefined {
    const s = this.#sessions.get(uuid);
    return s?.state === 'connected' ? s.driver : undefined;
  }

  status(uuid: string): SessionStatus | undefined {
    const s = this.#sessions.get(uuid);
    if (!s) return undefined;
    return {
      uuid,
      name: s.device.name,
      state: s.state,
      attempts: s.attempts,
      ...(s.driverName !== undefined ? { driver: s.driverName } : {}),
      ...(s.lastError !== undefined ? { lastError: s.lastError } : {}),
      ...(s.nextRetryAt !== undefined ? { nextRetryAt: s.nextRetryAt } : {}),
      ...(s.state === 'connected' && s.connectedAt !== undefined ? { connectedAt: s.connectedAt } : {}),
    };
  }

  stats(): SessionStats {
    const stats: SessionStats = { devices: this.#sessions.size, connected: 0, connecting: 0, failed: 0 };
    for (const s of this.#sessions.values()) {
      if (s.state === 'connected') stats.connected += 1;
      else if (s.state === 'queued' || s.state === 'connecting') stats.connecting += 1;
      else stats.failed += 1;
    }
    return stats;
  }

  /** Telemetry uses this to resubscribe after a reconnect. Returns an unregister function. */
  onSession(listener: SessionListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Runs fn with the device's connected driver, one call at a time per device, in call
   * order. A device still connecting (just added, or reporting ENABLED an instant before its
   * session is usable) is waited for, at most for one connect and discovery; rejects with
   * DEVICE_UNREACHABLE if the device is not connected when its turn comes.
   */
  withDriver<T>(uuid: string, fn: (driver: Driver) => Promise<T>): Promise<T> {
    const previous = this.#chains.get(uuid) ?? Promise.resolve();
    const run = previous.then(async () => {
      let driver = this.get(uuid);
      const s = this.#sessions.get(uuid);
      if (!driver && s && (s.state === 'queued' || s.state === 'connecting')) {
        await this.#attemptEnded(s);
        driver = this.get(uuid);
      }
      if (!driver) throw this.#notConnected(uuid);
      return fn(driver);
    });
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#chains.set(uuid, tail);
    void tail.then(() => {
      if (this.#chains.get(uuid) === tail) this.#chains.delete(uuid);
    });
    return run;
  }

  /** Closes every session. Reports nothing to the sink: another replica may take the devices over. */
  async close(): Promise<void> {
    this.#closed = true;
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.all(sessions.map((s) => this.#teardown(s)));
  }

  #attemptEnded(s: Session): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, 2 * this.#connectTimeoutMs + 1000);
      function done(): void {
        clearTimeout(timer);
        const i = s.settled.indexOf(done);
        if (i >= 0) s.settled.splice(i, 1);
        resolve();
      }
      s.settled.push(done);
    });
  }

  #wakeWaiters(s: Session): void {
    for (const done of s.settled.splice(0)) done();
  }

  #notConnected(uuid: string): CnsdnError {
    const s = this.#sessions.get(uuid);
    if (!s) return new CnsdnError('DEVICE_UNREACHABLE', `device ${uuid} is not managed by this controller`);
    const why = s.lastError ? `; last error: ${s.lastError}` : '';
    return new CnsdnError('DEVICE_UNREACHABLE', `device ${s.device.name} (${uuid}) is not connected (${s.state})${why}`);
  }

  async #attempt(s: Session): Promise<void> {
    s.retryTimer = undefined;
    s.nextRetryAt = undefined;
    await s.predecessor;
    if (s.stopped) return;
    let factory: DriverFactory;
    try {
      const resolved = this.#registry.resolve(s.device.drivers);
      s.driverName = resolved.name;
      factory = resolved.factory;
    } catch (e) {
      return this.#fail(s, e);
    }
    s.state = 'queued';
    const release = await this.#slots.acquire();
    if (s.stopped) return release();
    s.state = 'connecting';
    const outcome = await this.#connect(s, factory).then(
      (ok) => ({ ok }),
      (error: unknown) => ({ error }),
    );
    release();
    if (s.stopped) return;
    if ('error' in outcome) return this.#fail(s, outcome.error);
    await this.#established(s, outcome.ok.driver, outcome.ok.endpoints);
  }

  async #connect(s: Session, factory: DriverFactory): Promise<{ driver: Driver; endpoints: EndpointInfo[] }> {
    const { uuid, name, port, settings } = s.device;
    const address = factory.usesNetwork ? await this.#allowlist.check(s.device.address) : s.device.address;
    if (s.stopped) throw new CnsdnError('DEVICE_UNREACHABLE', 'session stopped');
    const driver = factory.create({ deviceUuid: uuid, deviceName: name, address, port, settings });
    s.pending = driver;
    s.lostWhileConnecting = undefined;
    s.offDisconnect = driver.onDisconnect((reason) => this.#lost(s, driver, reason));
    const ms = this.#connectTimeoutMs;
    try {
      await withTimeout(driver.connect(), ms, () => new CnsdnError('DEVICE_UNREACHABLE', `connect to ${name} at ${address}:${port} timed out after ${ms} ms`));
      const endpoints = await withTimeout(driver.discoverEndpoints(), ms, () => new CnsdnError('DEVICE_UNREACHABLE', `endpoint discovery on ${name} timed out after ${ms} ms`));
      if (s.lostWhileConnecting) throw s.lostWhileConnecting;
      s.driver = driver;
      return { driver, endpoints };
    } catch (e) {
      s.offDisconnect?.();
      s.offDisconnect = undefined;
      await driver.disconnect().catch((err: unknown) => this.#log.debug({ device: uuid, err }, 'disconnect after failed connect failed'));
      throw e;
    } finally {
      if (s.pending === driver) s.pending = undefined;
    }
  }

  async #established(s: Session, driver: Driver, endpoints: EndpointInfo[]): Promise<void> {
    const uuid = s.device.uuid;
    try {
      await this.#sink.setEndpoints(uuid, endpoints);
      if (s.stopped || s.driver !== driver) return;
      s.lastError = undefined;
      await this.#report(s, 'DEVICEOPERATIONALSTATUS_ENABLED');
    } catch (e) {
      if (s.stopped || s.driver !== driver) return;
      this.#dropDriver(s);
      return this.#fail(s, e);
    }
    if (s.stopped || s.driver !== driver) return;
    s.state = 'connected';
    s.connectedAt = Date.now();
    this.#wakeWaiters(s);
    this.#log.info({ device: uuid, name: s.device.name, driver: s.driverName, endpoints: endpoints.length }, 'device connected');
    this.#emit(uuid, driver);
  }

  #lost(s: Session, driver: Driver, reason: Error): void {
    if (s.stopped) return;
    const error = new CnsdnError('DEVICE_UNREACHABLE', `session to ${s.device.name} lost: ${reason.message}`, [], { cause: reason });
    if (s.pending === driver) {
      s.lostWhileConnecting = error;
      return;
    }
    if (s.driver !== driver) return;
    const wasConnected = s.state === 'connected';
    if (s.connectedAt !== undefined && Date.now() - s.connectedAt >= this.#backoff.maxMs) s.attempts = 0;
    this.#dropDriver(s);
    if (wasConnected) this.#emit(s.device.uuid, undefined);
    void this.#fail(s, error);
  }

  /** Forgets the session's driver and closes it in the background. */
  #dropDriver(s: Session): void {
    const driver = s.driver;
    s.driver = undefined;
    s.connectedAt = undefined;
    s.offDisconnect?.();
    s.offDisconnect = undefined;
    void driver?.disconnect().catch((err: unknown) => this.#log.debug({ device: s.device.uuid, err }, 'disconnect of a lost session failed'));
  }

  async #fail(s: Session, e: unknown): Promise<void> {
    const error = toCnsdnError(e);
    const reason = `${error.fullCode}: ${error.message}`;
    const repeated = reason === s.lastError;
    s.lastError = reason;
    const permanent = PERMANENT.has(error.code);
    s.state = error.code === 'SOUTHBOUND_NOT_ALLOWED' ? 'refused' : permanent ? 'failed' : 'backoff';
    this.#wakeWaiters(s);
    const fields: Record<string, unknown> = { device: s.device.uuid, name: s.device.name, reason };
    if (!permanent) {
      s.attempts += 1;
      const delay = backoffDelay(s.attempts, this.#backoff, this.#random);
      s.nextRetryAt = Date.now() + delay;
      s.retryTimer = setTimeout(() => void this.#attempt(s), delay).unref();
      fields.retryInMs = delay;
      fields.attempt = s.attempts;
    }
    if (repeated) this.#log.debug(fields, 'device connect failed again');
    else this.#log.warn(fields, permanent ? 'device cannot be connected until it changes' : 'device connect failed');
    await this.#report(s, 'DEVICEOPERATIONALSTATUS_DISABLED', reason).catch(() => undefined);
  }

  /** Reports to the sink in order, skipping a report identical to the previous one. */
  #report(s: Session, status: DeviceOperationalStatus, reason?: string): Promise<void> {
    const key = `${status}\n${reason ?? ''}`;
    const next = s.reports.then(async () => {
      if (s.stopped || s.reported === key) return;
      await this.#sink.setStatus(s.device.uuid, status, reason);
      s.reported = key;
    });
    s.reports = next.catch((err: unknown) => this.#log.error({ device: s.device.uuid, err }, 'status sink failed'));
    return next;
  }

  #teardown(s: Session): Promise<void> {
    const wasConnected = s.state === 'connected';
    s.stopped = true;
    this.#wakeWaiters(s);
    if (s.retryTimer) clearTimeout(s.retryTimer);
    s.retryTimer = undefined;
    s.offDisconnect?.();
    s.offDisconnect = undefined;
    const drivers = [s.driver, s.pending].filter((d): d is Driver => d !== undefined);
    s.driver = undefined;
    s.pending = undefined;
    if (wasConnected) this.#emit(s.device.uuid, undefined);
    return Promise.all(
      drivers.map((d) => d.disconnect().catch((err: unknown) => this.#log.warn({ device: s.device.uuid, err }, 'disconnect failed'))),
    ).then(() => undefined);
  }

  #emit(uuid: string, driver: Driver | undefined): void {
    for (const listener of this.#listeners) {
      try {
        listener(uuid, driver);
      } catch (err) {
        this.#log.error({ device: uuid, err }, 'session listener failed');
      }
    }
  }
}
