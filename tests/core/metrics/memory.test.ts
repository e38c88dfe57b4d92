import { describe, expect, it } from 'vitest';
import { createLinuxMemoryReader, createPortableMemoryReader, memoryUsage, parseMeminfo } from '../../../src/core/metrics/memory.js';
import type { SystemInformation } from '../../../src/core/metrics/types.js';
import { VigilError } from '../../../src/shared/errors.js';
import { SERVER, VM, fixtureText } from './fixtures.js';

function kib(text: string, key: string): number {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(text);
  return Number(match![1]) * 1024;
}

describe('parseMeminfo', () => {
  it('reads a recorded /proc/meminfo: used = total − MemAvailable', () => {
    const text = fixtureText(VM, 'proc/meminfo');
    const m = parseMeminfo(text);
    expect(m.total).toBe(kib(text, 'MemTotal'));
    expect(m.available).toBe(kib(text, 'MemAvailable'));
    expect(m.free).toBe(kib(text, 'MemFree'));
    expect(m.used).toBe(m.total - m.available);
    expect(m.swapTotal).toBe(kib(text, 'SwapTotal'));
  });

  it('reports swap used as SwapTotal − SwapFree', () => {
    const text = fixtureText(SERVER, 'proc/meminfo');
    const m = parseMeminfo(text);
    expect(m.swapTotal).toBe(2097148 * 1024);
    expect(m.swapUsed).toBe((2097148 - 1572860) * 1024);
    for (const value of Object.values(m)) expect(value % 1024).toBe(0);
  });

  it('estimates available as free + buffers + cached on kernels without MemAvailable (< 3.14)', () => {
    const m = parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 200 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n');
    expect(m.available).toBe(350 * 1024);
    expect(m.used).toBe(650 * 1024);
  });

  it('rejects a file without MemTotal', () => {
    expect(() => parseMeminfo('Foo: 1 kB\n')).toThrow(VigilError);
    expect(() => parseMeminfo('MemTotal: lots kB\nMemFree: 1 kB\n')).toThrow(/unexpected/);
  });
});

describe('memoryUsage', () => {
  it('keeps every figure within its total, as the hub requires (a racy pair of readings is not refused there)', () => {
    const GiB = 1024 ** 3;
    expect(memoryUsage(8 * GiB, 9 * GiB, 10 * GiB, GiB, 2 * GiB)).toEqual({ total: 8 * GiB, used: 0, available: 8 * GiB, free: 8 * GiB, swapTotal: GiB, swapUsed: GiB });
    expect(memoryUsage(8 * GiB, -5, -5, 0, 4096)).toEqual({ total: 8 * GiB, used: 8 * GiB, available: 0, free: 0, swapTotal: 0, swapUsed: 0 });
  });
});

describe('memory readers', () => {
  it('the Linux reader reads proc/meminfo under its root', () => {
    expect(createLinuxMemoryReader(SERVER).read()).toEqual(parseMeminfo(fixtureText(SERVER, 'proc/meminfo')));
  });

  function fakeSi(mem: Partial<Awaited<ReturnType<SystemInformation['mem']>>>, calls: { n: number }) {
    return async () =>
      ({
        mem: async () => {
          calls.n++;
          return { free: 0, available: 0, swaptotal: 0, swapused: 0, ...mem };
        },
      }) as unknown as SystemInformation;
  }

  it('portable: total/available from os every tick, swap from systeminformation only on the first read and on refresh()', async () => {
    const calls = { n: 0 };
    let free = 6000 * 1024;
    const reader = createPortableMemoryReader(
      { totalmem: () => 8192 * 1024, freemem: () => free },
      fakeSi({ free: 1000 * 1024, available: 6000 * 1024, swaptotal: 2048 * 1024, swapused: 512 * 1024 }, calls),
      'linux',
    );
    const first = await reader.read();
    expect(first).toEqual({ total: 8192 * 1024, used: 2192 * 1024, available: 6000 * 1024, free: 1000 * 1024, swapTotal: 2048 * 1024, swapUsed: 512 * 1024 });
    free = 5000 * 1024;
    const second = reader.read();
    expect(second).not.toBeInstanceOf(Promise); // the tick path does not wait on systeminformation
    expect((second as { available: number }).available).toBe(5000 * 1024);
    expect(calls.n).toBe(1);
    await reader.refresh();
    expect(calls.n).toBe(2);
  });

  it('portable on macOS: available = free pages now + what systeminformation saw as reclaimable', async () => {
    const calls = { n: 0 };
    const reader = createPortableMemoryReader(
      { totalmem: () => 16384 * 1024, freemem: () => 1000 * 1024 },
      fakeSi({ free: 900 * 1024, available: 7900 * 1024, swaptotal: 0, swapused: 0 }, calls),
      'darwin',
    );
    const m = await reader.read();
    expect(m.free).toBe(1000 * 1024);
    expect(m.available).toBe((1000 + 7000) * 1024);
  });

  it('portable: a failing systeminformation surfaces once, then reads go on with swap 0', async () => {
    const reader = createPortableMemoryReader(
      { totalmem: () => 4096 * 1024, freemem: () => 1024 * 1024 },
      async () => ({ mem: async () => Promise.reject(new Error('vm_stat not found')) }) as unknown as SystemInformation,
      'darwin',
    );
    await expect(reader.read()).rejects.toThrow('vm_stat not found');
    expect(reader.read()).toMatchObject({ total: 4096 * 1024, available: 1024 * 1024, swapTotal: 0 });
  });
});
