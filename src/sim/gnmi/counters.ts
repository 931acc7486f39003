/** Interface counters that advance from a per-interface rate each time they are read. */
import { COUNTER_NAMES } from './openconfig.js';
import type { Obj } from './data.js';

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** One interface's counters; `values` is the object placed in the state tree. */
export class InterfaceCounters {
  readonly values: Obj = {};
  /** Packets per second in each direction. */
  readonly inRate: number;
  readonly outRate: number;
  readonly packetSize: number;
  running = true;
  private last: number;
  /** Exact running totals (values holds them floored), in the order of DIRECTIONS' names. */
  private readonly acc = new Float64Array(10);

  constructor(
    name: string,
    private readonly clock: () => number,
  ) {
    const h = hash(name);
    this.inRate = 1000 + (h % 9000);
    this.outRate = 1000 + ((h >>> 8) % 9000);
    this.packetSize = 200 + ((h >>> 16) % 1200);
    this.last = clock();
    for (const n of COUNTER_NAMES) this.values[n] = 0;
  }

  /** Advances by the time since the last read; every read moves packets and octets by at least one. */
  tick(): void {
    const now = this.clock();
    const seconds = Math.max(0, now - this.last) / 1000;
    this.last = now;
    if (!this.running) return;
    this.move(0, Math.max(1, this.inRate * seconds));
    this.move(1, Math.max(1, this.outRate * seconds));
  }

  private move(dir: 0 | 1, pkts: number): void {
    const names = DIRECTIONS[dir];
    this.add(dir * 5, names[0], pkts);
    this.add(dir * 5 + 1, names[1], pkts * 0.98);
    this.add(dir * 5 + 2, names[2], pkts * this.packetSize);
    this.add(dir * 5 + 3, names[3], pkts * 1e-4);
    this.add(dir * 5 + 4, names[4], pkts * 1e-5);
  }

  private add(i: number, name: string, delta: number): void {
    const v = this.acc[i] + delta;
    this.acc[i] = v;
    this.values[name] = Math.floor(v);
  }
}

/** Counter names per direction: packets, unicast packets, octets, discards, errors. */
const DIRECTIONS = (['in', 'out'] as const).map((d) => [`${d}-pkts`, `${d}-unicast-pkts`, `${d}-octets`, `${d}-discards`, `${d}-errors`]);
