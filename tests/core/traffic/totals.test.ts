// Traffic totals from the store's rollups: equal to the sum of the samples (rate × interval) and to
// what the counters really moved, through a reboot that reset them; the interval read from the
// data (1 s, 10 s) or taken from the machine (60 s); hour rollups once the minutes are gone; and
// the report: days, billing months from a reset day, quotas with the pace's projection.
import { afterEach, describe, expect, it } from 'vitest';
import { trafficReport, type TrafficReportContext } from '../../../src/core/traffic/report.js';
import { TrafficCounter } from '../../../src/core/traffic/totals.js';
import { openSampleStore } from '../../../src/core/storage/sample-store.js';
import type { SampleStore } from '../../../src/core/storage/types.js';
import { dayBounds, dayOf, parseDay } from '../../../src/shared/dates.js';
import type { TrafficSettings } from '../../../src/shared/settings.js';
import { rateSamples, sumOfSamples, trafficFixture } from './fixture.js';

process.env.TZ = 'Europe/Paris';
const H = 3_600_000;
const D1 = dayBounds(parseDay('10-11-2025'));
const D2 = dayBounds(parseDay('11-11-2025'));

let store: SampleStore | null = null;
afterEach(() => {
  store?.close();
  store = null;
});

function close(actual: number, expected: number, tolerance = 1e-9): void {
  expect(Math.abs(actual - expected) / Math.max(1, expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

describe('TrafficCounter', () => {
  it('a day is the sum of its samples, through a reboot that reset the counters, with no spike', () => {
    // 10 s samples from 06:00:35 (mid-minute) to 20:00, the agent down 14:00–14:07 while the machine rebooted.
    const fixture = trafficFixture(
      [
        { from: D1.from + 6 * H + 35_000, to: D1.from + 14 * H, restartCounters: false },
        { from: D1.from + 14 * H + 7 * 60_000, to: D1.from + 16 * H, restartCounters: true },
      ],
      10_000,
      7,
    );
    // The reset made no rate at all, let alone a fake one of the size of the old counter.
    const peak = Math.max(...fixture.samples.flatMap((s) => s.net.map((n) => n.rxBitsPerSecond ?? 0)));
    expect(peak).toBeLessThanOrEqual(fixture.truePeak + 8);
    store = openSampleStore(':memory:');
    store.insertSamples(fixture.samples);
    const counter = new TrafficCounter({ store });
    const totals = counter.span(D1.from, D1.to);
    const expected = sumOfSamples(fixture.samples, D1.from, D1.to, 10_000);
    expect(totals.map((t) => [t.name, t.loopback, t.virtual])).toEqual([
      ['eth0', false, false],
      ['lo', true, false],
    ]);
    for (const t of totals) {
      close(t.rx, expected.get(t.name)!.rx, 1e-6);
      close(t.tx, expected.get(t.name)!.tx, 1e-6);
      // And what the counters really moved (rates are quantized to 8 bit/s: a few bytes a sample).
      close(t.rx, fixture.counted.get(t.name)!.rx, 1e-4);
    }
    expect(counter.span(D2.from, D2.to)).toEqual([]);
  });

  it('reads the interval from the data: samples per minute (1 s), or the distance between minutes (60 s, 5 min)', () => {
    const second = trafficFixture([{ from: D1.from + 3 * H, to: D1.from + 3 * H + 1800_000, restartCounters: false }], 1000, 3);
    store = openSampleStore(':memory:');
    store.insertSamples(second.samples);
    close(new TrafficCounter({ store }).span(D1.from, D1.to)[0]!.rx, sumOfSamples(second.samples, D1.from, D1.to, 1000).get('eth0')!.rx, 1e-6);
    store.close();

    const minute = trafficFixture([{ from: D1.from + 3 * H, to: D1.from + 9 * H, restartCounters: false }], 60_000, 4);
    store = openSampleStore(':memory:');
    store.insertSamples(minute.samples);
    const expected = sumOfSamples(minute.samples, D1.from, D1.to, 60_000).get('eth0')!.rx;
    // The machine's interval is not what this data was sampled at: the data says better.
    close(new TrafficCounter({ store, intervalSeconds: () => 1 }).span(D1.from, D1.to)[0]!.rx, expected, 1e-6);
    store.close();

    const five = rateSamples(D1.from + 3 * H, D1.from + 9 * H, 300_000, 6);
    store = openSampleStore(':memory:');
    store.insertSamples(five);
    close(new TrafficCounter({ store }).span(D1.from, D1.to)[0]!.rx, sumOfSamples(five, D1.from, D1.to, 300_000).get('eth0')!.rx, 1e-6);
  });

  it('the hour rollups answer once the raw samples and minutes are gone', () => {
    const fixture = trafficFixture([{ from: D1.from + 2 * H, to: D1.from + 5 * H, restartCounters: false }], 10_000, 5);
    store = openSampleStore(':memory:');
    store.insertSamples(fixture.samples);
    const before = new TrafficCounter({ store }).span(D1.from, D1.to);
    // A year later, with 30 days of minutes kept: only the hours are left of that day.
    store.applyRetention(D1.from + 400 * 24 * H, { rawDays: 1, minuteDays: 30 });
    expect(store.query({ from: D1.from, to: D1.to, bucketMs: 60_000 }).resolution).toBe('1h');
    const after = new TrafficCounter({ store }).span(D1.from, D1.to);
    for (let i = 0; i < before.length; i++) close(after[i]!.rx, before[i]!.rx, 1e-9);
  });
});

describe('traffic report', () => {
  function context(now: number, settings: TrafficSettings): TrafficReportContext {
    return { counter: new TrafficCounter({ store: store!, now: () => now }), dayBounds, today: () => dayOf(now), now: () => now, settings: () => settings };
  }

  it('billing months from the reset day, days without data listed, quotas with the projection to the period’s end', () => {
    // 10 s of eth0 every 10 s from 15-11 to 17-11 (3 days), then "now" is 18-11 12:00.
    const from = dayBounds(parseDay('15-11-2025')).from;
    const samples = rateSamples(from, from + 3 * 24 * H, 10_000, 9);
    store = openSampleStore(':memory:');
    store.insertSamples(samples);
    const now = dayBounds(parseDay('18-11-2025')).from + 12 * H;
    const used = sumOfSamples(samples, from, now, 10_000).get('eth0')!;
    const settings: TrafficSettings = { resetDay: 15, quotas: { eth0: { bytes: 1e12, direction: 'total' }, wlan0: { bytes: 5e9, direction: 'rx' } } };

    const report = trafficReport({}, context(now, settings));
    expect([report.from, report.to, report.label, report.resetDay]).toEqual(['15-11-2025', '14-12-2025', 'billing period 15-11-2025 to 14-12-2025', 15]);
    // Days up to today: 15, 16, 17 with data, 18 without.
    expect(report.days.map((d) => [d.day, d.interfaces.length])).toEqual([
      ['15-11-2025', 2],
      ['16-11-2025', 2],
      ['17-11-2025', 2],
      ['18-11-2025', 0],
    ]);
    const eth0 = report.interfaces.find((t) => t.name === 'eth0')!;
    close(eth0.total, used.rx + used.tx, 1e-6);
    expect(report.physical).toEqual({ rx: eth0.rx, tx: eth0.tx, total: eth0.total });
    const [quota, none] = report.quotas;
    expect(quota).toMatchObject({ iface: 'eth0', bytes: 1e12, direction: 'total', used: eth0.total });
    // 3.5 of 30 days elapsed (15-11 00:00 to 18-11 12:00 of a 30-day period).
    close(quota!.projected, (eth0.total * 30) / 3.5, 1e-6);
    expect(quota!.percent).toBe(Math.round((eth0.total / 1e12) * 10_000) / 100);
    expect(none).toMatchObject({ iface: 'wlan0', used: 0, percent: 0, projected: 0 });

    // The month named by MM-YYYY is the billing month starting in it; a day; a span.
    expect(trafficReport({ month: '10-2025' }, context(now, settings))).toMatchObject({ from: '15-10-2025', to: '14-11-2025', label: 'billing month 15-10-2025 to 14-11-2025', interfaces: [] });
    expect(trafficReport({ month: '11-2025' }, context(now, { resetDay: 1, quotas: {} }))).toMatchObject({ from: '01-11-2025', to: '30-11-2025', label: 'month 11-2025' });
    expect(trafficReport({ day: '16-11-2025' }, context(now, settings)).days).toHaveLength(1);
    expect(() => trafficReport({ day: '16-11-2025', month: '11-2025' }, context(now, settings))).toThrow('Give one of day, month, or from with to (got day and month)');
    expect(() => trafficReport({ from: '17-11-2025', to: '15-11-2025' }, context(now, settings))).toThrow('from 17-11-2025 is after to 15-11-2025');
    expect(() => trafficReport({ month: '13-2025' }, context(now, settings))).toThrow('expected MM-YYYY');
    expect(() => trafficReport({ day: '19-11-2025' }, context(now, settings))).toThrow('19-11-2025 is in the future');
  });
});
