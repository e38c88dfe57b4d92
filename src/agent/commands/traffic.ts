// `vigil traffic [--day DD-MM-YYYY | --month MM-YYYY | --from D --to D] [--json]`: bytes received
// and sent per interface over a day, a billing month (from traffic.resetDay) or a span of days,
// each day's physical total, and where the quotas stand with the pace's projection. Without a
// span: the billing period holding today. The same report as GET /api/traffic, read from the
// database without the agent (safe while it runs).
import fs from 'node:fs';
import os from 'node:os';
import { dataPaths } from '../../core/paths.js';
import { ChartService } from '../../core/server/chart-service.js';
import { openSettingsFile } from '../../core/settings.js';
import type { InterfaceTotals, TrafficReport } from '../../shared/api.js';
import { VigilError } from '../../shared/errors.js';
import { defaultSettings, type Settings } from '../../shared/settings.js';
import { formatPercent, formatVolume } from '../../shared/units.js';
import { resolveDataDir } from '../options.js';
import { openStoreForReading } from './export.js';

export interface TrafficOptions {
  day?: string;
  month?: string;
  from?: string;
  to?: string;
  json?: boolean;
  dataDir?: string;
}

export async function runTraffic(options: TrafficOptions): Promise<number> {
  const paths = dataPaths(resolveDataDir(options.dataDir));
  const settings = await settingsOf(paths.settings);
  const store = openStoreForReading(paths.database, paths.dataDir);
  let report: TrafficReport;
  let name: string;
  try {
    name = settings.machine.name || store.latestHost()?.host.hostname || os.hostname();
    const service = new ChartService({
      store,
      identity: { id: '', name },
      intervalSeconds: () => settings.sampling.intervalSeconds,
      traffic: () => settings.traffic,
    });
    report = await service.traffic({ day: options.day, month: options.month, from: options.from, to: options.to });
  } finally {
    store.close();
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${formatReport(report, name).join('\n')}\n`);
  return 0;
}

async function settingsOf(file: string): Promise<Settings> {
  if (!fs.existsSync(file)) return defaultSettings();
  try {
    return (await openSettingsFile(file)).get();
  } catch (error) {
    throw error instanceof VigilError ? error : new VigilError('invalid_settings', `Cannot read ${file}: ${String(error)}`);
  }
}

function row(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
}

export function formatReport(report: TrafficReport, machine: string): string[] {
  const lines = [`Traffic of ${machine}, ${report.label}${report.resetDay !== 1 ? ` (billing periods start on day ${report.resetDay})` : ''}`, ''];
  if (report.interfaces.length === 0) {
    lines.push('No traffic recorded in these days.');
  } else {
    const label = (t: InterfaceTotals) => `${t.name}${t.loopback ? ' (loopback)' : t.virtual ? ' (virtual)' : ''}`;
    const widths = [Math.max(9, ...report.interfaces.map((t) => label(t).length), 'physical'.length), 10, 10, 10];
    lines.push(row(['Interface', 'Received', 'Sent', 'Total'], widths));
    for (const t of report.interfaces) lines.push(row([label(t), formatVolume(t.rx), formatVolume(t.tx), formatVolume(t.total)], widths));
    lines.push(row(['physical', formatVolume(report.physical.rx), formatVolume(report.physical.tx), formatVolume(report.physical.total)], widths));
  }
  if (report.days.length > 1) {
    lines.push('', 'Per day, physical interfaces (loopback and virtual ones carry the same bytes again):');
    const widths = [10, 10, 10, 10];
    lines.push(row(['Day', 'Received', 'Sent', 'Total'], widths));
    for (const day of report.days) {
      const physical = day.interfaces.filter((t) => !t.loopback && !t.virtual);
      const rx = physical.reduce((a, t) => a + t.rx, 0);
      const tx = physical.reduce((a, t) => a + t.tx, 0);
      lines.push(row([day.day, physical.length ? formatVolume(rx) : '–', physical.length ? formatVolume(tx) : '–', physical.length ? formatVolume(rx + tx) : '–'], widths));
    }
  }
  if (report.quotas.length > 0) lines.push('');
  for (const q of report.quotas) {
    const counted = q.direction === 'rx' ? 'received' : q.direction === 'tx' ? 'sent' : 'received + sent';
    const pace = q.projected !== q.used ? `; at this pace: ${formatVolume(q.projected)} of ${formatVolume(q.bytes)}` : '';
    lines.push(`Quota ${q.iface}: ${formatVolume(q.used)} of ${formatVolume(q.bytes)} (${formatPercent(q.percent)}, ${counted})${pace}`);
  }
  return lines;
}
