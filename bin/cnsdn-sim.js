#!/usr/bin/env node
// Device simulators (gNMI targets, ...) for tests, demos and scale runs; TypeScript through tsx.
import { register } from 'tsx/esm/api';
register();
await import('../src/sim/main.ts');
