/** The simulator's TLS material: reused from a directory when present, generated into it otherwise. */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { generateTestPki, PKI_FILES, type TestPki, writePki } from '../../protocols/gnmi/index.js';

export type PkiPaths = Record<keyof TestPki, string>;

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/**
 * Returns the PKI file paths in `dir`. Existing files are kept (a CA handed to controllers
 * stays valid across simulator restarts); a directory without a server certificate gets a
 * new CA, server certificate for 127.0.0.1/localhost, and client certificate.
 */
export async function ensurePki(dir: string, hosts: string[] = ['127.0.0.1', 'localhost']): Promise<PkiPaths> {
  const paths = Object.fromEntries(Object.entries(PKI_FILES).map(([k, f]) => [k, join(dir, f)])) as PkiPaths;
  const needed = [paths.caCert, paths.serverCert, paths.serverKey];
  if ((await Promise.all(needed.map(exists))).every(Boolean)) {
    return paths;
  }
  return writePki(dir, await generateTestPki({ hosts: [...new Set([...hosts, '127.0.0.1', 'localhost'])] }));
}
