import { run } from './program.js';

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
