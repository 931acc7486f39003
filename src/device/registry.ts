import { CnsdnError } from '../common/errors.js';
import { DeviceDriver } from '../model/enums.js';
import type { DriverFactory } from './api.js';

/** TFS DeviceDriverEnum: name → number, as in TFS's context.proto (the model's table). */
export const DEVICE_DRIVERS = DeviceDriver;

export type DeviceDriverName = keyof typeof DEVICE_DRIVERS;

const NAMES_BY_NUMBER = new Map<number, DeviceDriverName>(
  Object.entries(DEVICE_DRIVERS).map(([name, n]) => [n, name as DeviceDriverName]),
);

export function isDeviceDriverName(name: string): name is DeviceDriverName {
  return Object.hasOwn(DEVICE_DRIVERS, name);
}

/** The TFS number for a driver name, or undefined if TFS has no such driver. */
export function driverNumber(name: string): number | undefined {
  return isDeviceDriverName(name) ? DEVICE_DRIVERS[name] : undefined;
}

/** The TFS name for a driver number, or undefined if TFS has no such number. */
export function driverName(n: number): DeviceDriverName | undefined {
  return NAMES_BY_NUMBER.get(n);
}

/** Accepts a TFS driver name or number (descriptors use both) and returns the name. */
export function normalizeDriverName(driver: string | number): string {
  if (typeof driver === 'number') {
    const name = driverName(driver);
    if (name === undefined) {
      throw new CnsdnError('INVALID_ARGUMENT', `unknown device driver number ${driver}`);
    }
    return name;
  }
  return driver;
}

export interface ResolvedDriver {
  name: string;
  factory: DriverFactory;
}

/** Drivers are registered explicitly; nothing is discovered from the file system. */
export class DriverRegistry {
  readonly #byName = new Map<string, DriverFactory>();

  register(factory: DriverFactory): this {
    if (factory.names.length === 0) {
      throw new CnsdnError('INVALID_ARGUMENT', 'a driver factory must serve at least one driver name');
    }
    for (const name of factory.names) {
      if (this.#byName.has(name)) {
        throw new CnsdnError('INVALID_ARGUMENT', `driver ${name} is already registered`);
      }
    }
    for (const name of factory.names) this.#byName.set(name, factory);
    return this;
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /** Registered driver names, sorted by their TFS number (unknown names last, alphabetically). */
  names(): string[] {
    return [...this.#byName.keys()].sort((a, b) => {
      const na = driverNumber(a) ?? Number.MAX_SAFE_INTEGER;
      const nb = driverNumber(b) ?? Number.MAX_SAFE_INTEGER;
      return na - nb || (a < b ? -1 : a > b ? 1 : 0);
    });
  }

  /** The first of the device's drivers (in its preference order) that is registered. */
  resolve(drivers: readonly (string | number)[]): ResolvedDriver {
    const names = drivers.map(normalizeDriverName);
    for (const name of names) {
      const factory = this.#byName.get(name);
      if (factory) return { name, factory };
    }
    const wanted = names.length > 0 ? names.join(', ') : '(none)';
    const registered = this.names().join(', ') || '(none)';
    throw new CnsdnError(
      'DRIVER_NOT_FOUND',
      `no registered driver for device drivers [${wanted}]; registered drivers: [${registered}]`,
    );
  }
}
