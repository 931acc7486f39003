import type { GuardOptions } from '../nbi/guard-config.js';

import type { ClusterSettings } from '../cluster/index.js';
import type { DriverFactory } from '../device/index.js';

/** How `cnsdn serve` (and tests) start a controller. */
export interface ControllerOptions {
  host: string;
  port: number;
  /** Data directory for the embedded SQLite store (default ./data). */
  dataDir: string;
  /** PostgreSQL/CockroachDB URL; when set, used instead of SQLite. */
  databaseUrl?: string;
  /** NATS URL list; when set, events go through JetStream instead of the in-process bus. */
  natsUrl?: string;
  /** JetStream stream and subject prefix (default CNSDN_EVENTS / cnsdn.events; env CNSDN_NATS_STREAM, CNSDN_NATS_PREFIX). */
  natsStream?: string;
  natsSubjectPrefix?: string;
  /** Load a small demo topology of emulated devices at start when the context is empty. */
  demo?: boolean;
  /** pino level (default info); "silent" for tests. */
  logLevel?: string;
  /** Southbound allowlist CIDRs (default from CNSDN_SOUTHBOUND_ALLOW, else loopback). */
  southboundAllow?: string;
  /** Pool of /30s the L3NM handler gives links between routers (default 10.255.0.0/16). */
  serviceLinkPool?: string;
  /** Admin bearer token (default from CNSDN_ADMIN_TOKEN). */
  adminToken?: string;
  /** Accounts and sessions: 'on' for `cnsdn serve`; library callers get 'off' (open API, warned) unless they ask. */
  auth?: 'on' | 'off';
  /** First admin when none of that name exists (default from CNSDN_ADMIN_USER / CNSDN_ADMIN_PASSWORD[_FILE]). */
  initialAdmin?: { username: string; password: string };
  /** Session keys, comma-separated base64 (default CNSDN_SESSION_KEYS, else a key kept in the store). */
  sessionKeys?: string;
  /** Cluster settings overriding the environment's (CNSDN_MEMBER_ID, CNSDN_CLUSTER_LEASE_TTL_MS, ...). */
  cluster?: Partial<ClusterSettings>;
  /** Drivers registered besides the built-in ones (embedding, tests). */
  drivers?: DriverFactory[];
  /** Web tier knobs overriding the environment's (CNSDN_RATE_LIMIT, CNSDN_MAX_CONNS_PER_IP, ...; see docs/web-tier.md). */
  guard?: Partial<GuardOptions>;
}

export interface RunningController {
  /** Base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
  /** Stops without leaving the cluster or releasing leases, as kill -9 would (tests). */
  halt?(): Promise<void>;
}
