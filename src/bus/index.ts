import { CnsdnError } from '../common/errors.js';
import type { Bus, BusOptions } from './api.js';
import { InProcessBus, type InProcessBusOptions } from './inprocess.js';
import type { BusRuntimeOptions } from './log.js';
import { NatsBus, type NatsBusOptions } from './nats.js';

export type { Bus, BusEvent, BusOptions, BusSubscription, DeliveredEvent, SubscribeOptions } from './api.js';
export type { BusLogger, BusRuntimeOptions } from './log.js';
export { InProcessBus, InProcessSubscription, type InProcessBusOptions } from './inprocess.js';
export { NatsBus, type NatsBusOptions, parseNatsUrls } from './nats.js';

/** Opens the bus the URL names: `inprocess`, or a `nats://` (or `tls://`) URL list for JetStream. */
export async function openBus(options: BusOptions & BusRuntimeOptions & Partial<InProcessBusOptions & NatsBusOptions>): Promise<Bus> {
  const url = options.url.trim();
  if (url === 'inprocess') return new InProcessBus(options);
  if (/^(nats|tls):\/\//.test(url)) return NatsBus.open({ ...options, url });
  throw new CnsdnError('BUS_ERROR', `unsupported bus URL "${options.url}": use "inprocess" or nats://host:port[,nats://...]`);
}
