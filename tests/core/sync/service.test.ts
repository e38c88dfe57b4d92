import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../../src/core/log.js';
import type { MachineState } from '../../../src/shared/wire.js';
import { openSampleStore } from '../../../src/core/storage/sample-store.js';
import type { SampleStore } from '../../../src/core/storage/types.js';
import { backoffDelay } from '../../../src/core/sync/backoff.js';
import { SyncService } from '../../../src/core/sync/service.js';
import { readSyncState } from '../../../src/core/sync/state.js';
import { syncLines, syncReport } from '../../../src/core/sync/status.js';
import { SyncError, syncErrorForStatus, type SendOutcome, type SyncBatch, type SyncTarget } from '../../../src/core/sync/types.js';
import { defaultSettings, mergeSettings, type Settings } from '../../../src/shared/settings.js';
import type { Clock } from '../../../src/core/clock.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { randomSamples } from '../../helpers/random.js';
import { waitFor } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';

const T0 = Date.UTC(2026, 10, 20, 8, 0, 0);

class FakeTarget implements SyncTarget {
  readonly batches: SyncBatch[] = [];
  readonly attempts: SyncBatch[] = [];
  /** Decides, per attempt, whether it fails (throws) or succeeds (returns). */
  failWith: ((batch: SyncBatch, attempt: number) => SyncError | null) | null = null;
  /** What the target says about a batch it accepted (e.g. samples it did not keep). */
  outcome: ((batch: SyncBatch) => SendOutcome | void) | null = null;
  constructor(
    readonly name = 'fake',
    readonly endpoint = 'fake://one',
  ) {}
  async send(batch: SyncBatch): Promise<SendOutcome | void> {
    this.attempts.push(batch);
    const failure = this.failWith?.(batch, this.attempts.length);
    if (failure) throw failure;
    this.batches.push(batch);
    return this.outcome?.(batch);
  }
  get delivered(): number[] {
    return this.batches.flatMap((b) => b.samples.map((s) => s.ts));
  }
}

const services: SyncService[] = [];
const stores: SampleStore[] = [];
afterEach(async () => {
  while (services.length) await services.pop()!.stop();
  while (stores.length) stores.pop()!.close();
});

function setup(count: number, settings: Partial<Settings['sync']> = {}) {
  const dataDir = tempDir('vigil-sync-');
  const writer = openSampleStore(path.join(dataDir, 'vigil.db'));
  stores.push(writer);
  const samples = randomSamples(T0, count, 1000, 11);
  writer.insertSamples(samples);
  const current = mergeSettings(defaultSettings(), { sync: { enabled: true, url: 'http://x', batchSamples: 100, intervalSeconds: 1, maxBackoffSeconds: 1, ...settings } });
  return { dataDir, writer, samples, settings: current };
}

function startService(
  dataDir: string,
  settings: Settings,
  targets: SyncTarget[],
  state: () => MachineState = () => 'running',
  more: { sleepUntil?: () => number | null; clock?: Clock; logger?: Logger } = {},
) {
  const service = new SyncService({
    dataDir,
    identity: { id: '11111111-2222-4333-8444-555555555555', name: 'box' },
    logger: more.logger ?? silentLogger,
    settings: () => settings,
    state,
    sleepUntil: more.sleepUntil,
    targets,
    clock: more.clock,
    backoffBaseMs: 5,
    random: () => 0.5,
  });
  service.start();
  services.push(service);
  return service;
}

describe('sync service', () => {
  it('backfills everything oldest first in bounded batches, then keeps up with new samples', async () => {
    const { dataDir, writer, samples, settings } = setup(1234);
    const target = new FakeTarget();
    startService(dataDir, settings, [target]);
    await waitFor(() => target.delivered.length === 1234, 'backfill');
    expect(target.delivered).toEqual(samples.map((s) => s.ts));
    expect(Math.max(...target.batches.map((b) => b.samples.length))).toBe(100);
    expect(target.batches[0]!.samples[0]).toEqual(samples[0]);
    for (const b of target.batches) if (b.samples.length) expect(b.toTs).toBe(b.samples[b.samples.length - 1]!.ts);
    // New samples written by the agent while sync runs are picked up.
    const more = randomSamples(T0 + 1234 * 1000, 50, 1000, 12);
    writer.insertSamples(more);
    await waitFor(() => target.delivered.length === 1284, 'new samples');
    expect(new Set(target.delivered).size).toBe(1284);
    await waitFor(() => readSyncState(dataDir)?.targets.fake?.cursor === more[49]!.ts, 'cursor persisted');
  });

  it('retries a failing target with backoff and delivers every sample once it answers', async () => {
    const { dataDir, samples, settings } = setup(300);
    const target = new FakeTarget();
    target.failWith = (_batch, attempt) => (attempt <= 4 ? new SyncError('retryable', 'connection refused') : null);
    const service = startService(dataDir, settings, [target]);
    await waitFor(() => target.delivered.length === 300, 'delivery after failures');
    expect(target.delivered).toEqual(samples.map((s) => s.ts));
    // The four failed attempts were the same first window, re-sent.
    expect(new Set(target.attempts.slice(0, 5).map((b) => b.fromTs)).size).toBe(1);
    expect(service.status().fake).toMatchObject({ consecutiveFailures: 0, lastError: null, samplesSent: 300 });
  });

  it('halves batches the target finds too large (413) and still delivers everything', async () => {
    const { dataDir, samples, settings } = setup(500, { batchSamples: 400 });
    const target = new FakeTarget();
    target.failWith = (batch) => (batch.samples.length > 60 ? new SyncError('too_large', 'HTTP 413', { status: 413 }) : null);
    startService(dataDir, settings, [target]);
    await waitFor(() => target.delivered.length === 500, 'delivery in smaller batches');
    expect(target.delivered).toEqual(samples.map((s) => s.ts));
    expect(Math.max(...target.batches.map((b) => b.samples.length))).toBeLessThanOrEqual(60);
  });

  it('a refusing target (401) is reported as an error and retried slowly; data is never skipped', async () => {
    const { dataDir, settings } = setup(50);
    const target = new FakeTarget();
    target.failWith = () => new SyncError('permanent', 'HTTP 401: Unknown or revoked machine token', { status: 401 });
    const service = startService(dataDir, settings, [target]);
    await waitFor(() => readSyncState(dataDir)?.targets.fake?.state === 'error', 'error state persisted');
    const state = readSyncState(dataDir)!.targets.fake!;
    expect(state.lastError).toContain('401');
    expect(state.cursor).toBeNull();
    expect(state.nextAttemptAt).toBeGreaterThan(Date.now());
    const attempts = target.attempts.length;
    // maxBackoffSeconds is 1: one more attempt within ~1 s, not a tight loop.
    await new Promise((r) => setTimeout(r, 600));
    expect(target.attempts.length - attempts).toBeLessThanOrEqual(1);
    target.failWith = null;
    await waitFor(() => target.delivered.length === 50, 'delivery once accepted');
    expect(service.status().fake!.state).not.toBe('error');
  });

  it('each target keeps its own cursor; a restart resumes where it stopped; a new endpoint starts over', async () => {
    const { dataDir, settings } = setup(250);
    const fast = new FakeTarget('hub', 'http://hub');
    const down = new FakeTarget('influx', 'http://influx');
    down.failWith = () => new SyncError('retryable', 'refused');
    const first = startService(dataDir, settings, [fast, down]);
    await waitFor(() => fast.delivered.length === 250, 'fast target');
    expect(down.delivered).toEqual([]);
    await first.stop();
    services.length = 0;
    const saved = readSyncState(dataDir)!;
    expect(saved.targets.hub!.cursor).toBe(T0 + 249_000);
    expect(saved.targets.influx!.cursor).toBeNull();
    expect(saved.targets.hub!.state).toBe('stopped');

    const again = new FakeTarget('hub', 'http://hub');
    const moved = new FakeTarget('influx', 'http://influx-2');
    startService(dataDir, settings, [again, moved]);
    await waitFor(() => moved.delivered.length === 250, 'new endpoint backfilled');
    await new Promise((r) => setTimeout(r, 200));
    // The hub had everything: only heartbeats, no sample sent twice.
    expect(again.delivered).toEqual([]);
    expect(again.batches.length).toBeGreaterThan(0);
  });

  it('tells the target at once when the machine announces sleep', async () => {
    const { dataDir, settings } = setup(10, { intervalSeconds: 60 });
    const target = new FakeTarget();
    let state: MachineState = 'running';
    startService(dataDir, settings, [target], () => state);
    await waitFor(() => target.delivered.length === 10, 'initial delivery');
    state = 'sleeping';
    await waitFor(() => target.batches.some((b) => b.agent.state === 'sleeping'), 'sleep announced', 3000);
    expect(target.batches.at(-1)!.agent).toMatchObject({ state: 'sleeping', syncIntervalSeconds: 60, intervalSeconds: 1 });
  });

  it('machineStateChanged: the sleep announcement (with its deadline) goes at once, even in the middle of a long backoff', async () => {
    const { dataDir, settings } = setup(10, { intervalSeconds: 60, maxBackoffSeconds: 300 });
    const target = new FakeTarget();
    let reachable = false;
    target.failWith = () => (reachable ? null : new SyncError('retryable', 'connection refused'));
    let state: MachineState = 'running';
    let until: number | null = null;
    // On a fake clock nobody advances, the backoff never ends and the once-a-second state poll
    // never runs: only machineStateChanged can make the service try again.
    const clock = new FakeClock({ wall: Date.now() });
    const service = startService(dataDir, settings, [target], () => state, { sleepUntil: () => until, clock });
    await waitFor(() => service.status().fake!.state === 'retrying', 'backing off');
    expect(target.attempts).toHaveLength(1);

    // Announced while the target is still away: one immediate attempt, then the backoff again (no hammering).
    state = 'sleeping';
    until = Date.now() + 3_600_000;
    service.machineStateChanged();
    await waitFor(() => target.attempts.length === 2, 'one immediate attempt', 1000);
    expect(target.attempts[1]!.agent).toMatchObject({ state: 'sleeping', sleepUntil: until });
    await new Promise((r) => setTimeout(r, 300));
    expect(target.attempts).toHaveLength(2);
    expect(service.status().fake).toMatchObject({ state: 'retrying', consecutiveFailures: 2 });
    // Told once: the same state again is no news.
    service.machineStateChanged();
    await new Promise((r) => setTimeout(r, 100));
    expect(target.attempts).toHaveLength(2);

    // The target is back, still in the backoff; a new deadline is announced: it arrives at once, with the data.
    reachable = true;
    until += 60_000;
    service.machineStateChanged();
    await waitFor(() => target.batches.length > 0, 'the announcement delivered', 1000);
    expect(target.batches[0]!.agent).toMatchObject({ state: 'sleeping', sleepUntil: until });
    expect(target.delivered).toHaveLength(10);

    // Awake again: told at once too; a running agent sends no deadline.
    state = 'running';
    until = null;
    service.machineStateChanged();
    await waitFor(() => target.batches.at(-1)!.agent.state === 'running', 'awake announced', 1000);
    expect(target.batches.at(-1)!.agent).not.toHaveProperty('sleepUntil');
  });

  it('samples the target acknowledged but did not keep are counted, logged once and shown by vigil status', async () => {
    const { dataDir, writer, settings } = setup(250);
    const target = new FakeTarget();
    // Like a hub whose raw retention ended before the first 120 samples.
    const floor = T0 + 120_000;
    target.outcome = (batch) => ({ notKept: batch.samples.filter((s) => s.ts < floor).length });
    const lines: string[] = [];
    const logger = { ...silentLogger, warn: (message: string) => void lines.push(`warn ${message}`), debug: (message: string) => void lines.push(`debug ${message}`) };
    startService(dataDir, settings, [target], () => 'running', { logger });
    await waitFor(() => target.delivered.length === 250, 'delivery');
    await waitFor(() => readSyncState(dataDir)?.targets.fake?.notKept === 120, 'count persisted');
    expect(lines.filter((l) => l.startsWith('warn sync: the target did not keep'))).toHaveLength(1);
    const report = syncReport(dataDir, writer, true);
    expect(report[0]).toMatchObject({ name: 'fake', notKeptSamples: 120, pendingSamples: 0 });
    expect(syncLines(report, Date.now()).join('\n')).toContain("120 samples were older than the fake's raw retention: acknowledged but not kept there (kept here)");
  });

  it('reads through its own read-only connection: the writer keeps writing during a backfill', async () => {
    const { dataDir, writer, settings } = setup(3000, { batchSamples: 50 });
    const target = new FakeTarget();
    startService(dataDir, settings, [target]);
    let written = 0;
    while (target.delivered.length < 3000) {
      writer.insertSamples(randomSamples(T0 + (3000 + written) * 1000, 1, 1000, 100 + written));
      written++;
      await new Promise((r) => setTimeout(r, 2));
    }
    await waitFor(() => target.delivered.length === 3000 + written, 'everything, including what was written meanwhile');
    expect(new Set(target.delivered).size).toBe(3000 + written);
    expect(fs.existsSync(path.join(dataDir, 'sync-state.json'))).toBe(true);
  });
});

describe('sync error classification and backoff', () => {
  it('maps HTTP answers to retry decisions', () => {
    expect(syncErrorForStatus(204, '')).toBeNull();
    expect(syncErrorForStatus(503, 'busy')!.kind).toBe('retryable');
    expect(syncErrorForStatus(429, '', '7')!.retryAfterMs).toBe(7000);
    expect(syncErrorForStatus(413, '')!.kind).toBe('too_large');
    expect(syncErrorForStatus(401, 'no')!).toMatchObject({ kind: 'permanent', code: 'unauthorized' });
    expect(syncErrorForStatus(400, 'bad')!.kind).toBe('permanent');
  });

  it('grows exponentially within [d/2, d] and stops at the maximum', () => {
    const policy = { baseMs: 1000, maxMs: 60_000 };
    expect(backoffDelay(1, policy, () => 0)).toBe(500);
    expect(backoffDelay(1, policy, () => 0.999)).toBeCloseTo(1000, -1);
    expect(backoffDelay(4, policy, () => 0)).toBe(4000);
    expect(backoffDelay(30, policy, () => 0)).toBe(30_000);
    expect(backoffDelay(30, policy, () => 0.9999)).toBeLessThanOrEqual(60_000);
  });
});
