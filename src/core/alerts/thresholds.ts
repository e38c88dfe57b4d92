// Local threshold alerts: CPU, memory or a disk above X % for Y minutes → a problem; back at or
// below X % for Y minutes → the recovery. Symmetric on purpose: one rule to explain, and a
// value hovering around the limit cannot flap (each side must hold for Y minutes).
//
// Fed by the engine's 'sample' and 'disk' events; a few comparisons per sample. Sample
// timestamps (not timers) measure the Y minutes, and a sampling gap (pause, suspend) restarts
// the count, so a value seen before and after a gap is not taken as lasting through it.
import type { DiskSample, Sample } from '../../shared/model.js';
import { formatDuration, formatPercent } from '../../shared/units.js';
import type { AlertChange, AlertSink, ThresholdMetric } from './types.js';
import { diskUsedPercent } from '../../shared/disk-usage.js';

export interface ThresholdPolicy {
  /** Limits in %, 0 = off. */
  cpuPercent: number;
  memoryPercent: number;
  diskPercent: number;
  /** How long a value must stay above (or back below) its limit. */
  forMs: number;
}

interface Streak {
  /** null: not known yet since start (the first confirmed "below" may close an incident left open before a restart). */
  alerted: boolean | null;
  aboveSince: number | null;
  belowSince: number | null;
  peak: number;
}

export class ThresholdMonitor {
  private readonly streaks = new Map<string, Streak>();

  constructor(
    private readonly machine: string,
    private policy: ThresholdPolicy,
    private readonly sink: AlertSink,
  ) {}

  get enabled(): boolean {
    return this.policy.cpuPercent > 0 || this.policy.memoryPercent > 0 || this.policy.diskPercent > 0;
  }

  setPolicy(policy: ThresholdPolicy): void {
    this.policy = policy;
    this.streaks.clear();
  }

  onSample(sample: Sample): void {
    const changes: AlertChange[] = [];
    if (this.policy.cpuPercent > 0) this.observe('cpu', 'cpu', 'CPU', sample.cpu.total, this.policy.cpuPercent, sample.ts, changes);
    if (this.policy.memoryPercent > 0 && sample.memory.total > 0) {
      this.observe('memory', 'memory', 'Memory', (100 * sample.memory.used) / sample.memory.total, this.policy.memoryPercent, sample.ts, changes);
    }
    if (changes.length > 0) this.sink.report(changes);
  }

  onDisk(disk: DiskSample): void {
    if (this.policy.diskPercent <= 0) return;
    const changes: AlertChange[] = [];
    for (const d of disk.disks) {
      // df's Use% (used / (used + available)): the root reserve is not room users have.
      const percent = diskUsedPercent(d);
      if (percent === null) continue;
      this.observe('disk', `disk:${d.mountPoint}`, `Disk ${d.mountPoint}`, percent, this.policy.diskPercent, disk.ts, changes);
    }
    if (changes.length > 0) this.sink.report(changes);
  }

  /** Sampling stopped for a while: a streak does not carry across the gap. */
  onGap(): void {
    for (const streak of this.streaks.values()) {
      streak.aboveSince = null;
      streak.belowSince = null;
    }
  }

  private observe(metric: ThresholdMetric, key: string, label: string, value: number, limit: number, ts: number, out: AlertChange[]): void {
    let streak = this.streaks.get(key);
    if (!streak) {
      streak = { alerted: null, aboveSince: null, belowSince: null, peak: 0 };
      this.streaks.set(key, streak);
    }
    const lasted = this.policy.forMs;
    if (value > limit) {
      streak.belowSince = null;
      if (streak.aboveSince === null) {
        streak.aboveSince = ts;
        streak.peak = value;
      }
      streak.peak = Math.max(streak.peak, value);
      if (streak.alerted !== true && ts - streak.aboveSince >= lasted) {
        streak.alerted = true;
        out.push({
          key,
          severity: 'problem',
          kind: `${metric}_high`,
          machine: this.machine,
          title: `${label} on ${this.machine} above ${limit} %`,
          since: streak.aboveSince,
          at: ts,
          details: [`${label} has been above ${limit} % for ${formatDuration(ts - streak.aboveSince)}: now ${formatPercent(value)}, peak ${formatPercent(streak.peak)}.`],
        });
      }
    } else {
      streak.aboveSince = null;
      if (streak.belowSince === null) streak.belowSince = ts;
      if (streak.alerted !== false && ts - streak.belowSince >= lasted) {
        // alerted === null: first confirmation since start; the pipeline ignores it unless an
        // incident was left open (this agent restarted while the value was high).
        streak.alerted = false;
        out.push({
          key,
          severity: 'recovery',
          kind: `${metric}_ok`,
          machine: this.machine,
          title: `${label} on ${this.machine} back below ${limit} %`,
          since: streak.belowSince,
          at: ts,
          details: [`${label} has been at or below ${limit} % for ${formatDuration(ts - streak.belowSince)}: now ${formatPercent(value)}.`],
        });
      }
    }
  }
}
