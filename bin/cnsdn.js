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
// V8 may decide that an allocation site's objects live long and then allocate them straight in
// the old generation (pretenuring), or move whole young pages there (page promotion). A request
// served during an import or a burst of slow answers teaches it that about node:http's response
// objects, and from then on every request's garbage goes to the old generation: a mark-compact
// every 1-2 s and single-device p99 of 8-10 ms at 8 connections on PostgreSQL, where the same
// GETs measure 4 ms with both off (BENCHMARKS.md, Core, session 5).
setFlagsFromString('--no-allocation-site-pretenuring');
setFlagsFromString('--no-page-promotion');

await launch('cli/main');
