// The one API contract between the chart page and whoever holds the data: the agent's local web
// server (HTTP JSON under /api), the tray app's main process (IPC through the preload bridge) and
// the hub (the same read endpoints per machine, under /api/machines/{id}).
//
// Rules that keep every transport a thin mapping:
// - one method per endpoint; every method takes one JSON object of parameters and resolves to a
//   JSON value (no Dates, no Maps, no class instances), so IPC's structured clone and HTTP's JSON
//   carry the same thing;
// - parameters are exactly the HTTP query string (the JSON Schemas below validate both the query
//   string and an IPC call), results exactly the HTTP body;
// - errors are `{ "error": { "code", "message" } }` (VigilError's JSON) on every transport; the
//   client transports turn them back into a thrown VigilError.
// Days are the machine's local calendar days (DD-MM-YYYY), resolved in the machine's time zone,
// which /host reports; times are unix ms.
//
// The schemas are plain JSON Schema literals (like settings.ts): Fastify's ajv validates them, the
// hub can put them in its OpenAPI document as they are, and json-schema-to-ts types the params.
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { ErrorCode } from './errors.js';
import type { Sample } from './model.js';
import { FAMILIES } from './metrics/catalog.js';
import { sampleSchemaWith } from './metrics/sample-schema.js';
import type { SeriesQueryResult } from './query.js';
import type { SeriesKey, SeriesSelector } from './series.js';
import { hostSnapshotSchema, type HostSnapshot } from './wire.js';

/** Where the local server mounts the API (the hub mounts it per machine, see docs/hub.md). */
export const API_PREFIX = '/api';

/** Points per series a chart asks for when it does not say; about a wide chart's width in pixels. */
export const DEFAULT_POINTS = 1000;
/** No response carries more buckets (or raw samples) per series than this. */
export const MAX_POINTS = 5000;
/** Longest span /days answers in one call. */
export const MAX_DAYS_SPAN = 400;
/** Response header of the CSV export: the number of data rows it will hold (for progress). */
export const EXPORT_ROWS_HEADER = 'x-vigil-rows';
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

// ---------------------------------------------------------------- parameter schemas

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
  properties: { date: dayParam, from: { ...dayParam, description: 'First day (inclusive)' }, to: { ...dayParam, description: 'Last day (inclusive)' } },
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

// ---------------------------------------------------------------- results

export interface HostInfo {
  machine: { id: string; name: string };
  version: string;
  /** The machine's IANA time zone (e.g. Europe/Paris): days and the times shown are its local ones. */
  timeZone: string;
  /** Today on the machine, DD-MM-YYYY: later days are "future" and refused. */
  today: string;
  /** Unix ms now, on the machine's clock. */
  now: number;
  /** Seconds between samples; null when the data is not being sampled by this process. */
  intervalSeconds: number | null;
  /** Oldest and newest stored raw sample (unix ms), null when there is none. */
  firstSampleTs: number | null;
  lastSampleTs: number | null;
  /** The latest host snapshot (OS, CPU, interfaces), null before the first one. */
  host: HostSnapshot | null;
}

export interface DaysResult {
  from: string;
  to: string;
  /** The days in [from, to] holding samples (raw or rolled up), ascending, DD-MM-YYYY. */
  days: string[];
}

export interface InterfaceSummary {
  name: string;
  loopback: boolean;
  virtual: boolean;
}

export interface MountSummary {
  mountPoint: string;
  device: string;
  fsType: string;
}

/**
 * Disk usage per mount over a range (sampled about once a minute): bytes used, the
 * filesystem's size, free and available bytes, as df's Used, Size and Avail columns say, per
 * bucket (the last reading in it). df's Use% is used / (used + available) (shared/disk-usage.ts).
 */
export interface DiskSeries {
  mounts: MountSummary[];
  timestamps: number[];
  /** used[m][i]: mount m at timestamps[i]; null where it had no reading. */
  used: (number | null)[][];
  total: (number | null)[][];
  /** Free bytes, the root reserve included; null also for a reading from before Vigil kept it. */
  free: (number | null)[][];
  /** df's Avail: what unprivileged users can still write; null as `free` is. */
  available: (number | null)[][];
}

/** Min/avg/max columns of a range (SeriesQueryResult), and what a chart needs around them. */
export interface SeriesResult extends SeriesQueryResult {
  /** The day asked for (/day), or null (/series, /range, /recent). */
  day: string | null;
  /** Every interface with data in the range (whatever `iface` filtered), in name order. */
  interfaces: InterfaceSummary[];
  /** Disk usage per mount in the range; null when not asked for. */
  disks: DiskSeries | null;
}

/** Bytes an interface received and sent over a span of days. */
export interface InterfaceTotals extends InterfaceSummary {
  rx: number;
  tx: number;
  total: number;
}

/** Where a quota stands in its billing period. */
export interface QuotaStatus {
  iface: string;
  /** The quota in bytes per billing period, and what it counts. */
  bytes: number;
  direction: 'rx' | 'tx' | 'total';
  /** Bytes counted so far in the period, and as % of the quota. */
  used: number;
  percent: number;
  /** At this pace, the period's end figure (bytes); the used figure for a period that is over. */
  projected: number;
}

export interface TrafficReport {
  /** The days covered, DD-MM-YYYY, both included. */
  from: string;
  to: string;
  /** "22-11-2026", "billing month 15-11-2026 to 14-12-2026", "10-11-2026 to 16-11-2026". */
  label: string;
  /** traffic.resetDay: the day of the month billing periods start. */
  resetDay: number;
  /** Totals per interface over the days, every interface with data, in name order. */
  interfaces: InterfaceTotals[];
  /** The physical interfaces together (loopback and virtual ones carry the same bytes again). */
  physical: { rx: number; tx: number; total: number };
  /** Per day (days without data included, with no interfaces). */
  days: { day: string; interfaces: InterfaceTotals[] }[];
  /** The quotas (traffic.quotas) over the billing period holding `to`, with their projection. */
  quotas: QuotaStatus[];
}

export interface LatestResult {
  /** The newest sample (live in the agent; the newest stored one elsewhere), or null. */
  sample: Sample | null;
}

export interface ExportResult {
  /** Data rows written (the header excluded). */
  rows: number;
  /** The file's name (browser download) or path (app save dialog); null when the user cancelled. */
  fileName: string | null;
}

export interface ApiErrorBody {
  error: { code: ErrorCode; message: string };
}

/** Progress of a CSV export: rows done of (at least) `total`. */
export type ExportProgress = (done: number, total: number) => void;

// ---------------------------------------------------------------- the interface

/** The read API, as the page sees it; the core implements it over a SampleStore. */
export interface VigilApi {
  host(params?: HostParams): Promise<HostInfo>;
  days(params: DaysParams): Promise<DaysResult>;
  day(params: DayParams): Promise<SeriesResult>;
  series(params: SeriesParams): Promise<SeriesResult>;
  /** Whole local days, from one to another (a week, a month, a year, any span). */
  range(params: RangeParams): Promise<SeriesResult>;
  /** The last `windowMs` up to the machine's now, raw: the live view's first data. */
  recent(params: RecentParams): Promise<SeriesResult>;
  /** Bytes per interface per day over a day, a billing month or a span, with the quotas' state. */
  traffic(params?: TrafficParams): Promise<TrafficReport>;
  latest(params?: LatestParams): Promise<LatestResult>;
}

export type ApiMethod = keyof VigilApi;

/** What the page calls: the read API plus a CSV export, which every transport saves its own way. */
export interface VigilClient extends VigilApi {
  exportCsv(params: ExportParams, options?: { onProgress?: ExportProgress; signal?: AbortSignal }): Promise<ExportResult>;
  /**
   * Follows new samples until the returned function is called: the live feed over HTTP (Server-
   * Sent Events, reconnecting by itself), or `latest` every `pollMs` where there is no feed (the
   * app's IPC, a server without one). `onStatus` says which, and when the feed is lost.
   */
  follow(onSample: (sample: Sample) => void, options?: FollowOptions): () => void;
}

export type FollowStatus = 'live' | 'polling' | 'reconnecting';

export interface FollowOptions {
  onStatus?: (status: FollowStatus) => void;
  /** Polling period where there is no feed (default 1000 ms). */
  pollMs?: number;
}

// ---------------------------------------------------------------- result schemas

const nullableInteger = { type: ['integer', 'null'] } as const;
const nullableNumberArray = { type: 'array', items: { type: ['number', 'null'] } } as const;

export const hostInfoSchema = {
  title: 'HostInfo',
  type: 'object',
  required: ['machine', 'version', 'timeZone', 'today', 'now', 'intervalSeconds', 'firstSampleTs', 'lastSampleTs', 'host'],
  properties: {
    machine: { type: 'object', required: ['id', 'name'], properties: { id: { type: 'string' }, name: { type: 'string' } } },
    version: { type: 'string' },
    timeZone: { type: 'string' },
    today: { type: 'string' },
    now: { type: 'integer' },
    intervalSeconds: nullableInteger,
    firstSampleTs: nullableInteger,
    lastSampleTs: nullableInteger,
    host: { anyOf: [hostSnapshotSchema, { type: 'null' }] },
  },
} as const satisfies JSONSchema;

export const daysResultSchema = {
  title: 'DaysResult',
  type: 'object',
  required: ['from', 'to', 'days'],
  properties: { from: { type: 'string' }, to: { type: 'string' }, days: { type: 'array', items: { type: 'string' } } },
} as const satisfies JSONSchema;

const nullableNumberMatrix = { type: 'array', items: nullableNumberArray } as const;

export const diskSeriesSchema = {
  type: 'object',
  required: ['mounts', 'timestamps', 'used', 'total', 'free', 'available'],
  properties: {
    mounts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['mountPoint', 'device', 'fsType'],
        properties: { mountPoint: { type: 'string' }, device: { type: 'string' }, fsType: { type: 'string' } },
      },
    },
    timestamps: { type: 'array', items: { type: 'integer' } },
    used: { ...nullableNumberMatrix, description: 'Bytes used (df\'s Used), per mount, per timestamp' },
    total: { ...nullableNumberMatrix, description: 'Filesystem size in bytes (df\'s Size), per mount, per timestamp' },
    free: { ...nullableNumberMatrix, description: 'Free bytes, the root reserve included; null also for readings from before Vigil kept them' },
    available: { ...nullableNumberMatrix, description: 'Bytes unprivileged users can still write (df\'s Avail); df\'s Use% = used / (used + available)' },
  },
} as const satisfies JSONSchema;

export const seriesResultSchema = {
  title: 'SeriesResult',
  type: 'object',
  required: ['from', 'to', 'bucketMs', 'resolution', 'timestamps', 'series', 'day', 'interfaces', 'disks'],
  properties: {
    from: { type: 'integer' },
    to: { type: 'integer' },
    bucketMs: { ...nullableInteger, description: 'Bucket width used; null for raw samples' },
    resolution: { type: 'string', enum: ['raw', '1m', '1h'], description: 'The coarsest table that answered' },
    timestamps: { type: 'array', items: { type: 'integer' }, description: 'Bucket starts (or sample times), ascending' },
    series: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'flags', 'avg'],
        properties: { key: { type: 'string' }, flags: { type: 'integer' }, avg: nullableNumberArray, min: nullableNumberArray, max: nullableNumberArray },
      },
    },
    day: { type: ['string', 'null'] },
    interfaces: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'loopback', 'virtual'],
        properties: { name: { type: 'string' }, loopback: { type: 'boolean' }, virtual: { type: 'boolean' } },
      },
    },
    disks: { anyOf: [diskSeriesSchema, { type: 'null' }] },
  },
} as const satisfies JSONSchema;

const interfaceTotalsSchema = {
  type: 'object',
  required: ['name', 'loopback', 'virtual', 'rx', 'tx', 'total'],
  properties: {
    name: { type: 'string' },
    loopback: { type: 'boolean' },
    virtual: { type: 'boolean' },
    rx: { type: 'integer', description: 'Bytes received' },
    tx: { type: 'integer', description: 'Bytes sent' },
    total: { type: 'integer' },
  },
} as const satisfies JSONSchema;

export const trafficReportSchema = {
  title: 'TrafficReport',
  type: 'object',
  required: ['from', 'to', 'label', 'resetDay', 'interfaces', 'physical', 'days', 'quotas'],
  properties: {
    from: { type: 'string' },
    to: { type: 'string' },
    label: { type: 'string' },
    resetDay: { type: 'integer' },
    interfaces: { type: 'array', items: interfaceTotalsSchema },
    physical: { type: 'object', required: ['rx', 'tx', 'total'], properties: { rx: { type: 'integer' }, tx: { type: 'integer' }, total: { type: 'integer' } } },
    days: { type: 'array', items: { type: 'object', required: ['day', 'interfaces'], properties: { day: { type: 'string' }, interfaces: { type: 'array', items: interfaceTotalsSchema } } } },
    quotas: {
      type: 'array',
      items: {
        type: 'object',
        required: ['iface', 'bytes', 'direction', 'used', 'percent', 'projected'],
        properties: {
          iface: { type: 'string' },
          bytes: { type: 'integer' },
          direction: { type: 'string', enum: ['rx', 'tx', 'total'] },
          used: { type: 'integer' },
          percent: { type: 'number' },
          projected: { type: 'integer' },
        },
      },
    },
  },
} as const satisfies JSONSchema;

/** A Sample: generated from the metric table (metrics/sample-schema.ts), as the hub validates it. */
export const sampleSchema = sampleSchemaWith({ type: 'integer', description: 'Unix ms of the tick' });

export const latestResultSchema = {
  title: 'LatestResult',
  type: 'object',
  required: ['sample'],
  properties: { sample: { anyOf: [sampleSchema, { type: 'null' }] } },
} as const satisfies JSONSchema;

export const apiErrorSchema = {
  title: 'Error',
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
} as const satisfies JSONSchema;

// ---------------------------------------------------------------- routes

export interface ApiRoute {
  method: 'GET';
  /** Relative to the API prefix (/api on an agent, /api/machines/{id} on the hub). */
  path: string;
  summary: string;
  params: JSONSchema;
  result: JSONSchema;
}

/** The JSON endpoints, one per VigilApi method (GET, parameters in the query string). */
export const API_ROUTES = {
  host: { method: 'GET', path: '/host', summary: 'Machine identity, time zone, today, sampling interval and the latest host snapshot', params: hostParamsSchema, result: hostInfoSchema },
  days: { method: 'GET', path: '/days', summary: `The days of [from, to] (at most ${MAX_DAYS_SPAN}) that hold data`, params: daysParamsSchema, result: daysResultSchema },
  day: { method: 'GET', path: '/day', summary: "A local day's series, bucketed min/avg/max (raw samples when they fit in `points`)", params: dayParamsSchema, result: seriesResultSchema },
  series: { method: 'GET', path: '/series', summary: 'Any time range at a chosen resolution (points or bucketMs), down to raw samples', params: seriesParamsSchema, result: seriesResultSchema },
  range: { method: 'GET', path: '/range', summary: 'Whole local days from one to another (a week, month, year), bucketed from the 1-minute and hourly rollups', params: rangeParamsSchema, result: seriesResultSchema },
  recent: { method: 'GET', path: '/recent', summary: "The last windowMs up to the machine's now at raw resolution: the live view's start", params: recentParamsSchema, result: seriesResultSchema },
  traffic: { method: 'GET', path: '/traffic', summary: 'Bytes received and sent per interface and per day over a day, a billing month (MM-YYYY) or a span of days; the quotas over the billing period', params: trafficParamsSchema, result: trafficReportSchema },
  latest: { method: 'GET', path: '/latest', summary: 'The newest sample', params: latestParamsSchema, result: latestResultSchema },
} as const satisfies Record<ApiMethod, ApiRoute>;

export const API_METHODS = Object.keys(API_ROUTES) as ApiMethod[];

/** The CSV download: same rows and header rule as `vigil export` (RFC 4180, CRLF). */
export const EXPORT_ROUTE = {
  method: 'GET',
  path: '/export.csv',
  summary: `CSV of a day (date) or of a range of days (from, to), as an attachment; header ${EXPORT_ROWS_HEADER} gives the row count`,
  params: exportParamsSchema,
} as const;

/**
 * The live feed (Server-Sent Events), as the hub's /api/live: one `sample` event per new sample,
 * `data: {"type":"sample","machineId":…,"sample":{…}}`. Not a JSON method: the HTTP client reads
 * the stream, the app's IPC client asks for the latest sample every interval.
 */
export const LIVE_ROUTE = {
  method: 'GET',
  path: '/live',
  summary: 'Live feed of new samples (Server-Sent Events: event `sample`, data { type, machineId, sample })',
} as const;

/** One event of a live feed (the hub's LiveEvent has the same `sample` shape). */
export interface LiveSampleEvent {
  type: 'sample';
  machineId: string;
  sample: Sample;
}

export function isApiErrorBody(value: unknown): value is ApiErrorBody {
  const error = (value as ApiErrorBody | null)?.error;
  return typeof error === 'object' && error !== null && typeof error.code === 'string' && typeof error.message === 'string';
}
