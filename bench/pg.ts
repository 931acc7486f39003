/** A throwaway PostgreSQL database on the local server, for one bench run. */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

export const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ScratchDb {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function createScratchDb(adminUrl = ADMIN_URL): Promise<ScratchDb> {
  const name = `cnsdn_bench_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } catch (e) {
    await admin.end({ timeout: 2 });
    throw e;
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      try {
        await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end({ timeout: 5 });
      }
    },
  };
}
