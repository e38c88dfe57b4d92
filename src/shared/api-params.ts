// The API's limits and its parameter schemas with their types (see api.ts for the contract's
// rules): the JSON Schemas validate both the HTTP query string and an IPC call.
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { FAMILIES } from './metrics/catalog.js';
import type { SeriesKey, SeriesSelector } from './series.js';

/** Points per series a chart asks for when it does not say; about a wide chart's width in pixels. */
export const DEFAULT_POINTS = 1000;
/** No response carries more buckets (or raw samples) per series than this. */
export const MAX_POINTS = 5000;
/** Longest span /days answers in one call. */
export const MAX_DAYS_SPAN = 400;
/**
 * Every recorded series (exact keys, or prefixes ending in '.'); /day, /range, /series and /recent
 * default to them: each family of the metric table by its key's first part ('cpu', 'cpu.', 'mem.',
 * 'swap.', 'load.', 'net.'), so a family added there is charted and exported without a change here.
 */
export const CHART_KEYS: readonly SeriesSelector[] = [
  ...new Set(
    FAMILIES.filter((family) => family.key).map((family): SeriesSelector => {
      const dot = family.key!.text.indexOf('.');
      return dot < 0 ? (family.key!.text as SeriesKey) : (family.key!.text.slice(0, dot + 1) as `${string}.`);
    }),
  ),
];
/** Most raw samples per series /recent sends (6 h at 1 s, with room); past it, it buckets. */
export const MAX_RAW_POINTS = 22_000;
/** The live view's windows (ms): the last 15 min, 1 h or 6 h at raw resolution. */
export const LIVE_WINDOWS = { '15m': 900_000, '1h': 3_600_000, '6h': 21_600_000 } as const;
/** Shortest and longest /recent window. */
export const MIN_RECENT_MS = 60_000;
export const MAX_RECENT_MS = 86_400_000;

/** DD-MM-YYYY. No `pattern`: the server's own parser gives a clearer message than ajv would. */
const dayParam = { type: 'string', minLength: 1, maxLength: 40, description: 'A local day of the machine, DD-MM-YYYY', examples: ['22-11-2026'] } as const;
const instantParam = { type: 'integer', minimum: 0, maximum: 8_640_000_000_000_000, description: 'Unix milliseconds' } as const;
const pointsParam = {
  type: 'integer',
  minimum: 10,
  maximum: MAX_POINTS,
  description: `Most buckets per series wanted (default ${DEFAULT_POINTS}); the server picks a round bucket width, or raw samples when they fit`,
} as const;
const keysParam = {
  type: 'array',
  maxItems: 64,
  items: { type: 'string', minLength: 1, maxLength: 200 },
  description: `Series keys, or prefixes ending in "." (default: ${CHART_KEYS.join(', ')})`,
} as const;
const disksParam = {
  type: 'boolean',
  description: 'Include disk usage per mount (default: true unless `keys` is given)',
} as const;
const ifaceParam = {
  type: 'array',
  maxItems: 64,
  items: { type: 'string', minLength: 1, maxLength: 200 },
  description: 'Only these network interfaces (default: all); an interface without data in the range is an error',
} as const;

export const hostParamsSchema = { type: 'object', additionalProperties: false, properties: {} } as const satisfies JSONSchema;
export const latestParamsSchema = hostParamsSchema;

export const daysParamsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { from: dayParam, to: dayParam },
  required: ['from', 'to'],
} as const satisfies JSONSchema;

export const dayParamsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { date: dayParam, points: pointsParam, keys: keysParam, iface: ifaceParam, disks: disksParam },
  required: ['date'],
} as const satisfies JSONSchema;

export const rangeParamsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { ...dayParam, description: 'First local day (inclusive), DD-MM-YYYY' },
    to: { ...dayParam, description: 'Last local day (inclusive), DD-MM-YYYY; days after today are drawn empty' },
    points: pointsParam,
    keys: keysParam,
    iface: ifaceParam,
    disks: disksParam,
  },
  required: ['from', 'to'],
} as const satisfies JSONSchema;

export const recentParamsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    windowMs: {
      type: 'integer',
      minimum: MIN_RECENT_MS,
      maximum: MAX_RECENT_MS,
      description: `The last windowMs ms up to the machine's now, at raw resolution (bucketed past ${MAX_RAW_POINTS} samples)`,
    },
    keys: keysParam,
    iface: ifaceParam,
    disks: disksParam,
  },
  required: ['windowMs'],
} as const satisfies JSONSchema;

export const seriesParamsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: instantParam,
    to: { ...instantParam, description: 'Unix milliseconds, exclusive' },
    points: pointsParam,
    bucketMs: {
      type: 'integer',
      minimum: 1000,
      maximum: 31 * 86_400_000,
      description: 'Bucket width in ms (instead of points); the range must not hold more than MAX_POINTS buckets',
    },
    keys: keysParam,
    iface: ifaceParam,
    disks: disksParam,
  },
  required: ['from', 'to'],
} as const satisfies JSONSchema;

export const exportParamsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    date: dayParam,
    from: { ...dayParam, description: 'First day (inclusive)' },
    to: { ...dayParam, description: 'Last day (inclusive)' },
    timeFormat: {
      type: 'string',
      enum: ['iso', 'local', 'unix'],
      description: 'The time column: iso (2026-11-22T14:03:05+01:00, the default), local (2026-11-22 14:03:05, a date to spreadsheets) or unix (seconds)',
    },
  },
} as const satisfies JSONSchema;

export const trafficParamsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    day: { ...dayParam, description: 'One local day, DD-MM-YYYY' },
    month: { type: 'string', minLength: 1, maxLength: 40, description: 'A billing month, MM-YYYY: from traffic.resetDay of that month to the day before it in the next', examples: ['11-2026'] },
    from: { ...dayParam, description: 'First day of a span (inclusive), with to' },
    to: { ...dayParam, description: 'Last day of a span (inclusive)' },
  },
} as const satisfies JSONSchema;

export type HostParams = FromSchema<typeof hostParamsSchema>;
export type LatestParams = HostParams;
export type DaysParams = FromSchema<typeof daysParamsSchema>;
export type DayParams = FromSchema<typeof dayParamsSchema>;
export type SeriesParams = FromSchema<typeof seriesParamsSchema>;
export type RangeParams = FromSchema<typeof rangeParamsSchema>;
export type RecentParams = FromSchema<typeof recentParamsSchema>;
/** One of day, month, or from with to; none: the billing period holding today. */
export type TrafficParams = FromSchema<typeof trafficParamsSchema>;
/** `date`, or `from` with `to` (days, both included). */
export type ExportParams = FromSchema<typeof exportParamsSchema>;
