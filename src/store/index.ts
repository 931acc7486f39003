import { CnsdnError } from '../common/errors.js';
import type { Store, StoreOptions } from './api.js';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';

export * from './api.js';
export { MIGRATIONS } from './migrations.js';

/** Opens the backend the URL names and brings its schema up to date. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const { url, maxAttempts } = options;
  if (url.startsWith('sqlite:')) return openSqliteStore(url, { maxAttempts });
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgresStore(url, { maxAttempts });
  throw new CnsdnError('INVALID_ARGUMENT', `unsupported store URL scheme: ${url.replace(/\/\/[^@/]*@/, '//***@')}`);
}
