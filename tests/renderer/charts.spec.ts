// The chart page in Chromium against the real agent on fixture days (global-setup.ts). Asserts
// what is drawn — each panel's datasets, ranges and tick labels, published read-only in its
// data-state attribute — and what a person reads on the page, not only that a canvas exists.
// Screenshots land in test-results/renderer.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { DAYS, FIXTURE_TZ, MIDDAY_APPEARS_HOUR } from './fixtures.js';
import { BASE, DATA_DIR, HOUR, apiRequests, dataset, failOnPageProblems, netPanels, openDay, panel, panels, parisHour, settled, type PageElement } from './page.js';

// Only this file records the export's status texts.
declare const window: Record<string, unknown>;
declare const MutationObserver: new (callback: () => void) => { observe(target: PageElement, options: object): void };
declare function getComputedStyle(element: PageElement): { backgroundColor: string };

failOnPageProblems();

test('a full day at 1 s: bucketed CPU, memory and each physical interface, with min/max bands, in the machine’s time', async ({ page }, testInfo) => {
  const dayResponse = page.waitForResponse((r) => r.url().includes('/api/day?'));
  await openDay(page, DAYS.full);
  const payload = (await (await dayResponse).json()) as { timestamps: number[]; bucketMs: number };

  // The server bucketed: nowhere near 86,400 points per series.
  expect(payload.timestamps.length).toBeGreaterThan(200);
  expect(payload.timestamps.length).toBeLessThanOrEqual(1000);
  expect(payload.bucketMs).toBeGreaterThanOrEqual(60_000);

  // Every recorded metric has a chart; virtual (docker0) and loopback (lo) interfaces are off by default.
  expect(await panels(page)).toEqual(['cpu', 'cores', 'memory', 'swap', 'load', 'net:eth0', 'net:wlan0', 'disk']);
  for (const [name, checked] of [['docker0', false], ['eth0', true], ['lo', false], ['wlan0', true]] as const) {
    await expect(page.locator(`input[data-iface="${name}"]`)).toBeChecked({ checked });
  }
  await expect(page.locator('#interfaces')).toContainText('docker0 (virtual)');
  await expect(page.locator('#interfaces')).toContainText('lo (loopback)');

  const cpu = await panel(page, 'cpu');
  expect(cpu.to - cpu.from).toBe(24 * HOUR);
  expect(parisHour(cpu.from)).toBe(0);
  // The browser is in New York; the axis reads Paris time, from midnight to midnight.
  expect(cpu.xTicks[0]).toBe('00:00');
  expect(cpu.xTicks.at(-1)).toBe('00:00');
  expect(cpu.xTicks).toContain('12:00');
  expect(cpu.yTicks).toContain('100 %');
  const cpuAvg = dataset(cpu, 'CPU');
  const cpuMin = dataset(cpu, 'CPU', 'min');
  const cpuMax = dataset(cpu, 'CPU', 'max');
  expect(cpuAvg.values).toBe(payload.timestamps.length);
  expect(cpuAvg.firstX).toBe(cpu.from);
  // The band keeps the one-second spikes that the averages smooth away.
  expect(cpuMax.max!).toBeGreaterThan(cpuAvg.max! + 20);
  expect(cpuMin.min!).toBeLessThanOrEqual(cpuAvg.min!);
  expect(cpuAvg.mean!).toBeGreaterThan(15);
  expect(cpuAvg.mean!).toBeLessThan(40);

  const memory = await panel(page, 'memory');
  expect(memory.unit).toBe('GiB');
  expect(memory.datasets.filter((d) => d.role === 'avg').map((d) => d.label)).toEqual(['used', 'free', 'total']);
  expect(dataset(memory, 'total').max).toBe(16 * 1024 ** 3);
  expect(dataset(memory, 'used').mean! / 1024 ** 3).toBeGreaterThan(5);
  expect(dataset(memory, 'used').mean! / 1024 ** 3).toBeLessThan(7);
  expect(memory.yTicks.some((t) => t.endsWith('GiB'))).toBe(true);

  const eth0 = await panel(page, 'net:eth0');
  expect(eth0.title).toBe('Network eth0');
  expect(['Mbit/s', 'Gbit/s']).toContain(eth0.unit);
  expect(dataset(eth0, 'in').mean!).toBeGreaterThan(dataset(eth0, 'out').mean!);
  expect(dataset(eth0, 'in', 'max').max!).toBeGreaterThan(dataset(eth0, 'in').max!);

  // Captions a person reads.
  await expect(page.locator('[data-panel="cpu"] .summary')).toContainText(/CPU avg \d+(\.\d)? %, peak \d+(\.\d)? %/);
  await expect(page.locator('#zone-note')).toContainText('Days and times in Europe/Paris (the machine’s local time, not this browser’s)');
  await expect(page.locator('#status')).toContainText(`${DAYS.full} · min/avg/max per`);
  expect(Number(await page.locator('body').getAttribute('data-open-ms'))).toBeGreaterThan(0);
  await page.screenshot({ path: testInfo.outputPath('full-day.png'), fullPage: true });
});

test('the charts in view are built first, the others when idle or scrolled to; all of them end up drawn', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 600 });
  // Which figures were still waiting for their chart at the moment the page said "ready".
  await page.addInitScript(() => {
    new MutationObserver(() => {
      if (document.body?.dataset.state !== 'ready' || window.pendingAtReady !== undefined) return;
      const pending = (document as unknown as { querySelectorAll(selector: string): ArrayLike<PageElement> }).querySelectorAll('#charts [data-panel][data-pending]');
      window.pendingAtReady = Array.from(pending, (figure) => figure.dataset.panel);
    }).observe(document as unknown as PageElement, { attributes: true, subtree: true });
  });
  await openDay(page, DAYS.full);
  const pendingAtReady = (await page.evaluate(() => window.pendingAtReady)) as string[];
  // The first panels (in view) were drawn with the data; the last ones (out of view) were not yet.
  expect(pendingAtReady).not.toContain('cpu');
  expect(pendingAtReady).toContain('disk');
  // Then every one is built without scrolling, top first, and describes what it draws.
  await expect(page.locator('#charts')).toHaveAttribute('data-pending', '0');
  for (const id of await panels(page)) expect((await panel(page, id)).id).toBe(id);
  expect(dataset(await panel(page, 'disk'), '/').values).toBeGreaterThan(0);
});

test('interfaces toggle their charts at once, without asking the server again', async ({ page }) => {
  await openDay(page, DAYS.full);
  const requests = apiRequests(page);
  await page.locator('input[data-iface="lo"]').check();
  expect(await netPanels(page)).toEqual(['net:eth0', 'net:lo', 'net:wlan0']);
  expect((await panel(page, 'net:lo')).title).toBe('Network lo (loopback)');
  await page.locator('input[data-iface="eth0"]').uncheck();
  await page.locator('input[data-iface="docker0"]').check();
  expect(await netPanels(page)).toEqual(['net:docker0', 'net:lo', 'net:wlan0']);
  expect(requests).toHaveLength(0);
  // The choice holds for the next day, and after a reload (remembered by the browser).
  await page.locator('#prev-day').click();
  await page.locator('#prev-day').click();
  expect(await settled(page)).toBe('ready');
  expect(await netPanels(page)).toEqual(['net:lo', 'net:wlan0']);
  await page.reload();
  expect(await settled(page)).toBe('ready');
  expect(await netPanels(page)).toEqual(['net:lo', 'net:wlan0']);
  await expect(page.locator('input[data-iface="eth0"]')).not.toBeChecked();
});

test('drag to zoom re-queries finer, down to raw seconds; Escape goes back to the whole day', async ({ page }, testInfo) => {
  await openDay(page, DAYS.full);
  const day = await panel(page, 'cpu');
  const canvas = page.locator('[data-panel="cpu"] canvas');
  const box = (await canvas.boundingBox())!;
  const requests = apiRequests(page);

  // Drag across about an hour around noon.
  await page.mouse.move(box.x + box.width * 0.52, box.y + box.height * 0.6);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.56, box.y + box.height * 0.6, { steps: 6 });
  await page.mouse.up();
  await expect(page.locator('#zoom-bar')).toBeVisible();
  expect(await settled(page)).toBe('ready');
  const zoomed = await panel(page, 'cpu');
  expect(requests.map((r) => new URL(r.url()).pathname)).toEqual(['/api/series']);
  expect(zoomed.to - zoomed.from).toBeLessThan(2 * HOUR);
  expect(zoomed.from).toBeGreaterThan(day.from + 10 * HOUR);
  expect(zoomed.bucketMs!).toBeLessThan(day.bucketMs!);
  // Every chart follows.
  expect((await panel(page, 'net:eth0')).from).toBe(zoomed.from);

  // Keyboard zoom (+) on the focused chart until single samples show.
  await canvas.focus();
  for (let i = 0; i < 8 && (await page.locator('#charts').getAttribute('data-bucket-ms')) !== 'raw'; i++) {
    await page.keyboard.press('+');
    await settled(page);
  }
  await expect(page.locator('#charts')).toHaveAttribute('data-bucket-ms', 'raw');
  const raw = await panel(page, 'cpu');
  const avg = dataset(raw, 'CPU');
  expect(raw.bucketMs).toBeNull();
  expect(raw.datasets.map((d) => d.role)).toEqual(['avg']);
  expect(avg.values).toBeGreaterThan(30);
  expect((avg.lastX! - avg.firstX!) / (avg.values - 1)).toBe(1000);
  expect(raw.xTicks.every((t) => /^\d\d:\d\d:\d\d$/.test(t))).toBe(true);
  await expect(page.locator('#zoom-label')).toContainText('(raw samples)');
  await page.screenshot({ path: testInfo.outputPath('zoomed-raw.png') });

  // Arrow keys move the window; Escape is the whole day again, from what the page already has.
  const before = raw.from;
  await page.keyboard.press('ArrowRight');
  await settled(page);
  expect((await panel(page, 'cpu')).from).toBeGreaterThan(before);
  const sent = requests.length;
  await page.keyboard.press('Escape');
  await expect(page.locator('#zoom-bar')).toBeHidden();
  const back = await panel(page, 'cpu');
  expect([back.from, back.to, back.bucketMs]).toEqual([day.from, day.to, day.bucketMs]);
  expect(requests).toHaveLength(sent);
});

test('the calendar marks days with data; previous, next and today; an empty day says so', async ({ page }, testInfo) => {
  await openDay(page, DAYS.full);
  await page.locator('#calendar-button').click();
  const calendar = page.locator('#calendar');
  await expect(calendar).toBeVisible();
  await expect(calendar).toHaveAttribute('data-loaded', 'true');
  await expect(calendar.locator('h2')).toHaveText('November 2025');
  await expect(calendar.locator(`[data-day="${DAYS.full}"]`)).toHaveClass(/has-data/);
  await expect(calendar.locator(`[data-day="${DAYS.full}"]`)).toHaveClass(/selected/);
  await expect(calendar.locator(`[data-day="${DAYS.midday}"]`)).toHaveClass(/has-data/);
  await expect(calendar.locator(`[data-day="${DAYS.empty}"]`)).toHaveClass(/no-data/);
  await expect(calendar.locator(`[data-day="${DAYS.empty}"]`)).toHaveAttribute('aria-label', `${DAYS.empty}, no data`);
  await page.screenshot({ path: testInfo.outputPath('calendar.png'), clip: { x: 0, y: 0, width: 720, height: 460 } });

  // Keyboard: the selected day has focus; one day back, Enter.
  await expect(calendar.locator(`[data-day="${DAYS.full}"]`)).toBeFocused();
  await page.keyboard.press('ArrowLeft');
  await expect(calendar.locator(`[data-day="${DAYS.empty}"]`)).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(calendar).toBeHidden();
  expect(await settled(page)).toBe('empty');
  await expect(page.locator('#status')).toHaveText(`No data recorded on ${DAYS.empty}. Days with data are marked in the calendar.`);
  expect(await panels(page)).toEqual([]);
  expect(page.url()).toContain(`date=${DAYS.empty}`);

  // Previous day: wlan0 appears at noon.
  await page.locator('#prev-day').click();
  expect(await settled(page)).toBe('ready');
  await expect(page.locator('#date-input')).toHaveValue(DAYS.midday);
  const wlan0 = dataset(await panel(page, 'net:wlan0'), 'in');
  expect(parisHour(wlan0.firstX!)).toBe(MIDDAY_APPEARS_HOUR);
  expect(dataset(await panel(page, 'net:eth0'), 'in').firstX).toBe((await panel(page, 'cpu')).from);

  // Alt+Right twice: the full day again.
  await page.locator('body').press('Alt+ArrowRight');
  await page.locator('body').press('Alt+ArrowRight');
  await expect(page.locator('#date-input')).toHaveValue(DAYS.full);
  expect(await settled(page)).toBe('ready');

  // Today: next is disabled.
  await page.locator('#today').click();
  await settled(page);
  const today = await page.locator('#date-input').inputValue();
  expect(today).toMatch(/^\d{2}-\d{2}-\d{4}$/);
  expect(today).not.toBe(DAYS.full);
  await expect(page.locator('#next-day')).toBeDisabled();
  await expect(page.locator('#today')).toBeDisabled();
});

test('a DST day has 25 hours, with the axis on the clock', async ({ page }) => {
  await openDay(page, DAYS.dst);
  const cpu = await panel(page, 'cpu');
  expect(cpu.to - cpu.from).toBe(25 * HOUR);
  expect(cpu.xTicks[0]).toBe('00:00');
  expect(cpu.xTicks.at(-1)).toBe('00:00');
  expect(cpu.xTicks).toContain('12:00');
  const avg = dataset(cpu, 'CPU');
  expect(avg.firstX).toBe(cpu.from);
  // The last bucket starts within the 25th hour.
  expect(cpu.to - avg.lastX!).toBeLessThanOrEqual(cpu.bucketMs!);
  expect(await netPanels(page)).toEqual(['net:eth0']);
});

test('bad input: invalid and future dates, a refused request — a clear message, nothing breaks', async ({ page }) => {
  await openDay(page, DAYS.full);
  const input = page.locator('#date-input');
  await input.fill('31-02-2026');
  await input.press('Enter');
  await expect(page.locator('#status')).toHaveText('Invalid date "31-02-2026": no such day in the calendar');
  await expect(page.locator('#status')).toHaveClass(/error/);
  await expect(input).toHaveAttribute('aria-invalid', 'true');

  await input.fill('01-01-2099');
  await input.press('Enter');
  await expect(page.locator('#status')).toContainText('01-01-2099 is in the future (today is');
  await input.fill('2025-11-14');
  await input.press('Enter');
  await expect(page.locator('#status')).toContainText('expected DD-MM-YYYY');

  // A link with a bad date.
  await page.goto(`${BASE}/?date=32-13-2025`);
  expect(await settled(page)).toBe('error');
  await expect(page.locator('#status')).toContainText('Invalid date "32-13-2025"');

  // The server's own 400 reaches the page as it is.
  await page.route('**/api/day?*', (route) =>
    route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: { code: 'invalid_argument', message: 'No data for interface "eth9" in 14-11-2025' } }) }),
  );
  await input.fill(DAYS.full);
  await input.press('Enter');
  expect(await settled(page)).toBe('error');
  await expect(page.locator('#status')).toHaveText('No data for interface "eth9" in 14-11-2025');
  await page.unroute('**/api/day?*');

  // And a good day still works.
  await input.fill(DAYS.full);
  await input.press('Enter');
  expect(await settled(page)).toBe('ready');
  await expect(input).not.toHaveAttribute('aria-invalid', 'true');
});

test('export: the shown day (the bytes of vigil export) and a range of days with progress', async ({ page }) => {
  await openDay(page, DAYS.midday);
  await page.locator('#export summary').click();
  const [dayDownload] = await Promise.all([page.waitForEvent('download'), page.locator('#export-day').click()]);
  expect(dayDownload.suggestedFilename()).toMatch(new RegExp(`-${DAYS.midday}\\.csv$`));
  const cli = execFileSync('bin/vigil.js', ['export', '--date', DAYS.midday, '--data-dir', DATA_DIR], { env: { ...process.env, TZ: FIXTURE_TZ }, maxBuffer: 64 * 1024 * 1024 });
  expect(fs.readFileSync(await dayDownload.path()).equals(cli)).toBe(true);
  await expect(page.locator('#export-status')).toHaveText(/Exported 17,280 rows as .*\.csv\./);

  // A range (the DST day to the midday one): progress while it streams, then the whole.
  await page.locator('#export-from').fill(DAYS.dst);
  await page.locator('#export-to').fill(DAYS.midday);
  // Every text the status line shows, recorded in the page (read-only).
  await page.evaluate(() => {
    const status = document.getElementById('export-status')!;
    const seen: string[] = [];
    window.seenStatus = seen;
    new MutationObserver(() => seen.push(status.textContent ?? '')).observe(status, { childList: true, characterData: true, subtree: true });
  });
  const [rangeDownload] = await Promise.all([page.waitForEvent('download'), page.locator('#export-range').click()]);
  const seen = await page.evaluate(() => window.seenStatus as string[]);
  expect(rangeDownload.suggestedFilename()).toMatch(new RegExp(`-${DAYS.dst}_${DAYS.midday}\\.csv$`));
  const lines = fs.readFileSync(await rangeDownload.path(), 'utf8').split('\r\n');
  // 25 hours every 10 s, the fixture week every 60 s, and a day every 5 s.
  expect(lines).toHaveLength(9_000 + 7 * 1_440 + 17_280 + 2);
  expect(lines[0]).toContain('net_wlan0_rx_bps');
  expect(seen.some((t) => /^Exporting: [\d,]+ of 36,360 rows$/.test(t))).toBe(true);
  await expect(page.locator('#export-status')).toHaveText(/Exported 36,360 rows/);

  // From after To: said in the panel, nothing downloaded.
  await page.locator('#export-from').fill(DAYS.full);
  await page.locator('#export-to').fill(DAYS.midday);
  await page.locator('#export-range').click();
  await expect(page.locator('#export-status')).toHaveText(`From ${DAYS.full} is after To ${DAYS.midday}`);
  await expect(page.locator('#export-from')).toHaveAttribute('aria-invalid', 'true');
});

/** The machine's (Paris) wall-clock time of a Unix ms, as `2026-11-22 14:03:05`, and its UTC offset, as `+01:00`. */
function parisTime(ts: number): { local: string; offset: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: FIXTURE_TZ, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'longOffset' })
      .formatToParts(ts)
      .map((part) => [part.type, part.value]),
  );
  return { local: `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`, offset: parts.timeZoneName!.replace(/^GMT$/, 'GMT+00:00').slice(3) };
}

test('export: the time column as chosen (ISO 8601, local time for spreadsheets, Unix seconds), remembered, the bytes of vigil export --time-format', async ({ page }) => {
  await openDay(page, DAYS.midday);
  await page.locator('#export summary').click();
  // ISO 8601 until a person picks another.
  await expect(page.locator('#export-time-format')).toHaveValue('iso');
  const expectedTime = {
    iso: (ms: number) => `${parisTime(ms).local.replace(' ', 'T')}${parisTime(ms).offset}`,
    local: (ms: number) => parisTime(ms).local,
    unix: (ms: number) => String(ms / 1000),
  };
  for (const format of ['local', 'unix', 'iso'] as const) {
    await page.locator('#export-time-format').selectOption(format);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-day').click()]);
    await expect(page.locator('#export-status')).toHaveText(/Exported 17,280 rows/);
    const bytes = fs.readFileSync(await download.path());
    const cli = execFileSync('bin/vigil.js', ['export', '--date', DAYS.midday, '--time-format', format, '--data-dir', DATA_DIR], { env: { ...process.env, TZ: FIXTURE_TZ }, maxBuffer: 64 * 1024 * 1024 });
    expect(bytes.equals(cli), `${format}: the bytes of vigil export --time-format ${format}`).toBe(true);
    const rows = bytes.toString('utf8').trimEnd().split('\r\n');
    expect(rows[0]).toMatch(/^time,unix_ms,/);
    expect(rows).toHaveLength(17_280 + 1);
    // Each row's time column is its unix_ms in the chosen form (first, middle and last rows).
    for (const row of [rows[1]!, rows[8_640]!, rows.at(-1)!]) {
      const [time, unixMs] = row.split(',');
      expect(time, `${format}: ${row.slice(0, 60)}`).toBe(expectedTime[format](Number(unixMs)));
    }
  }
  // The choice is remembered: after a reload the panel offers the last one used.
  await page.locator('#export-time-format').selectOption('local');
  await openDay(page, DAYS.midday);
  await page.locator('#export summary').click();
  await expect(page.locator('#export-time-format')).toHaveValue('local');
});

test('the theme follows the OS, light and dark', async ({ page }, testInfo) => {
  await openDay(page, DAYS.midday);
  await expect(page.locator('#charts')).toHaveAttribute('data-theme', 'light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('#charts')).toHaveAttribute('data-theme', 'dark');
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).toBe('rgb(11, 17, 32)');
  await page.screenshot({ path: testInfo.outputPath('dark.png'), fullPage: true });
});

test('an agent that wants a token: the page asks once, then sends it (or takes it from #token=)', async ({ page }) => {
  const problems: string[] = [];
  const token = 'page-test-token-0123456789';
  const authorizations: (string | null)[] = [];
  // Stand in for an agent started with --ui-token: 401 without the right bearer.
  await page.route('**/api/**', async (route) => {
    const header = route.request().headers().authorization ?? null;
    authorizations.push(header);
    if (header === `Bearer ${token}`) return route.continue();
    return route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ error: { code: 'unauthorized', message: header ? 'Wrong access token' : 'An access token is required' } }) });
  });
  await page.goto(`${BASE}/?date=${DAYS.midday}`);
  const dialog = page.locator('#token-dialog');
  await expect(dialog).toBeVisible();
  await page.locator('#token-input').fill('wrong-token-000000000');
  await page.locator('#token-input').press('Enter');
  await expect(page.locator('#token-error')).toHaveText('Wrong access token');
  await page.locator('#token-input').fill(token);
  await page.locator('#token-input').press('Enter');
  expect(await settled(page)).toBe('ready');
  await expect(dialog).toBeHidden();
  expect(authorizations.at(-1)).toBe(`Bearer ${token}`);

  // A new tab of the same session does not ask again.
  const count = authorizations.length;
  await page.reload();
  expect(await settled(page)).toBe('ready');
  expect(authorizations.slice(count).every((a) => a === `Bearer ${token}`)).toBe(true);

  // A link carrying the token in its fragment: used, then removed from the address bar.
  const fresh = await page.context().browser()!.newPage();
  fresh.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await fresh.route('**/api/**', (route) =>
    route.request().headers().authorization === `Bearer ${token}` ? route.continue() : route.fulfill({ status: 401, contentType: 'application/json', body: '{"error":{"code":"unauthorized","message":"An access token is required"}}' }),
  );
  await fresh.goto(`${BASE}/?date=${DAYS.midday}#token=${token}`);
  expect(await settled(fresh)).toBe('ready');
  expect(fresh.url()).not.toContain('token');
  await fresh.close();
  expect(problems).toEqual([]);
});
