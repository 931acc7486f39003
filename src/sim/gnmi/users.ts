/** User specs `NAME:PASS:rw|ro` for simulated targets. */

export interface SimUser {
  username: string;
  password: string;
  role: 'ro' | 'rw';
}

/** Parses `NAME:PASS:rw|ro`; the password may itself contain colons. */
export function parseUser(spec: string): SimUser {
  const first = spec.indexOf(':');
  const last = spec.lastIndexOf(':');
  const role = spec.slice(last + 1);
  if (first <= 0 || last === first || (role !== 'rw' && role !== 'ro')) {
    throw new Error(`bad user "${spec}": expected NAME:PASS:rw or NAME:PASS:ro`);
  }
  return { username: spec.slice(0, first), password: spec.slice(first + 1, last), role };
}
