// The public IP through the real `vigil` command: the agent (its V8 flags, node:http) asks a local
// lookup service, `vigil status` shows the address, then "unknown since …" once lookups fail.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, runVigil, startVigil, waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

let server: http.Server;
let base: string;
let answer: string | null = '203.0.113.7';

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    if (answer === null) {
      res.statusCode = 500;
      return void res.end('down');
    }
    res.end(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('vigil status: public IP', () => {
  it('is "not checked" when off, the address when on, "unknown since" after failures', async () => {
    const dataDir = tempDir();
    const agentOnce = async (): Promise<void> => {
      const agent = startVigil(['agent', '--data-dir', dataDir]);
      await waitFor(() => /host snapshot recorded/.test(agent.output.stderr) && /public IP/.test(agent.output.stderr), 'the public IP check', 20_000);
      agent.kill('SIGTERM');
      expect((await finished(agent)).code).toBe(0);
    };

    const off = startVigil(['agent', '--data-dir', dataDir]);
    await waitFor(() => /host snapshot recorded/.test(off.output.stderr), 'a host snapshot');
    off.kill('SIGTERM');
    await finished(off);
    expect((await runVigil(['status', '--data-dir', dataDir])).stdout).toMatch(/^Public {3}not checked \(off by default/m);

    fs.writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ publicIp: { enabled: true, url: `${base}/ip`, timeoutSeconds: 2 } }));
    await agentOnce();
    let status = await runVigil(['status', '--data-dir', dataDir]);
    expect(status.stdout).toMatch(/^Public {3}203\.0\.113\.7 since \d{4}-\d\d-\d\dT/m);
    const json = JSON.parse((await runVigil(['status', '--json', '--data-dir', dataDir])).stdout) as { host: { publicIp: { address: string; since: number } } };
    expect(json.host.publicIp).toEqual({ address: '203.0.113.7', since: expect.any(Number) });

    answer = null;
    await agentOnce();
    status = await runVigil(['status', '--data-dir', dataDir]);
    expect(status.stdout).toMatch(/^Public {3}unknown since \d{4}-\d\d-\d\dT.*the lookup fails/m);
  });
});
