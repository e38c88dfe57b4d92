// Peer watch end to end, as people run it: two real agents (bin/vigil.js) on 127.0.0.1
// watching each other, checking every 1 s with a 1 s timeout and K = 3, and two real SMTP
// servers: A mails through smtp-server (in-process, STARTTLS with our own certificate, AUTH),
// B through Debian's python3-aiosmtpd (a separate implementation, writing a Maildir).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../../src/core/http-client.js';
import { finished, runVigil, startVigil, waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { AiosmtpdSink, CERT_FILE, SmtpSink, freePort } from '../core/alerts/smtp-sink.js';

const INTERVAL_S = 1;
const TIMEOUT_S = 1;
const K = 3;
/** The bound: a DOWN email within interval × K + timeout + 1 s of the death. */
const DOWN_EMAIL_BOUND_MS = (INTERVAL_S * K + TIMEOUT_S + 1) * 1000;
const AUTH = { user: 'alerts', password: 's3cret' };

type Agent = ReturnType<typeof startVigil>;

interface Machine {
  name: string;
  dataDir: string;
  port: number;
  url: string;
  agent: Agent | null;
}

const smtp = new SmtpSink({ auth: AUTH });
let aiosmtpd: AiosmtpdSink;
let a: Machine;
let b: Machine;

function writeConfig(self: Machine, peer: Machine, mail: Record<string, unknown>): void {
  const config = {
    machine: { name: self.name },
    server: { port: self.port },
    peers: { list: [{ name: peer.name, url: peer.url }], checkIntervalSeconds: INTERVAL_S, timeoutSeconds: TIMEOUT_S, failuresBeforeDown: K },
    smtp: mail,
    alerts: { digestSeconds: 0, retryMaxSeconds: 1 },
  };
  fs.writeFileSync(path.join(self.dataDir, 'config.json'), JSON.stringify(config, null, 2));
}

async function start(machine: Machine): Promise<void> {
  // The next test goes on with this agent; afterAll stops it.
  machine.agent = startVigil(['agent', '--data-dir', machine.dataDir], {}, { outlivesTest: true });
  const agent = machine.agent;
  await waitFor(() => agent.output.stderr.includes('peer watch started') || agent.exitCode !== null, `${machine.name} to start`);
  expect(agent.exitCode, agent.output.stderr).toBeNull();
}

async function kill(machine: Machine): Promise<number> {
  const agent = machine.agent!;
  machine.agent = null;
  agent.kill('SIGKILL');
  const killedAt = Date.now();
  await finished(agent);
  return killedAt;
}

async function peerState(watcher: Machine, peer: string): Promise<string | null> {
  try {
    const body = (await httpRequest({ url: `${watcher.url}/api/peers`, timeoutMs: 1000 })).json<{ peers: { name: string; state: string }[] }>();
    return body.peers.find((p) => p.name === peer)?.state ?? null;
  } catch {
    return null;
  }
}

async function waitPeerState(watcher: Machine, peer: string, state: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await peerState(watcher, peer)) !== state) {
    if (Date.now() > deadline) throw new Error(`${watcher.name} never saw ${peer} ${state}: ${watcher.agent?.output.stderr ?? ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const subjects = () => smtp.messages.map((m) => m.parsed.subject ?? '');
const count = (pattern: RegExp) => subjects().filter((s) => pattern.test(s)).length;

beforeAll(async () => {
  await smtp.start();
  aiosmtpd = await new AiosmtpdSink(tempDir(), await freePort()).start();
  const [portA, portB] = [await freePort(), await freePort()];
  a = { name: 'alpha', dataDir: tempDir(), port: portA, url: `http://127.0.0.1:${portA}`, agent: null };
  b = { name: 'bravo', dataDir: tempDir(), port: portB, url: `http://127.0.0.1:${portB}`, agent: null };
  writeConfig(a, b, { url: smtp.url(AUTH), requireTls: true, caFile: CERT_FILE, from: 'Vigil <vigil@alpha.example>', to: ['ops@example.org'] });
  writeConfig(b, a, { url: `smtp://127.0.0.1:${aiosmtpd.port}`, from: 'vigil@bravo.example', to: ['ops@example.org'] });
  await Promise.all([start(a), start(b)]);
  await waitPeerState(a, 'bravo', 'up');
  await waitPeerState(b, 'alpha', 'up');
  // Each has a sample of its own to report (the sampler's first tick is only a baseline).
  for (const m of [a, b]) {
    const deadline = Date.now() + 10_000;
    while (!(await httpRequest({ url: `${m.url}/health` })).json<{ latest?: unknown }>().latest) {
      if (Date.now() > deadline) throw new Error(`${m.name} has no sample`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  // …and its watcher has seen it.
  await new Promise((r) => setTimeout(r, INTERVAL_S * 1000 + 200));
}, 60_000);

afterAll(async () => {
  for (const m of [a, b]) if (m?.agent) await kill(m);
  await smtp.stop();
  await aiosmtpd?.stop();
});

describe('two agents watching each other', () => {
  it('kill one → exactly one DOWN email, within interval × K + timeout + 1 s, saying since when and how it was doing', async () => {
    const killedAt = await kill(b);
    await waitFor(() => count(/bravo is DOWN/) > 0, 'the DOWN email', 10_000);
    const email = smtp.messages.find((m) => /bravo is DOWN/.test(m.parsed.subject ?? ''))!;
    expect(email.at - killedAt).toBeLessThanOrEqual(DOWN_EMAIL_BOUND_MS);
    expect(email).toMatchObject({ secure: true, user: 'alerts', to: ['ops@example.org'] });
    const text = email.parsed.text ?? '';
    expect(text).toMatch(/Since: +\d{4}-\d\d-\d\dT/);
    // Detected K checks after the first failure.
    const [since, detected] = [/Since: +(\S+)/, /Detected: +(\S+)/].map((re) => Date.parse(re.exec(text)![1]!));
    expect(detected! - since!).toBeGreaterThanOrEqual((K - 1) * INTERVAL_S * 1000 - 100);
    expect(text).toContain('did not answer 3 checks in a row (every 1 s, timeout 1 s): connection refused');
    // The peer's own latest sample, from its /health (loopback server: no token needed).
    expect(text).toMatch(/Last known, at .*: CPU [\d.]+ %, memory .* of .* \(.* %\), network in .*, out .*/);
    expect(text).toContain(`Watched from alpha: ${b.url}/health`);
    // Still exactly one a while later: no repeat while it stays down.
    await new Promise((r) => setTimeout(r, 2 * INTERVAL_S * 1000));
    expect(count(/bravo is DOWN/)).toBe(1);
  });

  it('restart it → exactly one recovery email, with how long it was down', async () => {
    await start(b);
    await waitFor(() => count(/bravo is UP again/) > 0, 'the recovery email', 10_000);
    await new Promise((r) => setTimeout(r, 2 * INTERVAL_S * 1000));
    expect(count(/bravo is UP again/)).toBe(1);
    const email = smtp.messages.find((m) => /bravo is UP again/.test(m.parsed.subject ?? ''))!;
    expect(email.parsed.subject).toMatch(/^\[Vigil\] bravo is UP again after \d+ s$/);
    expect(email.parsed.text).toMatch(/Lasted: +\d+ s \(from \d{4}-/);
    expect(count(/bravo is DOWN/)).toBe(1);
    // bravo came back to find alpha up: it has nothing to say.
    expect(await aiosmtpd.messages()).toEqual([]);
  });

  it('announce sleep, then vanish → no DOWN email before the deadline', async () => {
    const before = smtp.messages.length;
    const announced = await runVigil(['sleep', '--for', '1m', '--url', b.url]);
    expect(announced.code, announced.stderr).toBe(0);
    expect(announced.stdout).toMatch(/going to sleep until \d{4}-/);
    // bravo pushed the news to alpha at once; no need to wait for a check.
    await waitPeerState(a, 'bravo', 'sleeping');
    await kill(b);
    await new Promise((r) => setTimeout(r, DOWN_EMAIL_BOUND_MS + 2000));
    expect(smtp.messages.length).toBe(before);
    expect(await peerState(a, 'bravo')).toBe('sleeping');
    // Back (a planned reboot): no recovery email either, nothing was reported.
    await start(b);
    await waitPeerState(a, 'bravo', 'up');
    await new Promise((r) => setTimeout(r, 1000));
    expect(smtp.messages.length).toBe(before);
  });

  it('SMTP down during an outage, and the watcher killed meanwhile → the DOWN email arrives once SMTP is back, once', async () => {
    await smtp.stop();
    await kill(b);
    // alpha detects it and queues the email, which cannot leave.
    await waitFor(() => fs.readFileSync(path.join(a.dataDir, 'logs', 'vigil.log'), 'utf8').includes('cannot send alert email now'), 'a failed send', 10_000);
    const queued = await runVigil(['alerts', '--json', '--data-dir', a.dataDir]);
    const history = JSON.parse(queued.stdout) as { outbox: { pending: number; lastError: string }; open: { key: string }[] };
    expect(history.outbox.pending).toBe(1);
    expect(history.outbox.lastError).toContain('ECONNREFUSED');
    expect(history.open.map((o) => o.key)).toEqual(['peer:bravo']);
    // The watcher itself dies (kill -9) with the email still queued, and comes back.
    await kill(a);
    await start(a);
    await smtp.start();
    await waitFor(() => count(/bravo is DOWN/) === 2, 'the queued DOWN email', 15_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(count(/bravo is DOWN/)).toBe(2); // the first outage's and this one's: exactly one each
    const human = await runVigil(['alerts', '--data-dir', a.dataDir]);
    expect(human.stdout).toMatch(/Open +bravo is DOWN since/);
    expect(human.stdout).toMatch(/PROBLEM +bravo is DOWN +\[emailed/);
  });

  it('the other way round, through python3-aiosmtpd: bravo reports alpha DOWN once', async () => {
    await start(b);
    await waitPeerState(b, 'alpha', 'up');
    await kill(a);
    const deadline = Date.now() + 10_000;
    let messages = await aiosmtpd.messages();
    while (!messages.some((m) => /alpha is DOWN/.test(m.subject ?? '')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      messages = await aiosmtpd.messages();
    }
    await new Promise((r) => setTimeout(r, 2000));
    messages = await aiosmtpd.messages();
    expect(messages.filter((m) => /alpha is DOWN/.test(m.subject ?? '')).map((m) => m.from?.text)).toEqual(['vigil@bravo.example']);
    // alpha had alerts queued for bravo's recovery; they were sent before it died, or wait in
    // its queue: never lost, never twice.
    await start(a);
    await waitFor(() => count(/bravo is UP again/) === 2, "bravo's second recovery email", 15_000);
  });
});
