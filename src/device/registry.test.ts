import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CnsdnError } from '../common/errors.js';
import type { Driver, DriverFactory } from './api.js';
import { DEVICE_DRIVERS, DriverRegistry, driverName, driverNumber, normalizeDriverName } from './registry.js';

function factory(names: string[]): DriverFactory {
  return {
    names,
    usesNetwork: false,
    create(): Driver {
      throw new Error('not used');
    },
  };
}

describe('driver name table', () => {
  test('matches TFS DeviceDriverEnum numbering both ways', () => {
    assert.equal(DEVICE_DRIVERS.DEVICEDRIVER_UNDEFINED, 0);
    assert.equal(DEVICE_DRIVERS.DEVICEDRIVER_GNMI_OPENCONFIG, 8);
    assert.equal(DEVICE_DRIVERS.DEVICEDRIVER_RYU, 18);
    assert.equal(Object.keys(DEVICE_DRIVERS).length, 19);
    for (const [name, n] of Object.entries(DEVICE_DRIVERS)) {
      assert.equal(driverName(n), name);
      assert.equal(driverNumber(name), n);
    }
    assert.equal(driverName(19), undefined);
    assert.equal(driverNumber('toString'), undefined);
  });

  test('normalizes numbers to names and rejects unknown numbers', () => {
    assert.equal(normalizeDriverName(0), 'DEVICEDRIVER_UNDEFINED');
    assert.equal(normalizeDriverName('DEVICEDRIVER_OPENCONFIG'), 'DEVICEDRIVER_OPENCONFIG');
    assert.throws(() => normalizeDriverName(99), (e: unknown) => e instanceof CnsdnError && e.code === 'INVALID_ARGUMENT');
  });
});

describe('DriverRegistry', () => {
  test('resolve picks the first registered driver in the device preference order', () => {
    const emu = factory(['DEVICEDRIVER_UNDEFINED']);
    const gnmi = factory(['DEVICEDRIVER_GNMI_OPENCONFIG', 'DEVICEDRIVER_OPENCONFIG']);
    const reg = new DriverRegistry().register(emu).register(gnmi);
    assert.equal(reg.resolve(['DEVICEDRIVER_P4', 'DEVICEDRIVER_OPENCONFIG', 'DEVICEDRIVER_UNDEFINED']).factory, gnmi);
    assert.equal(reg.resolve(['DEVICEDRIVER_OPENCONFIG']).name, 'DEVICEDRIVER_OPENCONFIG');
    assert.equal(reg.resolve([0]).factory, emu);
    assert.equal(reg.resolve([8]).name, 'DEVICEDRIVER_GNMI_OPENCONFIG');
  });

  test('resolve fails with DRIVER_NOT_FOUND listing what is registered', () => {
    const reg = new DriverRegistry().register(factory(['DEVICEDRIVER_GNMI_OPENCONFIG'])).register(factory(['DEVICEDRIVER_UNDEFINED']));
    assert.deepEqual(reg.names(), ['DEVICEDRIVER_UNDEFINED', 'DEVICEDRIVER_GNMI_OPENCONFIG']);
    assert.throws(
      () => reg.resolve(['DEVICEDRIVER_P4']),
      (e: unknown) =>
        e instanceof CnsdnError &&
        e.code === 'DRIVER_NOT_FOUND' &&
        e.message.includes('DEVICEDRIVER_P4') &&
        e.message.includes('registered drivers: [DEVICEDRIVER_UNDEFINED, DEVICEDRIVER_GNMI_OPENCONFIG]'),
    );
    assert.throws(() => reg.resolve([]), (e: unknown) => e instanceof CnsdnError && e.code === 'DRIVER_NOT_FOUND');
    assert.throws(() => new DriverRegistry().resolve([0]), /registered drivers: \[\(none\)\]/);
  });

  test('a name cannot be registered twice, and a factory needs a name', () => {
    const reg = new DriverRegistry().register(factory(['DEVICEDRIVER_UNDEFINED']));
    assert.throws(() => reg.register(factory(['DEVICEDRIVER_P4', 'DEVICEDRIVER_UNDEFINED'])), /already registered/);
    assert.equal(reg.has('DEVICEDRIVER_P4'), false, 'a rejected registration registers nothing');
    assert.throws(() => reg.register(factory([])), (e: unknown) => e instanceof CnsdnError && e.code === 'INVALID_ARGUMENT');
  });
});
