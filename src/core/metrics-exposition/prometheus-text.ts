// Prometheus text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/)
// from the same points the line-protocol target writes: each numeric field of a point becomes
// the sample `<measurement>_<field>{<tags>}` (see convention.ts). Every family gets HELP and
// TYPE lines and its samples together, as the format requires; HELP, TYPE and order come from the
// metric table (src/shared/metrics/table.ts): gauges for Vigil's rates and levels, counters for
// the raw OS counters the rates come from.
// No timestamps: Prometheus stamps samples with the scrape
// time, and its staleness handling expects that; vigil_sample_timestamp_seconds tells how old
// the machine's latest sample is.
import type { CounterSnapshot, DiskSample, HostRecord, Sample } from '../../shared/model.js';
import { METRIC_HELP, counterPoints, diskPoints, hostPoints, metricType, samplePoints, type MachineLabels, type Point } from './convention.js';

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** What one machine looks like now: the input of an exposition. */
export interface MachineSnapshot {
  machine: MachineLabels;
  /** The latest sample; null before the first one. */
  sample: Sample | null;
  disks?: DiskSample | null;
  host?: HostRecord | null;
  /** The raw counters of the latest reading (the agent's own machine; the hub has none). */
  counters?: CounterSnapshot | null;
}

const EXTRA_HELP: Readonly<Record<string, string>> = {
  vigil_sample_timestamp_seconds: 'Unix time of the latest sample, to tell a stalled or silent machine.',
};

/** The points of a snapshot, plus vigil_sample_timestamp_seconds. */
export function snapshotPoints(snapshot: MachineSnapshot): Point[] {
  const points: Point[] = [];
  if (snapshot.sample) {
    points.push(...samplePoints(snapshot.sample, snapshot.machine));
    points.push({
      measurement: 'vigil_sample',
      tags: [
        ['host', snapshot.machine.name],
        ['machine_id', snapshot.machine.machineId],
      ],
      fields: [{ key: 'timestamp_seconds', value: snapshot.sample.ts / 1000, type: 'float' }],
      ts: snapshot.sample.ts,
    });
  }
  if (snapshot.counters) points.push(...counterPoints(snapshot.counters, snapshot.machine));
  if (snapshot.disks) points.push(...diskPoints(snapshot.disks, snapshot.machine));
  if (snapshot.host) points.push(...hostPoints(snapshot.host.ts, snapshot.host.host, snapshot.machine));
  return points;
}

/** The exposition of one or more machines (a hub exposes every machine it holds). */
export function encodeExposition(snapshots: readonly MachineSnapshot[]): string {
  return encodeFamilies(snapshots.flatMap(snapshotPoints));
}

/** Groups numeric fields into metric families: known names in METRIC_HELP order, others sorted. */
export function encodeFamilies(points: readonly Point[]): string {
  const families = new Map<string, string[]>();
  for (const point of points) {
    const labels = point.tags.length === 0 ? '' : `{${point.tags.map(([key, value]) => `${key}="${escapeLabelValue(value)}"`).join(',')}}`;
    for (const field of point.fields) {
      if (field.type === 'string' || typeof field.value !== 'number') continue;
      const name = `${point.measurement}_${field.key}`;
      let lines = families.get(name);
      if (!lines) families.set(name, (lines = []));
      lines.push(`${name}${labels} ${formatValue(field.value)}`);
    }
  }
  const order = [...Object.keys(METRIC_HELP), ...Object.keys(EXTRA_HELP)];
  const rank = (name: string) => {
    const i = order.indexOf(name);
    return i < 0 ? order.length : i;
  };
  const names = [...families.keys()].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  let text = '';
  for (const name of names) {
    const help = METRIC_HELP[name] ?? EXTRA_HELP[name] ?? `Vigil metric ${name}.`;
    text += `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${metricType(name)}\n${families.get(name)!.join('\n')}\n`;
  }
  return text;
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Go's ParseFloat reads JavaScript's shortest decimals (exponents too); specials are spelled out. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
