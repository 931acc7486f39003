export * as enums from './enums.js';
export * as schemas from './schemas.js';
export * as normalize from './normalize.js';
export type * from './types.js';
export { UNDISCOVERED_ENDPOINT_TYPE, DEFAULT_CONTEXT, DEFAULT_TOPOLOGY } from './types.js';
export { uuidFromText, uuidv5, parseUuid, TFS_NAMESPACE } from './ids.js';
export { validate, schemaErrors } from './validate.js';
