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
  private readonly acc = new Map<string, number>();

  constructor(
    name: string,
    private readonly clock: () => number,
  ) {
    const h = hash(name);
    this.inRate = 1000 + (h % 9000);
    this.outRate = 1000 + ((h >>> 8) % 9000);
    this.packetSize = 200 + ((h >>> 16) % 1200);
    this.last = clock();
    for (const n of COUNTER_NAMES) {
      this.acc.set(n, 0);
      this.values[n] = 0;
    }
  }

  /** Advances by the time since the last read; every read moves packets and octets by at least one. */
  tick(): void {
    const now = this.clock();
    const seconds = Math.max(0, now - this.last) / 1000;
    this.last = now;
    if (!this.running) return;
    this.move('in', Math.max(1, this.inRate * seconds));
    this.move('out', Math.max(1, this.outRate * seconds));
  }

  private move(dir: 'in' | 'out', pkts: number): void {
    this.add(`${dir}-pkts`, pkts);
    this.add(`${dir}-unicast-pkts`, pkts * 0.98);
    this.add(`${dir}-octets`, pkts * this.packetSize);
    this.add(`${dir}-discards`, pkts * 1e-4);
    this.add(`${dir}-errors`, pkts * 1e-5);
  }

  private add(name: string, delta: number): void {
    const v = (this.acc.get(name) ?? 0) + delta;
    this.acc.set(name, v);
    this.values[name] = Math.floor(v);
  }
}
