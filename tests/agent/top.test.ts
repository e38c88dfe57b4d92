// `vigil top` through the real command (bin/vigil.js, the agent's V8 flags).
import { describe, expect, it } from 'vitest';
import type { ProcessList } from '../../src/core/metrics/processes.js';
import { DEFAULT_PROCESS_LIMIT } from '../../src/shared/processes.js';
import { runVigil } from '../helpers/cli.js';

describe('vigil top', () => {
  it('--json lists the top processes by CPU, sorted, with every field', async () => {
    const result = await runVigil(['top', '--json', '--limit', '5']);
    expect(result.code).toBe(0);
    const list = JSON.parse(result.stdout) as ProcessList;
    expect(list).toMatchObject({ sort: 'cpu', windowMs: expect.any(Number), cpus: expect.any(Number) });
    expect(list.windowMs).toBeGreaterThanOrEqual(450);
    expect(list.processes).toHaveLength(5);
    expect(list.total).toBeGreaterThan(5);
    const cpu = list.processes.map((p) => p.cpuPercent);
    expect(cpu).toEqual([...cpu].sort((a, b) => b - a));
    for (const p of list.processes) {
      expect(p).toEqual({
        pid: expect.any(Number),
        ppid: expect.any(Number),
        name: expect.any(String),
        user: expect.any(String),
        cpuPercent: expect.any(Number),
        memoryBytes: expect.any(Number),
        memoryPercent: expect.any(Number),
        threads: expect.any(Number),
        state: expect.stringMatching(/^[A-Za-z]$/),
        command: expect.any(String),
      });
    }
  });

  it('lists as many processes by default as its help says (the API has the same default)', async () => {
    const help = await runVigil(['top', '--help']);
    expect(help.stdout).toMatch(new RegExp(`--limit <n> +how many processes, 1-1000 \\(default: ${DEFAULT_PROCESS_LIMIT}\\)`));
    const result = await runVigil(['top', '--json']);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as ProcessList).processes).toHaveLength(DEFAULT_PROCESS_LIMIT);
  });

  it('--sort mem prints a table sorted by resident memory', async () => {
    const result = await runVigil(['top', '--sort', 'mem', '--limit', '3']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Top 3 of \d+ processes by memory over 0\.\d s · \d+ CPUs/);
    expect(lines[2]).toMatch(/^\s+PID USER\s+CPU%\s+MEM%\s+RSS\s+THR S COMMAND$/);
    expect(lines).toHaveLength(6);
    const memPercent = lines.slice(3).map((line) => Number(line.trim().split(/\s+/)[3]));
    expect(memPercent.every((v) => v > 0)).toBe(true);
    expect(memPercent).toEqual([...memPercent].sort((a, b) => b - a));
  });

  it('refuses a bad --limit or --sort with exit code 2', async () => {
    const limit = await runVigil(['top', '--limit', '0']);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toMatch(/expected a whole number from 1 to 1000/);
    const sort = await runVigil(['top', '--sort', 'pid']);
    expect(sort.code).toBe(2);
    expect(sort.stderr).toMatch(/Allowed choices are cpu, mem/);
  });
});
