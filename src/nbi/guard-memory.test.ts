import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemorySaver } from './guard-memory.js';

const MiB = 1024 * 1024;

describe('MemorySaver', () => {
  it('switches V8 to optimise for size above the threshold and back below the lower one', () => {
    let rss = 150 * MiB;
    const flags: string[] = [];
    const saver = new MemorySaver({ onAboveMiB: 200, offBelowMiB: 180, rss: () => rss, setFlag: (f) => flags.push(f) });
    saver.check();
    assert.deepEqual([saver.active, flags], [false, []]);
    rss = 201 * MiB;
    saver.check();
    saver.check();
    assert.deepEqual([saver.active, flags, saver.activations], [true, ['--optimize-for-size'], 1]);
    rss = 190 * MiB;
    saver.check();
    assert.equal(saver.active, true, 'between the thresholds nothing changes');
    rss = 179 * MiB;
    saver.check();
    assert.deepEqual([saver.active, flags], [false, ['--optimize-for-size', '--no-optimize-for-size']]);
    rss = 250 * MiB;
    saver.check();
    saver.stop();
    assert.deepEqual(flags.slice(2), ['--optimize-for-size', '--no-optimize-for-size'], 'stop switches it off');
  });

  it('0 never starts; the default lower threshold is 85 %', () => {
    const flags: string[] = [];
    const off = new MemorySaver({ onAboveMiB: 0, setFlag: (f) => flags.push(f) });
    off.start();
    off.stop();
    let rss = 101 * MiB;
    const saver = new MemorySaver({ onAboveMiB: 100, rss: () => rss, setFlag: (f) => flags.push(f) });
    saver.check();
    rss = 86 * MiB;
    saver.check();
    assert.equal(saver.active, true);
    rss = 84 * MiB;
    saver.check();
    assert.deepEqual(flags, ['--optimize-for-size', '--no-optimize-for-size']);
  });

  it('switches on only during a flood, and off after a calm spell', () => {
    let flood = false;
    const flags: string[] = [];
    const saver = new MemorySaver({ onAboveMiB: 100, rss: () => 300 * MiB, setFlag: (f) => flags.push(f), flooded: () => flood, calmChecks: 3 });
    saver.check();
    assert.equal(saver.active, false, 'a large controller without a flood keeps the defaults');
    flood = true;
    saver.check();
    assert.equal(saver.active, true);
    flood = false;
    saver.check();
    saver.check();
    assert.equal(saver.active, true);
    saver.check();
    assert.deepEqual([saver.active, flags], [false, ['--optimize-for-size', '--no-optimize-for-size']]);
  });
});
