// The features that run beside the engine, in one list shared by the headless agent and the tray
// app, so the two cannot drift apart: public IP, peer watch and alerts, sync (the hub, InfluxDB),
// and, when the local server runs, the chart API and page, top processes and /metrics. Every
// heavy part loads only when its feature is on (the plain agent's memory budget).
import { alertsFeature } from './alerts/feature.js';
import type { AlertSecrets } from './alerts/service.js';
import { publicIpFeature } from './public-ip.js';
import type { RouteModule, RuntimeContext, Service } from './runtime.js';
import { processesRoutes } from './server/processes-routes.js';

export type ServiceFactory = (context: RuntimeContext) => Service | null;

export interface CoreFeatures {
  routes: RouteModule[];
  services: ServiceFactory[];
  /** Kept so a shell can read their state (the tray: peers DOWN, new alerts). */
  publicIp: ReturnType<typeof publicIpFeature>;
  alerts: ReturnType<typeof alertsFeature>;
}

export function coreFeatures(options: { sync?: ServiceFactory | null; alertSecrets?: AlertSecrets } = {}): CoreFeatures {
  const publicIp = publicIpFeature();
  const alerts = alertsFeature(options.alertSecrets);
  const charts: RouteModule = async (app, context) => (await import('./server/api-routes.js')).registerChartRoutes(app, context);
  const prometheus: RouteModule = async (app, context) => (await import('./server/prometheus.js')).prometheusRoute()(app, context);
  return {
    publicIp,
    alerts,
    routes: [publicIp.routes, alerts.routes, processesRoutes, charts, prometheus],
    services: [publicIp.service, alerts.service, ...(options.sync ? [options.sync] : [])],
  };
}
