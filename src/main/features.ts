// The core features the app runs beside the engine: the same set, wired the same way, as the
// headless agent (src/agent/commands/agent.ts): public IP, peer watch and alerts, sync to the hub
// and InfluxDB, and (when the local server runs) the chart API, top processes and /metrics. Each
// is created through a factory that keeps the instance, so the tray can read the services'
// state: the peers that are DOWN, a sync target that keeps failing, the alerts to notify.
//
// The services expose no events, so the app reads them on its refresh timer: peer states from
// the alert service's watcher, sync status from the sync service, new alerts from the alert
// history (the persisted record: each alert is notified once, in order).
import { coreFeatures, type CoreFeatures } from '../core/features.js';
import type { AlertView } from '../core/alerts/types.js';
import type { Logger } from '../core/log.js';
import type { RuntimeContext, Service } from '../core/runtime.js';
import type { SyncService } from '../core/sync/service.js';
import { createSyncServiceFactory, hubTargetFactory } from '../core/sync/targets.js';
import { VERSION } from '../core/version.js';
import type { TestOutcome } from '../shared/app-ipc.js';
import type { Settings } from '../shared/settings.js';
import { runtimeTimeZone } from '../shared/time-zone.js';
import type { AlertLike } from './notifications.js';
import { NO_HEALTH, type ShellHealth, type SyncHealth } from './tray/state.js';

/** The core's features (the agent's list) as the tray app runs them, plus what the tray reads of them. */
export interface AppFeatures extends Pick<CoreFeatures, 'routes' | 'services'> {
  /** What the services report, for the tray (NO_HEALTH when none of them runs). */
  health(): ShellHealth;
  /** Alerts recorded since the last call, oldest first (the first call only sets the mark). */
  takeNewAlerts(): AlertLike[];
  /** "Test connection" in the settings window; null where sync is not part of the build. */
  testSync: (() => Promise<TestOutcome>) | null;
  /** "Send test email" in the settings window; null where alerts are not part of the build. */
  sendTestEmail: (() => Promise<TestOutcome>) | null;
}

export interface FeatureEnv {
  dataDir: string;
  /** The settings the core starts with (sync targets are made from them). */
  settings: Settings;
  /** The settings as they are now (tests use what was saved last). */
  currentSettings: () => Settings;
  logger: Logger;
  now?: () => number;
}

/** A target failing this many times in a row turns the tray icon to "sync failing". */
const FAILURES_BEFORE_FAILING = 3;
/** Alerts read per refresh at most (a storm is summed up, not shown one by one). */
const ALERTS_PER_READ = 20;

export async function appFeatures(env: FeatureEnv): Promise<AppFeatures> {
  const now = env.now ?? Date.now;

  // Sync targets are made from the settings at start (a change restarts the core, see app.ts).
  // Unlike the agent, the app still starts when they are wrong (say, no hub token yet): the
  // tray says sync is failing and why, and the settings window is where to fix it.
  let syncProblem: string | null = null;
  const syncProblemSince = now();
  let syncFactory: ((context: RuntimeContext) => Service) | null = null;
  try {
    syncFactory = await createSyncServiceFactory({ dataDir: env.dataDir, settings: env.settings, logger: env.logger, secrets: {} });
  } catch (error) {
    syncProblem = error instanceof Error ? error.message : String(error);
    env.logger.error('sync not started', { error: syncProblem });
  }
  let sync: SyncService | null = null;
  const syncSince = new Map<string, number>();

  const syncHealth = (): SyncHealth => {
    if (syncProblem) return { state: 'failing', since: syncProblemSince, message: syncProblem };
    if (!sync) return { state: 'off' };
    const statuses = Object.entries(sync.status());
    let failing: SyncHealth | null = null;
    for (const [name, status] of statuses) {
      const bad = status.state === 'error' || status.consecutiveFailures >= FAILURES_BEFORE_FAILING;
      if (!bad) {
        syncSince.delete(name);
        continue;
      }
      if (!syncSince.has(name)) syncSince.set(name, status.lastSuccessAt ?? now());
      failing ??= { state: 'failing', since: syncSince.get(name)!, message: `${name}: ${status.lastError ?? status.state}` };
    }
    if (failing) return failing;
    const pending = Math.max(0, ...Object.values(sync.pending()));
    return { state: 'ok', lagSeconds: pending * env.currentSettings().sampling.intervalSeconds };
  };

  let lastAlertId: number | null = null;

  // The same feature list as the agent's; the sync service is kept to read its status.
  const { alerts, routes, services } = coreFeatures({ sync: syncFactory ? (context: RuntimeContext) => (sync = syncFactory(context) as SyncService) : null });

  return {
    routes,
    services,
    health() {
      const peers = alerts.current()?.peers() ?? null;
      const outbox = alerts.current()?.outbox() ?? null;
      const alertEmail = outbox && outbox.refused > 0 ? { since: outbox.refusedSince ?? now(), message: outbox.lastError ?? 'refused by the SMTP server' } : null;
      if (!peers && !sync && !syncProblem && !alertEmail) return NO_HEALTH;
      return {
        peersWatched: peers?.length ?? 0,
        peersDown: (peers ?? []).filter((peer) => peer.state === 'down').map((peer) => peer.name),
        sync: syncHealth(),
        ...(alertEmail ? { alertEmail } : {}),
      };
    },
    takeNewAlerts() {
      const history = alerts.current()?.history({ limit: ALERTS_PER_READ });
      if (!history) return [];
      const items = (history as { alerts: AlertView[] }).alerts;
      const newest = items.reduce((max, alert) => Math.max(max, alert.id), lastAlertId ?? 0);
      // The first read only marks where the history stands: old alerts were told when they happened.
      const fresh = lastAlertId === null ? [] : items.filter((alert) => alert.id > lastAlertId!).sort((a, b) => a.id - b.id);
      lastAlertId = newest;
      return fresh.map((alert) => ({ severity: alert.severity, title: alert.title, details: alert.details }));
    },
    testSync: () => testHub(env),
    sendTestEmail: () => sendTestEmail(env),
  };
}

/** Sends the hub an empty batch (a heartbeat) with the saved URL and token: what sync would do. */
async function testHub(env: FeatureEnv): Promise<TestOutcome> {
  const settings = env.currentSettings();
  if (!settings.sync.url) return { ok: false, message: 'Set the hub address first.' };
  const target = await hubTargetFactory({ dataDir: env.dataDir, settings: { ...settings, sync: { ...settings.sync, enabled: true } }, logger: env.logger, secrets: {} });
  if (!target) return { ok: false, message: 'Sync is not configured.' };
  const { machineIdentity } = await import('../core/identity.js');
  const identity = machineIdentity(env.dataDir, settings.machine.name);
  const ts = Date.now();
  const abort = AbortSignal.timeout(15_000);
  await target.send(
    {
      machine: { id: identity.id, name: identity.name },
      agent: {
        state: 'running',
        intervalSeconds: settings.sampling.intervalSeconds,
        syncIntervalSeconds: settings.sync.intervalSeconds,
        version: VERSION,
        healthUrl: null,
        timeZone: runtimeTimeZone(),
      },
      fromTs: ts,
      toTs: ts,
      samples: [],
      disks: [],
      hosts: [],
    },
    abort,
  );
  return { ok: true, message: `The hub at ${target.endpoint} accepted this machine's token.` };
}

/** One email with the saved SMTP settings, now, not through the alert queue (`vigil test-email`'s code). */
async function sendTestEmail(env: FeatureEnv): Promise<TestOutcome> {
  const settings = env.currentSettings();
  if (!settings.smtp.url) return { ok: false, message: 'Set the SMTP server first.' };
  const { sendTestEmail: send } = await import('../core/alerts/test-email.js');
  const result = await send(settings, env.dataDir, { from: 'app' });
  if (result.rejected.length > 0) return { ok: false, message: `Refused recipients: ${result.rejected.join(', ')} (the server said: ${result.response})` };
  return { ok: true, message: `Sent to ${(result.accepted.length ? result.accepted : result.to).join(', ')} through ${result.server}.` };
}
