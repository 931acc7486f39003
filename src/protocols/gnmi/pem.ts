import { readFileSync, statSync } from 'node:fs';

/** PEM text, or a path to a PEM file. */
export type PemSource = Buffer | string;

/** PEM text as given, or the contents of the file a string names. */
export function pemOrFile(src: Buffer | string): Buffer {
  if (Buffer.isBuffer(src)) return src;
  if (src.includes('-----BEGIN')) return Buffer.from(src, 'utf8');
  return readFileSync(src);
}

/** Whether a source is a file path (and so can change on disk). */
export const isFilePath = (src: Buffer | string | undefined): src is string =>
  typeof src === 'string' && !src.includes('-----BEGIN');

/** A fingerprint of the files' modification times and sizes; changes when any file is rewritten. */
export function filesStamp(paths: string[]): string {
  return paths
    .map((p) => {
      try {
        const st = statSync(p);
        return `${st.mtimeMs}:${st.size}:${st.ino}`;
      } catch {
        return 'missing';
      }
    })
    .join('|');
}
