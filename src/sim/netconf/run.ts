/** K simulated NETCONF devices on consecutive ports, each with its own datastores. */
import { SimDevice } from './device.js';
import { type HostKey, type HostKeyType, loadHostKey } from './hostkey.js';
import type { YangLibraryVersion } from './library.js';
import { type NetconfServer, startNetconfServer } from './server.js';
import type { NetconfUser } from './users.js';

/** Largest request a simulated device reads. */
export const DEFAULT_MAX_MESSAGE_BYTES_SIM = 16 * 1024 * 1024;

export interface NetconfSimOptions {
  host?: string;
  /** Port of the first device; device i listens on port + i. 0: a free port each. */
  port: number;
  count?: number;
  users: NetconfUser[];
  /** Host key file: loaded when it exists, else generated and saved there. */
  hostKeyFile?: string;
  hostKeyType?: HostKeyType;
  interfaces?: string[];
  /** Device i is named `${namePrefix}${i + 1}` (default "sim"). */
  namePrefix?: string;
  writableRunning?: boolean;
  /** Announce the models only through the YANG library (1.0: RFC 7895 modules-state; 1.1: RFC 8525 yang-library), not in the hello. */
  yangLibrary?: YangLibraryVersion;
  maxMessageBytes?: number;
  helloTimeoutMs?: number;
}

export interface NetconfSimDevice {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly address: string;
  readonly device: SimDevice;
  readonly server: NetconfServer;
}

export interface NetconfSim {
  readonly devices: readonly NetconfSimDevice[];
  readonly hostKey: HostKey;
  close(): Promise<void>;
}

function listenError(host: string, port: number, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  return new Error(
    code === 'EADDRINUSE'
      ? `port ${port} on ${host} is already in use; pick a free range with --port (or stop what listens there)`
      : `cannot listen on ${host}:${port}: ${(err as Error).message}`,
    { cause: err },
  );
}

export async function startNetconfSim(opts: NetconfSimOptions): Promise<NetconfSim> {
  const host = opts.host ?? '127.0.0.1';
  const count = opts.count ?? 1;
  if (opts.users.length === 0) throw new Error('no --user given: the simulator has no default password (add --user NAME:PASS)');
  const hostKey = loadHostKey(opts.hostKeyFile, opts.hostKeyType);
  const devices: NetconfSimDevice[] = [];
  const closeAll = () => Promise.all(devices.map((d) => d.server.close().then(() => d.device.close())));
  try {
    for (let i = 0; i < count; i++) {
      const name = `${opts.namePrefix ?? 'sim'}${i + 1}`;
      const device = new SimDevice({ name, index: i + 1, interfaces: opts.interfaces ?? ['Ethernet1', 'Ethernet2', 'Ethernet3', 'Ethernet4'], writableRunning: opts.writableRunning, yangLibrary: opts.yangLibrary });
      const wanted = opts.port === 0 ? 0 : opts.port + i;
      let server: NetconfServer;
      try {
        server = await startNetconfServer(device, {
          host,
          port: wanted,
          hostKey,
          users: opts.users,
          maxMessageBytes: opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES_SIM,
          helloTimeoutMs: opts.helloTimeoutMs,
        });
      } catch (err) {
        throw listenError(host, wanted, err);
      }
      const address = host.includes(':') ? `[${host}]:${server.port}` : `${host}:${server.port}`;
      devices.push({ name, host, port: server.port, address, device, server });
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  return {
    devices,
    hostKey,
    close: async () => {
      await closeAll();
    },
  };
}
