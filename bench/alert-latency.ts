// Alert latency: how long from a peer's death to the DOWN email in the mailbox, split into
// detection (death → the watcher's DOWN decision) and delivery (decision → the SMTP server has
// the whole message). Real parts throughout: a peer /health server on 127.0.0.1 that is shut
// (connections refused) or frozen (no answer: timeouts), the PeerWatcher with its node:http
// checks, the persisted pipeline (SQLite alerts.db, synchronous=FULL) and nodemailer over
// STARTTLS to smtp-server.
//
//   npx tsx bench/alert-latency.ts [runs=8] [intervalSeconds=1]     fast checks (1 s, timeout 1 s, K = 3)
//   npx tsx bench/alert-latency.ts --defaults [runs=3]              the shipped defaults
//
// --defaults takes the watch timing and the alert policy from defaultSettings() through the same
// functions the agent uses (watchTiming, alertPolicy): checks every 5 s, timeout 5 s, K = 3, a
// 60 s digest. Each death there gets a fresh alert database, so every email is an incident's
// first (an email within digestSeconds of the previous one waits for the digest: that wait is
// the setting, not latency).
//
// Expected: detection ≤ interval × K (refused) or ≤ interval × K + timeout (frozen); delivery
// is what Vigil adds on top.
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SmtpNotifier, parseSmtpUrl } from '../src/core/alerts/notifier.js';
import { AlertPipeline, type AlertPolicy } from '../src/core/alerts/pipeline.js';
import { alertPolicy, watchTiming } from '../src/core/alerts/setup.js';
import { AlertStore } from '../src/core/alerts/store.js';
import type { AlertChange } from '../src/core/alerts/types.js';
import { PeerWatcher, type PeerWatchTiming } from '../src/core/peers/watcher.js';
import { defaultSettings } from '../src/shared/settings.js';
import { CERT_FILE, SmtpSink } from '../tests/core/alerts/smtp-sink.js';

const DEFAULTS = process.argv.includes('--defaults');
const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const shipped = defaultSettings();
const RUNS = Number(positional[0] ?? (DEFAULTS ? 3 : 8));
const TIMING: PeerWatchTiming = DEFAULTS ? { ...watchTiming(shipped.peers), rebootNotice: false } : { intervalMs: Number(positional[1] ?? 1) * 1000, timeoutMs: 1000, failuresBeforeDown: 3, rebootNotice: false };
const POLICY: AlertPolicy = DEFAULTS ? alertPolicy(shipped.alerts) : { digestMs: 0, reminderMs: 0, maxReminders: 0, quiet: null, retryMaxMs: 1000, historyDays: 1 };
const INTERVAL_S = TIMING.intervalMs / 1000;
const TIMEOUT_S = TIMING.timeoutMs / 1000;
const K = TIMING.failuresBeforeDown;

interface Peer {
  url: string;
  /** Closes the listening socket and every connection: new checks are refused. */
  kill(): Promise<void>;
  /** Keeps accepting connections but never answers again: checks time out. */
  freeze(): void;
}

async function startPeer(name: string): Promise<Peer> {
  let frozen = false;
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => {
    if (frozen) return;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ id: `${name}-id`, name, version: 'bench', state: 'running', time: Date.now(), uptimeSeconds: 100, bootTime: 1, lastSampleTs: Date.now(), sleepUntil: null }));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/health`,
    kill: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
    freeze: () => {
      frozen = true;
    },
  };
}

function stats(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `median ${at(0.5).toFixed(0).padStart(5)} ms   min ${sorted[0]!.toFixed(0).padStart(5)}   max ${sorted.at(-1)!.toFixed(0).padStart(5)}`;
}

async function main(): Promise<void> {
  const smtp = await new SmtpSink().start();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-alerts-'));
  const notifier = new SmtpNotifier({ ...parseSmtpUrl(smtp.url()), requireTls: true, ca: fs.readFileSync(CERT_FILE, 'utf8'), from: 'vigil@bench', to: ['ops@bench'], timeoutMs: 5000 });
  let generation = 0;
  const openPipeline = () => {
    const store = AlertStore.open(path.join(dir, `alerts-${generation++}.db`));
    const pipeline = new AlertPipeline({ store, origin: { id: 'bench', name: 'bench' }, policy: POLICY, mail: { notifier, from: 'vigil@bench', to: ['ops@bench'] } });
    pipeline.start();
    return { store, pipeline };
  };
  let current = openPipeline();
  const decided = new Map<string, number>();
  const sink = {
    report(changes: AlertChange | readonly AlertChange[]) {
      for (const c of Array.isArray(changes) ? changes : [changes as AlertChange]) if (c.kind === 'peer_down') decided.set(c.machine, performance.now() + performance.timeOrigin);
      current.pipeline.report(changes);
    },
    retain: () => {},
  };

  console.log(
    `Alert latency (${DEFAULTS ? 'shipped defaults' : 'fast checks'}), ${new Date().toISOString()}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}: ${RUNS} deaths per mode, checks every ${INTERVAL_S} s, timeout ${TIMEOUT_S} s, K = ${K}, digest ${POLICY.digestMs / 1000} s; nodemailer STARTTLS to smtp-server on 127.0.0.1`,
  );
  for (const mode of ['refused', 'frozen'] as const) {
    const detection: number[] = [];
    const delivery: number[] = [];
    const total: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const name = `${mode}-${run}`;
      const peer = await startPeer(name);
      if (DEFAULTS && decided.size > 0) {
        // A fresh alert database: this death is an incident's first email, not a digest's.
        await current.pipeline.stop();
        current.store.close();
        current = openPipeline();
      }
      const watcher = new PeerWatcher({
        self: { id: 'bench', name: 'bench' },
        peers: [{ name, healthUrl: peer.url, token: null, origin: 'settings' }],
        timing: TIMING,
        sink,
        hasNetworkInterface: () => true,
      });
      watcher.start();
      // Die at a random point of the check cycle.
      await new Promise((r) => setTimeout(r, 1500 + Math.random() * INTERVAL_S * 1000));
      const diedAt = Date.now();
      if (mode === 'refused') await peer.kill();
      else peer.freeze();
      const received = smtp.messages.length;
      while (!smtp.messages.slice(received).some((m) => m.parsed.subject?.includes(`${name} is DOWN`))) await new Promise((r) => setTimeout(r, 5));
      const mail = smtp.messages.slice(received).find((m) => m.parsed.subject?.includes(`${name} is DOWN`))!;
      await watcher.stop();
      if (mode === 'frozen') await peer.kill();
      const decision = decided.get(name)!;
      detection.push(decision - diedAt);
      delivery.push(mail.at - decision);
      total.push(mail.at - diedAt);
    }
    const bound = mode === 'refused' ? INTERVAL_S * K : INTERVAL_S * K + TIMEOUT_S;
    console.log(`\n### ${mode === 'refused' ? 'peer process died (connection refused)' : 'peer host vanished (no answer, timeouts)'}; bound ${bound} s (+1 s for the email)`);
    console.log(`  death → DOWN decision   ${stats(detection)}`);
    console.log(`  decision → email        ${stats(delivery)}   (SQLite commit, compose, TLS handshake, SMTP transaction)`);
    console.log(`  death → email           ${stats(total)}`);
  }
  await current.pipeline.stop();
  current.store.close();
  await smtp.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

await main();
