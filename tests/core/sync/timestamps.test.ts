// Nothing the agent stores may be stamped at or below a sync cursor (the ts of a sample a target
// acknowledged): the outbox sends what lies after it, so such a row would be kept here and never
// sent. The whole engine (sampler → database) on a fake clock, with the outbox read the way the
// sync service reads it, after every flush:
// - a restart with the wall clock behind the stored samples (set back while the agent was down);
// - a disk reading (df) that returns after newer samples were stored and sent.
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/core/engine.js';
import type { Logger } from '../../../src/core/log.js';
import type { MetricSources } from '../../../src/core/metrics/index.js';
import { Outbox } from '../../../src/core/sync/outbox.js';
import { defaultSettings, mergeSettings, type SettingsPatch } from '../../../src/shared/settings.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { tempDir } from '../../helpers/tmp.js';
import { fakeSources } from '../../main/helpers/fake-sources.js';

function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug'), setLevel() {}, close() {} };
}

/** A target that has received everything the outbox gave it, with its cursor (as sync-state.json keeps it). */
class Delivered {
  cursor: number | null = null;
  readonly samples: number[] = [];
  readonly disks: number[] = [];
  readonly hosts: number[] = [];
  /** One pass of the sync loop: every slice after the cursor, until caught up. */
  drain(engine: Engine): void {
    const outbox = new Outbox(engine.store);
    for (;;) {
      const slice = outbox.next(this.cursor, 100);
      this.samples.push(...slice.samples.map((s) => s.ts));
      this.disks.push(...slice.disks.map((d) => d.ts));
      this.hosts.push(...slice.hosts.map((h) => h.ts));
      if (slice.samples.length === 0) return;
      this.cursor = slice.toTs;
    }
  }
}

const running: { engine: Engine; clock: FakeClock }[] = [];
afterEach(async () => {
  for (const { engine, clock } of running.splice(0)) await stopEngine(engine, clock);
});

async function startEngine(dataDir: string, clock: FakeClock, sources: MetricSources, patch: SettingsPatch = {}, logger = memoryLogger()) {
  const settings = mergeSettings(defaultSettings(), { storage: { flushSeconds: 1 }, ...patch });
  const engine = await Engine.start({ dataDir, settings, sources, clock, logger });
  running.push({ engine, clock });
  return { engine, logger };
}

async function stopEngine(engine: Engine, clock: FakeClock): Promise<void> {
  const index = running.findIndex((r) => r.engine === engine);
  if (index >= 0) running.splice(index, 1);
  // stop() waits for readers in flight, which wait on the fake clock: keep it moving.
  const stopping = engine.stop();
  await clock.advance(10_000);
  await stopping;
}

/** Runs the clock second by second, the target draining the outbox after each second (flushSeconds 1). */
async function run(engine: Engine, clock: FakeClock, target: Delivered, seconds: number): Promise<void> {
  for (let i = 0; i < seconds; i++) {
    await clock.advance(1000);
    target.drain(engine);
  }
}

function stored(engine: Engine): { samples: number[]; disks: number[] } {
  return {
    samples: [...engine.store.iterateRows(0, 8_640_000_000_000_000)].map((row) => row.ts),
    disks: engine.store.diskSamples(0, 8_640_000_000_000_000).map((d) => d.ts),
  };
}

describe('timestamps never fall at or below a sync cursor', () => {
  it('a restart with the wall clock set back: sampling waits until the clock passes the stored samples, then sync gets everything', async () => {
    const dataDir = tempDir('vigil-clock-');
    const clock = new FakeClock({ wall: Date.UTC(2026, 10, 20, 8, 0, 0, 300) });
    const target = new Delivered();
    const first = await startEngine(dataDir, clock, fakeSources());
    await run(first.engine, clock, target, 20);
    await stopEngine(first.engine, clock);
    const lastOfFirstRun = target.cursor!;
    expect(lastOfFirstRun).toBe(Date.UTC(2026, 10, 20, 8, 0, 20));

    // While the agent is down, the clock is set back 60 s; it restarts behind its own samples.
    clock.jumpWall(-60_000);
    // The machine was renamed meanwhile: a new host snapshot, taken with the clock behind.
    const renamed = fakeSources();
    const snapshot = renamed.host.snapshot.bind(renamed.host);
    renamed.host = { fingerprint: () => 'renamed', snapshot: async () => ({ ...(await snapshot()), hostname: 'renamed' }) };
    const second = await startEngine(dataDir, clock, renamed);
    await run(second.engine, clock, target, 120);
    const { samples } = stored(second.engine);
    const secondRun = samples.filter((ts) => ts > lastOfFirstRun);
    expect(secondRun.length).toBeGreaterThan(40);
    // Nothing was stamped at or below the cursor: the stored samples are exactly what was sent, once each.
    expect(target.samples).toEqual(samples);
    expect(new Outbox(second.engine.store).pending(target.cursor)).toBe(0);
    // Stopped at 08:00:20.3, 10 s spent stopping, set back 60 s: the first tick (08:00:31 wall time, then) finds it 49 s behind.
    expect(second.logger.lines.filter((l) => l.startsWith('warn wall clock'))).toEqual([expect.stringMatching(/^warn wall clock is 49 s behind the last sample/)]);
    // Disk samples and host snapshots of the second run were sent too.
    expect(target.disks).toEqual(stored(second.engine).disks);
    expect(second.engine.store.latestHost()!.host.hostname).toBe('renamed');
    expect(target.hosts).toContain(second.engine.store.latestHost()!.ts);
  });

  it('a disk reading that returns after newer samples were sent is stamped after them, and sent', async () => {
    const clock = new FakeClock({ wall: Date.UTC(2026, 10, 20, 8, 0, 0, 300) });
    const sources = fakeSources();
    const read = sources.disk.read.bind(sources.disk);
    // df on a slow mount: 3 s, longer than the flush (1 s) and the sync pass after it.
    sources.disk.read = () => new Promise((resolve) => clock.setTimeout(() => resolve(read()), 3000));
    const { engine } = await startEngine(tempDir('vigil-disk-'), clock, sources, { sampling: { diskIntervalSeconds: 5 } });
    const target = new Delivered();
    await run(engine, clock, target, 60);
    const { disks } = stored(engine);
    expect(disks.length).toBeGreaterThanOrEqual(8);
    // Every stored disk sample reached the target, none left behind the cursor.
    expect(target.disks).toEqual(disks.filter((ts) => ts <= target.cursor!));
    expect(disks.filter((ts) => ts <= target.cursor!).length).toBeGreaterThanOrEqual(disks.length - 1);
  });
});
