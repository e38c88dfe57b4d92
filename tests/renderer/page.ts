// What the chart page's browser tests share: the agent's URL (global-setup.ts), the panels'
// published state (each figure's data-state attribute, read-only), and a guard that fails a test
// on any page error or CSP violation it caused.
import { expect, test, type Page, type Request } from '@playwright/test';
import type { DatasetStats } from '../../src/renderer/chart-stats.js';
import { FIXTURE_TZ } from './fixtures.js';

// The callbacks handed to page.evaluate/waitForFunction run in the page; these files are
// type-checked with Node's libraries, so the few page globals they touch are declared here.
export interface PageElement {
  textContent: string | null;
  dataset: Record<string, string | undefined>;
}
declare global {
  var document: { body: PageElement; getElementById(id: string): PageElement | null };
}

export const BASE = process.env.VIGIL_TEST_URL!;
export const DATA_DIR = process.env.VIGIL_TEST_DATA_DIR!;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** What the page publishes of each dataset (src/renderer/chart-stats.ts), its role narrowed. */
export type DatasetState = Omit<DatasetStats, 'role'> & { role: 'avg' | 'min' | 'max' };
export interface PanelState {
  id: string;
  title: string;
  unit: string;
  empty: boolean;
  emptyText: string | null;
  plotLeft: number;
  plotRight: number;
  from: number;
  to: number;
  resolution: string;
  bucketMs: number | null;
  xTicks: string[];
  yTicks: string[];
  datasets: DatasetState[];
}

/** Page errors and CSP violations fail the test that caused them. */
export function failOnPageProblems(): WeakMap<Page, string[]> {
  const problems = new WeakMap<Page, string[]>();
  test.beforeEach(({ page }) => {
    const list: string[] = [];
    problems.set(page, list);
    page.on('pageerror', (error) => list.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) list.push(`CSP: ${message.text()}`);
    });
  });
  test.afterEach(({ page }) => {
    expect(problems.get(page) ?? []).toEqual([]);
  });
  return problems;
}

export async function settled(page: Page): Promise<string> {
  await page.waitForFunction(() => document.body.dataset.state !== 'loading');
  return (await page.locator('body').getAttribute('data-state'))!;
}

export async function openDay(page: Page, day: string): Promise<void> {
  await page.goto(`${BASE}/?date=${day}`);
  expect(await settled(page)).toBe('ready');
  await expect(page.locator('#date-input')).toHaveValue(day);
}

export async function panels(page: Page): Promise<string[]> {
  return page.locator('#charts [data-panel]').evaluateAll((nodes) => nodes.map((n) => (n as unknown as PageElement).dataset.panel!));
}

export async function netPanels(page: Page): Promise<string[]> {
  return (await panels(page)).filter((id) => id.startsWith('net:'));
}

/** A panel's published state, once its chart is built (panels out of view are built when idle: charts.ts). */
export async function panel(page: Page, id: string): Promise<PanelState> {
  const built = page.locator(`[data-panel="${id}"][data-state]:not([data-pending])`);
  await built.waitFor({ state: 'attached' });
  return JSON.parse((await built.getAttribute('data-state'))!) as PanelState;
}

export function dataset(state: PanelState, series: string, role: DatasetState['role'] = 'avg'): DatasetState {
  const found = state.datasets.find((d) => d.series === series && d.role === role);
  if (!found) throw new Error(`${state.id} has no ${role} dataset for ${series}: ${state.datasets.map((d) => `${d.series}/${d.role}`).join(', ')}`);
  return found;
}

/** The machine's wall-clock hour of an instant. */
export function parisHour(ts: number): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone: FIXTURE_TZ, hour: '2-digit', hourCycle: 'h23' }).format(ts));
}

export function apiRequests(page: Page): Request[] {
  const seen: Request[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/api/')) seen.push(request);
  });
  return seen;
}
