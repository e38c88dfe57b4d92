// The whole engine (sampler → database and daily CSV) on a real full disk: a small tmpfs as the
// data folder (needs root and mount rights; skipped, with the reason, where the test process has
// neither), on a fake clock. While the disk is full the samples wait in memory; once there is
// room they reach the database *and* the daily CSV, in order, so the daily file and `vigil
// export` of the day agree again, byte for byte.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { exportCsv } from '../../../src/core/csv/export.js';
import { Engine } from '../../../src/core/engine.js';
import { dayBounds, dayOf, formatDay } from '../../../src/shared/dates.js';
import { defaultSettings, mergeSettings } from '../../../src/shared/settings.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { fakeSources } from '../../main/helpers/fake-sources.js';
import { collector, recordingLogger, tempDir } from './helpers.js';

let mountPoint: string | null = null;
let cleanupDir: (() => void) | null = null;
let skipReason = '';

beforeAll(() => {
  const { dir, cleanup } = tempDir('vigil-tmpfs-');
  cleanupDir = cleanup;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'pipe' });
    mountPoint = dir;
  } catch (error) {
    skipReason = `cannot mount a tmpfs here: ${String((error as Error).message).split('\n')[0]}`;
  }
});

afterAll(() => {
  if (mountPoint) execFileSync('umount', [mountPoint]);
  cleanupDir?.();
});

/** Fills the file system of `dir` to the last byte (ENOSPC on any further write). */
function fillDisk(dir: string): string {
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'w');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (let size = block.length; size >= 1; size = Math.floor(size / 2)) {
      for (;;) {
        try {
          fs.writeSync(fd, block, 0, size);
        } catch {
          break;
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return filler;
}

it('after a full disk, the samples held in memory reach the daily CSV too, in order: the file and vigil export agree', async (ctx) => {
  if (!mountPoint) return ctx.skip(skipReason);
  const dataDir = path.join(mountPoint, 'data');
  // Noon UTC: the 100 seconds stay within one local day in any time zone.
  const clock = new FakeClock({ wall: Date.UTC(2026, 10, 22, 12, 0, 0) });
  const logger = recordingLogger();
  const settings = mergeSettings(defaultSettings(), { storage: { flushSeconds: 1 } });
  const engine = await Engine.start({ dataDir, settings, sources: fakeSources(), clock, logger });
  let stopped = false;
  try {
    const tick = async (seconds: number) => {
      for (let i = 0; i < seconds; i++) await clock.advance(1000);
    };
    await tick(20);
    const filler = fillDisk(mountPoint);
    await tick(40);
    expect(logger.lines.some((l) => l.level === 'error' && /CSV write failed/.test(l.message))).toBe(true);
    fs.unlinkSync(filler);
    await tick(40);
    const stopping = engine.stop();
    await clock.advance(10_000);
    await stopping;
    stopped = true;

    const day = dayOf(clock.now());
    const file = path.join(dataDir, 'telemetry', `${formatDay(day)}.csv`);
    const daily = fs.readFileSync(file, 'utf8');
    const { openSampleStore } = await import('../../../src/core/storage/sample-store.js');
    const store = openSampleStore(path.join(dataDir, 'vigil.db'), { readonly: true });
    const exported = collector();
    const { rows } = await exportCsv(store, dayBounds(day), exported);
    store.close();
    // The first sample is the baseline (no rates yet): ~99 rows over 100 seconds, none missing.
    expect(rows).toBeGreaterThanOrEqual(95);
    expect(daily.split('\r\n').length - 2).toBe(rows);
    expect(daily).toBe(exported.text());
    expect(logger.lines.some((l) => /CSV writes work again/.test(l.message))).toBe(true);
  } finally {
    if (!stopped) {
      const stopping = engine.stop();
      await clock.advance(10_000);
      await stopping.catch(() => undefined);
    }
  }
});
