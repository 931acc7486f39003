import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../store/index.js';
import { openBus, type Bus, type BusEvent, type DeliveredEvent } from '../bus/index.js';
import { ContextManager } from './manager.js';

const quiet = { info() {}, warn() {}, error() {} };

/** A bus that fails while `down` is set, as a bus outage between commit and publish would. */
function flakyBus(inner: Bus) {
  const state = { down: true };
  const bus: Bus = {
    backend: inner.backend,
    publish: (events: readonly BusEvent[]) => (state.down ? Promise.reject(new Error('bus down')) : inner.publish(events)),
    subscribe: (h, o) => inner.subscribe(h, o),
    lastSeq: () => inner.lastSeq(),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
  return { bus, state };
}

describe('outbox relay', () => {
  it('publishes later what was committed while the bus was down, with the commit time, then forgets it', async () => {
    const store = await openStore({ url: 'sqlite::memory:' });
    const inner = await openBus({ url: 'inprocess' });
    const { bus, state } = flakyBus(inner);
    const got: DeliveredEvent[] = [];
    await inner.subscribe((e) => {
      got.push(e);
    });
    const ctx = new ContextManager(store, bus, quiet, { graceMs: 0 });
    await ctx.apply({ contexts: [{ context_id: { context_uuid: { uuid: 'admin' } } }] });
    const [pending] = await store.outboxPending(new Date(Date.now() + 1000).toISOString(), 10);
    assert.ok(pending, 'the unpublished change stays in the outbox');
    assert.equal(got.length, 0);

    state.down = false;
    assert.equal(await ctx.relay.relayOnce(Date.now() + 1), 1);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(got.length, 1);
    assert.equal(got[0]!.kind, 'context');
    assert.equal(got[0]!.ts, Date.parse(pending.createdAt));
    assert.deepEqual(await store.outboxPending(new Date(Date.now() + 1000).toISOString(), 10), []);
    await ctx.relay.stop();
    await inner.close();
    await store.close();
  });

  it('acknowledges what it published at once, so the relay has nothing left', async () => {
    const store = await openStore({ url: 'sqlite::memory:' });
    const bus = await openBus({ url: 'inprocess' });
    const ctx = new ContextManager(store, bus, quiet, { graceMs: 0, ackDelayMs: 1 });
    await ctx.apply({ contexts: [{ context_id: { context_uuid: { uuid: 'admin' } } }] });
    await ctx.relay.flushAcks();
    assert.deepEqual(await store.outboxPending(new Date(Date.now() + 1000).toISOString(), 10), []);
    assert.equal(await ctx.relay.relayOnce(Date.now() + 1), 0);
    await ctx.relay.stop();
    await bus.close();
    await store.close();
  });
});
