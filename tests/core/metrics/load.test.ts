import { describe, expect, it } from 'vitest';
import { createLinuxLoadReader, createPortableLoadReader, parseLoadavg } from '../../../src/core/metrics/load.js';
import { VigilError } from '../../../src/shared/errors.js';
import { SERVER, VM, fixtureText } from './fixtures.js';

describe('load average', () => {
  it('parses /proc/loadavg', () => {
    const [one, five, fifteen] = fixtureText(VM, 'proc/loadavg').split(' ').map(Number);
    expect(parseLoadavg(fixtureText(VM, 'proc/loadavg'))).toEqual({ one, five, fifteen });
    expect(createLinuxLoadReader(SERVER).read()).toEqual({ one: 1.25, five: 0.87, fifteen: 0.5 });
  });

  it('rejects garbage', () => {
    expect(() => parseLoadavg('')).toThrow(VigilError);
    expect(() => parseLoadavg('1 2 -3 1/2 3')).toThrow(VigilError);
  });

  it('portable: quantizes os.loadavg() to 0.01, and is null on Windows', () => {
    const reader = createPortableLoadReader({ loadavg: () => [1.23456, 0.005, 2] }, 'darwin');
    const load = reader.read()!;
    expect(load).toEqual({ one: 1.23, five: 0.01, fifteen: 2 });
    expect(createPortableLoadReader({ loadavg: () => [0, 0, 0] }, 'win32').read()).toBeNull();
  });
});
