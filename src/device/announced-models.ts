/**
 * The models a device announced when the session opened, in the driver SPI's shape: from a gNMI
 * CapabilityResponse (supported_models: name, organization, version) or a NETCONF hello
 * (module capabilities: namespace, module, revision, features, deviations).
 */
import type { AnnouncedModel, Driver } from './api.js';

/** gNMI ModelData; empty names are dropped, duplicates kept once. The version is a model version, not a YANG revision. */
export function gnmiAnnouncedModels(models: readonly { name: string; organization?: string; version?: string }[]): AnnouncedModel[] {
  const seen = new Set<string>();
  const out: AnnouncedModel[] = [];
  for (const m of models) {
    const key = `${m.name}@${m.version ?? ''}`;
    if (!m.name || seen.has(key)) continue;
    seen.add(key);
    out.push({ name: m.name, ...(m.organization ? { organization: m.organization } : {}), ...(m.version ? { version: m.version } : {}) });
  }
  return out;
}

/** NETCONF module capabilities (hello `...?module=x&revision=y&features=a,b`). */
export function netconfAnnouncedModels(modules: readonly { namespace: string; module: string; revision?: string; features: string[]; deviations: string[] }[]): AnnouncedModel[] {
  return modules
    .filter((m) => m.module)
    .map((m) => ({
      name: m.module,
      namespace: m.namespace,
      ...(m.revision ? { revision: m.revision } : {}),
      ...(m.features.length > 0 ? { features: [...m.features] } : {}),
      ...(m.deviations.length > 0 ? { deviations: [...m.deviations] } : {}),
    }));
}

/** What a connected driver announced; a driver without the optional SPI member announced nothing known. */
export function announcedModelsOf(driver: Driver): Promise<AnnouncedModel[]> {
  return driver.announcedModels ? driver.announcedModels() : Promise.resolve([]);
}
