/**
 * Times putMany of 30,000 ~1 KB entities (create, then update of the same rows).
 * Usage: node --import tsx src/store/putmany.bench.ts [store URL]   (default: a temp-file SQLite)
 * A PostgreSQL URL must name a scratch database: the rows and tables are left there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EntityWrite, openStore } from './index.js';

const COUNT = 30_000;
const dir = mkdtempSync(join(tmpdir(), 'cnsdn-bench-'));
const url = process.argv[2] ?? `sqlite:${join(dir, 'bench.db')}`;
const tag = Date.now().toString(36);
const filler = 'x'.repeat(900);
const writes = (version: number): EntityWrite[] =>
  Array.from({ length: COUNT }, (_, i) => ({
    kind: 'device',
    uuid: `bench-${tag}-${i}`,
    parent: `bench-${tag}`,
    name: `device-${i}`,
    body: { i, version, filler, endpoints: [{ uuid: `ep-${i}`, type: 'copper' }] },
  }));

const store = await openStore({ url });
try {
  for (const [label, version] of [
    ['create', 1],
    ['update', 2],
  ] as const) {
    const batch = writes(version);
    const start = performance.now();
    const { changes } = await store.transaction((tx) => tx.putMany(batch));
    const ms = Math.round(performance.now() - start);
    console.log(`${store.backend} putMany ${label}: ${changes.length} rows in ${ms} ms (${changes[0]?.op})`);
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
