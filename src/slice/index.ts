/** Slices: TFS slice semantics realised by services (the service layer configures the devices). */
export { SLICE_FAILURE_KEY, SliceManager, type SliceManagerOptions, type SliceRealisation } from './manager.js';
export { OWN_RULES, realisingServiceId, serviceForSlice, serviceTypeOf, sliceFingerprint } from './realise.js';
