import { describe, expect, it } from 'vitest';
import { formatBits, formatBytes, formatDuration, formatExactVolume, formatPercent, parseVolume, scaleBits, scaleBytes } from '../../src/shared/units.js';

describe('units', () => {
  it('bits scale in powers of 1000, bytes in powers of 1024', () => {
    expect(formatBits(0)).toBe('0 bit/s');
    expect(formatBits(999)).toBe('999 bit/s');
    expect(formatBits(1000)).toBe('1.00 kbit/s');
    expect(formatBits(1_234_000)).toBe('1.23 Mbit/s');
    expect(formatBits(25_000_000_000)).toBe('25.0 Gbit/s');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.00 KiB');
    expect(formatBytes(8 * 1024 ** 3)).toBe('8.00 GiB');
    expect(formatBytes(1536 * 1024 ** 2)).toBe('1.50 GiB');
    expect(scaleBits(5e9)).toEqual({ value: 5, unit: 'Gbit/s', factor: 1e9 });
    expect(scaleBytes(3 * 1024 ** 4).unit).toBe('TiB');
  });

  it('missing values show as a dash', () => {
    expect(formatBits(null)).toBe('–');
    expect(formatBytes(undefined)).toBe('–');
    expect(formatPercent(Number.NaN)).toBe('–');
    expect(formatPercent(12.34)).toBe('12.3 %');
  });

  it('durations read naturally', () => {
    expect(formatDuration(4_000)).toBe('4 s');
    expect(formatDuration(5 * 60_000)).toBe('5 min');
    expect(formatDuration(125 * 60_000)).toBe('2 h 5 min');
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 4 h');
  });

  it('traffic amounts read and written in decimal units, exactly', () => {
    expect(parseVolume('1.1 TB')).toBe(1_100_000_000_000);
    expect(parseVolume('0.3 GB')).toBe(300_000_000);
    expect(parseVolume('750gb')).toBe(750e9);
    expect(parseVolume('2 k')).toBe(2000);
    expect(parseVolume('12')).toBe(12);
    expect(parseVolume('1 TiB')).toBeNull();
    expect(parseVolume('-1 GB')).toBeNull();
    expect(parseVolume('0.5')).toBeNull();
    expect(parseVolume('')).toBeNull();
    expect(parseVolume('99999999 PB')).toBeNull();
    expect(formatExactVolume(1_100_000_000_000)).toBe('1100 GB');
    expect(formatExactVolume(2e15)).toBe('2 PB');
    expect(formatExactVolume(999)).toBe('999');
    for (const bytes of [1, 1000, 1e12, 1_234_567, 5e11]) expect(parseVolume(formatExactVolume(bytes))).toBe(bytes);
  });
});
