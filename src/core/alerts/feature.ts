// Wiring of peer watch + alerts into a Runtime (the agent and the tray app):
//
//   const alerts = alertsFeature();
//   Runtime.start({ …, routes: [alerts.routes], services: [alerts.service] });
//
// This file stays tiny and imports nothing heavy: the feature itself (service.ts: SQLite
// queue, watcher, nodemailer on first send) is imported only once settings ask for it, now or
// after a settings change.
import type { Settings } from '../../shared/settings.js';
import { peerWatchWanted } from '../peers/config.js';
import type { RouteModule, RuntimeContext, Service } from '../runtime.js';
import { quotasWanted } from '../traffic/quota-alerts.js';
import type { AlertSecrets, AlertService } from './service.js';

export interface AlertsFeature {
  service: (context: RuntimeContext) => Service;
  routes: RouteModule;
  /** The running feature, or null while nothing is configured. */
  current(): AlertService | null;
}

export function alertsWanted(settings: Settings): boolean {
  const a = settings.alerts;
  return peerWatchWanted(settings) || a.cpuPercent > 0 || a.memoryPercent > 0 || a.diskPercent > 0 || quotasWanted(settings) || settings.smtp.url !== '';
}

export function alertsFeature(secrets: AlertSecrets = {}): AlertsFeature {
  let impl: AlertService | null = null;
  let loading: Promise<void> | null = null;
  let stopped = false;

  const load = async (context: RuntimeContext): Promise<void> => {
    if (impl || stopped) return;
    const { AlertService } = await import('./service.js');
    if (impl || stopped) return;
    const service = new AlertService(context, secrets);
    await service.start();
    impl = service;
  };

  return {
    current: () => impl,
    service: (context) => ({
      name: 'alerts',
      async start() {
        if (alertsWanted(context.settings())) await load(context);
      },
      async stop() {
        stopped = true;
        await loading;
        await impl?.stop();
        impl = null;
      },
      applySettings(settings) {
        if (impl) impl.applySettings(settings);
        else if (alertsWanted(settings) && !loading) {
          loading = load(context)
            .catch((error: unknown) => context.logger.error('alerts could not start', { error }))
            .finally(() => (loading = null));
        }
      },
      machineStateChanged(state, sleepUntil) {
        impl?.machineStateChanged(state, sleepUntil);
      },
    }),
    routes: async (app, context) => {
      const { registerAlertRoutes } = await import('./routes.js');
      registerAlertRoutes(app, context, () => impl);
    },
  };
}
