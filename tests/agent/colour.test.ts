// Colour in the CLI's human output: in a terminal (a real pseudo-terminal from Python's pty
// module) or with FORCE_COLOR, and never with NO_COLOR, through a pipe, on TERM=dumb or with --json.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { colourWanted, levelStyle, paintFor } from '../../src/agent/colour.js';
import { fitScreen } from '../../src/agent/format.js';
import { openSampleStore } from '../../src/core/storage/sample-store.js';
import { hubPaths } from '../../src/hub/paths.js';
import { MachineRegistry } from '../../src/hub/registry.js';
import { VIGIL_BIN, runVigil } from '../helpers/cli.js';
import { randomSamples } from '../helpers/random.js';
import { tempDir } from '../helpers/tmp.js';

const ESC = String.fromCharCode(27);
const RED = `${ESC}[31m`;
/**
 * The environment of a run whose colour is decided by the case alone. Node's terminal colour depth
 * (tty.getColorDepth) also reads CI (set: 2 colours, none, unless a CI it knows by name), TMUX and
 * NODE_DISABLE_COLORS, so a run under CI=true would see no colour in a real terminal.
 */
const NEUTRAL = { FORCE_COLOR: undefined, NO_COLOR: undefined, NODE_DISABLE_COLORS: undefined, CI: undefined, TMUX: undefined, TERM: 'xterm' };

/** A data dir whose latest sample has CPU at 97.5 % and memory at 50 %, with the given thresholds. */
function dataDirWith(alerts: { cpuPercent: number; memoryPercent: number }): string {
  const dir = tempDir();
  const samples = randomSamples(Date.now() - 60_000, 5, 10_000, 3);
  const last = samples.at(-1)!;
  last.cpu.total = 97.5;
  last.memory.used = last.memory.total / 2;
  const store = openSampleStore(path.join(dir, 'vigil.db'));
  store.insertSamples(samples);
  store.close();
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ alerts }));
  return dir;
}

/** `vigil ARGS` in an 80×24 pseudo-terminal; everything it wrote. */
function inTerminal(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const script = `
import os, pty, sys, fcntl, termios, struct
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 80, 0, 0))
while True:
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    sys.stdout.buffer.write(data)
os.waitpid(pid, 0)
`;
  const child = spawn('/usr/bin/python3', ['-c', script, VIGIL_BIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...NEUTRAL, ...env } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`exit ${code}: ${output}`))));
  });
}

describe('when to colour', () => {
  const tty = { isTTY: true, hasColors: () => true };
  it('a terminal yes; a pipe, NO_COLOR (even with FORCE_COLOR) or a terminal without colours no; FORCE_COLOR yes through a pipe', () => {
    expect(colourWanted(tty, {})).toBe(true);
    expect(colourWanted({ isTTY: false }, {})).toBe(false);
    expect(colourWanted({}, {})).toBe(false);
    expect(colourWanted(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colourWanted(tty, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
    expect(colourWanted(tty, { NO_COLOR: '' })).toBe(true); // no-color.org: only a non-empty value counts
    expect(colourWanted({ isTTY: true, hasColors: () => false }, {})).toBe(false);
    expect(colourWanted({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colourWanted(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(paintFor({ isTTY: false }, {}).style('red', 'x')).toBe('x');
    expect(paintFor({ isTTY: false }, { FORCE_COLOR: '1' }).style('red', 'x')).toBe(`${RED}x${ESC}[39m`);
  });

  it('red above the alert threshold, yellow within 10 points under it; 90 and 75 with none set', () => {
    expect([levelStyle(91, 90), levelStyle(90, 90), levelStyle(80, 90), levelStyle(79.9, 90)]).toEqual(['red', 'yellow', 'yellow', null]);
    expect([levelStyle(95, 0), levelStyle(80, 0), levelStyle(50, 0)]).toEqual(['red', 'yellow', null]);
  });

  it('fitScreen counts the columns a terminal shows, not the escapes', () => {
    const paint = paintFor({ isTTY: false }, { FORCE_COLOR: '1' });
    const coloured = `CPU      ${paint.style('red', '97.5 %')}${' '.repeat(60)}`; // 75 columns
    expect(fitScreen([coloured], 80, 24)).toEqual([coloured]);
    const [cut] = fitScreen([`${coloured}${'x'.repeat(20)}`], 80, 24);
    expect([...cut!]).toHaveLength(79);
    expect(cut).not.toContain(ESC); // a cut line loses its colour rather than a half escape
  });
});

describe('vigil status', () => {
  let overThreshold: string;
  let nearThreshold: string;
  beforeAll(() => {
    overThreshold = dataDirWith({ cpuPercent: 90, memoryPercent: 80 });
    nearThreshold = dataDirWith({ cpuPercent: 99, memoryPercent: 80 });
  });

  it('in a terminal: a value over its threshold in red, near it in yellow, the agent down in red', async () => {
    const over = await inTerminal(['status', '--data-dir', overThreshold], {});
    expect(over).toMatch(new RegExp(`^CPU +${ESC}\\[31m +97\\.5 %${ESC}\\[39m`, 'm'));
    expect(over).toMatch(/^Memory +50\.0 %/m); // under its threshold: plain
    expect(over).toContain(`Agent    ${RED}not running`);
    const near = await inTerminal(['status', '--data-dir', nearThreshold], {});
    expect(near).toMatch(new RegExp(`^CPU +${ESC}\\[33m +97\\.5 %`, 'm'));
    expect(near).toMatch(/^Memory +50\.0 %/m);
  });

  it('no colour in a terminal with NO_COLOR or TERM=dumb', async () => {
    for (const env of [{ NO_COLOR: '1' }, { TERM: 'dumb' }]) {
      const output = await inTerminal(['status', '--data-dir', overThreshold], env);
      expect(output).toMatch(/^CPU +97\.5 %/m);
      expect(output, JSON.stringify(env)).not.toContain(ESC);
    }
  });

  it('no colour through a pipe or with --json, even with FORCE_COLOR; FORCE_COLOR colours a pipe', async () => {
    const piped = await runVigil(['status', '--data-dir', overThreshold], { env: NEUTRAL });
    expect(piped.stdout).toMatch(/^CPU +97\.5 %/m);
    expect(piped.stdout).not.toContain(ESC);
    const json = await runVigil(['status', '--json', '--data-dir', overThreshold], { env: { ...NEUTRAL, FORCE_COLOR: '1' } });
    expect(json.stdout).not.toContain(ESC);
    expect(JSON.parse(json.stdout).latest.cpu.total).toBe(97.5);
    const forced = await runVigil(['status', '--data-dir', overThreshold], { env: { ...NEUTRAL, FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain(`${RED}not running`);
    const refused = await runVigil(['status', '--data-dir', overThreshold], { env: { ...NEUTRAL, FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(refused.stdout).not.toContain(ESC);
  });
});

describe('vigil hub list', () => {
  it('shows a machine up in green and a stale one in red, in colour only when asked for', async () => {
    const hubDir = tempDir('vigil-hub-');
    const registry = new MachineRegistry(hubPaths(hubDir).registry);
    const seen = (lastSeen: number) => ({ lastSeen, lastSampleTs: lastSeen, reportedState: 'running' as const, intervalSeconds: 1, syncIntervalSeconds: 10, healthUrl: null, version: '0', timeZone: null, sleepUntil: null, agentName: 'x' });
    registry.recordSeen(registry.add('alive').machine.id, seen(Date.now()));
    registry.recordSeen(registry.add('gone').machine.id, seen(Date.now() - 3_600_000));
    registry.flush();
    registry.close();
    const forced = await runVigil(['hub', 'list', '--data-dir', hubDir], { env: { ...NEUTRAL, FORCE_COLOR: '1' } });
    expect(forced.stdout).toMatch(new RegExp(`^alive +${ESC}\\[32mup`, 'm'));
    expect(forced.stdout).toMatch(new RegExp(`^gone +${ESC}\\[31mstale`, 'm'));
    const piped = await runVigil(['hub', 'list', '--data-dir', hubDir], { env: NEUTRAL });
    expect(piped.stdout).toMatch(/^alive +up +/m);
    expect(piped.stdout).not.toContain(ESC);
  });
});
