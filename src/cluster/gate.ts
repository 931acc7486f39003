/** A view of the bus whose subscribers only hear events this member coordinates. */
import type { Bus, DeliveredEvent } from '../bus/index.js';

export function gatedBus(bus: Bus, keep: (event: DeliveredEvent) => boolean): Bus {
  return {
    backend: bus.backend,
    publish: (events) => bus.publish(events),
    subscribe: (handler, options) => bus.subscribe((e) => (keep(e) ? handler(e) : undefined), options),
    lastSeq: () => bus.lastSeq(),
    ping: () => bus.ping(),
    close: () => bus.close(),
  };
}
