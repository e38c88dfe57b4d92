// The core features the app runs beside the engine — the same ones the agent runs (see
// src/agent/commands/agent.ts): the chart API routes (when the local server is on), the public
// IP lookup, and whatever else the core offers. Each feature is created through a factory that
// keeps the instance, so the tray can read the services' state (sync failing, peers down).
import type { RouteModule, RuntimeContext, Service } from '../core/runtime.js';
import { publicIpFeature } from '../core/public-ip.js';
import type { TestOutcome } from '../shared/app-ipc.js';
import type { AlertLike } from './notifications.js';
import { NO_HEALTH, type ShellHealth } from './tray/state.js';

export interface CoreFeatures {
  routes: RouteModule[];
  services: ((context: RuntimeContext) => Service | null)[];
  /** What the services report, for the tray (NO_HEALTH when none of them runs). */
  health(): ShellHealth;
  /** Registers the listener that turns alerts into desktop notifications. */
  onAlert(listener: (alert: AlertLike) => void): void;
  /** "Test connection" in the settings window; null when sync is not available in this build. */
  testSync: (() => Promise<TestOutcome>) | null;
  /** "Send test email" in the settings window; null when alerts are not available in this build. */
  sendTestEmail: (() => Promise<TestOutcome>) | null;
}

export function appFeatures(): CoreFeatures {
  const publicIp = publicIpFeature();
  // The chart API and page on the local server, loaded only when the server starts.
  const charts: RouteModule = async (app, context) => (await import('../core/server/api-routes.js')).registerChartRoutes(app, context);
  return {
    routes: [publicIp.routes, charts],
    services: [publicIp.service],
    health: () => NO_HEALTH,
    onAlert: () => undefined,
    testSync: null,
    sendTestEmail: null,
  };
}
