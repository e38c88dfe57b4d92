// Prometheus text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/)
// from the same points the line-protocol target writes: each numeric field of a point becomes
// the sample `<measurement>_<field>{<tags>}` (see convention.ts). Every family gets HELP and
// TYPE lines and its samples together, as the format requires; HELP, TYPE and order come from the
// metric table (src/shared/metrics/table.ts): gauges for Vigil's rates and levels, counters for
// the raw OS counters the rates come from.
// No timestamps: Prometheus stamps samples with the scrape
// time, and its staleness handling expects that; vigil_sample_timestamp_seconds tells how old
// the machine's latest sample is.
import { FLEET_STATES, type FleetState } from '../../shared/hub-api.js';
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
  /**
   * How the hub judges the machine (the hub's /metrics; an agent's own has none). A machine that
   * is not up (stale, sleeping, new) has no current values: its last sample, counters and disks
   * are left out, and vigil_machine_up says why there are none.
   */
  status?: MachineStatus;
}

export interface MachineStatus {
  state: FleetState;
  /** When the hub last heard from it (unix ms); null: never. */
  lastSeen: number | null;
  /** The newest sample the hub holds of it (unix ms); null: none. */
  lastSampleTs: number | null;
  /** The hub's clock now (unix ms), for the lag. */
  now: number;
}

/** HELP of what is not in the metric table (order: after it). */
export const EXPOSITION_EXTRA_HELP: Readonly<Record<string, string>> = {
  vigil_sample_timestamp_seconds: 'Unix time of the latest sample, to tell a stalled or silent machine.',
  vigil_machine_up: 'Whether the hub hears from the machine: 1 up; 0 stale (silent past its window), sleeping or never heard from (see vigil_machine_state).',
  vigil_machine_state: 'The machine as the hub judges it, one series per state (up, stale, sleeping, new): 1 for the current one.',
  vigil_machine_last_seen_timestamp_seconds: 'Unix time the hub last heard from the machine.',
  vigil_machine_sync_lag_seconds: "How far the hub's copy of the machine lags behind the hub's clock: now minus its newest sample.",
  vigil_hub_ingest_batches_total: 'Batches the hub stored since it started.',
  vigil_hub_ingest_samples_total: 'Samples the hub stored since it started (re-sent ones not counted).',
  vigil_hub_ingest_rejected_total: 'Ingest requests the hub refused since it started (bad token, malformed batch, …).',
  vigil_hub_fanout_pending_samples: 'Samples the hub stores that its InfluxDB / VictoriaMetrics fan-out has not delivered yet (all machines).',
  vigil_hub_fanout_failing_machines: 'Machines whose last fan-out send to InfluxDB / VictoriaMetrics failed (retrying).',
  process_cpu_seconds_total: 'User and system CPU time of this process, in seconds.',
  process_resident_memory_bytes: 'Resident memory of this process, in bytes.',
  process_heap_bytes: "V8's heap in use by this process, in bytes.",
  process_start_time_seconds: 'Unix time this process started.',
};

/** This process' own figures, as Prometheus client libraries name them (process_*). */
export function processPoints(now = Date.now()): Point[] {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return [
    {
      measurement: 'process',
      tags: [],
      fields: [
        { key: 'cpu_seconds_total', value: (cpu.user + cpu.system) / 1e6, type: 'float' },
        { key: 'resident_memory_bytes', value: memory.rss, type: 'integer' },
        { key: 'heap_bytes', value: memory.heapUsed, type: 'integer' },
        { key: 'start_time_seconds', value: Math.round(now - process.uptime() * 1000) / 1000, type: 'float' },
      ],
      ts: now,
    },
  ];
}

function statusPoints(snapshot: MachineSnapshot, status: MachineStatus): Point[] {
  const base: Point['tags'] = [
    ['host', snapshot.machine.name],
    ['machine_id', snapshot.machine.machineId],
  ];
  const points: Point[] = [{ measurement: 'vigil_machine', tags: base, fields: [{ key: 'up', value: status.state === 'up' ? 1 : 0, type: 'integer' }], ts: status.now }];
  for (const state of FLEET_STATES) {
    points.push({ measurement: 'vigil_machine', tags: [...base, ['state', state]], fields: [{ key: 'state', value: state === status.state ? 1 : 0, type: 'integer' }], ts: status.now });
  }
  const timing: Point['fields'] = [];
  if (status.lastSeen !== null) timing.push({ key: 'last_seen_timestamp_seconds', value: status.lastSeen / 1000, type: 'float' });
  if (status.lastSampleTs !== null) timing.push({ key: 'sync_lag_seconds', value: Math.max(0, status.now - status.lastSampleTs) / 1000, type: 'float' });
  if (timing.length > 0) points.push({ measurement: 'vigil_machine', tags: base, fields: timing, ts: status.now });
  return points;
}

/** The points of a snapshot, plus vigil_sample_timestamp_seconds (and the hub's view of the machine). */
export function snapshotPoints(snapshot: MachineSnapshot): Point[] {
  const points: Point[] = [];
  const current = !snapshot.status || snapshot.status.state === 'up';
  if (snapshot.status) points.push(...statusPoints(snapshot, snapshot.status));
  if (snapshot.sample) {
    if (current) points.push(...samplePoints(snapshot.sample, snapshot.machine));
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
  if (current && snapshot.counters) points.push(...counterPoints(snapshot.counters, snapshot.machine));
  if (current && snapshot.disks) points.push(...diskPoints(snapshot.disks, snapshot.machine));
  if (snapshot.host) points.push(...hostPoints(snapshot.host.ts, snapshot.host.host, snapshot.machine));
  return points;
}

/** The exposition of one or more machines (a hub exposes every machine it holds), plus other points (process_*, the hub's own). */
export function encodeExposition(snapshots: readonly MachineSnapshot[], extra: readonly Point[] = []): string {
  return encodeFamilies([...snapshots.flatMap(snapshotPoints), ...extra]);
}

/** Groups numeric fields into metric families: known names in the order of `help` (default: the metric table's, then the others), others sorted. */
export function encodeFamilies(points: readonly Point[], help: Readonly<Record<string, string>> = { ...METRIC_HELP, ...EXPOSITION_EXTRA_HELP }): string {
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
  const order = Object.keys(help);
  const rank = (name: string) => {
    const i = order.indexOf(name);
    return i < 0 ? order.length : i;
  };
  const names = [...families.keys()].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  let text = '';
  for (const name of names) {
    text += `# HELP ${name} ${escapeHelp(help[name] ?? `Vigil metric ${name}.`)}\n# TYPE ${name} ${metricType(name)}\n${families.get(name)!.join('\n')}\n`;
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
