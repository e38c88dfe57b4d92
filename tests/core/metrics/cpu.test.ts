import type os from 'node:os';
import { describe, expect, it } from 'vitest';
import { CpuUsageComputer, cpuTimesFromOs, createLinuxCpuReader, createPortableCpuReader, parseProcStat } from '../../../src/core/metrics/cpu.js';
import { VigilError } from '../../../src/shared/errors.js';
import { SERVER, VM, VM_LATER, fixtureText } from './fixtures.js';

/** Independent reading of one /proc/stat cpu line: the eight time fields as numbers. */
function fields(text: string, name: string): number[] {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `))!;
  return line.trim().split(/ +/).slice(1, 9).map(Number);
}

/** Busy % by the documented definition: everything except idle (3) and iowait (4). */
function expectedPercent(before: number[], after: number[]): number {
  const d = after.map((v, i) => v - before[i]!);
  const all = d.reduce((a, b) => a + b, 0);
  return ((all - d[3]! - d[4]!) / all) * 100;
}

describe('parseProcStat', () => {
  it('reads the aggregate and per-CPU lines of a recorded /proc/stat', () => {
    const text = fixtureText(VM, 'proc/stat');
    const times = parseProcStat(text);
    expect(times.cores).toHaveLength(2);
    const f = fields(text, 'cpu');
    expect(times.total.total).toBe(f.reduce((a, b) => a + b, 0));
    expect(times.total.busy).toBe(times.total.total - f[3]! - f[4]!);
    expect(times.cores[1]!.busy).toBe(fields(text, 'cpu1').reduce((a, b) => a + b, 0) - fields(text, 'cpu1')[3]! - fields(text, 'cpu1')[4]!);
  });

  it('does not count guest time twice (it is already inside user and nice)', () => {
    const times = parseProcStat(fixtureText(SERVER, 'proc/stat'));
    // cpu  40000 2000 10000 400000 4000 100 300 200 | guest 5000 guest_nice 1000
    expect(times.total.busy).toBe(40000 + 2000 + 10000 + 100 + 300 + 200);
    expect(times.total.total).toBe(times.total.busy + 400000 + 4000);
    expect(times.cores).toHaveLength(4);
  });

  it('leaves a hole for an offline CPU so indexes keep their meaning', () => {
    const times = parseProcStat('cpu  10 0 10 80 0 0 0 0\ncpu0 5 0 5 40 0 0 0 0\ncpu2 5 0 5 40 0 0 0 0\nintr 1\n');
    expect(times.cores).toHaveLength(3);
    expect(times.cores[1]).toBeNull();
    expect(times.cores[2]).toMatchObject({ busy: 10, total: 50 });
  });

  it('keeps the seconds of each mode (USER_HZ = 100 ticks a second) for the counters', () => {
    const times = parseProcStat('cpu  10 1 20 300 4 5 6 7 8 9\ncpu0 10 1 20 300 4 5 6 7 8 9\n');
    expect(times.cores[0]!.modes).toEqual({ user: 0.1, nice: 0.01, system: 0.2, idle: 3, iowait: 0.04, irq: 0.05, softirq: 0.06, steal: 0.07 });
  });

  it('accepts old kernels with fewer columns', () => {
    // The modes the line lacks are left out, not 0.
    expect(parseProcStat('cpu 1 2 3 4\ncpu0 1 2 3 4\n').total).toEqual({ busy: 6, total: 10, modes: { user: 0.01, nice: 0.02, system: 0.03, idle: 0.04 } });
  });

  it('rejects text that is not /proc/stat with a VigilError', () => {
    expect(() => parseProcStat('hello\n')).toThrow(VigilError);
    expect(() => parseProcStat('cpu  1 x 3 4 5\n')).toThrow(/unexpected \/proc\/stat line/);
    expect(() => parseProcStat('cpu0 1 2 3 4 5\n')).toThrow(/no aggregate cpu line/);
  });
});

describe('CpuUsageComputer', () => {
  it('treats the first reading as a baseline, then computes busy % from the deltas', () => {
    const before = fixtureText(VM, 'proc/stat');
    const after = fixtureText(VM_LATER, 'proc/stat');
    const computer = new CpuUsageComputer();
    expect(computer.update(parseProcStat(before))).toBeNull();
    const usage = computer.update(parseProcStat(after))!;
    expect(usage.total).toBeCloseTo(expectedPercent(fields(before, 'cpu'), fields(after, 'cpu')), 1);
    expect(usage.cores[0]).toBeCloseTo(expectedPercent(fields(before, 'cpu0'), fields(after, 'cpu0')), 1);
    expect(usage.cores[1]).toBeCloseTo(expectedPercent(fields(before, 'cpu1'), fields(after, 'cpu1')), 1);
  });

  it('counts iowait as idle and steal as busy', () => {
    const computer = new CpuUsageComputer();
    computer.update(parseProcStat('cpu  0 0 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0\n'));
    expect(computer.update(parseProcStat('cpu  0 0 0 0 100 0 0 0\ncpu0 0 0 0 0 100 0 0 0\n'))!.total).toBe(0);
    expect(computer.update(parseProcStat('cpu  0 0 0 0 100 0 0 100\ncpu0 0 0 0 0 100 0 0 100\n'))!.total).toBe(100);
  });

  it('quantizes to 0.1 % and never goes above 100', () => {
    const computer = new CpuUsageComputer();
    computer.update(parseProcStat('cpu  0 0 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0\n'));
    const usage = computer.update(parseProcStat('cpu  1 0 0 2 0 0 0 0\ncpu0 1 0 0 2 0 0 0 0\n'))!;
    expect(usage.total).toBe(33.3);
    expect(Number.isInteger(Math.round(usage.total * 10))).toBe(true);
    expect(usage.total * 10).toBeCloseTo(Math.round(usage.total * 10), 9);
  });

  it('reports 0 for a CPU that was or is offline, and starts over when the CPU count changes', () => {
    const computer = new CpuUsageComputer();
    computer.update(parseProcStat('cpu  0 0 0 0\ncpu0 0 0 0 0\ncpu1 0 0 0 0\n'));
    const usage = computer.update(parseProcStat('cpu  10 0 0 10\ncpu0 10 0 0 0\n\n'));
    expect(usage).toBeNull(); // two CPUs → one: a new baseline
    const next = computer.update(parseProcStat('cpu  20 0 0 20\ncpu0 20 0 0 0\n'))!;
    expect(next.cores).toEqual([100]);
    const holes = new CpuUsageComputer();
    holes.update(parseProcStat('cpu  0 0 0 0\ncpu0 0 0 0 0\ncpu2 0 0 0 0\n'));
    expect(holes.update(parseProcStat('cpu  10 0 0 10\ncpu0 10 0 0 0\ncpu2 0 0 0 10\n'))!.cores).toEqual([100, 0, 0]);
  });

  it('starts a new baseline when a counter goes backwards (no negative usage)', () => {
    const computer = new CpuUsageComputer();
    computer.update(parseProcStat('cpu  100 0 0 100\ncpu0 100 0 0 100\n'));
    expect(computer.update(parseProcStat('cpu  50 0 0 100\ncpu0 50 0 0 100\n'))).toBeNull();
    expect(computer.update(parseProcStat('cpu  60 0 0 110\ncpu0 60 0 0 110\n'))!.total).toBe(50);
  });

  it('reset() makes the next reading a baseline', () => {
    const computer = new CpuUsageComputer();
    computer.update(parseProcStat('cpu  0 0 0 0\ncpu0 0 0 0 0\n'));
    computer.reset();
    expect(computer.update(parseProcStat('cpu  10 0 0 10\ncpu0 10 0 0 10\n'))).toBeNull();
  });
});

describe('CPU readers', () => {
  it('the Linux reader reads proc/stat under its root', () => {
    expect(createLinuxCpuReader(SERVER).read()).toEqual(parseProcStat(fixtureText(SERVER, 'proc/stat')));
  });

  it('the portable reader sums os.cpus() times: busy = user + nice + sys + irq', () => {
    const cpus = [
      { times: { user: 100, nice: 10, sys: 50, idle: 800, irq: 5 } },
      { times: { user: 300, nice: 0, sys: 100, idle: 600, irq: 0 } },
    ];
    expect(cpuTimesFromOs(cpus)).toEqual({
      total: { busy: 165 + 400, total: 965 + 1000 },
      cores: [
        // Milliseconds → seconds; os.cpus() has no iowait, softirq or steal.
        { busy: 165, total: 965, modes: { user: 0.1, nice: 0.01, system: 0.05, idle: 0.8, irq: 0.005 } },
        { busy: 400, total: 1000, modes: { user: 0.3, nice: 0, system: 0.1, idle: 0.6, irq: 0 } },
      ],
    });
    const reader = createPortableCpuReader({ cpus: () => cpus as ReturnType<typeof os.cpus> });
    expect(reader.read()).toEqual(cpuTimesFromOs(cpus));
    expect(() => cpuTimesFromOs([])).toThrow(VigilError);
  });
});
