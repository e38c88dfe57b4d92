// Peer watch set up with flags only, as issue 6 writes it: `vigil agent --peer NAME=URL --smtp URL
// --alert-from A --alert-to B` (config.json holds just the fast check timing), watching a machine
// that is only watched (`vigil agent --port P`: its server runs without --ui). Kill that one →
// a DOWN email reaches a real SMTP server (smtp-server in-process, STARTTLS and AUTH).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../../src/core/http-client.js';
import { finished, startVigil, waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { CERT_FILE, SmtpSink, freePort } from '../core/alerts/smtp-sink.js';

const AUTH = { user: 'alerts', password: 's3cret' };
const smtp = new SmtpSink({ auth: AUTH });
const children: ReturnType<typeof startVigil>[] = [];

beforeAll(async () => {
  await smtp.start();
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await smtp.stop();
});

function start(args: string[], env: NodeJS.ProcessEnv = {}): ReturnType<typeof startVigil> {
  const child = startVigil(args, { VIGIL_TOKEN: '', VIGIL_SMTP: '', ...env });
  children.push(child);
  return child;
}

describe('an agent configured by flags only', () => {
  it('emails DOWN through --smtp, from --alert-from to --alert-to, when its --peer dies', async () => {
    const watchedPort = await freePort();
    const watched = start(['agent', '--data-dir', tempDir(), '--port', String(watchedPort)]);
    const watchedUrl = `http://127.0.0.1:${watchedPort}`;
    await waitFor(() => watched.output.stdout.includes(`Vigil API: ${watchedUrl}/api/host`) || watched.exitCode !== null, 'the watched machine to serve /health');

    const dataDir = tempDir();
    // Timing only (there are no flags for it); what to watch and where to mail come from flags.
    fs.writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ peers: { checkIntervalSeconds: 1, timeoutSeconds: 1, failuresBeforeDown: 3 }, alerts: { digestSeconds: 0 } }));
    const watcherPort = await freePort();
    const watcher = start(
      ['agent', '--data-dir', dataDir, '--port', String(watcherPort), '--peer', `bravo=${watchedUrl}`, '--smtp', smtp.url(AUTH), '--alert-from', 'vigil@alpha.example', '--alert-to', 'ops@example.org'],
      // The sink's own certificate, trusted for this process (as `vigil test-email` is tested).
      { NODE_EXTRA_CA_CERTS: CERT_FILE },
    );
    const peerState = async () => {
      try {
        const body = (await httpRequest({ url: `http://127.0.0.1:${watcherPort}/api/peers`, timeoutMs: 1000 })).json<{ peers: { name: string; state: string }[] }>();
        return body.peers.find((p) => p.name === 'bravo')?.state ?? null;
      } catch {
        return null;
      }
    };
    const deadline = Date.now() + 15_000;
    while ((await peerState()) !== 'up') {
      if (Date.now() > deadline || watcher.exitCode !== null) throw new Error(`bravo never seen up: ${watcher.output.stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    watched.kill('SIGKILL');
    await finished(watched);
    await waitFor(() => smtp.messages.some((m) => /bravo is DOWN/.test(m.parsed.subject ?? '')), `the DOWN email (${watcher.output.stderr.slice(-500)})`, 15_000);
    const email = smtp.messages.find((m) => /bravo is DOWN/.test(m.parsed.subject ?? ''))!;
    expect(email).toMatchObject({ secure: true, user: 'alerts', from: 'vigil@alpha.example', to: ['ops@example.org'] });
    expect(email.parsed.text).toContain(`${watchedUrl}/health`);
    expect(watcher.output.stderr).not.toContain('no SMTP server');

    watcher.kill('SIGTERM');
    expect((await finished(watcher)).code).toBe(0);
  });
});
