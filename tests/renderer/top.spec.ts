// "What was running" in Chromium against the real agent (global-setup.ts): pointing at a minute
// of the full day shows that minute's recorded top processes (fixtures.ts fixtureTopMinute), by
// CPU and by memory; a day without records says so; leaving the charts keeps the last minute.
import { expect, test, type Page } from '@playwright/test';
import type { TopResult } from '../../src/shared/api.js';
import { dayBounds, parseDay } from '../../src/shared/dates.js';
import { formatBytes } from '../../src/shared/units.js';
import { DAYS, fixtureTopMinute } from './fixtures.js';
import { HOUR, failOnPageProblems, openDay, panel } from './page.js';

failOnPageProblems();

/** The page position of the instant `ts` on the CPU chart. */
async function positionOf(page: Page, ts: number): Promise<{ x: number; y: number }> {
  const state = await panel(page, 'cpu');
  const box = (await page.locator('[data-panel="cpu"] canvas').boundingBox())!;
  return { x: box.x + state.plotLeft + ((ts - state.from) / (state.to - state.from)) * (state.plotRight - state.plotLeft), y: box.y + box.height * 0.5 };
}

/** Moves the pointer over the CPU chart to the instant `ts`; returns the /api/top answer it brings. */
async function pointAt(page: Page, ts: number): Promise<TopResult> {
  const { x, y } = await positionOf(page, ts);
  const response = page.waitForResponse((r) => r.url().includes('/api/top?'));
  await page.mouse.move(x, y);
  return (await (await response).json()) as TopResult;
}

test('the side panel shows the top processes of the minute under the pointer', async ({ page }, testInfo) => {
  await openDay(page, DAYS.full);
  const panelBox = page.locator('#top-panel');
  await expect(panelBox).toContainText('Point at a chart');
  // Beside the charts at this width, not under them.
  const charts = (await page.locator('#charts').boundingBox())!;
  const side = (await panelBox.boundingBox())!;
  expect(side.x).toBeGreaterThanOrEqual(charts.x + charts.width);

  const { from } = dayBounds(parseDay(DAYS.full));
  const result = await pointAt(page, from + 14.5 * HOUR + 20_000);
  // About 14:30 local: the pointer lands within a few pixels' worth of minutes.
  expect(Math.abs(result.minute - (from + 14.5 * HOUR))).toBeLessThanOrEqual(5 * 60_000);
  const expected = fixtureTopMinute(result.minute);
  expect(result.top).toEqual(expected);
  await expect(panelBox).toHaveAttribute('data-minute', String(result.minute));
  await expect(page.locator('#top-cpu tbody th')).toHaveText(expected.byCpu.map((p) => p.name));
  await expect(page.locator('#top-cpu tbody tr').first().locator('td')).toHaveText([String(expected.byCpu[0]!.pid), `${expected.byCpu[0]!.cpuPercent.toFixed(1)} %`]);
  await expect(page.locator('#top-memory tbody th')).toHaveText(expected.byMemory.map((p) => p.name));
  await expect(page.locator('#top-memory tbody tr').first().locator('td').last()).toHaveText(formatBytes(expected.byMemory[0]!.memoryBytes));
  // The tooltip shown gains the minute's top three of each once they arrive.
  await expect(page.locator('[data-panel="cpu"]')).toHaveAttribute(
    'data-tooltip-footer',
    `Top CPU: ${expected.byCpu.slice(0, 3).map((p) => `${p.name} ${p.cpuPercent.toFixed(0)} %`).join(', ')}\nTop memory: ${expected.byMemory.slice(0, 3).map((p) => `${p.name} ${formatBytes(p.memoryBytes)}`).join(', ')}`,
  );
  await page.screenshot({ path: testInfo.outputPath('top-panel.png'), fullPage: true });

  // Another minute, then off the charts: the last minute stays to be read.
  const later = await pointAt(page, from + 20 * HOUR);
  await expect(page.locator('#top-cpu tbody th').first()).toHaveText(fixtureTopMinute(later.minute).byCpu[0]!.name);
  await page.mouse.move(5, 5);
  await page.waitForTimeout(300);
  await expect(panelBox).toHaveAttribute('data-minute', String(later.minute));
});

test('a day without records says nothing was recorded for the minute', async ({ page }) => {
  await openDay(page, DAYS.midday);
  const { from } = dayBounds(parseDay(DAYS.midday));
  const result = await pointAt(page, from + 10 * HOUR);
  expect(result.top).toBeNull();
  await expect(page.locator('#top-none')).toContainText('Nothing recorded for this minute');
});
