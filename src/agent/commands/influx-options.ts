// The --influx flags, shared by `vigil agent` (send samples) and `vigil hub` (fan out what it
// stores): the same flags, as the same `influx` settings.
import { VigilError } from '../../shared/errors.js';
import type { Settings, SettingsPatch } from '../../shared/settings.js';

export interface InfluxFlags {
  /** --influx URL: also send samples as line protocol to InfluxDB or VictoriaMetrics. */
  influx?: string;
  influxDb?: string;
  influxOrg?: string;
  influxBucket?: string;
  /** --influx-interval SECONDS: one point per window of that many seconds (influx.intervalSeconds). */
  influxInterval?: number;
  /** --influx-token or $VIGIL_INFLUX_TOKEN: for this run only, never written anywhere. */
  influxToken?: string;
}

/** The `influx` settings the flags given override; undefined when none was given. */
export function influxOverrides(flags: InfluxFlags): SettingsPatch['influx'] | undefined {
  const influx: SettingsPatch['influx'] = {};
  if (flags.influx !== undefined) Object.assign(influx, { enabled: true, url: flags.influx });
  if (flags.influxDb !== undefined) influx.db = flags.influxDb;
  if (flags.influxOrg !== undefined) influx.org = flags.influxOrg;
  if (flags.influxBucket !== undefined) influx.bucket = flags.influxBucket;
  if (flags.influxInterval !== undefined) influx.intervalSeconds = flags.influxInterval;
  return Object.keys(influx).length > 0 ? influx : undefined;
}

/**
 * A database, org, bucket or interval with no server to write to is a forgotten --influx, not a no-op:
 * refused, naming the flags. (Not the token: $VIGIL_INFLUX_TOKEN may be inherited from an
 * environment set up for other machines.) `settings` are the merged ones, so influx.enabled in
 * the settings file is enough.
 */
export function refuseInfluxFlagsWithoutInflux(flags: InfluxFlags, settings: Settings, settingsPath: string): void {
  const given = (['influxDb', 'influxOrg', 'influxBucket', 'influxInterval'] as const).filter((key) => flags[key] !== undefined);
  if (given.length === 0 || settings.influx.enabled) return;
  const names = given.map((key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ');
  throw new VigilError('invalid_argument', `${names} given but InfluxDB is off: add --influx URL (or set influx.enabled and influx.url in ${settingsPath})`);
}
