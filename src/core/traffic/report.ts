// Traffic over a span of local days (a day, a billing month, any span): totals per interface and
// per day, the physical interfaces together, and where each quota stands in the billing period
// holding the span's last day, with the pace's projection to the period's end. What `vigil
// traffic`, GET /api/traffic, the chart page's totals panel, the tray and the quota alerts show.
import type { InterfaceTotals, QuotaStatus, TrafficParams, TrafficReport } from '../../shared/api.js';
import { addDays, compareDays, daysBetween, formatDay, parseDay, type LocalDay } from '../../shared/dates.js';
import { VigilError } from '../../shared/errors.js';
import { billingPeriodOf, formatSpan, parseMonth, type DaySpan } from '../../shared/periods.js';
import type { TrafficSettings } from '../../shared/settings.js';
import type { InterfaceTraffic, TrafficCounter } from './totals.js';

export interface TrafficReportContext {
  counter: TrafficCounter;
  /** [from, to) of a local day of the machine. */
  dayBounds(day: LocalDay): { from: number; to: number };
  today(): LocalDay;
  now(): number;
  settings(): TrafficSettings;
}

/** Longest span a report covers: two years of days. */
const MAX_REPORT_DAYS = 732;

/** The days a request names: one of day, month (a billing month), or from with to; none: the billing period holding today. */
export function trafficSpan(params: TrafficParams | undefined, context: Pick<TrafficReportContext, 'today' | 'settings'>): { span: DaySpan; label: string } {
  const given = [params?.day !== undefined && 'day', params?.month !== undefined && 'month', (params?.from ?? params?.to) !== undefined && 'from/to'].filter(Boolean);
  if (given.length > 1) throw new VigilError('invalid_argument', `Give one of day, month, or from with to (got ${given.join(' and ')})`);
  const resetDay = context.settings().resetDay;
  if (params?.day !== undefined) {
    const day = parseDay(params.day);
    return { span: { from: day, to: day }, label: formatDay(day) };
  }
  if (params?.month !== undefined) {
    const span = billingPeriodOf({ ...parseMonth(params.month), day: resetDay }, resetDay);
    return { span, label: resetDay === 1 ? `month ${params.month}` : `billing month ${formatSpan(span)}` };
  }
  if (params?.from !== undefined || params?.to !== undefined) {
    if (params.from === undefined || params.to === undefined) throw new VigilError('invalid_argument', `from and to go together (missing ${params.from === undefined ? 'from' : 'to'})`);
    const span = { from: parseDay(params.from), to: parseDay(params.to) };
    if (compareDays(span.from, span.to) > 0) throw new VigilError('invalid_range', `from ${formatDay(span.from)} is after to ${formatDay(span.to)}`);
    return { span, label: formatSpan(span) };
  }
  const span = billingPeriodOf(context.today(), resetDay);
  return { span, label: `billing period ${formatSpan(span)}` };
}

export function trafficReport(params: TrafficParams | undefined, context: TrafficReportContext): TrafficReport {
  const { span, label } = trafficSpan(params, context);
  const today = context.today();
  if (compareDays(span.from, today) > 0) throw new VigilError('future_date', `${formatDay(span.from)} is in the future (today is ${formatDay(today)})`);
  const all = daysBetween(span.from, span.to);
  if (all.length > MAX_REPORT_DAYS) throw new VigilError('invalid_range', `${formatSpan(span)} is ${all.length} days; ask for at most ${MAX_REPORT_DAYS} at a time`);
  // Days after today hold nothing yet.
  const days = all.filter((day) => compareDays(day, today) <= 0).map((day) => ({ day: formatDay(day), interfaces: dayTotals(day, context) }));
  const interfaces = sumInterfaces(days.flatMap((d) => d.interfaces));
  const settings = context.settings();
  return {
    from: formatDay(span.from),
    to: formatDay(span.to),
    label,
    resetDay: settings.resetDay,
    interfaces,
    physical: physicalOf(interfaces),
    days,
    quotas: quotaStatuses(compareDays(span.to, today) > 0 ? today : span.to, context),
  };
}

/** Each quota over the billing period holding `day`. */
export function quotaStatuses(day: LocalDay, context: TrafficReportContext): QuotaStatus[] {
  const settings = context.settings();
  const quotas = Object.entries(settings.quotas ?? {});
  if (quotas.length === 0) return [];
  const period = billingPeriodOf(day, settings.resetDay);
  const today = context.today();
  const counted = daysBetween(period.from, compareDays(period.to, today) > 0 ? today : period.to);
  const totals = new Map(sumInterfaces(counted.flatMap((d) => dayTotals(d, context))).map((t) => [t.name, t]));
  const start = context.dayBounds(period.from).from;
  const end = context.dayBounds(period.to).to;
  const now = Math.min(Math.max(context.now(), start), end);
  return quotas
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([iface, quota]) => {
      const t = totals.get(iface);
      const used = !t ? 0 : quota.direction === 'rx' ? t.rx : quota.direction === 'tx' ? t.tx : t.total;
      // At this pace: what the period's whole length would hold (a period that is over holds what it held).
      const elapsed = now - start;
      const projected = now >= end || elapsed <= 0 ? used : Math.round((used * (end - start)) / elapsed);
      return { iface, bytes: quota.bytes, direction: quota.direction, used, percent: Math.round((used / quota.bytes) * 10_000) / 100, projected };
    });
}

function dayTotals(day: LocalDay, context: TrafficReportContext): InterfaceTotals[] {
  const { from, to } = context.dayBounds(day);
  return context.counter.span(from, to).map(withTotal);
}

function withTotal(t: InterfaceTraffic): InterfaceTotals {
  return { name: t.name, loopback: t.loopback, virtual: t.virtual, rx: t.rx, tx: t.tx, total: t.rx + t.tx };
}

function sumInterfaces(list: readonly InterfaceTotals[]): InterfaceTotals[] {
  const byName = new Map<string, InterfaceTotals>();
  for (const t of list) {
    const sum = byName.get(t.name);
    if (!sum) byName.set(t.name, { ...t });
    else {
      sum.rx += t.rx;
      sum.tx += t.tx;
      sum.total += t.total;
    }
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function physicalOf(interfaces: readonly InterfaceTotals[]): { rx: number; tx: number; total: number } {
  const out = { rx: 0, tx: 0, total: 0 };
  for (const t of interfaces) {
    if (t.loopback || t.virtual) continue;
    out.rx += t.rx;
    out.tx += t.tx;
    out.total += t.total;
  }
  return out;
}

/** Today's and this billing period's bytes over the physical interfaces. */
export interface TrafficSummary {
  today: { rx: number; tx: number };
  /** The billing period holding today (DD-MM-YYYY, both included), up to now. */
  period: { rx: number; tx: number; from: string; to: string };
}

/** Today's and this billing period's totals over the physical interfaces (the tray's lines). */
export function trafficSummary(context: TrafficReportContext): TrafficSummary {
  const today = context.today();
  const period = billingPeriodOf(today, context.settings().resetDay);
  const todays = physicalOf(dayTotals(today, context));
  let rx = 0;
  let tx = 0;
  for (let day = period.from; compareDays(day, today) <= 0; day = addDays(day, 1)) {
    const p = physicalOf(dayTotals(day, context));
    rx += p.rx;
    tx += p.tx;
  }
  return { today: { rx: todays.rx, tx: todays.tx }, period: { rx, tx, from: formatDay(period.from), to: formatDay(period.to) } };
}
