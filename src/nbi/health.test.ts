import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildServer } from './server.js';
import { runCheck } from './health.js';

describe('health probes', () => {
  it('/healthz answers ok', async () => {
    const app = await buildServer({ logger: false, readiness: [], routes: [], version: 't' });
    try {
      const res = await app.inject({ method: 'GET', url: '/healthz' });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { status: 'ok' });
    } finally {
      await app.close();
    }
  });

  it('/readyz is 200 when every check passes', async () => {
    const app = await buildServer({
      logger: false,
      readiness: [
        { name: 'store', check: async () => true },
        { name: 'bus', check: async () => true },
      ],
      routes: [],
      version: 't',
    });
    try {
      const res = await app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { status: 'ready', checks: { store: true, bus: true } });
    } finally {
      await app.close();
    }
  });

  it('/readyz stays 200 while a failing check is within the grace period of its last success', async () => {
    let busUp = true;
    const app = await buildServer({
      logger: false,
      readiness: [
        { name: 'bus', check: async () => busUp, graceMs: 3_600_000 },
        { name: 'never', check: async () => false, graceMs: 3_600_000 },
      ],
      routes: [],
      version: 't',
    });
    const strict = await buildServer({ logger: false, readiness: [{ name: 'bus', check: async () => busUp }], routes: [], version: 't' });
    try {
      // A check that never succeeded has no grace.
      assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503);
      await app.close();
      const graced = await buildServer({ logger: false, readiness: [{ name: 'bus', check: async () => busUp, graceMs: 3_600_000 }], routes: [], version: 't' });
      try {
        assert.equal((await graced.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
        assert.equal((await strict.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
        busUp = false;
        const res = await graced.inject({ method: 'GET', url: '/readyz' });
        assert.equal(res.statusCode, 200);
        assert.deepEqual(res.json(), { status: 'ready', checks: { bus: false } });
        assert.equal((await strict.inject({ method: 'GET', url: '/readyz' })).statusCode, 503);
      } finally {
        await graced.close();
      }
    } finally {
      await strict.close();
    }
  });

  it('/readyz is 503 when a check fails, throws or hangs past its timeout', async () => {
    const app = await buildServer({
      logger: false,
      readiness: [
        { name: 'store', check: async () => true },
        { name: 'bus', check: async () => false },
        { name: 'nats', check: () => Promise.reject(new Error('down')) },
        { name: 'slow', check: () => new Promise<boolean>(() => {}) },
      ],
      readinessTimeoutMs: 50,
      routes: [],
      version: 't',
    });
    try {
      const started = Date.now();
      const res = await app.inject({ method: 'GET', url: '/readyz' });
      assert.ok(Date.now() - started < 1000, 'checks time out instead of hanging the probe');
      assert.equal(res.statusCode, 503);
      assert.deepEqual(res.json(), { status: 'not-ready', checks: { store: true, bus: false, nats: false, slow: false } });
    } finally {
      await app.close();
    }
  });

  it('runCheck treats a synchronous throw and a non-boolean answer as not ready', async () => {
    const throwing = {
      name: 'x',
      check: (): Promise<boolean> => {
        throw new Error('sync');
      },
    };
    assert.equal(await runCheck(throwing, 100), false);
    assert.equal(await runCheck({ name: 'y', check: async () => 'yes' as unknown as boolean }, 100), false);
    assert.equal(await runCheck({ name: 'z', check: async () => true }, 100), true);
  });
});
