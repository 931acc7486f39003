import * as grpc from '@grpc/grpc-js';
import { runSim } from './gnmi/cli.js';

// grpc-js logs bind failures itself; the simulator reports them with the port and a hint.
if (!process.env.GRPC_VERBOSITY) grpc.setLogVerbosity(grpc.logVerbosity.NONE);

const code = await runSim(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signals: process });
const flush = (s: NodeJS.WriteStream) => new Promise<void>((resolve) => s.write('', () => resolve()));
await Promise.all([flush(process.stdout), flush(process.stderr)]);
process.exit(code);
