// `vigil completion bash|zsh|fish` through the real CLI; the bash script is checked by bash itself
// (bash -n) and run in a real bash the way readline would call it (COMP_WORDS, COMP_CWORD).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/agent/cli.js';
import { runVigil } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/** What the script offers for each command line (the last word is the one being completed). */
function completeInBash(script: string, lines: string[][]): string[] {
  const file = path.join(tempDir(), 'vigil.bash');
  fs.writeFileSync(file, script);
  const calls = lines.map((words) => `offer ${words.map((w) => `'${w}'`).join(' ')}`).join('\n');
  const driver = `source "$1" || exit 9
complete -p vigil >/dev/null || exit 8
offer() { COMP_WORDS=("$@"); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); COMPREPLY=(); _vigil_complete; echo "\${COMPREPLY[*]}"; }
${calls}
`;
  const run = spawnSync('bash', ['-c', driver, 'driver', file], { encoding: 'utf8', cwd: tempDir() });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout.split('\n').slice(0, lines.length);
}

describe('vigil completion', () => {
  it('bash: a script bash accepts, completing subcommands, options and option values', async () => {
    const result = await runVigil(['completion', 'bash']);
    expect(result.code, result.stderr).toBe(0);
    const check = spawnSync('bash', ['-n'], { input: result.stdout, encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);

    const topLevel = buildProgram().commands.map((c) => c.name());
    const offers = completeInBash(result.stdout, [
      ['vigil', ''],
      ['vigil', 'ex'],
      ['vigil', 'hub', 're'],
      ['vigil', '--data-dir', '/tmp', 'hub', 'l'],
      ['vigil', 'export', '--ti'],
      ['vigil', 'export', '--time-format', ''],
      ['vigil', 'export', '--time-format', 'lo'],
      ['vigil', 'completion', ''],
      ['vigil', 'status', '--'],
    ]);
    expect(offers[0]!.split(' ')).toEqual(topLevel);
    expect(topLevel).toEqual(expect.arrayContaining(['agent', 'export', 'hub', 'completion']));
    expect(offers.slice(1, 8)).toEqual(['export', 'revoke', 'list', '--time-format', 'iso local unix', 'local', 'bash zsh fish']);
    expect(offers[8]!.split(' ').sort()).toEqual(['--data-dir', '--help', '--json']);
  });

  it('zsh runs the same completion through bashcompinit; fish gets its own complete lines', async () => {
    const zsh = await runVigil(['completion', 'zsh']);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout.split('\n')[0]).toBe('#compdef vigil');
    expect(zsh.stdout).toContain('bashcompinit');
    expect(spawnSync('bash', ['-n'], { input: zsh.stdout }).status).toBe(0);

    const fish = await runVigil(['completion', 'fish']);
    expect(fish.code).toBe(0);
    const lines = fish.stdout.split('\n');
    expect(lines).toContain("complete -c vigil -n '__fish_use_subcommand' -a export -d 'write samples as CSV for a day (--date) or a range of days (--from, --to)'");
    expect(lines.some((l) => l.startsWith("complete -c vigil -n '__fish_seen_subcommand_from export' -l time-format -x -a 'iso local unix'"))).toBe(true);
    expect(lines.some((l) => l.startsWith("complete -c vigil -n '__fish_seen_subcommand_from hub; and not __fish_seen_subcommand_from add-machine revoke list' -a revoke"))).toBe(true);
  });

  it('refuses a shell it does not know', async () => {
    const result = await runVigil(['completion', 'tcsh']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/tcsh.*bash, zsh, fish/);
  });
});
