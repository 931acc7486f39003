import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CnsdnError } from '../common/errors.js';
import { isTransientDatabaseError, retryTransaction, unavailableIfDisconnected, withReconnect } from './reconnect.js';

const lost = () => Object.assign(new Error('write CONNECTION_CLOSED'), { code: 'CONNECTION_CLOSED' });
const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', syscall: 'connect' });
const readOnly = () => Object.assign(new Error('cannot execute INSERT in a read-only transaction'), { code: '25006' });
const unique = () => Object.assign(new Error('duplicate key'), { code: '23505' });
const conflict = () => Object.assign(new Error('could not serialize access'), { code: '40001' });

describe('reconnect', () => {
  it('tells transient database failures from the others, through wrappers', () => {
    for (const e of [lost(), refused(), readOnly(), Object.assign(new Error('terminating connection'), { code: '57P01' }), new CnsdnError('UNAVAILABLE', 'x', [], { cause: lost() })]) assert.equal(isTransientDatabaseError(e), true, String(e));
    assert.equal(isTransientDatabaseError(Object.assign(new Error('cannot use serializable mode in a hot standby'), { code: '0A000' })), true);
    assert.equal(isTransientDatabaseError(Object.assign(new Error('unsupported feature'), { code: '0A000' })), false);
    for (const e of [unique(), conflict(), new Error('plain'), Object.assign(new Error('x'), { code: 'ENOENT' })]) assert.equal(isTransientDatabaseError(e), false, String(e));
  });

  it('turns a transient failure into UNAVAILABLE and leaves others alone', () => {
    const e = unavailableIfDisconnected('get', lost());
    assert.ok(e instanceof CnsdnError && e.code === 'UNAVAILABLE');
    const u = unique();
    assert.equal(unavailableIfDisconnected('get', u), u);
  });

  it('runs again after transient failures, and not after others', async () => {
    let n = 0;
    assert.equal(
      await withReconnect(async () => {
        n++;
        if (n < 3) throw n === 1 ? refused() : readOnly();
        return 'ok';
      }),
      'ok',
    );
    assert.equal(n, 3);
    n = 0;
    await assert.rejects(
      withReconnect(async () => {
        n++;
        throw unique();
      }),
      /duplicate key/,
    );
    assert.equal(n, 1);
  });

  it('gives up once the budget is spent', async () => {
    let n = 0;
    await assert.rejects(
      withReconnect(
        async () => {
          n++;
          throw lost();
        },
        { budgetMs: 0 },
      ),
      /CONNECTION_CLOSED/,
    );
    assert.equal(n, 1);
  });

  it('runs a transaction again when it failed before COMMIT, never when COMMIT was under way', async () => {
    let attempts = 0;
    const result = await retryTransaction(
      async (markCommitting) => {
        attempts++;
        if (attempts === 1) throw lost();
        if (attempts === 2) throw conflict();
        markCommitting();
        return attempts;
      },
      { maxAttempts: 3 },
    );
    assert.equal(result, 3);
    attempts = 0;
    await assert.rejects(
      retryTransaction(
        async (markCommitting) => {
          attempts++;
          markCommitting();
          throw lost();
        },
        { maxAttempts: 3 },
      ),
      /CONNECTION_CLOSED/,
    );
    assert.equal(attempts, 1);
  });
});
