import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseQuietHours } from '../../../src/core/alerts/quiet-hours.js';
import { AlertStore } from '../../../src/core/alerts/store.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { tempDir } from '../../helpers/tmp.js';
import { FakeNotifier, down, makePipeline, up } from './helpers.js';

const S = 1000;
const MIN = 60 * S;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

function setup(...args: Parameters<typeof makePipeline>) {
  const parts = makePipeline(...args);
  stops.push(() => parts.pipeline.stop());
  parts.pipeline.start();
  return parts;
}

describe('AlertPipeline', () => {
  it('sends the first alert at once, with a stable Message-ID, and records it as sent', async () => {
    const clock = new FakeClock();
    const { pipeline, notifier, store } = setup(clock);
    const t = clock.now();
    pipeline.report(down('peer:web-1', t, t - 10 * S));
    await clock.advance(0);
    await pipeline.settled();
    expect(notifier!.sent).toHaveLength(1);
    const email = notifier!.sent[0]!;
    expect(email.subject).toMatch(/^\[Vigil\] web-1 is DOWN \(since \d\d:\d\d\)$/);
    expect(email.text).toContain('web-1 is DOWN');
    expect(email.messageId).toMatch(/^<alert\.[0-9a-f-]{36}@00000000-0000-4000-8000-000000000001\.vigil>$/);
    expect(email.date).toBe(t);
    const history = store.history();
    expect(history.alerts.map((a) => [a.title, a.status, a.messageId])).toEqual([['web-1 is DOWN', 'sent', email.messageId]]);
    expect(history.open.map((i) => i.key)).toEqual(['peer:web-1']);
  });

  it('changes within the digest window wait and leave as one digest; a recovery says how long it lasted', async () => {
    const clock = new FakeClock();
    const { pipeline, notifier } = setup(clock);
    const t = clock.now();
    pipeline.report(down('peer:a', t));
    await clock.advance(10 * S);
    pipeline.report(down('peer:b', t + 10 * S));
    await clock.advance(10 * S);
    pipeline.report(up('peer:a', t + 20 * S));
    await clock.advance(39 * S);
    expect(notifier!.sent).toHaveLength(1);
    await clock.advance(1 * S);
    await pipeline.settled();
    expect(notifier!.sent).toHaveLength(2);
    const digest = notifier!.sent[1]!;
    expect(digest.subject).toBe('[Vigil] 2 alerts: b is DOWN; a is UP again');
    expect(digest.text).toContain('1. b is DOWN');
    expect(digest.text).toContain('2. a is UP again after 20 s');
    expect(digest.at).toBe(t + 60 * S);
  });

  it('the window doubles while changes keep coming (a flapping peer), and resets after a calm period', async () => {
    const clock = new FakeClock();
    const { pipeline, notifier } = setup(clock);
    const t0 = clock.now();
    // A peer flapping every 20 s for 10 minutes.
    for (let i = 0; i < 30; i++) {
      pipeline.report(i % 2 === 0 ? down('peer:flappy', clock.now()) : up('peer:flappy', clock.now()));
      await clock.advance(20 * S);
    }
    await clock.advance(30 * MIN);
    await pipeline.settled();
    const gaps = notifier!.sent.map((e) => (e.at - t0) / S);
    // Immediately, then after 60 s, 120 s, 240 s, 480 s (capped at 16 × 60 s beyond).
    expect(gaps.slice(0, 5)).toEqual([0, 60, 180, 420, 900]);
    // Every one of the 30 changes is in exactly one email, in order: each change has one section,
    // with its own time ("Since:" for DOWN, "Back at:" for UP), 20 s after the one before.
    const times = notifier!.sent.flatMap((e) => [...e.text.matchAll(/^(?:Since|Back at): +(\S+)$/gm)].map((m) => Date.parse(m[1]!)));
    expect(times).toEqual(Array.from({ length: 30 }, (_, i) => t0 + i * 20 * S));
    // A calm hour later, a new alert goes out at once again.
    const before = notifier!.sent.length;
    pipeline.report(down('peer:other', clock.now()));
    await clock.advance(0);
    await pipeline.settled();
    expect(notifier!.sent).toHaveLength(before + 1);
  });

  it('quiet hours hold every email until they end, then send one digest', async () => {
    const evening = new Date(2026, 0, 5, 23, 0, 0).getTime();
    const morning = new Date(2026, 0, 6, 7, 0, 0).getTime();
    const clock = new FakeClock({ wall: evening });
    const { pipeline, notifier, store } = setup(clock, { policy: { quiet: parseQuietHours('22:00', '07:00') } });
    pipeline.report(down('peer:db', clock.now()));
    await clock.advance(5 * MIN);
    pipeline.report(up('peer:db', clock.now()));
    await clock.advance(morning - clock.now() - 1);
    expect(notifier!.sent).toHaveLength(0);
    expect(store.history().alerts.map((a) => a.status)).toEqual(['pending', 'pending']);
    await clock.advance(1);
    await pipeline.settled();
    expect(notifier!.sent).toHaveLength(1);
    expect(notifier!.sent[0]!.subject).toBe('[Vigil] 2 alerts: db is DOWN; db is UP again');
    expect(notifier!.sent[0]!.text).toContain('db is UP again after 5 min');
  });

  it('reminds while an incident stays open, at most maxReminders times, and not after the recovery', async () => {
    const clock = new FakeClock();
    const { pipeline, notifier } = setup(clock, { policy: { reminderMs: 10 * MIN, maxReminders: 2, digestMs: 0 } });
    const t = clock.now();
    pipeline.report(down('peer:nas', t));
    await clock.advance(45 * MIN);
    await pipeline.settled();
    expect(notifier!.sent.map((e) => [(e.at - t) / MIN, e.subject])).toEqual([
      [0, expect.stringContaining('nas is DOWN')],
      [10, '[Vigil] Reminder: nas is DOWN (for 10 min)'],
      [20, '[Vigil] Reminder: nas is DOWN (for 20 min)'],
    ]);
    pipeline.report(down('peer:web', clock.now()));
    await clock.advance(5 * MIN);
    pipeline.report(up('peer:web', clock.now()));
    await clock.advance(60 * MIN);
    await pipeline.settled();
    expect(notifier!.sent.filter((e) => e.subject.includes('web'))).toHaveLength(2);
  });

  it('a reminder falling in quiet hours waits for their end', async () => {
    const evening = new Date(2026, 0, 5, 21, 30, 0).getTime();
    const clock = new FakeClock({ wall: evening });
    const { pipeline, notifier } = setup(clock, { policy: { reminderMs: 60 * MIN, maxReminders: 3, digestMs: 0, quiet: parseQuietHours('22:00', '07:00') } });
    pipeline.report(down('peer:nas', clock.now()));
    await clock.advance(12 * 60 * MIN);
    await pipeline.settled();
    const times = notifier!.sent.map((e) => new Date(e.at).toTimeString().slice(0, 5));
    // 22:30 is quiet: the first reminder waits for 07:00; the next two follow hourly; then no more.
    expect(times).toEqual(['21:30', '07:00', '08:00', '09:00']);
    expect(notifier!.sent.slice(1).every((e) => e.subject.startsWith('[Vigil] Reminder: nas is DOWN'))).toBe(true);
  });

  it('a problem already open is not sent again (a restarted watcher), and a recovery with nothing open is ignored', async () => {
    const clock = new FakeClock();
    const dir = tempDir();
    const file = path.join(dir, 'alerts.db');
    const first = setup(clock, { store: AlertStore.open(file), policy: { digestMs: 0 } });
    first.pipeline.report(down('peer:web', clock.now()));
    await clock.advance(0);
    await first.pipeline.settled();
    await first.pipeline.stop();
    first.store.close();

    const notifier = new FakeNotifier(clock);
    const second = setup(clock, { store: AlertStore.open(file), notifier, policy: { digestMs: 0 } });
    await clock.advance(30 * S);
    second.pipeline.report(down('peer:web', clock.now()));
    second.pipeline.report(up('peer:other', clock.now()));
    await clock.advance(10 * S);
    await second.pipeline.settled();
    expect(notifier.sent).toHaveLength(0);
    second.pipeline.report(up('peer:web', clock.now()));
    await clock.advance(0);
    await second.pipeline.settled();
    expect(notifier.sent.map((e) => e.subject)).toEqual(['[Vigil] web is UP again after 40 s']);
    second.store.close();
  });

  it('SMTP down: emails wait with backoff, nothing is lost, and they leave in order once it is back', async () => {
    const clock = new FakeClock();
    const notifier = new FakeNotifier(clock);
    notifier.failWith = 'transport';
    const { pipeline, store } = setup(clock, { notifier, policy: { digestMs: 0, retryMaxMs: 60 * S } });
    const t = clock.now();
    pipeline.report(down('peer:web', t));
    await clock.advance(5 * MIN);
    pipeline.report(up('peer:web', clock.now()));
    await clock.advance(5 * MIN);
    expect(notifier.sent).toHaveLength(0);
    // Backoff 1, 2, 4, 8, 16, 32, 60, 60 … s (random = 1): a handful of attempts in 10 minutes, not hundreds.
    expect(notifier.attempts).toBeGreaterThan(5);
    expect(notifier.attempts).toBeLessThan(20);
    expect(store.history().outbox).toMatchObject({ pending: 2, failed: 0, lastError: expect.stringContaining('ECONNREFUSED') });
    notifier.failWith = null;
    await clock.advance(60 * S);
    await pipeline.settled();
    expect(notifier.sent.map((e) => e.subject)).toEqual([expect.stringContaining('web is DOWN'), '[Vigil] web is UP again after 5 min']);
    expect(store.history().outbox).toMatchObject({ pending: 0, failed: 0 });
    expect(store.history().alerts.every((a) => a.status === 'sent')).toBe(true);
  });

  it('an email refused (5xx) is tried again without holding the others back; a DOWN one for as long as its incident is open', async () => {
    const clock = new FakeClock();
    const notifier = new FakeNotifier(clock);
    notifier.failWith = 'message';
    const { pipeline, store } = setup(clock, { notifier, policy: { digestMs: 0 } });
    pipeline.report(down('peer:a', clock.now()));
    await clock.advance(30 * S);
    // At 0, 1, 3, 7 and 15 s (backoff 1, 2, 4, 8, 16 s): still trying, not given up.
    expect(notifier.attempts).toBe(5);
    expect(store.history().alerts.map((a) => [a.machine, a.status])).toEqual([['a', 'refused']]);
    notifier.failWith = null;
    pipeline.report(down('peer:b', clock.now()));
    await clock.advance(0);
    await pipeline.settled();
    // b is not held back by a's backoff …
    expect(notifier.sent.map((e) => e.subject)).toEqual([expect.stringContaining('b is DOWN')]);
    // … and a goes at its next try, at 31 s.
    await clock.advance(1 * S);
    await pipeline.settled();
    expect(notifier.sent.map((e) => e.subject)).toEqual([expect.stringContaining('b is DOWN'), expect.stringContaining('a is DOWN')]);
    expect(store.history().outbox).toMatchObject({ pending: 0, failed: 0, refused: 0 });
    expect(store.history().alerts.map((a) => [a.machine, a.status])).toEqual([
      ['b', 'sent'],
      ['a', 'sent'],
    ]);
  });

  it('an email in flight when the process died is sent again after the restart, with the same Message-ID', async () => {
    const clock = new FakeClock();
    const file = path.join(tempDir(), 'alerts.db');
    const crashing = new FakeNotifier(clock);
    crashing.hang = true;
    const first = makePipeline(clock, { store: AlertStore.open(file), notifier: crashing, policy: { digestMs: 0 } });
    first.pipeline.start();
    first.pipeline.report(down('peer:web', clock.now()));
    await clock.advance(0);
    expect(crashing.attempts).toBe(1);
    // The process dies here: the server may or may not have the email. (first is abandoned.)

    const notifier = new FakeNotifier(clock);
    const second = setup(clock, { store: AlertStore.open(file), notifier, policy: { digestMs: 0 } });
    await clock.advance(0);
    await second.pipeline.settled();
    expect(notifier.sent).toHaveLength(1);
    const abandoned = first.store.history().alerts[0]!;
    expect(notifier.sent[0]!.messageId).toBe(abandoned.messageId);
    expect(second.store.history().alerts[0]!.status).toBe('sent');
    second.store.close();
    first.store.close();
  });

  it('without SMTP, alerts are kept in the history as unsent', async () => {
    const clock = new FakeClock();
    const { pipeline, store } = setup(clock, { notifier: null });
    pipeline.report(down('peer:web', clock.now()));
    await clock.advance(1 * S);
    expect(store.history().alerts.map((a) => a.status)).toEqual(['unsent']);
    expect(store.history().outbox.pending).toBe(0);
  });

  it('retain() closes the incidents of peers no longer watched, without an email', async () => {
    const clock = new FakeClock();
    const { pipeline, notifier, store } = setup(clock, { policy: { digestMs: 0 } });
    pipeline.report([down('peer:a', clock.now()), down('peer:b', clock.now())]);
    await clock.advance(0);
    await pipeline.settled();
    pipeline.retain('peer:', new Set(['peer:b']));
    expect(store.history().open.map((i) => i.key)).toEqual(['peer:b']);
    await clock.advance(10 * MIN);
    expect(notifier!.sent).toHaveLength(1);
  });
});
