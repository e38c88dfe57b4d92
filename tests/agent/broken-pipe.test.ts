// `vigil agent 2>&1 | tee log`, then Ctrl-C: the terminal's SIGINT reaches tee too, which dies
// first, so the agent's "shutting down" line meets a pipe with no reader (EPIPE). The agent must
// still stop cleanly: exit 0, its pending samples flushed, its lock released.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { finished, runVigil, startVigil, waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { formatDay, dayOf } from '../../src/shared/dates.js';

const children: ReturnType<typeof startVigil>[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await finished(child).catch(() => undefined);
  }
});

describe('vigil agent with its output piped', () => {
  for (const broken of ['stderr', 'stdout and stderr'] as const) {
    it(`stops cleanly on SIGINT when the reader of its ${broken} is gone`, async () => {
      const dataDir = tempDir();
      // Nothing reaches the database before the stop but through the stop's flush.
      fs.writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ storage: { flushSeconds: 60 } }));
      // --port 0: the banner goes to stdout too.
      const agent = startVigil(['agent', '--data-dir', dataDir, '--port', '0']);
      children.push(agent);
      await waitFor(() => /Vigil API:/.test(agent.output.stdout) && /vigil agent running/.test(agent.output.stderr), `the agent to start (${agent.output.stderr})`, 60_000);
      const lock = path.join(dataDir, 'agent.lock');
      expect(fs.existsSync(lock)).toBe(true);
      // A few samples wait in memory.
      await new Promise((resolve) => setTimeout(resolve, 2500));

      // The reader dies: our end of the pipe closes, as tee's does.
      agent.stderr!.destroy();
      if (broken === 'stdout and stderr') agent.stdout!.destroy();
      agent.kill('SIGINT');
      const result = await finished(agent, 60_000);

      const log = fs.readFileSync(path.join(dataDir, 'logs', 'vigil.log'), 'utf8');
      expect(result.code, log.slice(-2000)).toBe(0);
      expect(log).toContain('shutting down');
      expect(log).toContain('sampling stopped');
      // Said once, in the file: the rest of the stop went on.
      expect(log.match(/log output to stderr stopped \(EPIPE\)/g)).toHaveLength(1);
      expect(log).not.toMatch(/unclean|second signal/);
      expect(fs.existsSync(lock)).toBe(false);
      const exported = await runVigil(['export', '--date', formatDay(dayOf(Date.now())), '--data-dir', dataDir], { timeoutMs: 60_000 });
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stdout.trim().split('\n').length - 1).toBeGreaterThanOrEqual(2);
    }, 120_000);
  }
});
