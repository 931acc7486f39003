/**
 * Pushes the configuration the context holds for a device to the device (TFS ConfigureDevice):
 * every SET rule that is not a `_connect/` rule. On a fresh session everything is pushed (the
 * controller is the source of truth); afterwards only the difference from what was last applied
 * — changed or new rules as one setConfig, removed ones as one deleteConfig. The outcome lands
 * on the device (`cnsdn.config_error` with the device's words when it refused).
 */
import type { Bus, BusSubscription } from '../bus/api.js';
import type { ConfigureOutcome } from '../cluster/index.js';
import { CnsdnError, isCnsdnError } from '../common/errors.js';
import type { ContextManager } from '../context/index.js';
import type { Resource, SessionManager } from '../device/index.js';
import type * as T from '../model/types.js';
import type { Store } from '../store/api.js';

export interface ConfigSyncLogger {
  warn(obj: unknown, msg?: string): void;
}

function value(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The rules a device should have: SET custom rules outside `_connect/`, key → stored value text. */
export function desiredConfig(d: T.Device): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of d.device_config.config_rules) {
    if (r.custom && r.action !== 'CONFIGACTION_DELETE' && !r.custom.resource_key.startsWith('_connect/')) out.set(r.custom.resource_key, r.custom.resource_value);
  }
  return out;
}

class NoSession extends CnsdnError {}

export type ConfigOutcome = ConfigureOutcome;

export class DeviceConfigSync {
  readonly #applied = new Map<string, Map<string, string>>();
  readonly #outcomes = new Map<string, ConfigOutcome>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();
  #unsubscribeSessions: (() => void) | undefined;
  #subscription: BusSubscription | undefined;

  constructor(
    private readonly store: Store,
    private readonly sessions: SessionManager,
    private readonly ctx: ContextManager,
    private readonly log: ConfigSyncLogger,
  ) {}

  async start(bus: Bus): Promise<void> {
    this.#unsubscribeSessions = this.sessions.onSession((uuid, driver) => {
      this.#applied.delete(uuid);
      if (driver) this.schedule(uuid);
    });
    this.#subscription = await bus.subscribe((e) => this.schedule(e.uuid), { kinds: ['device'] });
  }

  async stop(): Promise<void> {
    this.#unsubscribeSessions?.();
    await this.#subscription?.unsubscribe();
    await Promise.allSettled([...this.#running.values()]);
  }

  /** Reconciles a device soon; calls for a device already reconciling coalesce into one more pass. */
  schedule(uuid: string): void {
    if (this.#running.has(uuid)) {
      this.#again.add(uuid);
      return;
    }
    const run = (async () => {
      do {
        this.#again.delete(uuid);
        const outcome: ConfigOutcome = await this.reconcile(uuid).then(
          (error): ConfigOutcome => (error === undefined ? { applied: true } : { applied: false, code: 'DRIVER_ERROR', error }),
          (e: unknown): ConfigOutcome => {
            // Devices without a session here are another replica's (or down): nothing to say.
            if (!(e instanceof NoSession)) this.log.warn({ err: e, device: uuid }, 'configuration push failed');
            return { applied: false, code: isCnsdnError(e) ? e.code : 'INTERNAL', error: e instanceof Error ? e.message : String(e) };
          },
        );
        this.#outcomes.set(uuid, outcome);
      } while (this.#again.has(uuid));
    })().finally(() => this.#running.delete(uuid));
    this.#running.set(uuid, run);
  }

  /**
   * Pushes what the context holds for a device now (after any push in progress) and answers how
   * it went: the device's refusal in its words, or DEVICE_UNREACHABLE when it has no session here.
   */
  async configureNow(uuid: string): Promise<ConfigOutcome> {
    this.schedule(uuid);
    await this.#running.get(uuid);
    return this.#outcomes.get(uuid) ?? { applied: true };
  }

  /** Waits until nothing is being pushed (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running.values()]);
  }

  /** Pushes the difference; resolves with the device's refusal (undefined when applied), rejects when it cannot be reached. */
  async reconcile(uuid: string): Promise<string | undefined> {
    if (!this.sessions.get(uuid)) {
      const s = this.sessions.status(uuid);
      throw new NoSession('DEVICE_UNREACHABLE', s ? `device ${s.name} is not connected (${s.state})${s.lastError ? `: ${s.lastError}` : ''}` : `device ${uuid} has no session here`);
    }
    const e = await this.store.get<T.Device>('device', uuid);
    if (!e || e.body.cnsdn?.managed === false) return undefined;
    const desired = desiredConfig(e.body);
    const applied = this.#applied.get(uuid) ?? new Map<string, string>();
    const toSet = [...desired].filter(([k, v]) => applied.get(k) !== v);
    const toDelete = [...applied].filter(([k]) => !desired.has(k));
    if (toSet.length === 0 && toDelete.length === 0) {
      // Everything the context asks for is applied: an earlier refusal no longer stands.
      if (e.body.cnsdn?.config_error !== undefined) await this.ctx.setConfigOutcome(uuid, undefined);
      return undefined;
    }
    const errors: string[] = [];
    await this.sessions.withDriver(uuid, async (driver) => {
      if (toDelete.length) {
        const results = await driver.deleteConfig(toDelete.map(([k, v]): Resource => [k, value(v)]));
        results.forEach((r, i) => {
          if (r === true) applied.delete(toDelete[i]![0]);
          else errors.push(`delete ${toDelete[i]![0]}: ${r.message}`);
        });
      }
      if (toSet.length) {
        const results = await driver.setConfig(toSet.map(([k, v]): Resource => [k, value(v)]));
        results.forEach((r, i) => {
          if (r === true) applied.set(toSet[i]![0], toSet[i]![1]);
          else errors.push(`set ${toSet[i]![0]}: ${r.message}`);
        });
      }
    });
    this.#applied.set(uuid, applied);
    const refusal = errors.length ? errors.join('; ') : undefined;
    await this.ctx.setConfigOutcome(uuid, refusal);
    return refusal;
  }
}
