// `vigil agent --sync URL --token TOKEN`, the form issue 5 gives, through the real CLI against a
// real hub (in this process, on 127.0.0.1): samples arrive under that machine. The older
// `--sync-token` still works, and a --token with no hub to send it to is refused.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub/hub.js';
import { finished, runVigil, startVigil } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { startTestHub } from '../hub/helpers.js';

let hub: Hub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.stop();
});

/** A data dir whose agent commits and sends every second. */
function agentDir(): string {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ storage: { flushSeconds: 1 }, sync: { intervalSeconds: 1, maxBackoffSeconds: 1 } }));
  return dir;
}

async function samplesArrive(machineId: string, agent: ReturnType<typeof startVigil>): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const count = hub.pool.get(machineId).countSamples(0, Date.now() + 60_000);
    if (count > 0) return count;
    if (agent.exitCode !== null || Date.now() > deadline) throw new Error(`no sample reached the hub: ${agent.output.stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('vigil agent --sync URL --token TOKEN', () => {
  it('sends samples to the hub with the token given as --token (and as the older --sync-token)', async () => {
    const first = hub.registry.add('flag-token');
    const second = hub.registry.add('flag-sync-token');
    // No token in the environment or in a file: only the flag can authenticate.
    const env = { VIGIL_SYNC_TOKEN: '', VIGIL_TOKEN: '' };
    const agents = [
      startVigil(['agent', '--data-dir', agentDir(), '--sync', hub.url, '--token', first.token], env),
      startVigil(['agent', '--data-dir', agentDir(), '--sync', hub.url, '--sync-token', second.token], env),
    ];
    try {
      expect(await samplesArrive(first.machine.id, agents[0]!)).toBeGreaterThan(0);
      expect(await samplesArrive(second.machine.id, agents[1]!)).toBeGreaterThan(0);
    } finally {
      for (const agent of agents) agent.kill('SIGTERM');
    }
    for (const agent of agents) {
      const result = await finished(agent);
      expect(result.code, result.stderr).toBe(0);
      // The token is a secret: never echoed.
      expect(result.stderr).not.toContain(first.token);
      expect(result.stderr).not.toContain(second.token);
    }
  });

  it('--token without a hub, or two different tokens, are one-line refusals (exit 2)', async () => {
    const none = await runVigil(['agent', '--data-dir', tempDir(), '--token', 'abcdefgh12345678']);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe("vigil: --token is the hub token for sync: add --sync URL (or set sync.enabled and sync.url in the settings); the web server's access token is --ui-token\n");
    const both = await runVigil(['agent', '--data-dir', tempDir(), '--sync', hub.url, '--token', 'abcdefgh12345678', '--sync-token', 'zyxwvuts87654321']);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('vigil: --token and --sync-token are the same setting (the hub token): give it once\n');
    // Sync on without any token: the message names the flag that works.
    const missing = await runVigil(['agent', '--data-dir', tempDir(), '--sync', hub.url], { env: { VIGIL_SYNC_TOKEN: '' } });
    expect(missing.code).toBe(78);
    expect(missing.stderr).toMatch(/^vigil: Sync is on but there is no hub token in .*sync-token: pass --token TOKEN or set \$VIGIL_SYNC_TOKEN/);
  });
});
