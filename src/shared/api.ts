// The one API contract between the chart page and whoever holds the data: the agent's local web
// server (HTTP JSON under /api), the tray app's main process (IPC through the preload bridge) and
// the hub (the same read endpoints per machine, under /api/machines/{id}).
//
// Rules that keep every transport a thin mapping:
// - one method per endpoint; every method takes one JSON object of parameters and resolves to a
//   JSON value (no Dates, no Maps, no class instances), so IPC's structured clone and HTTP's JSON
//   carry the same thing;
// - parameters are exactly the HTTP query string (the JSON Schemas of api-params.ts validate
//   both the query string and an IPC call), results exactly the HTTP body;
// - errors are `{ "error": { "code", "message" } }` (VigilError's JSON) on every transport; the
//   client transports turn them back into a thrown VigilError.
// Days are the machine's local calendar days (DD-MM-YYYY), resolved in the machine's time zone,
// which /host reports; times are unix ms.
//
// The schemas are plain JSON Schema literals (like settings.ts): Fastify's ajv validates them, the
// hub can put them in its OpenAPI document as they are, and json-schema-to-ts types the params.
//
// The limits and parameter schemas live in api-params.ts, the result schemas in api-results.ts;
// this file re-exports both, so the contract keeps one import point.
import type { JSONSchema } from 'json-schema-to-ts';
import type { ErrorCode } from './errors.js';
import type { Sample } from './model.js';
import {
  MAX_DAYS_SPAN,
  daysParamsSchema,
  dayParamsSchema,
  exportParamsSchema,
  hostParamsSchema,
  latestParamsSchema,
  rangeParamsSchema,
  recentParamsSchema,
  seriesParamsSchema,
  trafficParamsSchema,
  type DayParams,
  type DaysParams,
  type ExportParams,
  type HostParams,
  type LatestParams,
  type RangeParams,
  type RecentParams,
  type SeriesParams,
  type TrafficParams,
} from './api-params.js';
import { daysResultSchema, hostInfoSchema, latestResultSchema, seriesResultSchema, trafficReportSchema } from './api-results.js';
import { topParamsSchema, topResultSchema, type TopParams, type TopResult } from './processes.js';
import type { SeriesQueryResult } from './query.js';
import type { HostSnapshot } from './wire.js';

export * from './api-params.js';
export * from './api-results.js';

/** Where the local server mounts the API (the hub mounts it per machine, see docs/hub.md). */
export const API_PREFIX = '/api';
/** Response header of the CSV export: the number of data rows it will hold (for progress). */
export const EXPORT_ROWS_HEADER = 'x-vigil-rows';

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
  /** The top processes by CPU and by memory recorded for the minute holding `at`. */
  top(params: TopParams): Promise<TopResult>;
}

export type { TopParams, TopResult } from './processes.js';

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
  top: { method: 'GET', path: '/top', summary: 'The top 5 processes by CPU and by memory recorded for the minute holding `at` (processes.recordTop)', params: topParamsSchema, result: topResultSchema },
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
