/** Auth settings from the environment (read by the composition root). */
import { readFileSync } from 'node:fs';
import { CnsdnError } from '../common/errors.js';

export interface AuthEnv {
  sessionKeys?: string;
  metricsPublic: boolean;
  initialAdmin?: { username: string; password: string };
}

/**
 * CNSDN_SESSION_KEYS, CNSDN_METRICS_PUBLIC=true, and the first admin: CNSDN_ADMIN_USER (default
 * "admin") with CNSDN_ADMIN_PASSWORD or CNSDN_ADMIN_PASSWORD_FILE (a mounted secret; one trailing
 * newline is dropped).
 */
export function authEnv(env: NodeJS.ProcessEnv = process.env): AuthEnv {
  const out: AuthEnv = { metricsPublic: env.CNSDN_METRICS_PUBLIC === 'true' };
  if (env.CNSDN_SESSION_KEYS) out.sessionKeys = env.CNSDN_SESSION_KEYS;
  let password = env.CNSDN_ADMIN_PASSWORD || undefined;
  const file = env.CNSDN_ADMIN_PASSWORD_FILE || undefined;
  if (password !== undefined && file !== undefined) {
    throw new CnsdnError('INVALID_ARGUMENT', 'Set CNSDN_ADMIN_PASSWORD or CNSDN_ADMIN_PASSWORD_FILE, not both');
  }
  if (file !== undefined) {
    try {
      password = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new CnsdnError('INVALID_ARGUMENT', `CNSDN_ADMIN_PASSWORD_FILE ${file}: ${(err as Error).message}`);
    }
  }
  const username = env.CNSDN_ADMIN_USER || undefined;
  if (username !== undefined && password === undefined) {
    throw new CnsdnError('INVALID_ARGUMENT', 'CNSDN_ADMIN_USER is set without CNSDN_ADMIN_PASSWORD or CNSDN_ADMIN_PASSWORD_FILE');
  }
  if (password !== undefined) out.initialAdmin = { username: username ?? 'admin', password };
  return out;
}
