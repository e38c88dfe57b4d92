// `vigil agent`: sample until SIGINT/SIGTERM, then flush and close cleanly. SIGHUP re-reads the
// settings file and applies it live (the convention daemons follow).
import { ensureWritableDir } from '../../core/engine.js';
import { createLogger, type Logger } from '../../core/log.js';
import { dataPaths } from '../../core/paths.js';
import { publicIpFeature } from '../../core/public-ip.js';
import { processesRoutes } from '../../core/server/processes-routes.js';
import { Runtime } from '../../core/runtime.js';
import { readSettingsIsolated } from '../../core/settings.js';
import { createSyncServiceFactory } from '../../core/sync/targets.js';
import { mergeSettings, type LogLevelSetting, type Settings, type SettingsPatch } from '../../shared/settings.js';
import { resolveDataDir } from '../options.js';

export interface AgentOptions {
  dataDir?: string;
  interval?: number;
  config?: string;
  logLevel?: LogLevelSetting;
  /** --influx URL and its options: also send samples as line protocol to InfluxDB or VictoriaMetrics. */
  influx?: string;
  influxDb?: string;
  influxOrg?: string;
  influxBucket?: string;
  /** --influx-token or $VIGIL_INFLUX_TOKEN: for this run only, never written anywhere. */
  influxToken?: string;
}

export async function runAgent(options: AgentOptions): Promise<number> {
  const paths = dataPaths(resolveDataDir(options.dataDir));
  ensureWritableDir(paths.dataDir);
  const settingsFile = await readSettingsIsolated(options.config ?? paths.settings);
  const overrides = flagOverrides(options);
  const settings = mergeSettings(settingsFile.settings, overrides);
  const logger = createLogger({
    level: settings.log.level,
    file: paths.logFile,
    maxBytes: settings.log.maxFileMegabytes * 1024 * 1024,
    maxFiles: settings.log.maxFiles,
  });
  let runtime: Runtime;
  try {
    // Sync targets (the hub, InfluxDB): null, and nothing of sync loaded, when none is on.
    const sync = await createSyncServiceFactory({ dataDir: paths.dataDir, settings, logger, secrets: { influxToken: options.influxToken } });
    const publicIp = publicIpFeature();
    runtime = await Runtime.start({
      dataDir: paths.dataDir,
      settings,
      logger,
      role: 'agent',
      routes: [
        publicIp.routes, processesRoutes,
        // GET /metrics (Prometheus): loaded only when the server starts.
        async (app, context) => (await import('../../core/server/prometheus.js')).prometheusRoute()(app, context),
      ],
      services: [publicIp.service, ...(sync ? [sync] : [])],
    });
  } catch (error) {
    logger.close();
    throw error;
  }
  logger.info('vigil agent running', { pid: process.pid, settings: settingsFile.path, url: runtime.url });
  return waitForShutdown(runtime, logger, () => reloadSettings(settingsFile.path, overrides, runtime, logger));
}

/** Flags win over the settings file for this run only; they are never written back. */
function flagOverrides(options: AgentOptions): SettingsPatch {
  const patch: SettingsPatch = {};
  if (options.interval !== undefined) patch.sampling = { intervalSeconds: options.interval };
  if (options.logLevel !== undefined) patch.log = { level: options.logLevel };
  const influx: SettingsPatch['influx'] = {};
  if (options.influx !== undefined) Object.assign(influx, { enabled: true, url: options.influx });
  if (options.influxDb !== undefined) influx.db = options.influxDb;
  if (options.influxOrg !== undefined) influx.org = options.influxOrg;
  if (options.influxBucket !== undefined) influx.bucket = options.influxBucket;
  if (Object.keys(influx).length > 0) patch.influx = influx;
  return patch;
}

async function reloadSettings(file: string, overrides: SettingsPatch, runtime: Runtime, logger: Logger): Promise<void> {
  let settings: Settings;
  try {
    settings = mergeSettings((await readSettingsIsolated(file)).settings, overrides);
  } catch (error) {
    logger.error('settings not reloaded: keeping the current ones', { error: error instanceof Error ? error.message : String(error) });
    return;
  }
  runtime.applySettings(settings);
  logger.setLevel(settings.log.level);
  logger.info('settings reloaded', { intervalSeconds: settings.sampling.intervalSeconds });
}

function waitForShutdown(runtime: Runtime, logger: Logger, onReload: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn('second signal: exiting without a clean shutdown', { signal });
        process.exit(130);
      }
      stopping = true;
      logger.info('shutting down', { signal });
      runtime
        .stop()
        .then(() => resolve(0))
        .catch((error: unknown) => {
          logger.error('unclean shutdown', { error });
          resolve(74);
        })
        .finally(() => logger.close());
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (process.platform !== 'win32') process.on('SIGHUP', () => void onReload());
  });
}
