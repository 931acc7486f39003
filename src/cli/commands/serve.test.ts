import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { ControllerOptions } from '../../app/options.js';
import { run } from '../program.js';
import { captureIO } from '../testing.js';
import type { ServeDeps } from './serve.js';

function fakeApp(opts: { failStart?: Error } = {}) {
  const signals = new EventEmitter();
  const calls: { started?: ControllerOptions; closed: number } = { closed: 0 };
  let listening: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    listening = resolve;
  });
  const deps: ServeDeps = {
    signals,
    loadStartController: async () => async (options) => {
      calls.started = options;
      if (opts.failStart) throw opts.failStart;
      queueMicrotask(listening);
      return {
        url: `http://${options.host}:${options.port === 0 ? 43210 : options.port}`,
        close: async () => {
          calls.closed++;
        },
      };
    },
  };
  return { deps, signals, calls, started };
}

describe('cnsdn serve', () => {
  it('starts the controller with the options and environment, prints the URL, closes on SIGTERM', async () => {
    const app = fakeApp();
    const io = captureIO({ DATABASE_URL: 'postgres://127.0.0.1/db', NATS_URL: 'nats://127.0.0.1:4222' });
    const exit = run(['serve', '--port', '0', '--data', '/tmp/d', '--demo', '--log-level', 'warn'], io, app.deps);
    await app.started;
    assert.deepEqual(app.calls.started, {
      host: '127.0.0.1',
      port: 0,
      dataDir: '/tmp/d',
      demo: true,
      logLevel: 'warn',
      databaseUrl: 'postgres://127.0.0.1/db',
      natsUrl: 'nats://127.0.0.1:4222',
      auth: 'on',
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(io.out(), 'cnsdn listening on http://127.0.0.1:43210\n');
    assert.equal(app.calls.closed, 0);
    app.signals.emit('SIGTERM');
    assert.equal(await exit, 0);
    assert.equal(app.calls.closed, 1);
    assert.equal(app.signals.listenerCount('SIGINT') + app.signals.listenerCount('SIGTERM'), 0);
  });

  it('uses the defaults and no database or NATS without the environment', async () => {
    const app = fakeApp();
    const exit = run(['serve'], captureIO(), app.deps);
    await app.started;
    assert.deepEqual(app.calls.started, {
      host: '127.0.0.1',
      port: 8080,
      dataDir: './data',
      demo: false,
      logLevel: 'info',
      databaseUrl: undefined,
      natsUrl: undefined,
      auth: 'on',
    });
    app.signals.emit('SIGINT');
    assert.equal(await exit, 0);
  });

  it('auth is on unless --auth off or CNSDN_AUTH=off', async () => {
    for (const [args, env, expected] of [
      [['serve', '--auth', 'off'], {}, 'off'],
      [['serve'], { CNSDN_AUTH: 'off' }, 'off'],
      [['serve', '--auth', 'on'], { CNSDN_AUTH: 'off' }, 'on'],
      [['serve'], { CNSDN_AUTH: 'no' }, 'on'],
    ] as const) {
      const app = fakeApp();
      const exit = run([...args], captureIO({ ...env }), app.deps);
      await app.started;
      assert.equal(app.calls.started?.auth, expected, `${args.join(' ')} ${JSON.stringify(env)}`);
      app.signals.emit('SIGTERM');
      assert.equal(await exit, 0);
    }
  });

  it('does not start when a signal arrives while the controller module loads', async () => {
    const signals = new EventEmitter();
    let started = false;
    const deps: ServeDeps = {
      signals,
      loadStartController: async () => {
        signals.emit('SIGINT');
        return async () => {
          started = true;
          return { url: 'http://127.0.0.1:1', close: async () => {} };
        };
      },
    };
    assert.equal(await run(['serve'], captureIO(), deps), 0);
    assert.equal(started, false);
    assert.equal(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM'), 0);
  });

  it('exits 1 with the reason when the controller cannot start', async () => {
    const app = fakeApp({ failStart: new Error('listen EADDRINUSE: address already in use 127.0.0.1:8080') });
    const io = captureIO();
    assert.equal(await run(['serve'], io, app.deps), 1);
    assert.equal(io.err(), 'cannot start the controller: listen EADDRINUSE: address already in use 127.0.0.1:8080\n');
    assert.equal(app.signals.listenerCount('SIGINT'), 0);
  });

  it('exits 1 when the controller module cannot be loaded', async () => {
    const io = captureIO();
    const deps: ServeDeps = {
      signals: new EventEmitter(),
      loadStartController: () => Promise.reject(new Error('Cannot find module app/index.js')),
    };
    assert.equal(await run(['serve'], io, deps), 1);
    assert.match(io.err(), /^cannot load the controller: Cannot find module/);
  });

  it('rejects a bad port or log level as a usage error', async () => {
    const app = fakeApp();
    for (const args of [
      ['serve', '--port', '70000'],
      ['serve', '--port', 'http'],
      ['serve', '--log-level', 'loud'],
    ]) {
      const io = captureIO();
      assert.equal(await run(args, io, app.deps), 2, args.join(' '));
      assert.match(io.err(), /error: option/);
    }
    assert.equal(app.calls.started, undefined);
  });
});
