#!/usr/bin/env -S node --max-semi-space-size=8
// The young generation capped at 8 MB semi-spaces (V8 grows them to 16 MB while modules load):
// an idle controller takes ~15 MiB less RSS, with the same import CPU (npm run bench).
import { setFlagsFromString } from 'node:v8';
import { launch } from './launch.js';

// The old generation may grow by 30 % of what the last mark-compact left before the next one.
// V8 otherwise picks up to 4× when GC looks cheap: with 1,000 streaming gNMI devices ~130 MiB
// live sat in 250-560 MiB of heap (onboarding and /metrics scrapes promote garbage that then
// waits), and RSS swung by ~150 MiB between identical runs (BENCHMARKS.md, gNMI). Set here
// rather than on the line above so that every way of starting this script gets it (Dockerfile,
// npm start); V8 reads it at each mark-compact.
setFlagsFromString('--heap-growing-percent=30');

await launch('cli/main');
