/** Login accounts of the simulated devices: `NAME:PASS`, compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface NetconfUser {
  username: string;
  password: string;
}

export function parseNetconfUser(spec: string): NetconfUser {
  const i = spec.indexOf(':');
  if (i <= 0 || i === spec.length - 1) throw new Error('bad --user: expected NAME:PASS (a name, a colon, a non-empty password)');
  return { username: spec.slice(0, i), password: spec.slice(i + 1) };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export function checkPassword(users: readonly NetconfUser[], username: string, password: string): boolean {
  let ok = false;
  for (const u of users) {
    const match = timingSafeEqual(digest(u.username), digest(username)) && timingSafeEqual(digest(u.password), digest(password));
    ok = ok || match;
  }
  return ok;
}
