import { run } from './program.js';

// `cnsdn get devices | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const code = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  progressStream: process.stdout.isTTY ? process.stdout : undefined,
  stderrIsTTY: process.stderr.isTTY === true,
});
const flush = (s: NodeJS.WriteStream) => new Promise<void>((resolve) => s.write('', () => resolve()));
await Promise.all([flush(process.stdout), flush(process.stderr)]);
process.exit(code);
