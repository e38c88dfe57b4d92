// Which sync targets run, built from settings. This module is small and imports nothing heavy:
// the agent loads it at start, and the sync service, HTTP client and target code load only when
// a target is on (a plain agent must stay within its memory budget).
//
// Adding a target (InfluxDB, …): write a SyncTargetFactory that returns null when its settings
// section says off, and add it to TARGET_FACTORIES. Each target gets its own cursor, keyed by its
// `name`; the service and `vigil status` need nothing else.
import fs from 'node:fs';
import os from 'node:os';
import { VigilError } from '../../shared/errors.js';
import type { Settings } from '../../shared/settings.js';
import type { Logger } from '../log.js';
import type { RuntimeContext, Service } from '../runtime.js';
import type { SyncTarget } from './types.js';

export interface SyncTargetEnv {
  dataDir: string;
  settings: Settings;
  logger: Logger;
  /** Secrets given on the command line for this run (never written to settings). */
  secrets: { hubToken?: string; influxToken?: string };
}

export type SyncTargetFactory = (env: SyncTargetEnv) => Promise<SyncTarget | null>;

export const hubTargetFactory: SyncTargetFactory = async ({ dataDir, settings, logger, secrets }) => {
  const sync = settings.sync;
  if (!sync.enabled) return null;
  if (!sync.url) throw new VigilError('invalid_settings', 'Sync is on but no hub URL is set: pass --sync URL or set sync.url');
  if (!/^https?:\/\/[^\s/]+/i.test(sync.url) || !URL.canParse(sync.url)) {
    throw new VigilError('invalid_argument', `The hub URL ${JSON.stringify(sync.url)} is not valid: expected http(s)://host[:port][/path]`);
  }
  const { readSyncToken, syncTokenPath, checkToken } = await import('./token.js');
  const token = secrets.hubToken
    ? checkToken(secrets.hubToken, 'given with --token')
    : process.env.VIGIL_SYNC_TOKEN
      ? checkToken(process.env.VIGIL_SYNC_TOKEN, 'in VIGIL_SYNC_TOKEN')
      : readSyncToken(syncTokenPath(dataDir, sync.tokenFile), (message) => logger.warn(message));
  let ca: Buffer | undefined;
  if (sync.caFile) {
    try {
      ca = fs.readFileSync(sync.caFile);
    } catch (error) {
      throw new VigilError('invalid_settings', `Cannot read sync.caFile ${sync.caFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
    }
  }
  const { HubTarget } = await import('./hub-target.js');
  return new HubTarget({ url: sync.url, token, ca });
};

/** InfluxDB 1.x/2.x/3.x or VictoriaMetrics, in line protocol (settings `influx`, --influx URL). */
export const influxTargetFactory: SyncTargetFactory = async ({ dataDir, settings, logger, secrets }) => {
  if (!settings.influx.enabled) return null;
  const { influxTargetFromSettings } = await import('./influx-target.js');
  return influxTargetFromSettings(settings, dataDir, logger, secrets.influxToken);
};

/** Every kind of target; each returns null when its settings say off. */
export const TARGET_FACTORIES: SyncTargetFactory[] = [hubTargetFactory, influxTargetFactory];

/**
 * The sync service for these settings, as a Runtime service factory, or null when no target is
 * on (then nothing of sync is loaded).
 */
export async function createSyncServiceFactory(env: SyncTargetEnv): Promise<((context: RuntimeContext) => Service) | null> {
  const targets: SyncTarget[] = [];
  for (const factory of TARGET_FACTORIES) {
    const target = await factory(env);
    if (target) targets.push(target);
  }
  if (targets.length === 0) return null;
  const { SyncService } = await import('./service.js');
  return (context) =>
    new SyncService({
      dataDir: env.dataDir,
      identity: context.identity,
      logger: context.logger,
      settings: () => context.settings(),
      state: () => context.state(),
      sleepUntil: () => context.sleepUntil(),
      healthUrl: () => healthUrlOf(context),
      flush: () => context.engine.flush(),
      targets,
    });
}

/** The agent's /health URL when its server runs on an address others can reach. */
function healthUrlOf(context: RuntimeContext): string | null {
  // Runtime (the object behind the context) exposes the server's URL once it listens.
  const url = (context as RuntimeContext & { url?: string | null }).url;
  if (!url) return null;
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  // Listening on every address: others reach it by the machine's name.
  if (host === '0.0.0.0' || host === '::') parsed.hostname = os.hostname();
  return new URL('health', `${parsed.origin}/`).toString();
}
