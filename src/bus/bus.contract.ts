/**
 * The one contract every Bus implementation passes. Run it from a *.test.ts / *.itest.ts file:
 *   runBusContract('inprocess', (rt) => openBus({ url: 'inprocess', ...rt }));
 * Each test opens its own bus (and closes it); a durable bus's open() must reach the same
 * stream every time, so tests only rely on sequences relative to lastSeq().
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { CnsdnError } from '../common/errors.js';
import type { EntityKind } from '../store/api.js';
import type { Bus, BusEvent, DeliveredEvent, SubscribeOptions } from './api.js';
import type { BusLogger, BusRuntimeOptions } from './log.js';

export interface BusContractOptions {
  /** The bus keeps events across close/open (a stream), so resume-after-restart applies. */
  durable?: boolean;
  /** Per-test time limit (default 20 s). */
  timeoutMs?: number;
}

export type OpenBus = (runtime: BusRuntimeOptions) => Promise<Bus>;

/** A logger that keeps what it was told, so tests can assert on it and stay quiet. */
export function captureLogger(): BusLogger & { errors: { obj: object; msg: string }[]; warnings: { obj: object; msg: string }[] } {
  const errors: { obj: object; msg: string }[] = [];
  const warnings: { obj: object; msg: string }[] = [];
  return { errors, warnings, error: (obj, msg) => errors.push({ obj, msg }), warn: (obj, msg) => warnings.push({ obj, msg }) };
}

let tsCounter = Date.now();

export function makeEvent(uuid: string, revision: number, op: BusEvent['op'] = 'UPDATE', kind: EntityKind = 'device'): BusEvent {
  return { kind, uuid, name: `name-${uuid}`, parent: kind === 'service' ? 'ctx-1' : null, op, revision, ts: ++tsCounter };
}

export function eventFields(e: DeliveredEvent): BusEvent {
  const { seq: _seq, ...rest } = e;
  return rest;
}

/** Collects delivered events; waitFor(n) resolves once n have arrived or fails after timeoutMs. */
export function collector() {
  const events: DeliveredEvent[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const handler = (e: DeliveredEvent) => {
    events.push(e);
    for (const w of waiters.filter((w) => events.length >= w.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const waitFor = (n: number, timeoutMs = 10_000): Promise<DeliveredEvent[]> => {
    if (events.length >= n) return Promise.resolve(events);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`got ${events.length} events, expected ${n}, within ${timeoutMs} ms`)), timeoutMs);
      waiters.push({
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve(events);
        },
      });
    });
  };
  return { events, handler, waitFor };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function assertIncreasing(seqs: number[]): void {
  for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `seq ${seqs[i]} after ${seqs[i - 1]} at ${i}`);
}

export function runBusContract(name: string, open: OpenBus, options: BusContractOptions = {}): void {
  const timeout = options.timeoutMs ?? 20_000;

  /** Opens a bus for one test and closes it afterwards, whatever happens. */
  async function withBus(fn: (bus: Bus, log: ReturnType<typeof captureLogger>) => Promise<void>): Promise<void> {
    const log = captureLogger();
    const bus = await open({ logger: log });
    try {
      await fn(bus, log);
    } finally {
      await bus.close();
    }
  }

  /** Subscribes a collector and publishes a sentinel to prove no stray event slipped in before it. */
  async function subscribeCollect(bus: Bus, opts?: SubscribeOptions) {
    const c = collector();
    const sub = await bus.subscribe(c.handler, opts);
    return { ...c, sub };
  }

  describe(`bus contract: ${name}`, () => {
    test('publish → subscribe delivers every field and increasing seqs', { timeout }, () =>
      withBus(async (bus) => {
        const before = await bus.lastSeq();
        const c = await subscribeCollect(bus);
        const sent = [makeEvent(randomUUID(), 1, 'CREATE'), makeEvent(randomUUID(), 3, 'UPDATE', 'link'), makeEvent(randomUUID(), 2, 'REMOVE', 'service')];
        await bus.publish(sent);
        const got = await c.waitFor(3);
        assert.deepEqual(got.map(eventFields), sent);
        assertIncreasing(got.map((e) => e.seq));
        assert.ok(got[0].seq > before);
        assert.equal(got[2].seq, await bus.lastSeq());
        await c.sub.unsubscribe();
      }));

    test('uuids with dots, wildcards, spaces and non-ASCII survive the trip', { timeout }, () =>
      withBus(async (bus) => {
        const c = await subscribeCollect(bus);
        const odd = ['R1.eth0', 'a*b>c', 'with space', 'ñandú-🚀', '~x', 'R1'];
        await bus.publish(odd.map((u) => makeEvent(u, 1)));
        const got = await c.waitFor(odd.length);
        assert.deepEqual(
          got.map((e) => e.uuid),
          odd,
        );
        await c.sub.unsubscribe();
      }));

    test('per-entity order is kept for 1,000 events over 10 entities', { timeout }, () =>
      withBus(async (bus) => {
        const entities = Array.from({ length: 10 }, () => randomUUID());
        const c = await subscribeCollect(bus);
        const sent: BusEvent[] = [];
        for (let i = 0; i < 1000; i++) sent.push(makeEvent(entities[i % 10], Math.floor(i / 10) + 1));
        await bus.publish(sent);
        const got = await c.waitFor(1000);
        assert.equal(got.length, 1000);
        assertIncreasing(got.map((e) => e.seq));
        for (const uuid of entities) {
          const revisions = got.filter((e) => e.uuid === uuid).map((e) => e.revision);
          assert.deepEqual(
            revisions,
            Array.from({ length: 100 }, (_, i) => i + 1),
          );
        }
        await c.sub.unsubscribe();
      }));

    test('two subscribers both get everything, with the same seqs', { timeout }, () =>
      withBus(async (bus) => {
        const a = await subscribeCollect(bus);
        const b = await subscribeCollect(bus);
        const sent = Array.from({ length: 200 }, (_, i) => makeEvent(randomUUID(), i + 1));
        await bus.publish(sent.slice(0, 100));
        await bus.publish(sent.slice(100));
        await Promise.all([a.waitFor(200), b.waitFor(200)]);
        assert.deepEqual(a.events.map(eventFields), sent);
        assert.deepEqual(b.events, a.events);
        await Promise.all([a.sub.unsubscribe(), b.sub.unsubscribe()]);
      }));

    test('fromSeq replays exactly from that seq, then goes on with new events', { timeout }, () =>
      withBus(async (bus) => {
        const base = await bus.lastSeq();
        const sent = Array.from({ length: 50 }, (_, i) => makeEvent(randomUUID(), i + 1));
        await bus.publish(sent);
        const c = await subscribeCollect(bus, { fromSeq: base + 21 });
        await c.waitFor(30);
        const more = Array.from({ length: 5 }, (_, i) => makeEvent(randomUUID(), i + 1));
        await bus.publish(more);
        const got = await c.waitFor(35);
        await sleep(100);
        assert.equal(got.length, 35);
        assert.deepEqual(
          got.slice(0, 30).map((e) => e.seq),
          Array.from({ length: 30 }, (_, i) => base + 21 + i),
        );
        assert.deepEqual(got.map(eventFields), [...sent.slice(20), ...more]);
        await c.sub.unsubscribe();
      }));

    test('without fromSeq only events published after subscribe() are delivered', { timeout }, () =>
      withBus(async (bus) => {
        await bus.publish([makeEvent(randomUUID(), 1)]);
        const c = await subscribeCollect(bus);
        const fresh = makeEvent(randomUUID(), 1);
        await bus.publish([fresh]);
        await c.waitFor(1);
        await sleep(100);
        assert.deepEqual(c.events.map(eventFields), [fresh]);
        await c.sub.unsubscribe();
      }));

    test('kinds filter: one kind and several kinds', { timeout }, () =>
      withBus(async (bus) => {
        const several = await subscribeCollect(bus, { kinds: ['link', 'service'] });
        const one = await subscribeCollect(bus, { kinds: ['device'] });
        const kinds: EntityKind[] = ['device', 'link', 'context', 'service', 'topology', 'device', 'slice', 'link'];
        const sent = kinds.map((k, i) => makeEvent(randomUUID(), i + 1, 'CREATE', k));
        const sentinel = makeEvent(randomUUID(), 1, 'UPDATE', 'service');
        const lastDevice = makeEvent(randomUUID(), 1, 'UPDATE', 'device');
        await bus.publish([...sent, sentinel, lastDevice]);
        await several.waitFor(4);
        await one.waitFor(3);
        assert.deepEqual(several.events.map(eventFields), [...sent.filter((e) => e.kind === 'link' || e.kind === 'service'), sentinel]);
        assert.deepEqual(one.events.map(eventFields), [...sent.filter((e) => e.kind === 'device'), lastDevice]);
        await Promise.all([several.sub.unsubscribe(), one.sub.unsubscribe()]);
      }));

    test('unsubscribe stops delivery and waits for a running handler', { timeout }, () =>
      withBus(async (bus) => {
        const witness = await subscribeCollect(bus);
        let release!: () => void;
        const gate = new Promise<void>((r) => {
          release = r;
        });
        const seen: number[] = [];
        let handlerDone = false;
        const slow = await bus.subscribe(async (e) => {
          seen.push(e.revision);
          if (e.revision === 1) {
            await gate;
            handlerDone = true;
          }
        });
        await bus.publish([makeEvent(randomUUID(), 1), makeEvent(randomUUID(), 2)]);
        while (seen.length === 0) await sleep(5);
        const unsubscribed = slow.unsubscribe();
        await sleep(50);
        assert.equal(handlerDone, false);
        release();
        await unsubscribed;
        assert.equal(handlerDone, true);
        await bus.publish(Array.from({ length: 5 }, (_, i) => makeEvent(randomUUID(), i + 3)));
        await witness.waitFor(7);
        await sleep(100);
        assert.deepEqual(seen, [1]);
        await witness.sub.unsubscribe();
      }));

    test('unsubscribe from inside the handler does not deadlock', { timeout }, () =>
      withBus(async (bus) => {
        const seen: number[] = [];
        let finished = false;
        const sub = await bus.subscribe(async (e) => {
          seen.push(e.revision);
          await sub.unsubscribe();
          finished = true;
        });
        await bus.publish([makeEvent(randomUUID(), 1), makeEvent(randomUUID(), 2), makeEvent(randomUUID(), 3)]);
        while (!finished) await sleep(5);
        await sleep(100);
        assert.deepEqual(seen, [1]);
      }));

    test('a handler that throws or rejects is logged and delivery goes on', { timeout }, () =>
      withBus(async (bus, log) => {
        const seen: number[] = [];
        const sub = await bus.subscribe(async (e) => {
          seen.push(e.revision);
          if (e.revision === 1) throw new Error('boom sync-ish');
          if (e.revision === 2) await Promise.reject(new Error('boom async'));
        });
        const c = await subscribeCollect(bus);
        await bus.publish([1, 2, 3, 4].map((r) => makeEvent(randomUUID(), r)));
        await c.waitFor(4);
        while (seen.length < 4) await sleep(5);
        assert.deepEqual(seen, [1, 2, 3, 4]);
        assert.equal(log.errors.length, 2);
        assert.match(String((log.errors[0].obj as { err: Error }).err.message), /boom sync-ish/);
        await sub.unsubscribe();
        await c.sub.unsubscribe();
      }));

    test('a synchronous throwing handler does not kill the subscription either', { timeout }, () =>
      withBus(async (bus, log) => {
        const seen: number[] = [];
        const sub = await bus.subscribe((e) => {
          seen.push(e.revision);
          if (e.revision % 2 === 1) throw new Error('odd');
        });
        await bus.publish([1, 2, 3, 4, 5].map((r) => makeEvent(randomUUID(), r)));
        for (let i = 0; i < 400 && seen.length < 5; i++) await sleep(25);
        assert.deepEqual(seen, [1, 2, 3, 4, 5]);
        assert.equal(log.errors.length, 3);
        await sub.unsubscribe();
      }));

    test('handler calls are sequential and in seq order; a slow one blocks neither publish nor others', { timeout }, () =>
      withBus(async (bus) => {
        let release!: () => void;
        const gate = new Promise<void>((r) => {
          release = r;
        });
        let concurrent = 0;
        let maxConcurrent = 0;
        const slowSeqs: number[] = [];
        const slow = await bus.subscribe(async (e) => {
          concurrent++;
          maxConcurrent = Math.max(maxConcurrent, concurrent);
          await gate;
          await sleep(1);
          slowSeqs.push(e.seq);
          concurrent--;
        });
        const fast = await subscribeCollect(bus);
        await bus.publish(Array.from({ length: 20 }, (_, i) => makeEvent(randomUUID(), i + 1)));
        await fast.waitFor(20);
        assert.equal(slowSeqs.length, 0);
        release();
        while (slowSeqs.length < 20) await sleep(5);
        assert.equal(maxConcurrent, 1);
        assert.deepEqual(
          slowSeqs,
          fast.events.map((e) => e.seq),
        );
        await Promise.all([slow.unsubscribe(), fast.sub.unsubscribe()]);
      }));

    test('lastSeq counts stored events', { timeout }, () =>
      withBus(async (bus) => {
        const before = await bus.lastSeq();
        assert.ok(Number.isInteger(before) && before >= 0);
        await bus.publish(Array.from({ length: 7 }, (_, i) => makeEvent(randomUUID(), i + 1)));
        assert.equal(await bus.lastSeq(), before + 7);
        await bus.publish([]);
        assert.equal(await bus.lastSeq(), before + 7);
      }));

    test('a malformed event rejects the whole batch with BUS_ERROR and stores nothing', { timeout }, () =>
      withBus(async (bus) => {
        const before = await bus.lastSeq();
        const bad = { ...makeEvent(randomUUID(), 1), kind: 'router' } as unknown as BusEvent;
        await assert.rejects(bus.publish([makeEvent(randomUUID(), 1), bad]), (err: unknown) => {
          assert.ok(err instanceof CnsdnError);
          assert.equal(err.code, 'BUS_ERROR');
          assert.equal(err.details[0].path, '/1/kind');
          return true;
        });
        await assert.rejects(bus.subscribe(() => {}, { kinds: ['router' as EntityKind] }), CnsdnError);
        assert.equal(await bus.lastSeq(), before);
      }));

    test('an entity removed and created again gets all its events (revisions restart at 1)', { timeout }, () =>
      withBus(async (bus) => {
        const c = await subscribeCollect(bus);
        const uuid = randomUUID();
        const sent = [makeEvent(uuid, 1, 'CREATE'), makeEvent(uuid, 1, 'REMOVE'), makeEvent(uuid, 1, 'CREATE')];
        for (const e of sent) await bus.publish([e]);
        await c.waitFor(3);
        assert.deepEqual(c.events.map(eventFields), sent);
        await c.sub.unsubscribe();
      }));

    test('ping is true while open; after close, ping is false and calls fail', { timeout }, async () => {
      const bus = await open({ logger: captureLogger() });
      assert.equal(await bus.ping(), true);
      await bus.close();
      assert.equal(await bus.ping(), false);
      await assert.rejects(bus.publish([makeEvent(randomUUID(), 1)]), CnsdnError);
      await bus.close();
    });

    test('resume after restart: a new bus on the same stream continues from fromSeq', { timeout, skip: !options.durable && 'only for durable buses' }, async () => {
      const first = await open({ logger: captureLogger() });
      await first.publish(Array.from({ length: 10 }, (_, i) => makeEvent(randomUUID(), i + 1)));
      const last = await first.lastSeq();
      await first.close();

      await withBus(async (bus) => {
        assert.equal(await bus.lastSeq(), last);
        const whileDown = Array.from({ length: 3 }, (_, i) => makeEvent(randomUUID(), i + 1));
        await bus.publish(whileDown);
        const c = await subscribeCollect(bus, { fromSeq: last + 1 });
        const after = Array.from({ length: 2 }, (_, i) => makeEvent(randomUUID(), i + 1));
        await bus.publish(after);
        await c.waitFor(5);
        await sleep(100);
        assert.deepEqual(c.events.map(eventFields), [...whileDown, ...after]);
        assert.deepEqual(
          c.events.map((e) => e.seq),
          [1, 2, 3, 4, 5].map((i) => last + i),
        );
        await c.sub.unsubscribe();
      });
    });
  });
}
