// Opens the hub's fan-out to InfluxDB / VictoriaMetrics from its settings (settings.influx, or
// vigil hub --influx): null when it is off. The fan-out and the InfluxDB target load only then,
// so a hub without it never pays their modules. Every machine with a database resumes from its
// cursor, revoked ones too: what they sent before is the fleet's history.
import fs from 'node:fs';
import type { Settings } from '../shared/settings.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { HubFanOut } from './fanout.js';
import type { MachineRegistry } from './registry.js';
import type { StorePool } from './stores.js';

export interface OpenFanOutOptions {
  dataDir: string;
  settings(): Settings;
  logger: Logger;
  clock: Clock;
  /** The InfluxDB token for this run (--influx-token, $VIGIL_INFLUX_TOKEN); else the influx token file. */
  influxToken?: string;
  registry: Pick<MachineRegistry, 'get' | 'list'>;
  pool: Pick<StorePool, 'fileOf'>;
}

export async function openHubFanOut(options: OpenFanOutOptions): Promise<HubFanOut | null> {
  const { registry, pool, logger } = options;
  const settings = options.settings();
  if (!settings.influx.enabled) return null;
  const { influxTargetFromSettings } = await import('../core/sync/influx-target.js');
  const target = influxTargetFromSettings(settings, options.dataDir, logger, options.influxToken);
  if (!target) return null;
  const { HubFanOut } = await import('./fanout.js');
  const fanOut = new HubFanOut({
    dataDir: options.dataDir,
    target,
    settings: options.settings,
    logger,
    clock: options.clock,
    storeFile: (id) => pool.fileOf(id),
    labels: (id) => {
      const record = registry.get(id);
      // The agent's own id and name, as its points carry them when it writes them itself.
      return { id: record?.agentId ?? id, name: record?.agentName ?? record?.name ?? id };
    },
  });
  for (const record of registry.list(true)) if (fs.existsSync(pool.fileOf(record.id))) fanOut.track(record.id);
  logger.info('hub: fanning out to InfluxDB / VictoriaMetrics', { endpoint: target.endpoint });
  return fanOut;
}
