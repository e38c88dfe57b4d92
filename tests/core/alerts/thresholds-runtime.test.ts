// Local threshold alerts through the whole engine: the sampler's samples (a fake clock and a
// scripted machine) → the alerts feature's ThresholdMonitor → alerts.db → nodemailer → a real
// SMTP server on 127.0.0.1. One problem email when CPU stays above the limit for the set time,
// one recovery when it stays below for as long, and the history says so.
import { afterEach, expect, it } from 'vitest';
import { coreFeatures } from '../../../src/core/features.js';
import { silentLogger } from '../../../src/core/log.js';
import { Runtime } from '../../../src/core/runtime.js';
import { defaultSettings, mergeSettings } from '../../../src/shared/settings.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { tempDir } from '../../helpers/tmp.js';
import { fakeSources } from '../../main/helpers/fake-sources.js';
import { CERT_FILE, SmtpSink } from './smtp-sink.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** The fake machine, with a CPU whose busy share the test sets. */
function machineWithCpu(clock: FakeClock): { sources: ReturnType<typeof fakeSources>; setBusy: (share: number) => void } {
  const sources = fakeSources();
  let share = 0.1;
  let busy = 0;
  let total = 0;
  let last = clock.monotonic();
  sources.cpu = {
    read() {
      const ticks = (clock.monotonic() - last) / 10;
      last = clock.monotonic();
      busy += ticks * share;
      total += ticks;
      const core = { busy: Math.round(busy), total: Math.round(total) };
      return { total: { busy: core.busy * 2, total: core.total * 2 }, cores: [core, { ...core }] };
    },
  };
  return { sources, setBusy: (s) => (share = s) };
}

async function until(ok: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

it('CPU above the limit for the set minutes → one email; back below as long → one recovery email', async () => {
  const smtp = await new SmtpSink().start();
  stops.push(() => smtp.stop());
  const clock = new FakeClock({ wall: Date.now() });
  const { sources, setBusy } = machineWithCpu(clock);
  const settings = mergeSettings(defaultSettings(), {
    machine: { name: 'busy-box' },
    smtp: { url: smtp.url(), caFile: CERT_FILE, from: 'Vigil <vigil@example.org>', to: ['ops@example.org'] },
    alerts: { cpuPercent: 80, thresholdMinutes: 1, digestSeconds: 0 },
  });
  const features = coreFeatures();
  const runtime = await Runtime.start({ dataDir: tempDir(), settings, logger: silentLogger, role: 'agent', sources, clock, routes: features.routes, services: features.services });
  stops.push(() => runtime.stop());

  // 10 % for a minute, then 95 % for 59 s: not long enough yet.
  await clock.advance(60_000);
  setBusy(0.95);
  await clock.advance(59_000);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(smtp.messages).toHaveLength(0);

  // Past the minute: the problem email.
  await clock.advance(5_000);
  await until(() => smtp.messages.length >= 1, 10_000);
  expect(smtp.messages.map((m) => m.parsed.subject)).toEqual([expect.stringMatching(/^\[Vigil\] CPU on busy-box above 80 %/)]);
  expect(smtp.messages[0]!.parsed.text).toContain("CPU has been above 80 % for 1 min: now 95.0 %");

  // Back to 10 %: the recovery comes only once that has lasted a minute too, and only once.
  setBusy(0.1);
  await clock.advance(30_000);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(smtp.messages).toHaveLength(1);
  await clock.advance(40_000);
  await until(() => smtp.messages.length >= 2, 10_000);
  await clock.advance(120_000);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(smtp.messages.map((m) => m.parsed.subject)).toEqual([
    expect.stringMatching(/CPU on busy-box above 80 %/),
    expect.stringMatching(/^\[Vigil\] CPU on busy-box back below 80 %/),
  ]);

  // The history (vigil alerts, /api/alerts) holds both, sent, and no incident is left open.
  const history = features.alerts.current()!.history({})!;
  expect(history.alerts.map((a) => [a.severity, a.status]).sort()).toEqual([
    ['problem', 'sent'],
    ['recovery', 'sent'],
  ]);
  expect(history.open).toEqual([]);
});
