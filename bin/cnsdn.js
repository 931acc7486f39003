#!/usr/bin/env -S node --max-semi-space-size=8
// The young generation capped at 8 MB semi-spaces (V8 grows them to 16 MB while modules load):
// an idle controller takes ~15 MiB less RSS, with the same import CPU (npm run bench).
import { launch } from './launch.js';

await launch('cli/main');
