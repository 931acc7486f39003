export { ContextManager, type ApplyResult, type Logger, type ServiceRemovalHook } from './manager.js';
export { exportDescriptor, type ExportedDescriptor } from './export.js';
export { declaredEndpoints, endpointsAuthoritative, mergeConfigRules, type PlanOptions, type PlannedEntity } from './plan.js';
