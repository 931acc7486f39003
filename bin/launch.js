// Runs an entry point compiled in dist/ when dist/ is up to date with src/, else its TypeScript
// source through tsx (a fresh checkout without a build, or sources edited since the build).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const stamp = join(root, 'dist', '.build-stamp');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** entry: a path under src/ without extension, e.g. "cli/main". */
export async function launch(entry) {
  const useDist =
    process.env.CNSDN_USE_TSX !== '1' &&
    existsSync(stamp) &&
    (process.env.CNSDN_USE_DIST === '1' || statSync(stamp).mtimeMs >= newestSource(join(root, 'src')));
  if (useDist) {
    await import(join(root, 'dist', 'src', `${entry}.js`));
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    await import(join(root, 'src', `${entry}.ts`));
  }
}
