/**
 * Carries out device work on the device's owner: locally when this member holds the device,
 * otherwise through the owner's request subject. Services run their network-wide transactions
 * through withDriver() here, unchanged: a remote owner is seen as a driver whose configuration
 * calls go over NATS. While a device changes hands (no valid owner yet) requests wait, within
 * the timeout, for the next owner.
 */
import { CnsdnError } from '../common/errors.js';
import type { AnnouncedModel, Driver, EndpointInfo, Resource, ResourceResult } from '../device/index.js';
import type { Cluster } from './api.js';
import { type ClusterRpc, type DriverMethod, NotOwnerError, type OwnerRequest, OwnerGoneError } from './rpc.js';

export interface LocalDrivers {
  withDriver<T>(uuid: string, fn: (driver: Driver) => Promise<T>): Promise<T>;
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The request never ran: the member no longer holds the device, or is gone. Safe to send again. */
class OwnerMoved extends CnsdnError {}

function unsupported(what: string): never {
  throw new CnsdnError('INVALID_ARGUMENT', `${what} is not available on a device owned by another replica`);
}

/** The configuration calls of a driver, sent to the owner. Session control stays with the owner. */
class RemoteDriver implements Driver {
  constructor(private readonly call: (method: DriverMethod, args: unknown[]) => Promise<unknown>) {}
  connect(): Promise<void> {
    return Promise.resolve();
  }
  disconnect(): Promise<void> {
    return Promise.resolve();
  }
  async discoverEndpoints(): Promise<EndpointInfo[]> {
    return (await this.call('discoverEndpoints', [])) as EndpointInfo[];
  }
  async announcedModels(): Promise<AnnouncedModel[]> {
    return (await this.call('announcedModels', [])) as AnnouncedModel[];
  }
  async getInitialConfig(): Promise<Resource[]> {
    return (await this.call('getInitialConfig', [])) as Resource[];
  }
  async getConfig(keys?: readonly string[]): Promise<Array<[string, unknown]>> {
    return (await this.call('getConfig', keys === undefined ? [] : [keys])) as Array<[string, unknown]>;
  }
  async setConfig(resources: readonly Resource[]): Promise<ResourceResult[]> {
    return (await this.call('setConfig', [resources])) as ResourceResult[];
  }
  async deleteConfig(resources: readonly Resource[]): Promise<ResourceResult[]> {
    return (await this.call('deleteConfig', [resources])) as ResourceResult[];
  }
  subscribeState(): Promise<ResourceResult[]> {
    return unsupported('subscribeState');
  }
  unsubscribeState(): Promise<ResourceResult[]> {
    return unsupported('unsubscribeState');
  }
  onSample(): () => void {
    return unsupported('onSample');
  }
  onDisconnect(): () => void {
    return () => undefined;
  }
}

export interface OwnerRouterOptions {
  cluster: Cluster;
  local: LocalDrivers;
  /** Absent in single mode: everything is local. */
  rpc?: ClusterRpc;
  /** Configure a device here (this member owns it): push what the context holds, answer the outcome. */
  configureHere: (uuid: string) => Promise<unknown>;
  timeoutMs: number;
}

export class OwnerRouter {
  constructor(private readonly o: OwnerRouterOptions) {}

  withDriver<T>(uuid: string, fn: (driver: Driver) => Promise<T>): Promise<T> {
    return this.#onOwner(
      uuid,
      () => this.o.local.withDriver(uuid, fn),
      (owner, deadline) => fn(new RemoteDriver((method, args) => this.#call(owner, { op: 'driver', device: uuid, method, args }, deadline))),
    );
  }

  /** Has the owner push the device's configuration; resolves with the owner's outcome. */
  configure(uuid: string): Promise<{ owner: string; outcome: unknown }> {
    return this.#onOwner(
      uuid,
      async () => ({ owner: this.o.cluster.memberId, outcome: await this.o.configureHere(uuid) }),
      async (owner, deadline) => ({ owner, outcome: await this.#call(owner, { op: 'configure', device: uuid }, deadline) }),
    );
  }

  #call(owner: string, req: OwnerRequest, deadline: number): Promise<unknown> {
    const left = Math.max(100, deadline - Date.now());
    return this.o.rpc!.call(owner, req, left).catch((e: unknown) => {
      if (e instanceof NotOwnerError || e instanceof OwnerGoneError) throw new OwnerMoved('UNAVAILABLE', `device ${req.device} changed owner during the request: ${e.message}`, [{ path: '/owner', message: owner }]);
      throw e;
    });
  }

  async #onOwner<T>(uuid: string, local: () => Promise<T>, remote: (owner: string, deadline: number) => Promise<T>): Promise<T> {
    const { cluster, rpc, timeoutMs } = this.o;
    if (!rpc || cluster.mode === 'single') return local();
    const deadline = Date.now() + timeoutMs;
    let last: string | undefined;
    for (let attempt = 0; ; attempt++) {
      if (cluster.ownsLocally(uuid)) return local();
      const owner = await cluster.ownerOf(uuid, attempt > 0);
      if (owner !== undefined && owner !== cluster.memberId) {
        last = owner;
        try {
          return await remote(owner, deadline);
        } catch (e) {
          // Only a request that never ran is sent again (to the next owner); anything that ran stands.
          if (!(e instanceof OwnerMoved) || Date.now() > deadline) throw e;
        }
      }
      if (Date.now() > deadline) {
        const who = last ? `its owner ${last} did not answer` : 'no live replica holds its lease';
        throw new CnsdnError('UNAVAILABLE', `device ${uuid} cannot be reached through the cluster within ${timeoutMs} ms: ${who}`, last ? [{ path: '/owner', message: last }] : []);
      }
      await delay(Math.min(250, Math.max(0, deadline - Date.now())));
    }
  }
}
