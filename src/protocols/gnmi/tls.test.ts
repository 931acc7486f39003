import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { GnmiClient, type GnmiClientOptions } from './client.js';
import { GnmiError } from './errors.js';
import { MemoryTarget } from './memory-target.js';
import { type GnmiServer, startGnmiServer } from './server.js';
import { generateTestPki, type TestPki, writePki } from './tls.js';

class CountingTarget extends MemoryTarget {
  calls = 0;
  override authenticate(u: string | undefined, p: string | undefined) {
    this.calls++;
    return super.authenticate(u, p);
  }
}

const isUnavailable = (pattern: RegExp) => (e: unknown) => {
  assert.ok(e instanceof GnmiError, String(e));
  assert.equal(e.code, 'UNAVAILABLE');
  assert.match(e.message, pattern);
  return true;
};

describe('gNMI transport security', { timeout: 60_000 }, () => {
  let pki: TestPki;
  let other: TestPki;
  let dir: string;
  const target = new CountingTarget({ users: [{ username: 'admin', password: 'secret', role: 'rw' }] });
  let tlsServer: GnmiServer;
  let mtlsServer: GnmiServer;
  let plainServer: GnmiServer;
  const opened: GnmiClient[] = [];

  const connect = async (opts: Omit<GnmiClientOptions, 'username' | 'password'> & { password?: string }) => {
    const c = await GnmiClient.connect({ username: 'admin', password: 'secret', timeoutMs: 3000, ...opts });
    opened.push(c);
    return c;
  };

  before(async () => {
    [pki, other] = await Promise.all([generateTestPki({ hosts: ['127.0.0.1', 'localhost'] }), generateTestPki()]);
    dir = await mkdtemp(join(tmpdir(), 'gnmi-tls-'));
    tlsServer = await startGnmiServer({ port: 0, target, tls: { cert: pki.serverCert, key: pki.serverKey } });
    mtlsServer = await startGnmiServer({ port: 0, target, tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert, requireClientCert: true } });
    plainServer = await startGnmiServer({ port: 0, target, tls: 'insecure' });
  });

  after(async () => {
    for (const c of opened) c.close();
    await Promise.all([tlsServer.close(), mtlsServer.close(), plainServer.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('verifies the server against the given CA', async () => {
    const c = await connect({ address: `127.0.0.1:${tlsServer.port}`, tls: { ca: Buffer.from(pki.caCert) } });
    assert.equal((await c.capabilities()).gnmiVersion, '0.10.0');
    const byName = await connect({ address: `127.0.0.1:${tlsServer.port}`, tls: { ca: pki.caCert, serverName: 'localhost' } });
    await byName.capabilities();
  });

  it('fails with a clear error on an unknown CA, and never reaches the target', async () => {
    const before = target.calls;
    await assert.rejects(
      connect({ address: `127.0.0.1:${tlsServer.port}`, tls: { ca: other.caCert } }),
      isUnavailable(/TLS handshake with 127\.0\.0\.1:\d+ failed: .*(self[- ]signed|unable to verify|certificate)/i),
    );
    await assert.rejects(connect({ address: `127.0.0.1:${tlsServer.port}` }), isUnavailable(/TLS handshake .* failed/));
    assert.equal(target.calls, before);
  });

  it('verifies an IP address target against the certificate without sending the IP as TLS server name (no DEP0123)', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => warnings.push(w.code ?? w.name);
    process.on('warning', onWarning);
    const byNameOnly = await generateTestPki({ hosts: ['localhost'] });
    const server = await startGnmiServer({ port: 0, target, tls: { cert: byNameOnly.serverCert, key: byNameOnly.serverKey } });
    try {
      await assert.rejects(connect({ address: `127.0.0.1:${server.port}`, tls: { ca: byNameOnly.caCert } }), isUnavailable(/127\.0\.0\.1|altnames|IP/i));
      const ok = await connect({ address: `127.0.0.1:${tlsServer.port}`, tls: { ca: pki.caCert } });
      await ok.capabilities();
      await sleep(50);
      assert.ok(!warnings.includes('DEP0123'), `warnings: ${warnings.join(', ')}`);
    } finally {
      process.off('warning', onWarning);
      await server.close();
    }
  });

  it('fails when the certificate does not name the server', async () => {
    await assert.rejects(
      connect({ address: `127.0.0.1:${tlsServer.port}`, tls: { ca: pki.caCert, serverName: 'router.example' } }),
      isUnavailable(/router\.example|altnames/i),
    );
  });

  it('does not fall back to plaintext when the target speaks plaintext', async () => {
    const before = target.calls;
    await assert.rejects(connect({ address: `127.0.0.1:${plainServer.port}`, tls: { ca: pki.caCert } }), isUnavailable(/TLS handshake .* failed.*plaintext/));
    assert.equal(target.calls, before);
  });

  it('skipVerify encrypts without verifying; insecure only talks plaintext', async () => {
    const skip = await connect({ address: `127.0.0.1:${tlsServer.port}`, tls: { skipVerify: true } });
    await skip.capabilities();
    const plain = await connect({ address: `127.0.0.1:${plainServer.port}`, tls: 'insecure' });
    await plain.capabilities();
    await assert.rejects(connect({ address: `127.0.0.1:${tlsServer.port}`, tls: 'insecure' }), (e: GnmiError) => e.code === 'UNAVAILABLE');
  });

  it('mutual TLS: a required client certificate that is missing fails; present, it works', async () => {
    const before = target.calls;
    await assert.rejects(async () => {
      const c = await connect({ address: `127.0.0.1:${mtlsServer.port}`, tls: { ca: pki.caCert } });
      await c.capabilities();
    }, (e: GnmiError) => e instanceof GnmiError && e.code === 'UNAVAILABLE');
    assert.equal(target.calls, before);
    await assert.rejects(
      connect({ address: `127.0.0.1:${mtlsServer.port}`, tls: { ca: pki.caCert, cert: other.clientCert, key: other.clientKey } }).then((c) => c.capabilities()),
      (e: GnmiError) => e.code === 'UNAVAILABLE',
    );
    const c = await connect({ address: `127.0.0.1:${mtlsServer.port}`, tls: { ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey } });
    await c.capabilities();
  });

  it('bad credentials over TLS are UNAUTHENTICATED', async () => {
    const c = await connect({ address: `127.0.0.1:${tlsServer.port}`, tls: { ca: pki.caCert }, password: 'nope' });
    await assert.rejects(c.capabilities(), (e: GnmiError) => e.code === 'UNAUTHENTICATED' && /invalid username or password/.test(e.message));
  });

  it('re-reads rotated certificate files without a restart', async () => {
    const files = await writePki(join(dir, 'client'), pki);
    const first = await startGnmiServer({ port: 0, target, tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert, requireClientCert: true } });
    const port = first.port;
    const c = await connect({ address: `127.0.0.1:${port}`, tls: { ca: files.caCert, cert: files.clientCert, key: files.clientKey } });
    await c.capabilities();
    await first.close();
    const second = await startGnmiServer({ port, target, tls: { cert: other.serverCert, key: other.serverKey, ca: other.caCert, requireClientCert: true } });
    try {
      await assert.rejects(c.capabilities({ timeoutMs: 1500 }), (e: GnmiError) => {
        assert.ok(['UNAVAILABLE', 'CANCELLED'].includes(e.code), e.message);
        return true;
      });
      await sleep(20);
      await Promise.all([writeFile(files.caCert, other.caCert), writeFile(files.clientCert, other.clientCert), writeFile(files.clientKey, other.clientKey)]);
      assert.equal((await c.capabilities()).gnmiVersion, '0.10.0');
      const fresh = await connect({ address: `127.0.0.1:${port}`, tls: { ca: files.caCert, cert: files.clientCert, key: files.clientKey } });
      await fresh.capabilities();
    } finally {
      await second.close();
    }
  });
});
