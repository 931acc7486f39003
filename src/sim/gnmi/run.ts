/** K simulated gNMI targets on consecutive ports, each its own device, each stoppable and restartable. */
import { type GnmiServer, type GnmiServerTls, startGnmiServer } from '../../protocols/gnmi/index.js';
import { ensurePki, type PkiPaths } from './pki.js';
import { SimTarget } from './target.js';
import type { SimUser } from './users.js';

export interface GnmiSimOptions {
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** Port of the first target; target i listens on port + i. 0: every target on a free port of its own. */
  port: number;
  count?: number;
  /** Plaintext, or TLS with the PKI in `dir` (generated there if absent). */
  tls: 'insecure' | { dir: string; requireClientCert?: boolean };
  /** Empty: any credentials are accepted read-write. */
  users?: SimUser[];
  interfaces?: string[];
  /** Target i is named `${hostnamePrefix}${i + 1}` (default "sim"). */
  hostnamePrefix?: string;
  /** SAMPLE interval used when a subscription asks for 0 (ms). */
  defaultSampleIntervalMs?: number;
}

export interface SimTargetHandle {
  readonly index: number;
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly address: string;
  readonly target: SimTarget;
  readonly running: boolean;
}

export interface GnmiSim {
  readonly targets: readonly SimTargetHandle[];
  /** PKI file paths when serving TLS (the CA to trust is `pki.caCert`). */
  readonly pki?: PkiPaths;
  /** Stops target i (its data is kept), as a device that goes away. */
  stop(i: number): Promise<void>;
  /** Starts target i again on the same port. */
  start(i: number): Promise<void>;
  close(): Promise<void>;
}

/** A port already taken, or another bind failure, named by target and port. */
export class SimListenError extends Error {
  constructor(
    readonly port: number,
    readonly host: string,
    cause: unknown,
  ) {
    const reason = String((cause as Error)?.message ?? cause);
    const inUse = /EADDRINUSE|address already in use|No address added/i.test(reason);
    super(
      inUse
        ? `port ${port} on ${host} is already in use; pick a free range with --port (or stop what listens there)`
        : `cannot listen on ${host}:${port}: ${reason}`,
      { cause },
    );
    this.name = 'SimListenError';
  }
}

class Slot implements SimTargetHandle {
  server?: GnmiServer;
  starting?: Promise<void>;

  constructor(
    readonly index: number,
    readonly name: string,
    readonly host: string,
    public port: number,
    readonly target: SimTarget,
  ) {}

  get address(): string {
    return this.host.includes(':') ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
  }

  get running(): boolean {
    return this.server !== undefined;
  }
}

export async function startGnmiSim(opts: GnmiSimOptions): Promise<GnmiSim> {
  const host = opts.host ?? '127.0.0.1';
  const count = opts.count ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new Error(`count must be a positive integer, got ${count}`);
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port + count - 1 > 65535) {
    throw new Error(`ports ${opts.port}..${opts.port + count - 1} are outside 1..65535`);
  }
  const pki = opts.tls === 'insecure' ? undefined : await ensurePki(opts.tls.dir, [host]);
  const requireClientCert = opts.tls !== 'insecure' && opts.tls.requireClientCert === true;
  const tls: GnmiServerTls | 'insecure' = pki ? { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert, requireClientCert } : 'insecure';
  const interfaces = opts.interfaces ?? ['Ethernet1', 'Ethernet2', 'Ethernet3', 'Ethernet4'];
  const prefix = opts.hostnamePrefix ?? 'sim';
  const slots = Array.from({ length: count }, (_, i) => {
    const name = `${prefix}${i + 1}`;
    return new Slot(i, name, host, opts.port && opts.port + i, new SimTarget({ hostname: name, interfaces, users: opts.users }));
  });

  const start = async (slot: Slot): Promise<void> => {
    if (slot.server) return;
    if (!slot.starting) {
      slot.starting = startGnmiServer({
        host,
        port: slot.port,
        target: slot.target,
        tls,
        defaultSampleIntervalMs: opts.defaultSampleIntervalMs,
      })
        .then(
          (server) => {
            slot.server = server;
            slot.port = server.port;
          },
          (err: unknown) => {
            throw new SimListenError(slot.port, host, err);
          },
        )
        .finally(() => {
          slot.starting = undefined;
        });
    }
    await slot.starting;
  };

  const stop = async (slot: Slot): Promise<void> => {
    await slot.starting?.catch(() => {});
    const server = slot.server;
    slot.server = undefined;
    await server?.close();
  };

  const slotAt = (i: number): Slot => {
    const s = slots[i];
    if (!s) throw new RangeError(`no target ${i} (0..${slots.length - 1})`);
    return s;
  };

  const results = await Promise.allSettled(slots.map(start));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(slots.map(stop));
    throw failed.reason;
  }

  return {
    targets: slots,
    pki,
    stop: (i) => stop(slotAt(i)),
    start: (i) => start(slotAt(i)),
    close: async () => {
      await Promise.all(slots.map(stop));
    },
  };
}
