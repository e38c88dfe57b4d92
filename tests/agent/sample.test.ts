// `vigil sample` as users run it: the real command on dist/. Under Wine, with the Windows build of
// Node, see sample-wine.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SampleLine } from '../../src/agent/commands/sample.js';
import { commandGraph } from '../../scripts/import-graph.js';
import { finished, runVigil, startVigil, waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const MODULE_HOOKS = path.resolve('tests/helpers/module-hooks.mjs');
const COUNT_SPAWNS = path.resolve('tests/helpers/count-spawns.mjs');

function jsonLines(stdout: string): SampleLine[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as SampleLine);
}

function memTotalBytes(): number {
  return Number(/^MemTotal:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024;
}

describe.skipIf(process.platform !== 'linux')('vigil sample (Linux)', () => {
  it('--count 5 --json prints 5 lines from the linux /proc readers, one interval apart, and spawns nothing', async () => {
    const spawnLog = path.join(tempDir(), 'spawns.log');
    const result = await runVigil(['sample', '--count', '5', '--json'], {
      env: { NODE_OPTIONS: `--import ${COUNT_SPAWNS}`, VIGIL_SPAWN_LOG: spawnLog },
      timeoutMs: 40_000,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const lines = jsonLines(result.stdout);
    expect(lines).toHaveLength(5);
    for (const [i, line] of lines.entries()) {
      expect(line.readers).toBe('linux /proc');
      expect(line.ts % 1000).toBe(0);
      if (i > 0) expect(line.ts - lines[i - 1]!.ts).toBe(1000);
      expect(line.cpu.cores).toHaveLength(os.cpus().length);
      expect(line.cpu.total).toBeGreaterThanOrEqual(0);
      expect(line.memory.total).toBe(memTotalBytes());
      expect(line.load).not.toBeNull();
      expect(line.net.find((n) => n.iface === 'lo')).toMatchObject({ loopback: true, virtual: false });
      for (const n of line.net) expect(n.rxBitsPerSecond).toEqual(expect.any(Number));
    }
    // The disk reading taken at start comes with the samples.
    expect(lines[0]!.disks?.some((d) => d.mountPoint === '/')).toBe(true);
    expect(fs.existsSync(spawnLog) ? fs.readFileSync(spawnLog, 'utf8') : '').toBe('');
  });

  it('prints samples like sar: the reader set first, a block per sample, the averages last', async () => {
    const result = await runVigil(['sample', '--count', '2'], { timeoutMs: 30_000 });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^Vigil sample: reader set linux \/proc on \S+ \(linux .* \d+ CPUs?\), 2 samples every 1 s$/);
    const sampleLines = lines.filter((line) => /^\d\d:\d\d:\d\d {2}cpu /.test(line));
    expect(sampleLines).toHaveLength(2);
    expect(sampleLines[0]).toMatch(/cpu +\d+\.\d % {2}mem .* used, .* available of .* {2}swap .* of .* {2}load \d+\.\d\d \d+\.\d\d \d+\.\d\d$/);
    expect(result.stdout).toMatch(/^ +lo \(loopback\) +in +[\d.]+ [kMG]?bit\/s +out +[\d.]+ [kMG]?bit\/s$/m);
    expect(result.stdout).toMatch(/^disk +\/ +[\d.]+ % used/m);
    expect(result.stdout).toMatch(/^Average: +cpu +\d+\.\d %/m);
  });

  it('--portable names the portable reader set, which spawns processes (systeminformation): the spawn count can fail', async () => {
    const spawnLog = path.join(tempDir(), 'spawns.log');
    const result = await runVigil(['sample', '--count', '1', '--json', '--portable'], {
      env: { NODE_OPTIONS: `--import ${COUNT_SPAWNS}`, VIGIL_SPAWN_LOG: spawnLog },
      timeoutMs: 30_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const [line] = jsonLines(result.stdout);
    expect(line!.readers).toBe('portable');
    expect(line!.cpu.cores).toHaveLength(os.cpus().length);
    expect(fs.readFileSync(spawnLog, 'utf8').trim().split('\n').length).toBeGreaterThan(0);
  });

  it('ends quietly when its reader goes away (vigil sample | head -1)', async () => {
    const child = startVigil(['sample', '--count', '100', '--json']);
    await waitFor(() => child.output.stdout.includes('\n'), 'the first line', 20_000);
    child.stdout!.destroy();
    const result = await finished(child, 20_000);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });
});

describe('vigil sample: bad input gets one clear line and exit code 2', () => {
  const cases = [
    { args: ['--count', '0'], message: "vigil: option '--count <n>' argument '0' is invalid. expected a whole number of samples from 1 to 86400 (run with --help for usage)" },
    { args: ['--count', 'many'], message: "vigil: option '--count <n>' argument 'many' is invalid. expected a whole number of samples from 1 to 86400 (run with --help for usage)" },
    { args: ['--interval', 'abc'], message: "vigil: option '--interval <seconds>' argument 'abc' is invalid. expected whole seconds from 1 to 3600 (run with --help for usage)" },
    { args: ['--interval', '0'], message: "vigil: option '--interval <seconds>' argument '0' is invalid. expected whole seconds from 1 to 3600 (run with --help for usage)" },
  ];
  for (const { args, message } of cases) {
    it(args.join(' '), async () => {
      const result = await runVigil(['sample', ...args]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(`${message}\n`);
    });
  }
});

describe('vigil sample needs no database: it runs where better-sqlite3 is not there', () => {
  it("its import graph in dist/ (bin's entry, statically, and the command, dynamic imports included) reaches no better-sqlite3", async () => {
    const graph = await commandGraph('dist/agent/commands/sample.js');
    expect(graph.packages).toEqual(['commander', 'koffi', 'systeminformation']);
    expect(graph.files).toContain('dist/core/metrics/native-win32.js');
    expect(graph.files.some((file) => file.includes('/storage/'))).toBe(false);
    // The check can fail: the agent's graph does reach it.
    expect((await commandGraph('dist/agent/commands/agent.js')).packages).toContain('better-sqlite3');
  });

  it.skipIf(process.platform !== 'linux')('runs with better-sqlite3 unresolvable, and the Linux path loads neither koffi nor systeminformation', async () => {
    const moduleLog = path.join(tempDir(), 'modules.log');
    const result = await runVigil(['sample', '--count', '1', '--json'], {
      env: { NODE_OPTIONS: `--import ${MODULE_HOOKS}`, VIGIL_MODULE_LOG: moduleLog, VIGIL_REFUSE_MODULES: 'better-sqlite3' },
      timeoutMs: 30_000,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout)[0]!.readers).toBe('linux /proc');
    const loaded = fs.readFileSync(moduleLog, 'utf8').split('\n');
    expect(loaded).toContainEqual(expect.stringMatching(/\/dist\/agent\/commands\/sample\.js$/));
    expect(loaded.filter((url) => /better-sqlite3|\/koffi\/|@koromix|systeminformation|-(win32|darwin)\.js$/.test(url))).toEqual([]);
    // The hook does refuse it: the export command needs it and fails.
    const exported = await runVigil(['export', '--date', '01-01-2026', '--data-dir', tempDir()], {
      env: { NODE_OPTIONS: `--import ${MODULE_HOOKS}`, VIGIL_REFUSE_MODULES: 'better-sqlite3' },
    });
    expect(exported.code).not.toBe(0);
    expect(exported.stderr).toContain("Cannot find package 'better-sqlite3'");
  });
});
