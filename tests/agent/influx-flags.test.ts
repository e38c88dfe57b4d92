// `vigil agent --influx-db/--influx-org/--influx-bucket` without --influx is a forgotten --influx:
// refused before the agent starts, as `vigil hub` refuses it (tests/hub/fanout-cli.test.ts),
// rather than silently ignored. With InfluxDB on in the settings file, the same flags are fine.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { finished, runVigil, startVigil, waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

describe('vigil agent --influx-* without --influx', () => {
  it('is refused with a clear error, and the agent does not start', async () => {
    const dataDir = tempDir();
    const result = await runVigil(['agent', '--data-dir', dataDir, '--influx-db', 'vigil', '--influx-org', 'acme']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--influx-db, --influx-org given but InfluxDB is off: add --influx URL \(or set influx\.enabled and influx\.url in .*config\.json\)/);
    expect(result.stdout).toBe('');
    expect(fs.readdirSync(dataDir).filter((name) => name.endsWith('.csv') || name.endsWith('.db'))).toEqual([]);
  });

  it('is accepted when the settings file turns InfluxDB on', async () => {
    const dataDir = tempDir();
    // Port 9 (discard) on loopback: nothing answers; the sync target just retries.
    fs.writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ influx: { enabled: true, url: 'http://127.0.0.1:9' } }));
    const agent = startVigil(['agent', '--data-dir', dataDir, '--influx-db', 'vigil']);
    try {
      await waitFor(() => agent.output.stderr.includes('vigil agent running') || agent.exitCode !== null, 'the agent running');
    } finally {
      agent.kill('SIGTERM');
    }
    const result = await finished(agent);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/InfluxDB is off/);
  });
});
