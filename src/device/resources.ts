import type { EndpointInfo, Resource } from './api.js';

/** TFS's `/endpoints/endpoint[NAME]` resources for discovered endpoints (what GetConfig of `__endpoints__` answers). */
export function endpointResources(endpoints: readonly EndpointInfo[]): Resource[] {
  return endpoints.map((e) => [`/endpoints/endpoint[${e.name}]`, { uuid: e.name, name: e.name, type: e.type, sample_types: e.sampleTypes }]);
}
