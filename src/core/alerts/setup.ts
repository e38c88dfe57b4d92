// Settings → pipeline parts, and the one-call entry for other processes (the hub, tests):
//
//   const pipeline = openAlertPipeline({ dataDir, settings, origin: { id, name } });
//   pipeline.start();
//   pipeline.report({ key: `machine:${id}`, severity: 'problem', kind: 'machine_stale', machine: name,
//                     title: `${name} is STALE`, since: lastSeen, at: Date.now(), details: [...] });
//   …
//   await pipeline.stop();
import type { AlertsSettings, PeersSettings, Settings } from '../../shared/settings.js';
import type { Clock } from '../clock.js';
import { silentLogger, type Logger } from '../log.js';
import type { PeerWatchTiming } from '../peers/watcher.js';
import { NotifierError, SmtpNotifier, smtpConfigFrom, type Notifier } from './notifier.js';
import { AlertPipeline, type AlertPolicy, type MailRoute } from './pipeline.js';
import { parseQuietHours } from './quiet-hours.js';
import { AlertStore, alertsDatabasePath } from './store.js';
import type { ThresholdPolicy } from './thresholds.js';

export function alertPolicy(settings: AlertsSettings): AlertPolicy {
  return {
    digestMs: settings.digestSeconds * 1000,
    reminderMs: settings.reminderMinutes * 60_000,
    maxReminders: settings.maxReminders,
    quiet: parseQuietHours(settings.quietStart, settings.quietEnd),
    retryMaxMs: settings.retryMaxSeconds * 1000,
    historyDays: settings.historyDays,
  };
}

export function thresholdPolicy(settings: AlertsSettings): ThresholdPolicy {
  return {
    cpuPercent: settings.cpuPercent,
    memoryPercent: settings.memoryPercent,
    diskPercent: settings.diskPercent,
    forMs: settings.thresholdMinutes * 60_000,
  };
}

export function watchTiming(settings: PeersSettings): PeerWatchTiming {
  return {
    intervalMs: settings.checkIntervalSeconds * 1000,
    timeoutMs: settings.timeoutSeconds * 1000,
    failuresBeforeDown: settings.failuresBeforeDown,
    rebootNotice: settings.rebootNotice,
  };
}

/**
 * Where emails go, or null when no SMTP URL is set (alerts are history only). A set but broken
 * configuration (no recipient, unreadable password file) still gives a route, whose every send
 * fails with the reason: alerts then wait in the outbox, `vigil alerts` shows why, and they
 * leave once the settings are fixed.
 */
export function mailRoute(settings: Pick<Settings, 'smtp'>, dataDir: string, logger: Logger = silentLogger): MailRoute | null {
  if (!settings.smtp.url) return null;
  try {
    const config = smtpConfigFrom(settings.smtp, dataDir);
    if (!config) return null;
    return { notifier: new SmtpNotifier(config), from: config.from, to: config.to };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.error('alert emails cannot be sent until the SMTP settings are fixed', { error: message });
    return { notifier: brokenNotifier(message), from: settings.smtp.from || 'vigil', to: settings.smtp.to.length ? settings.smtp.to : ['nobody'] };
  }
}

function brokenNotifier(reason: string): Notifier {
  return {
    description: 'smtp (misconfigured)',
    send: () => Promise.reject(new NotifierError('transport', reason)),
    close() {},
  };
}

export interface OpenAlertPipelineOptions {
  dataDir: string;
  settings: Pick<Settings, 'smtp' | 'alerts'>;
  /** This machine (the hub's, for the hub). */
  origin: { id: string; name: string };
  logger?: Logger;
  clock?: Clock;
}

/** Opens <dataDir>/alerts.db and a pipeline over it (not started: call start()). */
export function openAlertPipeline(options: OpenAlertPipelineOptions): AlertPipeline {
  const logger = options.logger ?? silentLogger;
  const store = AlertStore.open(alertsDatabasePath(options.dataDir), { logger });
  return new AlertPipeline({
    store,
    ownsStore: true,
    origin: options.origin,
    policy: alertPolicy(options.settings.alerts),
    mail: mailRoute(options.settings, options.dataDir, logger),
    logger,
    clock: options.clock,
  });
}
