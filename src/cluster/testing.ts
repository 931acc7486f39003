/**
 * Test support for replicas: a PostgreSQL + NATS gate, and a device-side session counter (an
 * emulated driver that counts the sessions open on each device, across every replica of the
 * test process, and refuses configuration whose key says "refuse").
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { CnsdnError } from '../common/errors.js';
import { type Driver, type DriverConnectConfig, type DriverFactory, EmulatedDriver, type Resource, type ResourceResult, type StateSubscription } from '../device/index.js';
import { describePostgres } from '../store/pg-testing.js';

export const TEST_NATS_URL = process.env.CNSDN_TEST_NATS_URL || 'nats://127.0.0.1:4222';

/** Why the test NATS server cannot be used, or undefined when it answers. */
export async function natsUnreachable(url = TEST_NATS_URL): Promise<string | undefined> {
  try {
    const nc = await connect({ servers: url.replace('nats://', ''), timeout: 2000 });
    await nc.close();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Registers tests that need PostgreSQL and NATS: skipped with the reason when either is missing,
 * or one failing test under CI=true. body gets a fresh database URL.
 */
export async function describeReplicas(name: string, body: (databaseUrl: string) => void): Promise<void> {
  const reason = await natsUnreachable();
  await describePostgres(name, async (freshDatabase) => {
    if (reason !== undefined) {
      if (process.env.CI === 'true') it(`${name}: NATS is reachable (required when CI=true)`, () => assert.fail(reason));
      else describe(name, { skip: `NATS at ${TEST_NATS_URL} unreachable: ${reason}` }, () => {});
      return;
    }
    body(await freshDatabase());
  });
}

/**
 * What every replica of one test shares: the database, its own NATS stream and subject prefix,
 * quiet logs. `cleanUp` deletes the stream (call it after the replicas closed).
 */
export function sharedReplicaOptions(databaseUrl: string) {
  const natsStream = `CNSDN_TEST_${randomBytes(4).toString('hex')}`;
  return {
    options: {
      host: '127.0.0.1',
      port: 0,
      databaseUrl,
      natsUrl: TEST_NATS_URL,
      natsStream,
      natsSubjectPrefix: `t${randomBytes(4).toString('hex')}`,
      logLevel: 'silent',
      southboundAllow: '127.0.0.0/8',
      // Several replicas share this process's event loop: shedding on its lag is not what is tested here.
      guard: { shedLagMs: 0 },
    },
    cleanUp: async () => {
      const nc = await connect({ servers: TEST_NATS_URL.replace('nats://', '') });
      await (await jetstreamManager(nc)).streams.delete(natsStream).catch(() => {});
      await nc.close();
    },
  };
}

/** Polls fn until it returns a value other than undefined; fails naming `what` after ms. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The TFS driver name the counting driver serves (one no built-in driver uses). */
export const COUNTING_DRIVER = 'DEVICEDRIVER_P4';

/** What the devices saw: sessions open now, the most ever open at once, telemetry subscriptions, configuration. */
export class DeviceSide {
  readonly open = new Map<string, number>();
  readonly maxOpen = new Map<string, number>();
  /** Devices with an active telemetry subscription on their open session. */
  readonly subscribed = new Set<string>();
  readonly config = new Map<string, Map<string, unknown>>();

  /** Devices that ever had two sessions at once. */
  overlaps(): string[] {
    return [...this.maxOpen].filter(([, n]) => n > 1).map(([d]) => d);
  }

  factory(): DriverFactory {
    return { names: [COUNTING_DRIVER], usesNetwork: false, create: (config) => new CountedDriver(config, this) };
  }
}

class CountedDriver implements Driver {
  readonly #inner: EmulatedDriver;
  #open = false;

  constructor(
    private readonly config: DriverConnectConfig,
    private readonly side: DeviceSide,
  ) {
    this.#inner = new EmulatedDriver(config);
  }

  get #device(): string {
    return this.config.deviceName;
  }

  async connect(): Promise<void> {
    await this.#inner.connect();
    if (this.#open) return;
    this.#open = true;
    const n = (this.side.open.get(this.#device) ?? 0) + 1;
    this.side.open.set(this.#device, n);
    this.side.maxOpen.set(this.#device, Math.max(n, this.side.maxOpen.get(this.#device) ?? 0));
  }

  async disconnect(): Promise<void> {
    if (this.#open) {
      this.#open = false;
      this.side.open.set(this.#device, (this.side.open.get(this.#device) ?? 1) - 1);
      this.side.subscribed.delete(this.#device);
    }
    await this.#inner.disconnect();
  }

  discoverEndpoints() {
    return this.#inner.discoverEndpoints();
  }
  getInitialConfig() {
    return this.#inner.getInitialConfig();
  }
  getConfig(keys?: readonly string[]) {
    return this.#inner.getConfig(keys);
  }
  async setConfig(resources: readonly Resource[]): Promise<ResourceResult[]> {
    const out: ResourceResult[] = [];
    for (const r of resources) {
      if (r[0].includes('refuse')) {
        out.push(new CnsdnError('DRIVER_ERROR', `${this.#device} refuses ${r[0]}: not supported by this device`));
        continue;
      }
      const [result] = await this.#inner.setConfig([r]);
      if (result === true) {
        const held = this.side.config.get(this.#device) ?? new Map<string, unknown>();
        held.set(r[0], r[1]);
        this.side.config.set(this.#device, held);
      }
      out.push(result ?? new Error('no result'));
    }
    return out;
  }
  deleteConfig(resources: readonly Resource[]) {
    return this.#inner.deleteConfig(resources);
  }
  async subscribeState(subscriptions: readonly StateSubscription[]): Promise<ResourceResult[]> {
    const results = await this.#inner.subscribeState(subscriptions);
    if (this.#open && results.some((r) => r === true)) this.side.subscribed.add(this.#device);
    return results;
  }
  unsubscribeState(subscriptions: readonly StateSubscription[]) {
    return this.#inner.unsubscribeState(subscriptions);
  }
  onSample(sink: Parameters<Driver['onSample']>[0]) {
    return this.#inner.onSample(sink);
  }
  onDisconnect(listener: (reason: Error) => void) {
    return this.#inner.onDisconnect(listener);
  }
}
