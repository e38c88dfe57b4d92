// A DOWN email that the SMTP server refuses (5xx), against a real SMTP server (npm smtp-server,
// in-process, refusing RCPT TO with 550): for a watchdog, giving up after a few quick tries
// leaves an outage nobody hears of. The pipeline runs on a fake clock, so hours pass in seconds;
// every attempt is a real SMTP session.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SmtpNotifier, parseSmtpUrl } from '../../../src/core/alerts/notifier.js';
import { AlertPipeline, type AlertPolicy } from '../../../src/core/alerts/pipeline.js';
import Database from 'better-sqlite3';
import { ALERT_MIGRATIONS } from '../../../src/core/alerts/store-migrations.js';
import { AlertStore } from '../../../src/core/alerts/store.js';
import { silentLogger } from '../../../src/core/log.js';
import { migrate } from '../../../src/core/storage/schema.js';
import { openSampleStore } from '../../../src/core/storage/sample-store.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { runVigil } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { POLICY, down, up } from './helpers.js';
import { CERT_FILE, SmtpSink } from './smtp-sink.js';

const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const OPS = 'ops@example.org';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: { policy?: Partial<AlertPolicy>; file?: string } = {}) {
  const refused = [OPS];
  const sink = await new SmtpSink({ rejectRecipients: refused }).start();
  cleanups.push(() => sink.stop());
  const clock = new FakeClock();
  const store = AlertStore.open(options.file ?? ':memory:');
  const notifier = new SmtpNotifier({ ...parseSmtpUrl(sink.url()), requireTls: false, ca: fs.readFileSync(CERT_FILE, 'utf8'), from: 'vigil@example.org', to: [OPS], timeoutMs: 10_000 });
  const pipeline = new AlertPipeline({
    store,
    origin: { id: '00000000-0000-4000-8000-000000000001', name: 'watcher' },
    // The defaults of the settings: a 5-minute ceiling on the backoff.
    policy: { ...POLICY, digestMs: 0, retryMaxMs: 300 * S, ...options.policy },
    mail: { notifier, from: 'vigil@example.org', to: [OPS] },
    clock,
    random: () => 1,
  });
  cleanups.push(async () => {
    await pipeline.stop();
    store.close();
  });
  pipeline.start();
  /** Lets `ms` of fake time pass in steps, each attempt a real SMTP session. */
  const runFor = async (ms: number, step = 30 * S) => {
    for (let passed = 0; passed < ms; passed += step) {
      await clock.advance(Math.min(step, ms - passed));
      await pipeline.settled();
    }
  };
  const accept = () => refused.splice(0);
  return { sink, clock, store, pipeline, runFor, accept };
}

describe('a DOWN email the SMTP server refuses (5xx)', () => {
  it('is tried again with backoff for as long as its incident is open, shown as refused, and goes once the server takes it', async () => {
    const { sink, clock, store, pipeline, runFor, accept } = await setup();
    const t = clock.now();
    pipeline.report(down('peer:web-1', t));
    await runFor(2 * HOUR);
    // Not 3 tries in 24 s: 1, 2, 4 … 256 s, then every 5 minutes (≈ 31 in 2 hours).
    expect(sink.refusals).toBeGreaterThanOrEqual(25);
    expect(sink.messages).toHaveLength(0);
    const before = sink.refusals;
    await runFor(30 * MIN);
    expect(sink.refusals - before).toBeGreaterThanOrEqual(5);
    const history = store.history();
    expect(history.alerts.map((a) => [a.title, a.status])).toEqual([['web-1 is DOWN', 'refused']]);
    expect(history.alerts[0]!.error).toMatch(/550/);
    expect(history.outbox).toMatchObject({ pending: 1, failed: 0, refused: 1, refusedSince: t, lastError: expect.stringMatching(/550/) });

    accept();
    await runFor(5 * MIN);
    expect(sink.messages.map((m) => m.parsed.subject)).toEqual([expect.stringMatching(/web-1 is DOWN/)]);
    expect(store.history().alerts.map((a) => a.status)).toEqual(['sent']);
    expect(store.history().outbox).toMatchObject({ pending: 0, failed: 0, refused: 0, refusedSince: null });
  }, 120_000);

  it('sends no reminders while the DOWN email itself is refused (they would say the same, and pile up)', async () => {
    const { sink, clock, store, pipeline, runFor, accept } = await setup({ policy: { reminderMs: 60 * MIN, maxReminders: 3 } });
    pipeline.report(down('peer:web-1', clock.now()));
    await runFor(4 * HOUR, 5 * MIN);
    expect(store.history().alerts.map((a) => [a.severity, a.status])).toEqual([['problem', 'refused']]);
    accept();
    await runFor(5 * MIN);
    expect(sink.messages).toHaveLength(1);
    // Reminders resume once it went out.
    await runFor(61 * MIN, 60 * S);
    expect(sink.messages.map((m) => m.parsed.subject)).toEqual([expect.stringMatching(/web-1 is DOWN/), expect.stringMatching(/web-1 is DOWN/)]);
    expect(store.history().alerts.map((a) => a.severity)).toEqual(['reminder', 'problem']);
  }, 120_000);

  it('a recovery ends the retries: the DOWN email is superseded, and the recovery email says it was never delivered', async () => {
    const { sink, clock, store, pipeline, runFor, accept } = await setup();
    const t = clock.now();
    pipeline.report(down('peer:web-1', t));
    await runFor(20 * MIN);
    pipeline.report(up('peer:web-1', clock.now()));
    await runFor(1 * MIN, 10 * S);
    const [recovery, problem] = store.history().alerts;
    expect(problem).toMatchObject({ severity: 'problem', status: 'failed', error: expect.stringMatching(/550.*superseded by the recovery/) });
    expect(recovery).toMatchObject({ severity: 'recovery', status: 'refused' });
    expect(recovery!.details.join('\n')).toMatch(/The email about "web-1 is DOWN" was never delivered: .*550/);

    accept();
    await runFor(6 * MIN);
    // One email: the recovery, which tells the whole story. The DOWN email never arrives after it.
    expect(sink.messages.map((m) => m.parsed.subject)).toEqual([expect.stringMatching(/web-1 is UP again after 20 min/)]);
    expect(sink.messages[0]!.parsed.text).toMatch(/never delivered/);
    await runFor(1 * HOUR, 5 * MIN);
    expect(sink.messages).toHaveLength(1);
  }, 120_000);

  it('a recovery (or notice) email that keeps being refused is given up after a day, not retried for ever', async () => {
    // A longer backoff ceiling keeps this test's SMTP sessions few.
    const { sink, clock, store, pipeline, runFor } = await setup({ policy: { retryMaxMs: HOUR } });
    pipeline.report(down('peer:web-1', clock.now()));
    await runFor(1 * MIN, 10 * S);
    pipeline.report(up('peer:web-1', clock.now()));
    await runFor(23 * HOUR, 10 * MIN);
    expect(store.history().alerts[0]).toMatchObject({ severity: 'recovery', status: 'refused' });
    await runFor(2 * HOUR, 10 * MIN);
    expect(store.history().alerts[0]).toMatchObject({ severity: 'recovery', status: 'failed', error: expect.stringMatching(/550.*gave up after 24 h/) });
    expect(store.history().outbox).toMatchObject({ pending: 0, refused: 0, failed: 2 });
    const attempts = sink.refusals;
    await runFor(3 * HOUR, 10 * MIN);
    expect(sink.refusals).toBe(attempts);
  }, 120_000);
});

describe('alerts.db of the previous version', () => {
  it('is migrated by the agent, and read as it is by vigil alerts before that', async () => {
    const file = path.join(tempDir(), 'alerts.db');
    const db = new Database(file);
    migrate(db, file, silentLogger, ALERT_MIGRATIONS.slice(0, 1));
    db.close();
    expect(AlertStore.open(file, { readonly: true }).history().outbox).toMatchObject({ pending: 0, refused: 0, refusedSince: null });
    const store = AlertStore.open(file);
    store.close();
    const migrated = new Database(file, { readonly: true });
    expect(migrated.prepare('SELECT refused_at FROM message').all()).toEqual([]);
    migrated.close();
  });
});

describe('vigil alerts and vigil status', () => {
  it('show a refused DOWN email as failing, with the server\'s answer', async () => {
    const dataDir = tempDir();
    openSampleStore(path.join(dataDir, 'vigil.db')).close();
    const { clock, pipeline, runFor } = await setup({ file: path.join(dataDir, 'alerts.db') });
    pipeline.report(down('peer:web-1', clock.now()));
    await runFor(10 * MIN);
    await pipeline.stop();

    const alerts = await runVigil(['alerts', '--data-dir', dataDir], { timeoutMs: 60_000 });
    expect(alerts.code, alerts.stderr).toBe(0);
    expect(alerts.stdout).toMatch(/^Outbox +FAILING: 1 email refused by the SMTP server since .*, still retrying while its incident is open: .*550/m);
    expect(alerts.stdout).toMatch(/PROBLEM +web-1 is DOWN +\[refused, retrying: .*550/);
    const json = JSON.parse((await runVigil(['alerts', '--json', '--data-dir', dataDir], { timeoutMs: 60_000 })).stdout);
    expect(json.outbox).toMatchObject({ refused: 1, refusedSince: expect.any(Number) });

    const status = await runVigil(['status', '--data-dir', dataDir], { timeoutMs: 60_000 });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^Alerts +1 open: web-1 is DOWN since /m);
    expect(status.stdout).toMatch(/^ +email FAILING: 1 email refused by the SMTP server since .*550/m);
    const statusJson = JSON.parse((await runVigil(['status', '--json', '--data-dir', dataDir], { timeoutMs: 60_000 })).stdout);
    expect(statusJson.alerts).toMatchObject({ open: [expect.objectContaining({ title: 'web-1 is DOWN' })], outbox: { refused: 1 } });
  }, 120_000);
});
