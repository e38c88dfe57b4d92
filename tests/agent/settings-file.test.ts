// The settings file as a person edits it: a typo in a key is named (a warning for an unknown
// section, which a newer Vigil may have written; an error inside a known section), and
// `--config FILE` that does not exist is refused instead of being created, unless asked for.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { unknownSettingsKeys } from '../../src/shared/settings-unknown-keys.js';
import { finished, runVigil, startVigil, waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const children: ReturnType<typeof startVigil>[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await finished(child).catch(() => undefined);
  }
});

describe('unknown keys', () => {
  it('are found at the top and inside known sections, with the nearest known name', () => {
    expect(unknownSettingsKeys({ sampleing: {}, sampling: { intervalSecond: 5, intervalSeconds: 2 }, storage: { flushSeconds: 1 }, zzz: 1 })).toEqual([
      { key: 'sampleing', suggestion: 'sampling' },
      { key: 'sampling.intervalSecond', suggestion: 'sampling.intervalSeconds' },
      { key: 'zzz', suggestion: null },
    ]);
    expect(unknownSettingsKeys({ sampling: { intervalSeconds: 2 } })).toEqual([]);
  });

  it('vigil agent warns about an unknown section in one line, on stderr and in its log', async () => {
    const dataDir = tempDir();
    fs.writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ sampleing: { intervalSeconds: 5 }, storage: { flushSeconds: 1 } }));
    const agent = startVigil(['agent', '--data-dir', dataDir]);
    children.push(agent);
    await waitFor(() => /vigil agent running/.test(agent.output.stderr), `the agent to start (${agent.output.stderr})`, 60_000);
    const warnings = agent.output.stderr.split('\n').filter((line) => line.includes('sampleing'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/WARN .*config\.json.*unknown key "sampleing" \(did you mean "sampling"\?\).*ignored/);
    agent.kill('SIGTERM');
    expect((await finished(agent, 60_000)).code).toBe(0);
    expect(fs.readFileSync(path.join(dataDir, 'logs', 'vigil.log'), 'utf8')).toContain('unknown key "sampleing" (did you mean "sampling"?)');
  }, 90_000);

  it('an unknown key inside a section is refused, named', async () => {
    const dataDir = tempDir();
    fs.writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ sampling: { intervalSecond: 5 } }));
    const result = await runVigil(['agent', '--data-dir', dataDir], { timeoutMs: 60_000 });
    expect(result.code).toBe(78);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/unknown key "sampling\.intervalSecond" \(did you mean "sampling\.intervalSeconds"\?\)/);
  }, 90_000);

  it('other commands reading the settings warn on stderr too', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'mine.json');
    // Nothing listens on port 9: the command fails after reading its settings.
    fs.writeFileSync(file, JSON.stringify({ alert: { digestSeconds: 0 }, server: { port: 9 } }));
    const result = await runVigil(['sleep', '--config', file, '--data-dir', dataDir], { timeoutMs: 60_000 });
    expect(result.stderr.split('\n').filter((line) => line.includes('"alert"'))).toEqual([
      `vigil: warning: settings file ${file}: unknown key "alert" (did you mean "alerts"?) ignored`,
    ]);
  }, 90_000);
});

describe('--config FILE that does not exist', () => {
  for (const command of [['agent'], ['test-email'], ['sleep']]) {
    it(`vigil ${command[0]} refuses it in one line, and creates nothing`, async () => {
      const dataDir = tempDir();
      const missing = path.join(dataDir, 'typo.json');
      const result = await runVigil([...command, '--config', missing, '--data-dir', dataDir], { timeoutMs: 60_000 });
      expect(result.code).toBe(78);
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining(`Settings file ${missing} does not exist`)]);
      if (command[0] === 'agent') expect(result.stderr).toContain('--init-config');
      expect(fs.existsSync(missing)).toBe(false);
    }, 90_000);
  }

  it('vigil agent --init-config creates it with the defaults', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'new', 'agent.json');
    fs.mkdirSync(path.dirname(file));
    const agent = startVigil(['agent', '--config', file, '--init-config', '--data-dir', dataDir]);
    children.push(agent);
    await waitFor(() => /vigil agent running/.test(agent.output.stderr) || agent.exitCode !== null, `the agent to start (${agent.output.stderr})`, 60_000);
    expect(agent.output.stderr).toContain('created settings file');
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).sampling.intervalSeconds).toBe(1);
    agent.kill('SIGTERM');
    expect((await finished(agent, 60_000)).code).toBe(0);
    // An existing file is simply used.
    const again = startVigil(['agent', '--config', file, '--init-config', '--data-dir', dataDir]);
    children.push(again);
    await waitFor(() => /vigil agent running/.test(again.output.stderr) || again.exitCode !== null, `the agent to start (${again.output.stderr})`, 60_000);
    expect(again.output.stderr).not.toContain('created settings file');
    again.kill('SIGTERM');
    expect((await finished(again, 60_000)).code).toBe(0);
  }, 150_000);
});
