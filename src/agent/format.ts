// Plain-text rendering of samples and host facts, shared by `vigil status` and `vigil watch`. The
// sample's rows come from the metric table (src/shared/metrics/table.ts): a family added there is
// printed too, in a row of its group or a column of the interface table.
import { stripVTControlCharacters } from 'node:util';
import { formatLocalIso } from '../shared/dates.js';
import { FAMILIES, type MetricFamily } from '../shared/metrics/catalog.js';
import { METRIC_GROUPS, type MetricGroup, type MetricUnit } from '../shared/metrics/descriptor.js';
import type { DiskUsage, HostSnapshot, Sample } from '../shared/model.js';
import { machineValue } from '../shared/series.js';
import { formatBits, formatBytes, formatDuration, formatPercent } from '../shared/units.js';
import { diskUsedPercent } from '../shared/disk-usage.js';
import { levelStyle, noColour, visibleLength, type Paint } from './colour.js';

/** The alert thresholds (settings.alerts; 0 = off) the percentages are coloured against. */
export interface Thresholds {
  cpuPercent: number;
  memoryPercent: number;
  diskPercent: number;
}

const NO_THRESHOLDS: Thresholds = { cpuPercent: 0, memoryPercent: 0, diskPercent: 0 };

/** How lines are coloured: none by default (a pipe, --json, NO_COLOR). */
export interface LineStyle {
  paint?: Paint;
  thresholds?: Thresholds;
}

/** A percentage, padded to 8 columns, in its level's colour against `threshold`. */
function percentCell(percent: number, threshold: number, style: LineStyle): string {
  const text = formatPercent(percent).padStart(8);
  const level = levelStyle(percent, threshold);
  return level ? (style.paint ?? noColour).style(level, text) : text;
}

export function hostLines(host: HostSnapshot, now: number): string[] {
  const cpu = host.cpu;
  const cores = cpu.cores ? `${cpu.cores} cores / ${cpu.threads} threads` : `${cpu.threads} threads`;
  const frequency = cpu.maxFrequencyMhz ? `, up to ${(cpu.maxFrequencyMhz / 1000).toFixed(2)} GHz` : '';
  return [
    `Host     ${host.hostname} (user ${host.user}), ${host.os}, kernel ${host.kernel} ${host.arch}`,
    `CPU      ${cpu.model}, ${cores}${frequency}`,
    `Up       ${formatDuration(now - host.bootTime)} (booted ${formatLocalIso(host.bootTime)})`,
  ];
}

/** The public address, "unknown since …" while lookups fail, or how to turn the lookup on. */
export function publicIpLine(host: HostSnapshot, now: number, paint: Paint = noColour): string {
  const info = host.publicIp;
  if (!info) return 'Public   not checked (off by default: set publicIp.enabled in the settings)';
  const since = `since ${formatLocalIso(info.since)} (${formatDuration(now - info.since)} ago)`;
  return info.address ? `Public   ${info.address} ${since}` : `Public   ${paint.style('yellow', 'unknown')} ${since}: the lookup fails (see vigil logs)`;
}

type Values = ReadonlyMap<string, number | null>;

/** A value in its unit, as the CLI prints it ('–' for none). */
function formatValue(unit: MetricUnit, value: number | null | undefined): string {
  if (value == null) return '–';
  switch (unit) {
    case 'percent':
      return formatPercent(value);
    case 'bytes':
      return formatBytes(value);
    case 'bits_per_second':
      return formatBits(value);
    case 'load':
      return value.toFixed(2);
    default:
      return String(value);
  }
}

/**
 * Rows with a layout of their own (a meter, a sentence), by the families they print; any other
 * machine-wide family gets the plain row of its group (`title  v1  v2  v3   legend`).
 */
const LAYOUTS: readonly { keys: readonly string[]; lines: (values: Values, sample: Sample, width: number | undefined, style: LineStyle) => string[] }[] = [
  {
    keys: ['cpu', 'cpu.{cpu}'],
    lines(values, sample, width, style) {
      const total = values.get('cpu') ?? 0;
      const cores = sample.cpu.cores.map((pct, i) => `${coreLabel(i)} ${pct.toFixed(1)}`);
      const cpuPercent = (style.thresholds ?? NO_THRESHOLDS).cpuPercent;
      if (width === undefined) return [`CPU      ${percentCell(total, cpuPercent, style)}   ${bar(total)}   ${cores.join('  ')}`];
      // In a terminal: per-core figures on lines of their own, wrapped to its width.
      const lines = [`CPU      ${percentCell(total, cpuPercent, style)}   ${bar(total)}`];
      let line = 'Cores   ';
      for (const core of cores) {
        if (line.length + 2 + core.length > width - 1 && line.trim() !== 'Cores') {
          lines.push(line);
          line = '        ';
        }
        line += ` ${core} `;
      }
      if (cores.length > 0) lines.push(line.trimEnd());
      return lines;
    },
  },
  {
    keys: ['mem.total', 'mem.used', 'mem.available', 'mem.free'],
    lines(values, _sample, _width, style) {
      const [total, used, available, free] = ['mem.total', 'mem.used', 'mem.available', 'mem.free'].map((key) => values.get(key) ?? 0) as [number, number, number, number];
      const usedPct = total ? (used / total) * 100 : 0;
      return [`Memory   ${percentCell(usedPct, (style.thresholds ?? NO_THRESHOLDS).memoryPercent, style)}   ${bar(usedPct)}   ${formatBytes(used)} used of ${formatBytes(total)}, ${formatBytes(available)} available, ${formatBytes(free)} free`];
    },
  },
  {
    keys: ['swap.total', 'swap.used'],
    lines(values) {
      const total = values.get('swap.total') ?? 0;
      const used = values.get('swap.used') ?? 0;
      if (!(total > 0)) return ['Swap     none'];
      const pct = (used / total) * 100;
      return [`Swap     ${formatPercent(pct).padStart(8)}   ${bar(pct)}   ${formatBytes(used)} of ${formatBytes(total)}`];
    },
  },
];

const coreFamily = FAMILIES.find((family) => family.scope === 'cpu');

function coreLabel(index: number): string {
  return coreFamily ? coreFamily.descriptor.label.replace('{cpu}', String(index)) : `cpu${index}`;
}

/**
 * The sample, one row per display group of the metric table, in the table's order: the rows with
 * a layout (CPU, memory, swap), a plain row for the other machine-wide groups (the load average:
 * none where the OS has none), and a table of the interfaces with a column per family. With
 * `width` (a terminal's columns), per-core figures go on lines of their own wrapped to it, so a
 * machine with many cores does not make the CPU line wrap.
 */
export function sampleLines(sample: Sample, options: { includeVirtual?: boolean; width?: number } & LineStyle = {}): string[] {
  const values = new Map<string, number | null>();
  for (const family of FAMILIES) if (family.scope === 'machine') values.set(family.descriptor.key!, machineValue(sample, family));
  const lines: string[] = [];
  const done = new Set<MetricFamily>();
  /** Groups a layout printed: a family of theirs it did not print gets a row under its own label. */
  const laidOut = new Set<MetricGroup>();
  for (const family of FAMILIES) {
    if (done.has(family) || family.scope === 'filesystem') continue;
    const layout = LAYOUTS.find((candidate) => candidate.keys.includes(family.descriptor.key!));
    if (layout) {
      for (const member of FAMILIES) if (layout.keys.includes(member.descriptor.key!)) done.add(member);
      laidOut.add(family.descriptor.group);
      lines.push(...layout.lines(values, sample, options.width, options));
      continue;
    }
    const members = FAMILIES.filter((member) => member.descriptor.group === family.descriptor.group && member.scope === family.scope && !done.has(member));
    for (const member of members) done.add(member);
    if (family.scope === 'interface') lines.push(...interfaceLines(sample, members, options));
    else if (family.scope === 'machine') lines.push(...machineRow(laidOut.has(family.descriptor.group) ? null : family.descriptor.group, members, values));
  }
  return lines;
}

/**
 * `Load     0.52  0.30  0.10   (1, 5, 15 min)`: the group's title (null: the families' labels),
 * values, legend; no row when none of the values is there.
 */
function machineRow(group: MetricGroup | null, members: readonly MetricFamily[], values: Values): string[] {
  const known = members.map((member) => values.get(member.descriptor.key!) ?? null);
  if (known.every((value) => value === null)) return [];
  const info: { title: string; legend?: string } | undefined = group === null ? undefined : METRIC_GROUPS[group];
  const title = info?.title ?? members[0]!.descriptor.label;
  const legend = info?.legend ?? (members.length > 1 ? `(${members.map((member) => member.descriptor.label).join(', ')})` : '');
  const text = members.map((member, i) => formatValue(member.descriptor.unit, known[i])).join('  ');
  return [`${title.padEnd(8)} ${text}${legend ? `   ${legend}` : ''}`];
}

/** The interfaces, one row each, a column per family of the group (in, out). */
function interfaceLines(sample: Sample, members: readonly MetricFamily[], options: { includeVirtual?: boolean }): string[] {
  const interfaces = sample.net.filter((n) => options.includeVirtual !== false || (!n.loopback && !n.virtual));
  const nameWidth = Math.max(8, ...interfaces.map((n) => n.iface.length + 1));
  const title = METRIC_GROUPS[members[0]!.descriptor.group]?.title ?? members[0]!.descriptor.group;
  const lines = [`${title.padEnd(8)} ${'interface'.padEnd(nameWidth)}${members.map((member) => ` ${member.descriptor.label.padStart(14)}`).join('')}`];
  for (const n of interfaces) {
    const kind = n.loopback ? ' (loopback)' : n.virtual ? ' (virtual)' : '';
    const cells = members.map((member) => ` ${formatValue(member.descriptor.unit, (n as unknown as Record<string, number | null>)[member.recordField!]).padStart(14)}`).join('');
    lines.push(`         ${n.iface.padEnd(nameWidth)}${cells}${kind}`);
  }
  return lines;
}

export function diskLines(disks: readonly DiskUsage[], style: LineStyle = {}): string[] {
  if (disks.length === 0) return [];
  const width = Math.max(...disks.map((d) => d.mountPoint.length));
  return disks.map((d, i) => {
    // df's Use%: used / (used + available), so 100 % is out of space for users.
    const pct = diskUsedPercent(d) ?? 0;
    const avail = d.available === undefined ? '' : `, ${formatBytes(d.available)} avail`;
    return `${i === 0 ? 'Disk' : '    '}     ${d.mountPoint.padEnd(width)} ${percentCell(pct, (style.thresholds ?? NO_THRESHOLDS).diskPercent, style)}   ${bar(pct)}   ${formatBytes(d.used)} of ${formatBytes(d.total)}${avail} (${d.fsType}, ${d.device})`;
  });
}

/** A 20-cell meter for a percentage. */
export function bar(percent: number): string {
  const cells = 20;
  const filled = Math.max(0, Math.min(cells, Math.round((percent / 100) * cells)));
  return `[${'|'.repeat(filled)}${' '.repeat(cells - filled)}]`;
}

/**
 * Lines fitted to a terminal: each cut to `columns` (a wrapped line would push the screen up),
 * and no more than `rows` - 1 of them, the last saying how many did not fit. Colour escapes take
 * no column; a line that has to be cut loses its colour (an escape cut in half would leak).
 */
export function fitScreen(lines: readonly string[], columns: number, rows: number): string[] {
  const width = Math.max(20, columns - 1);
  const cut = lines.map((line) => (visibleLength(line) > width ? `${[...stripVTControlCharacters(line)].slice(0, width - 1).join('')}…` : line));
  const room = Math.max(2, rows - 1);
  if (cut.length <= room) return cut;
  const hidden = cut.length - (room - 1);
  return [...cut.slice(0, room - 1), `… ${hidden} more line${hidden === 1 ? '' : 's'}: enlarge the window`];
}
