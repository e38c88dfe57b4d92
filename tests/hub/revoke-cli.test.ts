// `vigil hub revoke --json` through the real CLI: the revoked machine as JSON, and the
// revocation real (the list says so).
import { describe, expect, it } from 'vitest';
import { runVigil } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

describe('vigil hub revoke', () => {
  it('--json prints the revoked machine; the text form still reads as before', async () => {
    const hubDir = tempDir();
    const added = JSON.parse((await runVigil(['hub', 'add-machine', 'web-1', '--json', '--data-dir', hubDir])).stdout) as { id: string };
    await runVigil(['hub', 'add-machine', 'web-2', '--data-dir', hubDir]);
    const before = Date.now();
    const revoked = await runVigil(['hub', 'revoke', 'web-1', '--json', '--data-dir', hubDir]);
    expect(revoked.code, revoked.stderr).toBe(0);
    const body = JSON.parse(revoked.stdout) as { machine: { id: string; name: string; revokedAt: number } };
    expect(body.machine).toEqual({ id: added.id, name: 'web-1', revokedAt: expect.any(Number) });
    expect(body.machine.revokedAt).toBeGreaterThanOrEqual(before);
    expect(revoked.stdout).not.toMatch(/token/i);

    const text = await runVigil(['hub', 'revoke', 'web-2', '--data-dir', hubDir]);
    expect(text.stdout).toMatch(/^Machine web-2 \(.+\) revoked/);
    const list = JSON.parse((await runVigil(['hub', 'list', '--all', '--json', '--data-dir', hubDir])).stdout) as { machines: { name: string; state: string }[] };
    expect(list.machines.map((m) => [m.name, m.state])).toEqual([['web-1', 'revoked'], ['web-2', 'revoked']]);

    const again = await runVigil(['hub', 'revoke', 'web-1', '--json', '--data-dir', hubDir]);
    expect(again.code).not.toBe(0);
    expect(again.stdout).toBe('');
  });
});
