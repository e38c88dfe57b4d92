// `vigil agent`: sample until SIGINT/SIGTERM, then flush and close cleanly. SIGHUP re-reads the
// settings file and applies it live (the convention daemons follow).
import { ensureWritableDir } from '../../core/engine.js';
import { createLogger, tolerateBrokenStdout, type LogFormat, type Logger } from '../../core/log.js';
import { dataPaths } from '../../core/paths.js';
import { peerWatchWanted } from '../../core/peers/config.js';
import { coreFeatures } from '../../core/features.js';
import { Runtime } from '../../core/runtime.js';
import { readSettingsIsolated } from '../../core/settings.js';
import { createSyncServiceFactory } from '../../core/sync/targets.js';
import { mergeSettings, type LogLevelSetting, type Settings, type SettingsPatch } from '../../shared/settings.js';
import { resolveDataDir } from '../options.js';
import { handleShutdownSignals } from '../shutdown.js';
import { influxOverrides, refuseInfluxFlagsWithoutInflux, type InfluxFlags } from './influx-options.js';
import { alertOverrides, type AlertFlags } from './alert-options.js';
import { VigilError } from '../../shared/errors.js';
import { hostname } from 'node:os';

export interface AgentOptions extends AlertFlags, InfluxFlags {
  dataDir?: string;
  interval?: number;
  config?: string;
  /** --init-config: a --config file that does not exist is created with the defaults (else refused). */
  initConfig?: boolean;
  logLevel?: LogLevelSetting;
  /** Log lines as text (default) or one JSON object each. */
  logFormat?: LogFormat;
  /** --sync URL: send samples to a hub; --token (or $VIGIL_SYNC_TOKEN, or <data-dir>/sync-token) authenticates; --sync-ca trusts a private CA. */
  sync?: string;
  /** The hub token as a flag (--token); never from the environment (sync reads $VIGIL_SYNC_TOKEN itself). */
  token?: string;
  /** --sync-token: the older name of --token, kept working. */
  syncToken?: string;
  syncCa?: string;
  /** Serve the chart page and the API (--ui); --host and --port run the server (API and /health) even without it; --ui-token (or $VIGIL_TOKEN) protects it. */
  ui?: boolean;
  host?: string;
  port?: number;
  uiToken?: string;
  /** --metrics-names vigil|node: the names /metrics uses (server.metricsNames). */
  metricsNames?: 'vigil' | 'node';
  /** --allowed-host NAME (repeat): names a server without a token answers besides loopback ones. */
  allowedHost?: string[];
}

/** Shorter tokens are guessable; `openssl rand -base64 32` gives 44 characters. */
const MIN_TOKEN_LENGTH = 16;

export async function runAgent(options: AgentOptions): Promise<number> {
  const paths = dataPaths(resolveDataDir(options.dataDir));
  ensureWritableDir(paths.dataDir);
  if (options.initConfig && options.config === undefined) {
    throw new VigilError('invalid_argument', '--init-config creates the file --config names: add --config FILE (the data folder\'s own config.json is created when missing)');
  }
  const settingsFile = await readSettingsIsolated(options.config ?? paths.settings, {
    missing: options.config !== undefined && !options.initConfig ? 'refuse' : 'create',
    hint: ', or add --init-config to create it with the defaults',
  });
  options = { ...options, token: hubTokenFlag(options), syncToken: undefined };
  // An empty $VIGIL_TOKEN is no token.
  if (options.uiToken === '') options = { ...options, uiToken: undefined };
  const overrides = await flagOverrides(options);
  const settings = withServerWhenWanted(mergeSettings(settingsFile.settings, overrides), options);
  if (options.token !== undefined && !settings.sync.enabled) {
    throw new VigilError('invalid_argument', '--token is the hub token for sync: add --sync URL (or set sync.enabled and sync.url in the settings); the web server\'s access token is --ui-token');
  }
  refuseInfluxFlagsWithoutInflux(options, settings, settingsFile.path);
  if (settings.server.enabled) await checkServerSettings(settings, options);
  const logger = createLogger({
    level: settings.log.level,
    format: options.logFormat,
    file: paths.logFile,
    maxBytes: settings.log.maxFileMegabytes * 1024 * 1024,
    maxFiles: settings.log.maxFiles,
  });
  if (settingsFile.created && options.config !== undefined) logger.info('created settings file with the defaults', { file: settingsFile.path });
  if (settingsFile.warning) logger.warn(settingsFile.warning);
  warnAboutAlertRoute(settings, options, logger);
  const shutdown = handleShutdownSignals(logger);
  let runtime: Runtime;
  try {
    // Sync targets (the hub, InfluxDB): null, and nothing of sync loaded, when none is on.
    const sync = await createSyncServiceFactory({ dataDir: paths.dataDir, settings, logger, secrets: { influxToken: options.influxToken, hubToken: options.token } });
    // Peer watch and alerts, the chart API, /metrics: nothing of them loads unless wanted.
    const features = coreFeatures({ sync, alertSecrets: { hubToken: options.token } });
    runtime = await Runtime.start({ dataDir: paths.dataDir, settings, logger, role: 'agent', routes: features.routes, services: features.services });
  } catch (error) {
    shutdown.abandon();
    logger.close();
    throw error;
  }
  const stopped = shutdown.run(runtime, () => reloadSettings(settingsFile.path, overrides, options, runtime, logger));
  logger.info('vigil agent running', { pid: process.pid, settings: settingsFile.path, url: runtime.url });
  tolerateBrokenStdout();
  if (runtime.url) process.stdout.write(serverBanner(runtime.url, settings));
  return stopped;
}

/** Flags win over the settings file for this run only; they are never written back. */
async function flagOverrides(options: AgentOptions): Promise<SettingsPatch> {
  const patch: SettingsPatch = alertOverrides(options);
  if (options.interval !== undefined) patch.sampling = { intervalSeconds: options.interval };
  if (options.logLevel !== undefined) patch.log = { level: options.logLevel };
  if (options.sync !== undefined) patch.sync = { enabled: true, url: options.sync, ...(options.syncCa !== undefined ? { caFile: options.syncCa } : {}) };
  const server: SettingsPatch['server'] = {};
  if (options.ui) Object.assign(server, { enabled: true, ui: true });
  if (options.host !== undefined) server.host = options.host;
  if (options.port !== undefined) server.port = options.port;
  if (options.allowedHost !== undefined) server.allowedHosts = options.allowedHost;
  if (options.metricsNames !== undefined) server.metricsNames = options.metricsNames;
  // Only the hash is kept, as in the settings file. (Loaded here: node:crypto costs the plain
  // agent ~0.8 MB of resident memory.)
  if (options.uiToken !== undefined) server.tokenHash = (await import('../../core/server/http-server.js')).hashToken(options.uiToken);
  if (Object.keys(server).length > 0) patch.server = server;
  const influx = influxOverrides(options);
  if (influx) patch.influx = influx;
  return patch;
}

/** --token, or its older name --sync-token; both at once must agree. */
function hubTokenFlag(options: AgentOptions): string | undefined {
  if (options.token !== undefined && options.syncToken !== undefined && options.token !== options.syncToken) {
    throw new VigilError('invalid_argument', '--token and --sync-token are the same setting (the hub token): give it once');
  }
  return options.token ?? options.syncToken;
}

/** Alert addresses without a server to send through: every alert would wait in the queue, unsent. */
function warnAboutAlertRoute(settings: Settings, options: AgentOptions, logger: Logger): void {
  if (settings.smtp.url !== '' || (options.alertTo === undefined && options.alertFrom === undefined)) return;
  const flags = [options.alertFrom !== undefined ? '--alert-from' : '', options.alertTo !== undefined ? '--alert-to' : ''].filter(Boolean).join(' and ');
  logger.warn(`${flags} given but no SMTP server is set (--smtp URL, $VIGIL_SMTP or smtp.url in the settings): alert emails cannot be sent`);
}

/** Clear refusals before anything starts: a weak token, a public address without one. */
async function checkServerSettings(settings: Settings, options: AgentOptions): Promise<void> {
  if (options.uiToken !== undefined && options.uiToken.length < MIN_TOKEN_LENGTH) {
    throw new VigilError('invalid_argument', `The access token is too short: use at least ${MIN_TOKEN_LENGTH} random characters, e.g. VIGIL_TOKEN=$(openssl rand -base64 32)`);
  }
  const { isLoopbackHost } = await import('../../core/server/http-server.js');
  if (!isLoopbackHost(settings.server.host) && !settings.server.tokenHash) {
    throw new VigilError(
      'invalid_argument',
      `Listening on ${settings.server.host} exposes this machine's data beyond it, so it needs an access token: set VIGIL_TOKEN (e.g. VIGIL_TOKEN=$(openssl rand -base64 32)) or pass --ui-token, or listen on 127.0.0.1`,
    );
  }
}

function serverBanner(url: string, settings: Settings): string {
  const what = settings.server.ui ? 'Vigil charts' : 'Vigil API';
  const page = settings.server.ui ? `${url}/` : `${url}/api/host`;
  const wildcard = /^http:\/\/(0\.0\.0\.0|\[::\]):/.test(url);
  const reachable = wildcard ? ` (listening on every address: open http://${hostname()}:${new URL(url).port}/ from another machine)` : '';
  const token = settings.server.tokenHash ? '; the page asks for the access token once' : '';
  return `${what}: ${page}${reachable}${token}\n`;
}


/**
 * The server runs when asked for (--ui, server.enabled), and also, without the chart page, when
 * --host or --port give it an address, or when peers are watched: they check this machine's
 * /health in turn (a machine that is only watched runs it through --host/--port).
 */
function withServerWhenWanted(settings: Settings, options: AgentOptions): Settings {
  if (settings.server.enabled) return settings;
  const wanted = options.host !== undefined || options.port !== undefined || peerWatchWanted(settings);
  return wanted ? mergeSettings(settings, { server: { enabled: true, ui: false } }) : settings;
}

async function reloadSettings(file: string, overrides: SettingsPatch, options: AgentOptions, runtime: Runtime, logger: Logger): Promise<void> {
  let settings: Settings;
  try {
    // The same rules as at start: peers added here start the server (Runtime.applySettings).
    const read = await readSettingsIsolated(file, { missing: 'refuse' });
    if (read.warning) logger.warn(read.warning);
    settings = withServerWhenWanted(mergeSettings(read.settings, overrides), options);
  } catch (error) {
    logger.error('settings not reloaded: keeping the current ones', { error: error instanceof Error ? error.message : String(error) });
    return;
  }
  runtime.applySettings(settings);
  logger.setLevel(settings.log.level);
  logger.info('settings reloaded', { intervalSeconds: settings.sampling.intervalSeconds });
}
