export * from './errors.js';
export { stableJson } from './json.js';
