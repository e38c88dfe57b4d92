// `vigil status`: what the agent last recorded and whether it is running, from the data dir
// (read-only: safe while the agent writes).
import { currentHolder } from '../../core/lock.js';
import { dataPaths } from '../../core/paths.js';
import { formatLocalIso } from '../../shared/dates.js';
import { formatBytes, formatDuration } from '../../shared/units.js';
import { diskLines, hostLines, publicIpLine, sampleLines } from '../format.js';
import { resolveDataDir } from '../options.js';
import { openStoreForReading } from './export.js';
import { syncLines, syncReport } from '../../core/sync/status.js';
import fs from 'node:fs';
import { alertsDatabasePath, readAlertHistory } from '../../core/alerts/store.js';
import type { AlertHistory } from '../../core/alerts/types.js';
import { outboxLines } from './alerts.js';
import { noColour, paintFor, type Paint } from '../colour.js';
import { displaySettings, thresholdsOf } from '../display-settings.js';

export interface StatusOptions {
  json?: boolean;
  dataDir?: string;
}

export async function runStatus(options: StatusOptions, now = Date.now()): Promise<number> {
  const paths = dataPaths(resolveDataDir(options.dataDir));
  const store = openStoreForReading(paths.database, paths.dataDir);
  try {
    const owner = await currentHolder(paths.lock, paths.dataDir);
    const running = owner !== null;
    const latest = store.latestSample();
    const host = store.latestHost();
    const disks = store.latestDisks();
    const settings = await displaySettings(paths.settings);
    const status = {
      dataDir: paths.dataDir,
      agent: running && owner ? { running: true, pid: owner.pid, role: owner.role, since: owner.startedAt } : { running: false },
      latest: latest ? { ...latest, time: formatLocalIso(latest.ts), ageSeconds: Math.round((now - latest.ts) / 1000) } : null,
      host: host ? { ...host.host, recordedAt: host.ts } : null,
      disks: disks?.disks ?? [],
      storage: { bytes: store.sizeOnDisk(), firstSample: store.firstTimestamp(), lastSample: store.lastTimestamp() },
      sync: syncReport(paths.dataDir, store, running, settings?.sync.intervalSeconds ?? null),
      alerts: alertsReport(paths.dataDir),
    };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      return 0;
    }
    // Colour only here, for a terminal (see colour.ts); never in the JSON above.
    const paint = paintFor(process.stdout);
    const style = { paint, thresholds: thresholdsOf(settings) };
    const lines: string[] = [];
    lines.push(
      running && owner
        ? `Agent    ${paint.style('green', 'running')} (${owner.role}, pid ${owner.pid}) since ${formatLocalIso(owner.startedAt)}`
        : `Agent    ${paint.style('red', 'not running')}`,
    );
    lines.push(`Data     ${paths.dataDir} (${formatBytes(status.storage.bytes)} database)`);
    if (host) lines.push(...hostLines(host.host, now), publicIpLine(host.host, now, paint));
    if (latest) {
      lines.push(`Sample   ${formatLocalIso(latest.ts)} (${formatDuration(now - latest.ts)} ago)`);
      lines.push(...sampleLines(latest, style));
    } else {
      lines.push('Sample   none recorded yet');
    }
    lines.push(...diskLines(disks?.disks ?? [], style));
    lines.push(...syncLines(status.sync, now));
    lines.push(...alertLines(status.alerts, now, paint));
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    store.close();
  }
}

/** Open incidents and the outbox, from alerts.db; null when this data folder never had alerts. */
function alertsReport(dataDir: string): Pick<AlertHistory, 'open' | 'outbox'> | null {
  if (!fs.existsSync(alertsDatabasePath(dataDir))) return null;
  const { open, outbox } = readAlertHistory(dataDir, { limit: 1 });
  return { open, outbox };
}

function alertLines(alerts: Pick<AlertHistory, 'open' | 'outbox'> | null, now: number, paint: Paint = noColour): string[] {
  if (!alerts) return [];
  const [first, ...more] = alerts.open;
  const lines = [first ? `Alerts   ${paint.style('red', `${alerts.open.length} open`)}: ${first.title} since ${formatLocalIso(first.openedAt)}${more.length > 0 ? ` (and ${more.map((i) => i.title).join(', ')})` : ''}` : 'Alerts   nothing open'];
  for (const line of outboxLines(alerts, now)) lines.push(`         email ${line}`);
  return lines;
}
