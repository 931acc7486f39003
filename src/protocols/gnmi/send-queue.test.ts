import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { SendQueue } from './send-queue.js';
import type { SubscribeResponsePb } from './wire.js';

class FakeSink extends EventEmitter {
  written: SubscribeResponsePb[] = [];
  accepting = true;
  write(msg: SubscribeResponsePb): boolean {
    this.written.push(msg);
    return this.accepting;
  }
}

const note = (i: number): SubscribeResponsePb => ({ update: { timestamp: String(i) } });

describe('SendQueue', () => {
  it('writes straight through while the stream accepts data', () => {
    const sink = new FakeSink();
    const q = new SendQueue(sink, 3);
    for (let i = 0; i < 10; i++) q.push(note(i));
    assert.equal(sink.written.length, 10);
    assert.equal(q.dropped, 0);
  });

  it('holds at most `limit` notifications for a stalled reader, dropping the oldest but never sync markers', () => {
    const sink = new FakeSink();
    const drops: number[] = [];
    const q = new SendQueue(sink, 3, (n) => drops.push(n));
    sink.accepting = false;
    q.push(note(0));
    q.push({ sync_response: true });
    for (let i = 1; i <= 10; i++) q.push(note(i));
    assert.equal(q.length, 4);
    assert.equal(q.dropped, 7);
    assert.equal(drops.length, 7);
    sink.accepting = true;
    let flushed = false;
    q.whenFlushed(() => {
      flushed = true;
    });
    assert.equal(flushed, false);
    sink.emit('drain');
    assert.equal(flushed, true);
    assert.deepEqual(sink.written.map((m) => (m.sync_response ? 'sync' : m.update!.timestamp)), ['0', 'sync', '8', '9', '10']);
  });
});
