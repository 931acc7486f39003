import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface TestPki {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

const days = (n: number) => new Date(Date.now() + n * 86_400_000);

/**
 * A throwaway CA and a server and a client certificate it signed — for tests, demos and the
 * simulator. The server certificate names every host given (IP addresses and DNS names).
 */
export async function generateTestPki(opts: { hosts?: string[]; commonName?: string; validDays?: number } = {}): Promise<TestPki> {
  const hosts = opts.hosts ?? ['127.0.0.1', 'localhost'];
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = days(opts.validDays ?? 365);
  const base = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256', notBeforeDate, notAfterDate } as const;
  const ca = await generate([{ name: 'commonName', value: opts.commonName ?? 'cnsdn test CA' }], {
    ...base,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const signer = { key: ca.private, cert: ca.cert };
  const ipPattern = /^(\d+\.){3}\d+$|:/;
  const server = await generate([{ name: 'commonName', value: hosts[0] ?? 'localhost' }], {
    ...base,
    ca: signer,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: hosts.map((h) => (ipPattern.test(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h })) },
    ],
  });
  const client = await generate([{ name: 'commonName', value: 'cnsdn client' }], {
    ...base,
    ca: signer,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  return {
    caCert: ca.cert,
    caKey: ca.private,
    serverCert: server.cert,
    serverKey: server.private,
    clientCert: client.cert,
    clientKey: client.private,
  };
}

export const PKI_FILES = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  serverCert: 'server.crt',
  serverKey: 'server.key',
  clientCert: 'client.crt',
  clientKey: 'client.key',
} as const satisfies Record<keyof TestPki, string>;

/** Writes the PKI as PEM files in `dir` (keys mode 0600) and returns their paths. */
export async function writePki(dir: string, pki: TestPki): Promise<Record<keyof TestPki, string>> {
  await mkdir(dir, { recursive: true });
  const out = {} as Record<keyof TestPki, string>;
  for (const [k, file] of Object.entries(PKI_FILES) as [keyof TestPki, string][]) {
    const path = join(dir, file);
    await writeFile(path, pki[k], { mode: k.endsWith('Key') ? 0o600 : 0o644 });
    out[k] = path;
  }
  return out;
}
