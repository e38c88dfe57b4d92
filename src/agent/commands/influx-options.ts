// The --influx flags, shared by `vigil agent` (send samples) and `vigil hub` (fan out what it
// stores): the same flags, as the same `influx` settings.
import type { SettingsPatch } from '../../shared/settings.js';

export interface InfluxFlags {
  /** --influx URL: also send samples as line protocol to InfluxDB or VictoriaMetrics. */
  influx?: string;
  influxDb?: string;
  influxOrg?: string;
  influxBucket?: string;
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
  return Object.keys(influx).length > 0 ? influx : undefined;
}
