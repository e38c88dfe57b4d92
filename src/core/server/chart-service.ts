// The chart API (shared/api.ts) implemented over a SampleStore: what the agent's HTTP routes, the
// tray app's IPC handlers, `vigil chart` and (per machine) the hub all call, so every transport
// gives the same answers and the same errors. Parameters are checked here too, not only by the
// transports' JSON Schemas: an IPC call or a direct caller gets the same clear VigilError.
//
// Bucketing happens here, never in the page: a request names how many points it can use
// (`points`, about its width in pixels) and gets round buckets of min/avg/max — a full day is at
// most a few thousand values per series, not 86,400 — or raw samples once they fit.
import {
  DEFAULT_POINTS,
  MAX_DAYS_SPAN,
  MAX_POINTS,
  MAX_RAW_POINTS,
  MAX_RECENT_MS,
  MIN_RECENT_MS,
  type DayParams,
  type DaysParams,
  type DaysResult,
  type DiskSeries,
  type ExportParams,
  type HostInfo,
  type InterfaceSummary,
  type LatestResult,
  type MountSummary,
  type RangeParams,
  type RecentParams,
  type SeriesParams,
  type SeriesResult,
  type TopParams,
  type TopResult,
  type TrafficParams,
  type TrafficReport,
  type VigilApi,
} from '../../shared/api.js';
import type { TrafficSettings } from '../../shared/settings.js';
import { trafficReport, trafficSummary, type TrafficReportContext, type TrafficSummary } from '../traffic/report.js';
import { TrafficCounter } from '../traffic/totals.js';
import { compareDays, dayBounds as localDayBounds, dayOf as localDayOf, daysBetween, formatDay, parseDay, type LocalDay } from '../../shared/dates.js';
import { VigilError } from '../../shared/errors.js';
import type { HostRecord, Sample } from '../../shared/model.js';
import { chooseBucketMs } from '../../shared/query.js';
import { SeriesFlag, compareNames, parseNetKey } from '../../shared/series.js';
import { dayBoundsInZone, dayInZone, knownTimeZone, runtimeTimeZone } from '../../shared/time-zone.js';
import { exportCsv, type ExportCsvOptions } from '../csv/export.js';
import type { MachineIdentity } from '../identity.js';
import type { SampleStore } from '../storage/types.js';
import { VERSION } from '../version.js';
import { appendSamples, chartKeys, roundAverages, type QueryParams } from './chart-series.js';

export interface ChartServiceOptions {
  store: SampleStore;
  identity: MachineIdentity;
  /** The newest sample as sampled (the engine's), fresher than the store, which is written in batches. */
  latest?: () => Sample | null;
  /** Samples taken but not yet in the store (the engine's batch): /recent ends with them. */
  unflushed?: () => readonly Sample[];
  /** The current host snapshot (the engine's); default: the newest stored one. */
  host?: () => HostRecord | null;
  /** Seconds between samples, when this process samples. */
  intervalSeconds?: () => number | null;
  now?: () => number;
  /** traffic.resetDay and traffic.quotas (default: periods from the 1st, no quotas). */
  traffic?: () => TrafficSettings;
  /**
   * The machine's IANA zone, in which its days are resolved (the hub serves machines of other
   * zones); default: this process's.
   */
  timeZone?: string;
}

/** A range of whole local days, resolved for an export. */
export interface ExportPlan {
  from: number;
  to: number;
  /** "22-11-2026" or "01-11-2026 to 22-11-2026". */
  label: string;
  /** "<machine>-22-11-2026.csv". */
  fileName: string;
  /** Data rows the export will hold (for progress). */
  rows: number;
}

const DAY_MS = 86_400_000;
/** Longest /series range: ten years, at hour rollups, is ~88k hours → fine with `points`. */
const MAX_RANGE_MS = 3660 * DAY_MS;
/** Below a minute per bucket, raw rows answer; if the range holds no more samples than points, send them as they are. */
const RAW_CHECK_BELOW_MS = 60_000;
/** Longest /range: ten years of days. */
const MAX_RANGE_DAYS = 3660;


export class ChartService implements VigilApi {
  private readonly store: SampleStore;
  private readonly now: () => number;
  private readonly zone: string;
  private readonly dayBounds: (day: LocalDay) => { from: number; to: number };
  private readonly dayOf: (ts: number) => LocalDay;
  private trafficContext: TrafficReportContext | null = null;

  constructor(private readonly options: ChartServiceOptions) {
    this.store = options.store;
    this.now = options.now ?? Date.now;
    const own = runtimeTimeZone();
    const zone = options.timeZone && options.timeZone !== own ? knownTimeZone(options.timeZone) : undefined;
    this.zone = zone ?? own;
    // This process's zone: dates.ts, on the Date object; another one: through Intl.
    this.dayBounds = zone ? (day) => dayBoundsInZone(day, zone) : localDayBounds;
    this.dayOf = zone ? (ts) => dayInZone(ts, zone) : localDayOf;
  }

  /**
   * The top processes recorded for the minute holding `at` (null when none was: recording off,
   * the minute not over yet, or not sampled). Minutes are UTC minutes, as the rollups'.
   */
  async top(params: TopParams): Promise<TopResult> {
    const at = params?.at;
    if (typeof at !== 'number' || !Number.isSafeInteger(at) || at < 0) throw new VigilError('invalid_argument', `at must be unix milliseconds (a whole number ≥ 0), not ${JSON.stringify(at)}`);
    const minute = at - (at % 60_000);
    return { minute, top: this.store.topMinute(minute) };
  }

  async host(): Promise<HostInfo> {
    const now = this.now();
    const live = this.options.latest?.() ?? null;
    const stored = this.store.lastTimestamp();
    return {
      machine: { id: this.options.identity.id, name: this.options.identity.name },
      version: VERSION,
      timeZone: this.zone,
      today: formatDay(this.dayOf(now)),
      now,
      intervalSeconds: this.options.intervalSeconds?.() ?? null,
      firstSampleTs: this.store.firstTimestamp(),
      lastSampleTs: live && (stored === null || live.ts > stored) ? live.ts : stored,
      host: (this.options.host?.() ?? this.store.latestHost())?.host ?? null,
    };
  }

  async days(params: DaysParams): Promise<DaysResult> {
    const first = dayParam(params?.from, 'from');
    let last = dayParam(params?.to, 'to');
    if (compareDays(first, last) > 0) throw new VigilError('invalid_range', `from ${formatDay(first)} is after to ${formatDay(last)}`);
    const today = this.dayOf(this.now());
    this.refuseFuture(first);
    // A calendar asks for whole months: the rest of this one simply has no data yet.
    if (compareDays(last, today) > 0) last = today;
    const days = daysBetween(first, last);
    if (days.length > MAX_DAYS_SPAN) {
      throw new VigilError('invalid_range', `${formatDay(first)} to ${formatDay(last)} is ${days.length} days; ask for at most ${MAX_DAYS_SPAN} at a time`);
    }
    const present = this.store.rangesWithData(days.map(this.dayBounds));
    return { from: formatDay(first), to: formatDay(last), days: days.filter((_, i) => present[i]).map(formatDay) };
  }

  async day(params: DayParams): Promise<SeriesResult> {
    const day = dayParam(params?.date, 'date');
    this.refuseFuture(day);
    const { from, to } = this.dayBounds(day);
    return this.query(from, to, params, formatDay(day));
  }

  async series(params: SeriesParams): Promise<SeriesResult> {
    const from = instant(params?.from, 'from');
    const to = instant(params?.to, 'to');
    if (from >= to) throw new VigilError('invalid_range', `from (${from}) must be before to (${to})`);
    if (to - from > MAX_RANGE_MS) throw new VigilError('invalid_range', `The range is longer than ${MAX_RANGE_MS / DAY_MS} days`);
    if (from > this.now()) throw new VigilError('future_date', `from (${new Date(from).toISOString()}) is in the future`);
    return this.query(from, to, params, null);
  }

  async range(params: RangeParams): Promise<SeriesResult> {
    const first = dayParam(params?.from, 'from');
    const last = dayParam(params?.to, 'to');
    if (compareDays(first, last) > 0) throw new VigilError('invalid_range', `from ${formatDay(first)} is after to ${formatDay(last)}`);
    this.refuseFuture(first);
    const from = this.dayBounds(first).from;
    const to = this.dayBounds(last).to;
    if (to - from > MAX_RANGE_DAYS * DAY_MS) throw new VigilError('invalid_range', `${formatDay(first)} to ${formatDay(last)} is longer than ${MAX_RANGE_DAYS} days`);
    return this.query(from, to, params, null);
  }

  async recent(params: RecentParams): Promise<SeriesResult> {
    const windowMs = params?.windowMs;
    if (typeof windowMs !== 'number' || !Number.isSafeInteger(windowMs) || windowMs < MIN_RECENT_MS || windowMs > MAX_RECENT_MS) {
      throw new VigilError('invalid_argument', `windowMs must be a whole number of ms from ${MIN_RECENT_MS} to ${MAX_RECENT_MS}`);
    }
    // [now − window, now]: the newest sample is stamped at most now.
    const to = this.now() + 1;
    const from = to - windowMs;
    const stored = this.store.countSamples(from, to);
    const bucketMs = stored <= MAX_RAW_POINTS ? null : chooseBucketMs(windowMs, MAX_RAW_POINTS);
    const result = this.query(from, to, params, null, bucketMs);
    if (bucketMs === null) appendSamples(result, this.options.unflushed?.() ?? [], params);
    return result;
  }

  async traffic(params?: TrafficParams): Promise<TrafficReport> {
    return trafficReport(params, this.traffics());
  }

  /** Today's and this billing period's bytes over the physical interfaces (the tray's line). */
  trafficSummary(): TrafficSummary {
    return trafficSummary(this.traffics());
  }

  private traffics(): TrafficReportContext {
    this.trafficContext ??= {
      counter: new TrafficCounter({ store: this.store, intervalSeconds: () => this.options.intervalSeconds?.() ?? null, now: this.now }),
      dayBounds: this.dayBounds,
      today: () => this.dayOf(this.now()),
      now: this.now,
      settings: () => this.options.traffic?.() ?? { resetDay: 1, quotas: {} },
    };
    return this.trafficContext;
  }

  async latest(): Promise<LatestResult> {
    return { sample: this.options.latest?.() ?? this.store.latestSample() };
  }

  /** Resolves an export request (the same rules as `vigil export`) without writing anything. */
  planExport(params: ExportParams): ExportPlan {
    const hasRange = params?.from !== undefined || params?.to !== undefined;
    let first: LocalDay;
    let last: LocalDay;
    if (params?.date !== undefined && hasRange) throw new VigilError('invalid_argument', 'Use either date, or from with to, not both');
    if (params?.date !== undefined) first = last = dayParam(params.date, 'date');
    else if (params?.from !== undefined && params.to !== undefined) {
      first = dayParam(params.from, 'from');
      last = dayParam(params.to, 'to');
      if (compareDays(first, last) > 0) throw new VigilError('invalid_range', `from ${formatDay(first)} is after to ${formatDay(last)}`);
    } else if (hasRange) {
      throw new VigilError('invalid_argument', `from and to go together (missing ${params?.from === undefined ? 'from' : 'to'})`);
    } else {
      throw new VigilError('invalid_argument', 'Say which days: date=DD-MM-YYYY, or from=DD-MM-YYYY and to=DD-MM-YYYY');
    }
    this.refuseFuture(first);
    const from = this.dayBounds(first).from;
    const to = this.dayBounds(last).to;
    const single = compareDays(first, last) === 0;
    const label = single ? formatDay(first) : `${formatDay(first)} to ${formatDay(last)}`;
    const name = this.options.identity.name.replace(/[^A-Za-z0-9._-]+/g, '_') || 'vigil';
    const fileName = `${name}-${single ? formatDay(first) : `${formatDay(first)}_${formatDay(last)}`}.csv`;
    return { from, to, label, fileName, rows: this.store.countSamples(from, to) };
  }

  /** Streams the CSV of a plan (`vigil export`'s code path) to `output`; does not end it. */
  async exportCsv(plan: ExportPlan, output: NodeJS.WritableStream, options: ExportCsvOptions = {}): Promise<{ rows: number }> {
    return exportCsv(this.store, plan, output, options);
  }

  private refuseFuture(day: LocalDay): void {
    const now = this.now();
    if (this.dayBounds(day).from > now) {
      throw new VigilError('future_date', `${formatDay(day)} is in the future (today is ${formatDay(this.dayOf(now))})`);
    }
  }

  private query(from: number, to: number, params: QueryParams & { points?: number; bucketMs?: number }, day: string | null, bucket?: number | null): SeriesResult {
    const ifaces = params.iface?.length ? [...new Set(params.iface)] : null;
    const keys = chartKeys(params.keys, ifaces);
    const bucketMs = bucket === undefined ? this.bucketFor(from, to, params) : bucket;
    const result = this.store.query({ from, to, bucketMs, keys });

    const interfaces = new Map<string, InterfaceSummary>();
    for (const column of result.series) {
      const net = parseNetKey(column.key);
      if (net && !interfaces.has(net.iface)) {
        interfaces.set(net.iface, { name: net.iface, loopback: (column.flags & SeriesFlag.loopback) !== 0, virtual: (column.flags & SeriesFlag.virtual) !== 0 });
      }
    }
    let series = result.series;
    if (ifaces) {
      const missing = ifaces.filter((name) => !interfaces.has(name));
      if (missing.length > 0) {
        const known = [...interfaces.keys()].sort(compareNames);
        throw new VigilError(
          'invalid_argument',
          `No data for interface${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} in ${day ?? 'this range'} (interfaces with data: ${known.length ? known.join(', ') : 'none'})`,
        );
      }
      const wanted = new Set(ifaces);
      series = series.filter((column) => {
        const net = parseNetKey(column.key);
        return !net || wanted.has(net.iface);
      });
    }
    for (const column of series) roundAverages(column.key, column.avg);
    const wantDisks = params.disks ?? !params.keys?.length;
    return {
      ...result,
      series,
      day,
      interfaces: [...interfaces.values()].sort((a, b) => compareNames(a.name, b.name)),
      disks: wantDisks ? this.diskSeries(from, to, result.bucketMs) : null,
    };
  }

  /**
   * Disk usage per mount in [from, to): every reading when samples are raw, else the last reading
   * of each bucket (usage moves slowly; the last is what df said at the bucket's end).
   */
  private diskSeries(from: number, to: number, bucketMs: number | null): DiskSeries {
    const readings = this.store.diskSamples(from, to);
    const mounts = new Map<string, { summary: MountSummary; index: number }>();
    for (const reading of readings) {
      for (const disk of reading.disks) {
        if (!mounts.has(disk.mountPoint)) mounts.set(disk.mountPoint, { summary: { mountPoint: disk.mountPoint, device: disk.device, fsType: disk.fsType }, index: 0 });
      }
    }
    const ordered = [...mounts.values()].sort((a, b) => compareNames(a.summary.mountPoint, b.summary.mountPoint));
    ordered.forEach((m, i) => (m.index = i));
    const timestamps: number[] = [];
    const used: (number | null)[][] = ordered.map(() => []);
    const total: (number | null)[][] = ordered.map(() => []);
    const free: (number | null)[][] = ordered.map(() => []);
    const available: (number | null)[][] = ordered.map(() => []);
    const width = bucketMs !== null && bucketMs > 1000 ? bucketMs : null;
    for (const reading of readings) {
      const ts = width === null ? reading.ts : from + Math.floor((reading.ts - from) / width) * width;
      if (timestamps.at(-1) !== ts) {
        timestamps.push(ts);
        for (let m = 0; m < ordered.length; m++) {
          used[m]!.push(null);
          total[m]!.push(null);
          free[m]!.push(null);
          available[m]!.push(null);
        }
      }
      const last = timestamps.length - 1;
      for (const disk of reading.disks) {
        const m = mounts.get(disk.mountPoint)!.index;
        used[m]![last] = disk.used;
        total[m]![last] = disk.total;
        free[m]![last] = disk.free ?? null;
        available[m]![last] = disk.available ?? null;
      }
    }
    return { mounts: ordered.map((m) => m.summary), timestamps, used, total, free, available };
  }

  /** The bucket width for a request, or null for raw samples. */
  private bucketFor(from: number, to: number, params: { points?: number; bucketMs?: number }): number | null {
    const range = to - from;
    const explicit = 'bucketMs' in params ? params.bucketMs : undefined;
    if (explicit !== undefined) {
      if (!Number.isSafeInteger(explicit) || explicit < 1000) throw new VigilError('invalid_argument', `bucketMs must be a whole number of ms ≥ 1000`);
      const buckets = Math.ceil(range / explicit);
      if (buckets > MAX_POINTS) {
        throw new VigilError('invalid_argument', `bucketMs ${explicit} gives ${buckets} buckets over this range; at most ${MAX_POINTS}: use bucketMs ≥ ${Math.ceil(range / MAX_POINTS)}`);
      }
      return explicit;
    }
    const points = params.points ?? DEFAULT_POINTS;
    if (!Number.isSafeInteger(points) || points < 10 || points > MAX_POINTS) {
      throw new VigilError('invalid_argument', `points must be a whole number from 10 to ${MAX_POINTS}`);
    }
    const bucket = chooseBucketMs(range, points);
    if (bucket <= 1000) return null; // at most `points` seconds: raw samples fit
    // An agent sampling every 5 or 10 s: its raw samples may fit where 1 s ones would not.
    if (bucket < RAW_CHECK_BELOW_MS && this.store.countSamples(from, to) <= points) return null;
    return bucket;
  }
}

function dayParam(value: unknown, name: string): LocalDay {
  if (typeof value !== 'string') throw new VigilError('invalid_argument', `${name} is required: a day as DD-MM-YYYY`);
  return parseDay(value);
}

function instant(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new VigilError('invalid_argument', `${name} must be unix milliseconds (a whole number ≥ 0)`);
  }
  return value;
}
