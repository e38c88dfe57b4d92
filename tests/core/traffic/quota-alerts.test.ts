// Traffic quota alerts through the whole runtime: the samples in vigil.db (the billing period so
// far) and the live ones (a fake machine whose eth0 counter the test moves) → the alerts feature's QuotaMonitor, once a minute on the engine's clock → alerts.db →
// nodemailer → Debian's python3-aiosmtpd on 127.0.0.1. Nothing at 79 %; one email when the
// period crosses 80 %, with the month-end projection; at 101 % one email for 100 % (90 % was
// skipped over, so it is not sent after the fact); a restarted agent sends nothing again.
import { afterEach, expect, it } from 'vitest';
import { coreFeatures } from '../../../src/core/features.js';
import { silentLogger } from '../../../src/core/log.js';
import { Runtime } from '../../../src/core/runtime.js';
import { openSampleStore } from '../../../src/core/storage/sample-store.js';
import { dayBounds, parseDay } from '../../../src/shared/dates.js';
import type { Sample } from '../../../src/shared/model.js';
import { defaultSettings, mergeSettings, type Settings } from '../../../src/shared/settings.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { randomSample, seededRandom } from '../../helpers/random.js';
import { tempDir } from '../../helpers/tmp.js';
import { fakeSources } from '../../main/helpers/fake-sources.js';
import { AiosmtpdSink, freePort } from '../alerts/smtp-sink.js';

process.env.TZ = 'Europe/Paris';
const MIN = 60_000;
const QUOTA = 100e9;
/** 10-minute samples: the data says its interval (the distance between its minutes). */
const STEP = 10 * MIN;

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** eth0 receiving `bytesPerSample` every 10 min from `from` to `to`. */
function traffic(from: number, to: number, bytesPerSample: number): Sample[] {
  const random = seededRandom(5);
  const samples: Sample[] = [];
  for (let ts = from; ts < to; ts += STEP) {
    const sample = randomSample(ts, random, { ifaces: [{ name: 'eth0' }], nullRate: 0 });
    sample.net[0]!.rxBitsPerSecond = (bytesPerSample * 8) / (STEP / 1000);
    sample.net[0]!.txBitsPerSecond = 0;
    samples.push(sample);
  }
  return samples;
}

async function until(ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

it.skipIf(!AiosmtpdSink.available() && process.env.CI !== 'true')('a quota crossing 80 % sends one email to a real SMTP server, with the projection; 100 % one more; a restart none', async () => {
  const smtp = await new AiosmtpdSink(tempDir(), await freePort()).start();
  stops.push(() => smtp.stop());
  // Now is 20-11-2025 12:00 in a billing period from the 1st: 19.5 of 30 days gone.
  const periodStart = dayBounds(parseDay('01-11-2025')).from;
  const now = dayBounds(parseDay('20-11-2025')).from + 12 * 60 * MIN;
  const dataDir = tempDir();
  // 79 GB up to now (2,808 samples), spread evenly.
  const before = traffic(periodStart, now, 79e9 / 2808);
  expect(before).toHaveLength(2808);
  const seed = openSampleStore(`${dataDir}/vigil.db`);
  seed.insertSamples(before);
  seed.close();

  const settings: Settings = mergeSettings(defaultSettings(), {
    machine: { name: 'edge-1' },
    storage: { rawRetentionDays: 3650 },
    smtp: { url: `smtp://127.0.0.1:${smtp.port}`, from: 'Vigil <vigil@example.org>', to: ['ops@example.org'] },
    alerts: { digestSeconds: 0, retryMaxSeconds: 1 },
    traffic: { resetDay: 1, quotas: { eth0: { bytes: QUOTA, direction: 'total' } } },
  });
  // The machine's eth0 counter: bytesPerTick more at each reading (each second).
  let eth0 = 0;
  let bytesPerTick = 0;
  const sources = fakeSources();
  sources.network = {
    read: () => {
      eth0 += bytesPerTick;
      return [{ iface: 'eth0', rxBytes: eth0, txBytes: 0, loopback: false, virtual: false, linkSpeedMbps: 10_000 }];
    },
  };
  const start = async (clock: FakeClock) => {
    const features = coreFeatures();
    const runtime = await Runtime.start({ dataDir, settings, logger: silentLogger, role: 'agent', sources, clock, routes: features.routes, services: features.services });
    stops.push(() => runtime.stop());
    return runtime;
  };
  const clock = new FakeClock({ wall: now });
  await start(clock);
  await clock.advance(2 * MIN);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(await smtp.messages()).toHaveLength(0);

  // Half a minute moves 2 GB (between two checks, which run on the minute): 81 %.
  bytesPerTick = 2e9 / 30;
  await clock.advance(MIN / 2);
  bytesPerTick = 0;
  await clock.advance(MIN / 2);
  await until(async () => (await smtp.messages()).length >= 1, 10_000);
  const [first] = await smtp.messages();
  const used = Number(/reached 80 % of its traffic quota \((8[01]\.\d) GB of 100 GB\)/.exec(first!.subject ?? '')?.[1]);
  expect(used, first!.subject).toBe(81);
  expect(first!.text).toContain(`eth0 has moved ${used.toFixed(1)} GB of its 100 GB quota (received + sent) in the billing period 01-11-2025 to 30-11-2025: ${used.toFixed(1)} %.`);
  // That much in 19.5 days (and the few minutes the fake clock ran) of 30: × 30 / 19.5.
  const pace = Number(/At this pace: ([\d.]+) GB of 100 GB by 30-11-2025\./.exec(first!.text ?? '')?.[1]);
  expect(Math.abs(pace - (used * 30) / 19.5)).toBeLessThan(1);

  // Another minute at 81 %: nothing new.
  await clock.advance(MIN);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(await smtp.messages()).toHaveLength(1);

  // 20 GB more in half a minute: 101 %: the 100 % email, and none for the 90 % passed over.
  bytesPerTick = 20e9 / 30;
  await clock.advance(MIN / 2);
  bytesPerTick = 0;
  await clock.advance(MIN / 2);
  await until(async () => (await smtp.messages()).length >= 2, 10_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const subjects = (await smtp.messages()).map((m) => m.subject);
  expect(subjects).toHaveLength(2);
  expect(subjects[1]).toMatch(/^\[Vigil\] eth0 on edge-1 has used up its traffic quota \(10[01] GB of 100 GB\)/);

  // The agent restarts in the same period: its incident is still open in alerts.db, nothing is sent again.
  await stops.pop()!();
  const later = new FakeClock({ wall: clock.now() });
  await start(later);
  await later.advance(2 * MIN);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(await smtp.messages()).toHaveLength(2);
}, 60_000);
