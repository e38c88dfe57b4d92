// The traffic totals panel in Chromium against the real agent (global-setup.ts): the shown week's
// bytes per interface agree with the sum of the fixture's samples (rate × 60 s), each day has its
// bar, the eth0 quota (fixtures.ts TRAFFIC_SETTINGS) stands over its billing month, and the panel
// follows the view. Screenshots land in test-results/renderer.
import { expect, test } from '@playwright/test';
import type { TrafficReport } from '../../src/shared/api.js';
import { addDays, formatDay, parseDay } from '../../src/shared/dates.js';
import { formatPercent, formatVolume } from '../../src/shared/units.js';
import { DAYS, TRAFFIC_SETTINGS, daySamples } from './fixtures.js';
import { BASE, failOnPageProblems, settled } from './page.js';

failOnPageProblems();

test('the built page has the icon browsers ask for by themselves: /favicon.ico, public', async ({ page }) => {
  const icon = await page.request.get(`${BASE}/favicon.ico`);
  expect(icon.status()).toBe(200);
  expect(icon.headers()['content-type']).toBe('image/x-icon');
  // An ICO file: reserved 0, type 1.
  expect([...(await icon.body()).subarray(0, 4)]).toEqual([0, 0, 1, 0]);
});

/** Bytes each interface moved over the fixture's week: Σ rate × 60 s. */
function weekBytes(): Map<string, { rx: number; tx: number }> {
  const out = new Map<string, { rx: number; tx: number }>();
  for (let d = 0; d < 7; d++) {
    for (const sample of daySamples(formatDay(addDays(parseDay(DAYS.weekStart), d)), 60_000, 300 + d, () => [{ name: 'eth0' }, { name: 'lo', loopback: true }])) {
      for (const rate of sample.net) {
        const entry = out.get(rate.iface) ?? { rx: 0, tx: 0 };
        entry.rx += ((rate.rxBitsPerSecond ?? 0) * 60) / 8;
        entry.tx += ((rate.txBitsPerSecond ?? 0) * 60) / 8;
        out.set(rate.iface, entry);
      }
    }
  }
  return out;
}

test('traffic panel: the week’s totals per interface and per day, the quota with its billing month; it follows the view', async ({ page }, testInfo) => {
  await page.goto(`${BASE}/?week=03-11-2025`);
  expect(await settled(page)).toBe('ready');
  const response = page.waitForResponse((r) => r.url().includes('/api/traffic?'));
  await page.locator('#traffic summary').click();
  const report = (await (await response).json()) as TrafficReport;
  expect([report.from, report.to]).toEqual(['03-11-2025', '09-11-2025']);

  const expected = weekBytes();
  const table = page.locator('#traffic-interfaces');
  await expect(page.locator('.traffic-title')).toHaveText('Traffic, 03-11-2025 to 09-11-2025');
  for (const name of ['eth0', 'lo']) {
    const totals = report.interfaces.find((t) => t.name === name)!;
    const want = expected.get(name)!;
    expect(Math.abs(totals.rx - want.rx) / want.rx).toBeLessThan(0.001);
    expect(Math.abs(totals.tx - want.tx) / want.tx).toBeLessThan(0.001);
    // What a person reads: the same figures, in decimal units.
    await expect(table.locator(`tr[data-iface="${name}"] td`)).toHaveText([formatVolume(totals.rx), formatVolume(totals.tx), formatVolume(totals.total)]);
  }
  await expect(table.locator('tr[data-iface="lo"] th')).toHaveText('lo (loopback)');
  // The physical row leaves the loopback out.
  const eth0 = report.interfaces.find((t) => t.name === 'eth0')!;
  await expect(table.locator('tfoot tr[data-iface="physical"] td')).toHaveText([formatVolume(eth0.rx), formatVolume(eth0.tx), formatVolume(eth0.total)]);

  // One bar per day, the widest for the busiest day.
  const bars = page.locator('#traffic-days li');
  await expect(bars).toHaveCount(7);
  const widths = await bars.locator('.traffic-bar').evaluateAll((elements) => elements.map((e) => (e as unknown as { getBoundingClientRect(): { width: number } }).getBoundingClientRect().width));
  const dayTotals = report.days.map((d) => d.interfaces.find((t) => t.name === 'eth0')!.total);
  expect(widths.indexOf(Math.max(...widths))).toBe(dayTotals.indexOf(Math.max(...dayTotals)));
  expect(Math.min(...widths)).toBeGreaterThan(0);

  // The quota counts the billing month holding the week (November 2025: the week, 12-11 and 14-11).
  const quota = report.quotas[0]!;
  expect(quota).toMatchObject({ iface: 'eth0', bytes: TRAFFIC_SETTINGS.quotas.eth0.bytes, direction: 'total' });
  const november = await (await page.request.get(`${BASE}/api/traffic?month=11-2025`)).json() as TrafficReport;
  expect(quota.used).toBe(november.interfaces.find((t) => t.name === 'eth0')!.total);
  expect(quota.used).toBeGreaterThan(eth0.total);
  const line = page.locator('.traffic-quota[data-iface="eth0"]');
  await expect(line).toContainText(`Quota eth0 (received + sent): ${formatVolume(quota.used)} of 10.0 TB, ${formatPercent(quota.percent)}`);
  await expect(line.locator('meter')).toHaveAttribute('value', String(Math.min(100, quota.percent)));
  await page.screenshot({ path: testInfo.outputPath('traffic-week.png'), fullPage: true });

  // The next week: the open panel asks again.
  const next = page.waitForResponse((r) => r.url().includes('/api/traffic?from=10-11-2025&to=16-11-2025'));
  await page.locator('#next-day').click();
  expect(await settled(page)).toBe('ready');
  await next;
  await expect(page.locator('.traffic-title')).toHaveText('Traffic, 10-11-2025 to 16-11-2025');
  // 12-11 and 14-11 have data, 13-11 none.
  await expect(page.locator('#traffic-days li.empty')).toHaveCount(5);
  await expect(page.locator('#traffic-days li[data-day="13-11-2025"] .traffic-value')).toHaveText('–');
});
