import { describe, expect, it } from 'vitest';
import type { Sample } from '../../src/shared/model.js';
import { flattenSample, fromSteps, parseCoreKey, parseNetKey, quantize, resolutionOf, SeriesFlag, toSteps, unflattenSample } from '../../src/shared/series.js';

const sample: Sample = {
  ts: 1_790_000_000_000,
  cpu: { total: 12.3, cores: [10.1, 14.5] },
  memory: { total: 8 * 1024 ** 3, used: 3 * 1024 ** 3, available: 5 * 1024 ** 3, free: 1024 ** 3, swapTotal: 0, swapUsed: 0 },
  load: { one: 0.52, five: 0.3, fifteen: 0.1 },
  net: [
    { iface: 'eth0.100', rxBitsPerSecond: 8000, txBitsPerSecond: 16, loopback: false, virtual: true },
    { iface: 'lo', rxBitsPerSecond: null, txBitsPerSecond: null, loopback: true, virtual: false },
  ],
};

describe('series mapping', () => {
  it('flattens in canonical order and rebuilds the same sample', () => {
    const { series, values } = flattenSample(sample);
    expect(series.map((s) => s.key)).toEqual([
      'cpu', 'cpu.0', 'cpu.1',
      'mem.total', 'mem.used', 'mem.available', 'mem.free', 'swap.total', 'swap.used',
      'load.1', 'load.5', 'load.15',
      'net.eth0.100.rx', 'net.eth0.100.tx', 'net.lo.rx', 'net.lo.tx',
    ]);
    expect(series.find((s) => s.key === 'net.lo.rx')?.flags).toBe(SeriesFlag.loopback);
    expect(series.find((s) => s.key === 'net.eth0.100.tx')?.flags).toBe(SeriesFlag.virtual);
    expect(unflattenSample(sample.ts, series, values)).toEqual(sample);
  });

  it('keeps a missing load average as null (Windows)', () => {
    const noLoad = { ...sample, load: null };
    const { series, values } = flattenSample(noLoad);
    expect(unflattenSample(noLoad.ts, series, values).load).toBeNull();
  });

  it('parses keys with dots in interface names', () => {
    expect(parseNetKey('net.eth0.100.rx')).toEqual({ iface: 'eth0.100', direction: 'rx' });
    expect(parseNetKey('net.a.b.c.tx')).toEqual({ iface: 'a.b.c', direction: 'tx' });
    expect(parseNetKey('net..rx')).toBeNull();
    expect(parseNetKey('mem.used')).toBeNull();
    expect(parseCoreKey('cpu.12')).toBe(12);
    expect(parseCoreKey('cpu')).toBeNull();
  });
});

describe('quantization', () => {
  it('resolutions per kind', () => {
    expect(resolutionOf('cpu.3')).toBe(0.1);
    expect(resolutionOf('load.15')).toBe(0.01);
    expect(resolutionOf('swap.used')).toBe(1024);
    expect(resolutionOf('net.x.tx')).toBe(8);
    expect(() => resolutionOf('disk.x')).toThrow('unknown series key');
  });

  it('steps round-trip exactly, including fractions that binary floats cannot hold', () => {
    for (const value of [0, 0.1, 12.3, 99.9, 100, 33.3]) {
      expect(fromSteps(toSteps(value, 0.1), 0.1)).toBe(value);
    }
    for (const value of [0.07, 1.23, 15.99]) expect(fromSteps(toSteps(value, 0.01), 0.01)).toBe(value);
    expect(toSteps(8 * 1024 ** 3, 1024)).toBe(8 * 1024 ** 2);
    expect(quantize(12.345, 0.1)).toBe(12.3);
    expect(quantize(1001, 8)).toBe(1000);
    expect(quantize(1500, 1024)).toBe(1024);
  });
});
