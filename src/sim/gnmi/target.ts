/** A simulated gNMI device: one Datastore behind the GnmiTarget interface, with users and roles. */
import {
  type GnmiDataType,
  type GnmiEncoding,
  type GnmiNotification,
  type GnmiPath,
  GnmiStatusError,
  type GnmiTarget,
  type GnmiUpdate,
  type ModelData,
  nowNs,
  type TargetUser,
} from '../../protocols/gnmi/index.js';
import { Datastore, type DatastoreOptions } from './datastore.js';
import { MODELS } from './openconfig.js';
import type { SimUser } from './users.js';
import { simSetRefusal } from './yang-check.js';

export interface SimTargetOptions extends DatastoreOptions {
  /** Who may connect. Empty or absent: any credentials are accepted with the rw role (open lab device). */
  users?: SimUser[];
}

const ENCODINGS: GnmiEncoding[] = ['JSON', 'JSON_IETF', 'PROTO', 'ASCII'];

export class SimTarget implements GnmiTarget {
  readonly datastore: Datastore;
  readonly hostname: string;
  private readonly users: SimUser[];

  constructor(opts: SimTargetOptions) {
    this.datastore = new Datastore(opts);
    this.hostname = opts.hostname;
    this.users = opts.users ?? [];
  }

  authenticate(username: string | undefined, password: string | undefined): TargetUser | undefined {
    if (this.users.length === 0) return { username: username ?? '', role: 'rw' };
    const u = this.users.find((x) => x.username === username && x.password === password);
    return u && { username: u.username, role: u.role };
  }

  capabilities(): { models: ModelData[]; encodings: GnmiEncoding[]; gnmiVersion: string } {
    return { models: MODELS.map((m) => ({ ...m })), encodings: [...ENCODINGS], gnmiVersion: '0.10.0' };
  }

  get(paths: GnmiPath[], type: GnmiDataType, encoding: GnmiEncoding, _user: TargetUser): GnmiNotification[] {
    return paths.map((p) => ({ timestamp: nowNs(), update: this.datastore.get(p, type, encoding), delete: [] }));
  }

  set(request: { delete: GnmiPath[]; replace: GnmiUpdate[]; update: GnmiUpdate[] }, user: TargetUser): bigint {
    if (user.role !== 'rw') throw new GnmiStatusError('PERMISSION_DENIED', `user ${user.username} is read-only`);
    const refused = simSetRefusal(MODELS, [...request.replace, ...request.update]);
    if (refused) throw refused;
    this.datastore.set(request);
    return nowNs();
  }

  leaves(path: GnmiPath, encoding: GnmiEncoding): GnmiUpdate[] {
    return this.datastore.leaves(path, encoding);
  }

  onChange(listener: (updates: GnmiUpdate[], deletes: GnmiPath[]) => void): () => void {
    return this.datastore.onChange(listener);
  }
}
