// The chart page's views in Chromium against the real agent (global-setup.ts): the live view fed by
// the agent's own sampling through its live feed, week / month / year / custom ranges from the
// rollups, every metric's chart, the chart chooser, and the fixes a new user asked for.
// Screenshots of each view land in test-results/renderer.
import { expect, test, type Page } from '@playwright/test';
import { DAYS } from './fixtures.js';
import { BASE, DAY, HOUR, dataset, failOnPageProblems, openDay, panel, panels, settled, type PageElement } from './page.js';

declare const MutationObserver: new (callback: () => void) => { observe(target: PageElement, options: object): void };
declare const window: Record<string, unknown>;
declare function getComputedStyle(element: unknown): { opacity: string };

failOnPageProblems();

/** The live view once it draws (the agent has sampled at least a few seconds by then). */
async function openLive(page: Page, query = ''): Promise<void> {
  await page.goto(`${BASE}/${query}`);
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
  await expect(page.locator('body')).toHaveAttribute('data-live', /^(live|polling)$/);
}

test('live view: the page opens on it, the last hour at raw resolution, new samples drawn within 2 s of being taken', async ({ page }, testInfo) => {
  await openLive(page);
  // The plain address means the default view: the last hour, live.
  expect(new URL(page.url()).search).toBe('');
  await expect(page.locator('body')).toHaveAttribute('data-view', 'live');
  await expect(page.locator('#live-status')).toHaveText('Live');
  await expect(page.locator('#view-tabs [data-view="live"]')).toHaveAttribute('aria-checked', 'true');
  await expect(page.locator('#live-nav [data-window="1h"]')).toHaveAttribute('aria-pressed', 'true');

  const cpu = await panel(page, 'cpu');
  // The x axis is the window, ending now, not the day.
  expect(cpu.to - cpu.from).toBe(HOUR);
  expect(Math.abs(cpu.to - Date.now())).toBeLessThan(5_000);
  expect(cpu.resolution).toBe('raw');
  expect(cpu.bucketMs).toBeNull();
  expect(cpu.datasets.map((d) => d.role)).toEqual(['avg']);

  // Each time the CPU chart gets a newer point, the page notes how long after the sample's own
  // time it was drawn (both clocks are this machine's).
  await page.evaluate(() => {
    const figure = document.getElementById('panel-cpu')!;
    const delays: number[] = [];
    let last = 0;
    window.liveDelays = delays;
    new MutationObserver(() => {
      const state = JSON.parse(figure.dataset.state!) as { datasets: { lastX: number | null }[] };
      const lastX = state.datasets[0]?.lastX ?? 0;
      if (lastX > last) {
        if (last > 0) delays.push(Date.now() - lastX);
        last = lastX;
      }
    }).observe(figure, { attributes: true, attributeFilter: ['data-state'] });
  });
  await expect.poll(() => page.evaluate(() => (window.liveDelays as number[]).length), { timeout: 15_000 }).toBeGreaterThanOrEqual(5);
  const delays = (await page.evaluate(() => window.liveDelays as number[])).sort((a, b) => a - b);
  // A sample is stamped at its slot's start and read within it: most arrive well inside 2 s.
  expect(delays[Math.floor(delays.length / 2)]!).toBeLessThan(2_000);
  const after = await panel(page, 'cpu');
  expect(dataset(after, 'CPU').values).toBeGreaterThan(dataset(cpu, 'CPU').values);
  await page.screenshot({ path: testInfo.outputPath('live.png'), fullPage: true });

  // The three windows.
  await page.locator('#live-nav [data-window="15m"]').click();
  await expect(page).toHaveURL(/\?live=15m$/);
  await expect.poll(async () => (await panel(page, 'cpu')).to - (await panel(page, 'cpu')).from).toBe(15 * 60_000);
  await page.locator('#live-nav [data-window="6h"]').click();
  await expect(page).toHaveURL(/\?live=6h$/);
  await expect.poll(async () => {
    const state = await panel(page, 'cpu');
    return state.to - state.from;
  }).toBe(6 * HOUR);
  expect((await panel(page, 'cpu')).resolution).toBe('raw');

  // + and - around the latest data: a narrower or wider window, still live.
  await page.mouse.move(5, 5);
  await page.locator('#live-nav [data-window="15m"]').click();
  await expect(page).toHaveURL(/\?live=15m$/);
  await page.keyboard.press('+');
  await expect(page).toHaveURL(/\?live=5m$/);
  await expect(page.locator('body')).toHaveAttribute('data-live', /^(live|polling)$/);
  await page.keyboard.press('-');
  await expect(page).toHaveURL(/\?live=15m$/);

  // + around the pointer: that span, held still; Back to live follows again.
  await settled(page);
  const box = (await page.locator('[data-panel="cpu"] canvas').boundingBox())!;
  const before = await panel(page, 'cpu');
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  await page.keyboard.press('+');
  await expect(page.locator('body')).toHaveAttribute('data-live', 'paused');
  await expect(page.locator('#live-status')).toHaveText('Paused (zoomed)');
  await expect(page).toHaveURL(/\?live=15m&zoom=\d+-\d+$/);
  const zoomed = await panel(page, 'cpu');
  expect(zoomed.to - zoomed.from).toBe(7.5 * 60_000);
  expect(zoomed.from).toBeGreaterThan(before.from);
  expect(zoomed.to).toBeLessThan(before.to);
  await page.locator('#zoom-reset').click();
  await expect(page.locator('body')).toHaveAttribute('data-live', /^(live|polling)$/);
  await expect(page).toHaveURL(/\?live=15m$/);
});

test('today, picked in the calendar or typed, opens the live view', async ({ page }) => {
  await openDay(page, DAYS.full);
  const today = await page.evaluate(() => new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric' }).format(Date.now()).replace(/\//g, '-'));
  await page.locator('#date-input').fill(today);
  await page.locator('#date-input').press('Enter');
  await expect(page.locator('body')).toHaveAttribute('data-view', 'live');
  await expect(page).toHaveURL(/\?live=1h$/);
  // The Day tab shows today's whole day.
  await page.locator('#view-tabs [data-view="day"]').click();
  await expect(page).toHaveURL(new RegExp(`\\?date=${today}$`));
  expect(await settled(page)).toBe('ready');
  const cpu = await panel(page, 'cpu');
  expect(cpu.to - cpu.from).toBeGreaterThanOrEqual(23 * HOUR);
});

test('a week from the minute rollups; previous and next move by a week; the URL holds the view', async ({ page }, testInfo) => {
  await page.goto(`${BASE}/?week=05-11-2025`);
  expect(await settled(page)).toBe('ready');
  // A week is Monday to Sunday; the URL names its Monday.
  await expect(page).toHaveURL(/\?week=03-11-2025$/);
  await expect(page.locator('#period-label')).toHaveText('03-11-2025 to 09-11-2025');
  await expect(page.locator('#status')).toContainText('Week 03-11-2025 to 09-11-2025 · min/avg/max per');
  const cpu = await panel(page, 'cpu');
  expect(cpu.to - cpu.from).toBe(7 * DAY);
  expect(cpu.resolution).toBe('1m');
  expect(cpu.bucketMs!).toBeGreaterThanOrEqual(10 * 60_000);
  expect(cpu.xTicks.slice(0, 2)).toEqual(['Mo 03-11', 'Tu 04-11']);
  const avg = dataset(cpu, 'CPU');
  // Every minute of the week is there, one bucket after the other.
  expect(avg.firstX).toBe(cpu.from);
  expect(avg.values).toBe(Math.round((7 * DAY) / cpu.bucketMs!));
  expect(dataset(cpu, 'CPU', 'max').max!).toBeGreaterThan(avg.max!);
  await page.screenshot({ path: testInfo.outputPath('week.png'), fullPage: true });

  await page.locator('#next-day').click();
  expect(await settled(page)).toBe('ready');
  await expect(page).toHaveURL(/\?week=10-11-2025$/);
  expect(dataset(await panel(page, 'cpu'), 'CPU').values).toBeGreaterThan(10);
  // This week reaches the fixture's last day, and the week after is still in the past: next works.
  await expect(page.locator('#next-day')).toBeEnabled();

  await page.locator('#prev-day').click();
  await page.locator('#prev-day').click();
  expect(await settled(page)).toBe('empty');
  await expect(page).toHaveURL(/\?week=27-10-2025$/);
  await expect(page.locator('#status')).toHaveText('No data recorded in Week 27-10-2025 to 02-11-2025. Days with data are marked in the calendar.');

  // Back goes to the week before; a reload opens what the URL says.
  await page.goBack();
  expect(await settled(page)).toBe('ready');
  await expect(page).toHaveURL(/\?week=03-11-2025$/);
  await page.reload();
  expect(await settled(page)).toBe('ready');
  await expect(page.locator('#view-tabs [data-view="week"]')).toHaveAttribute('aria-checked', 'true');
  expect((await panel(page, 'cpu')).from).toBe(cpu.from);
});

test('a month, a year and any span of days', async ({ page }, testInfo) => {
  await page.goto(`${BASE}/?week=10-11-2025`);
  expect(await settled(page)).toBe('ready');

  await page.locator('#view-tabs [data-view="month"]').click();
  expect(await settled(page)).toBe('ready');
  await expect(page).toHaveURL(/\?month=11-2025$/);
  const month = await panel(page, 'cpu');
  expect(month.to - month.from).toBe(30 * DAY);
  expect(month.xTicks[0]).toBe('01-11');
  expect(['1m', '1h']).toContain(month.resolution);
  await page.screenshot({ path: testInfo.outputPath('month.png'), fullPage: true });

  await page.locator('#prev-day').click();
  expect(await settled(page)).toBe('ready');
  await expect(page).toHaveURL(/\?month=10-2025$/);
  // October 2025 holds the 25-hour day.
  expect((await panel(page, 'cpu')).to - (await panel(page, 'cpu')).from).toBe(31 * DAY + HOUR);

  await page.locator('#view-tabs [data-view="year"]').click();
  expect(await settled(page)).toBe('ready');
  await expect(page).toHaveURL(/\?year=2025$/);
  const year = await panel(page, 'cpu');
  expect(year.resolution).toBe('1h');
  expect(year.xTicks[0]).toBe('Jan 2025');
  expect(year.xTicks).toContain('Nov');
  await page.screenshot({ path: testInfo.outputPath('year.png'), fullPage: true });

  // A span of days: From and To.
  await page.locator('#view-tabs [data-view="custom"]').click();
  await expect(page.locator('#to-field')).toBeVisible();
  await page.locator('#date-input').fill(DAYS.midday);
  await page.locator('#to-input').fill(DAYS.full);
  await page.locator('#to-input').press('Enter');
  expect(await settled(page)).toBe('ready');
  await expect(page).toHaveURL(new RegExp(`\\?from=${DAYS.midday}&to=${DAYS.full}$`));
  await expect(page.locator('#period-label')).toHaveText('3 days');
  const span = await panel(page, 'cpu');
  expect(span.to - span.from).toBe(3 * DAY);
  // Next moves by the span's own length.
  await page.locator('#prev-day').click();
  expect(await settled(page)).toBe('ready');
  await expect(page).toHaveURL(/\?from=09-11-2025&to=11-11-2025$/);
  await page.screenshot({ path: testInfo.outputPath('custom.png'), fullPage: true });

  // To before From: said, and the view stays.
  await page.locator('#date-input').fill(DAYS.full);
  await page.locator('#to-input').fill(DAYS.midday);
  await page.locator('#to-input').press('Enter');
  await expect(page.locator('#status')).toHaveText(`From ${DAYS.full} is after To ${DAYS.midday}`);
  await expect(page).toHaveURL(/\?from=09-11-2025&to=11-11-2025$/);
});

test('every recorded metric has a chart: cores as a heat strip, load, swap, disk per mount; plot areas line up', async ({ page }, testInfo) => {
  await openDay(page, DAYS.full);
  const cores = await panel(page, 'cores');
  expect(cores.datasets.map((d) => d.label)).toEqual(['core 0', 'core 1', 'core 2', 'core 3']);
  expect(cores.unit).toBe('4 cores, % busy');
  for (const core of cores.datasets) {
    expect(core.values).toBeGreaterThan(200);
    expect(core.min!).toBeGreaterThanOrEqual(0);
    expect(core.max!).toBeLessThanOrEqual(100);
  }
  expect(cores.yTicks).toEqual(['core 0', 'core 1', 'core 2', 'core 3']);

  const load = await panel(page, 'load');
  expect(load.datasets.filter((d) => d.role === 'avg').map((d) => d.label)).toEqual(['1 min', '5 min', '15 min']);
  expect(dataset(load, '1 min').values).toBeGreaterThan(200);

  const swap = await panel(page, 'swap');
  expect(swap.datasets.filter((d) => d.role === 'avg').map((d) => d.label)).toEqual(['used', 'total']);
  expect(dataset(swap, 'total').max).toBe(2 * 1024 ** 3);

  const disk = await panel(page, 'disk');
  expect(disk.unit).toBe('%');
  expect(disk.datasets.map((d) => d.label)).toEqual(['/', '/home']);
  // / fills from 40 % to 41 % of 100 GiB over the day; /home stays at 60 %.
  expect(dataset(disk, '/').min!).toBeCloseTo(40, 1);
  expect(dataset(disk, '/').max!).toBeCloseTo(41, 0);
  expect(dataset(disk, '/home').mean!).toBeCloseTo(60, 5);
  await expect(page.locator('[data-panel="disk"] .summary')).toContainText('/ avg 40.');

  // The plot areas start at the same x, so the times line up from one chart to the next.
  const lefts = new Set<number>();
  for (const id of await panels(page)) lefts.add((await panel(page, id)).plotLeft);
  expect([...lefts]).toHaveLength(1);
  await page.screenshot({ path: testInfo.outputPath('every-metric.png'), fullPage: true });

  // The chooser: hide two charts; the choice outlives a reload.
  await page.locator('#chart-picker summary').click();
  await page.locator('input[data-panel-kind="cores"]').uncheck();
  expect(await settled(page)).toBe('ready');
  await page.locator('input[data-panel-kind="load"]').uncheck();
  expect(await settled(page)).toBe('ready');
  expect(await panels(page)).toEqual(['cpu', 'memory', 'swap', 'net:eth0', 'net:wlan0', 'disk']);
  await page.reload();
  expect(await settled(page)).toBe('ready');
  expect(await panels(page)).toEqual(['cpu', 'memory', 'swap', 'net:eth0', 'net:wlan0', 'disk']);
  await page.locator('#chart-picker summary').click();
  await expect(page.locator('input[data-panel-kind="cores"]')).not.toBeChecked();
  await page.locator('input[data-panel-kind="net"]').uncheck();
  expect(await settled(page)).toBe('ready');
  expect(await panels(page)).toEqual(['cpu', 'memory', 'swap', 'disk']);
  await expect(page.locator('#interfaces')).toBeHidden();
});

test('a machine without a load average (Windows) or swap says so instead of drawing nothing', async ({ page }) => {
  // Stand in for a Windows machine: its host says win32, its load series have no value.
  await page.route('**/api/host', async (route) => {
    const response = await route.fetch();
    const host = (await response.json()) as { host: { platform: string } | null };
    if (host.host) host.host.platform = 'win32';
    await route.fulfill({ response, json: host });
  });
  await page.route('**/api/day?*', async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as { series: { key: string; avg: unknown[]; min?: unknown[]; max?: unknown[] }[] };
    for (const column of body.series) {
      if (column.key.startsWith('load.')) for (const list of [column.avg, column.min, column.max]) list?.fill(null);
      if (column.key.startsWith('swap.')) for (const list of [column.avg, column.min, column.max]) list?.fill(0);
    }
    await route.fulfill({ response, json: body });
  });
  await openDay(page, DAYS.midday);
  const load = await panel(page, 'load');
  expect(load.empty).toBe(true);
  await expect(page.locator('[data-panel="load"] .empty-note')).toHaveText('Windows has no load average.');
  await expect(page.locator('[data-panel="swap"] .empty-note')).toHaveText('No swap on this machine.');
  // An empty chart keeps its axis width (no "0 B to 1 B" scale): it still lines up.
  expect(load.yTicks.every((t) => t === '')).toBe(true);
  expect(load.plotLeft).toBe((await panel(page, 'cpu')).plotLeft);
});

test('fixes: a bad date is replaced after a zoom; days without data are dimmed; bands show; loopback is one line', async ({ page }, testInfo) => {
  await openDay(page, DAYS.full);
  const whole = await panel(page, 'cpu');
  const input = page.locator('#date-input');
  await input.fill('31-02-2026');
  await input.press('Enter');
  await expect(page.locator('#status')).toHaveText('Invalid date "31-02-2026": no such day in the calendar');
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  // A zoom after it: the field shows the day again.
  await page.locator('#charts').focus();
  await page.keyboard.press('+');
  expect(await settled(page)).toBe('ready');
  await expect(page.locator('#zoom-bar')).toBeVisible();
  await expect(input).toHaveValue(DAYS.full);
  await expect(input).not.toHaveAttribute('aria-invalid', 'true');
  // Around the latest data (the end of the day), not around noon.
  const zoomed = await panel(page, 'cpu');
  expect(zoomed.to - zoomed.from).toBe(12 * HOUR);
  expect(whole.to - zoomed.to).toBeLessThan(60_000);
  await page.keyboard.press('Escape');

  // The calendar: days with data stand out, days without are visibly dimmed.
  await page.locator('#calendar-button').click();
  await expect(page.locator('#calendar')).toHaveAttribute('data-loaded', 'true');
  const opacity = (day: string) => page.locator(`#calendar [data-day="${day}"]`).evaluate((node) => Number(getComputedStyle(node).opacity));
  expect(await opacity(DAYS.empty)).toBeLessThan(0.6);
  expect(await opacity(DAYS.midday)).toBe(1);
  await page.screenshot({ path: testInfo.outputPath('calendar-dimmed.png'), clip: { x: 0, y: 0, width: 900, height: 460 } });
  await page.keyboard.press('Escape');

  // Loopback receives what it sends: one line, not two bands that mix to grey.
  await page.locator('input[data-iface="lo"]').check();
  const lo = await panel(page, 'net:lo');
  expect(lo.datasets.filter((d) => d.role === 'avg').map((d) => d.label)).toEqual(['in = out']);
  // Bands are drawn with a visible fill (tested on the colours in tests/shared/chart-config.test.ts).
  expect(lo.datasets.filter((d) => d.role !== 'avg').map((d) => d.role)).toEqual(['min', 'max']);
  // The agent's page has no fleet to go back to.
  await expect(page.locator('#fleet-link')).toBeHidden();
});

test('the page asks for the host and the first data at once', async ({ page }) => {
  const started: { path: string; at: number }[] = [];
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith('/api/')) started.push({ path, at: Date.now() });
  });
  const finished = new Map<string, number>();
  page.on('requestfinished', (request) => finished.set(new URL(request.url()).pathname, Date.now()));
  await page.goto(`${BASE}/?date=${DAYS.midday}`);
  expect(await settled(page)).toBe('ready');
  const host = started.find((r) => r.path === '/api/host')!;
  const day = started.find((r) => r.path === '/api/day')!;
  // The day's request left before the host's answer came back.
  expect(day.at).toBeLessThanOrEqual(finished.get('/api/host')!);
  expect(Math.abs(day.at - host.at)).toBeLessThan(1_000);
});
