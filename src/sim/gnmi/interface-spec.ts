/** Interface lists like `Ethernet1-10,mgmt0` (a trailing number range expands). */

const MAX_INTERFACES = 100_000;

export function expandInterfaces(spec: string): string[] {
  const out: string[] = [];
  for (const part of spec.split(',').map((s) => s.trim())) {
    if (part === '') continue;
    const m = /^(.*?)(\d+)-(\d+)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    const [, base, from, to] = m;
    const a = Number(from);
    const b = Number(to);
    if (a > b) throw new Error(`bad interface range "${part}": ${a} > ${b}`);
    if (out.length + b - a + 1 > MAX_INTERFACES) throw new Error(`too many interfaces in "${spec}" (limit ${MAX_INTERFACES})`);
    for (let i = a; i <= b; i++) out.push(`${base}${i}`);
  }
  const seen = new Set<string>();
  for (const n of out) {
    if (seen.has(n)) throw new Error(`interface ${n} appears twice in "${spec}"`);
    seen.add(n);
  }
  if (out.length === 0) throw new Error(`no interfaces in "${spec}"`);
  return out;
}
