// Plain-text rendering of samples and host facts, shared by `vigil status` and `vigil watch`.
import { formatLocalIso } from '../shared/dates.js';
import type { DiskUsage, HostSnapshot, Sample } from '../shared/model.js';
import { formatBits, formatBytes, formatDuration, formatPercent } from '../shared/units.js';
import { diskUsedPercent } from '../shared/disk-usage.js';

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
export function publicIpLine(host: HostSnapshot, now: number): string {
  const info = host.publicIp;
  if (!info) return 'Public   not checked (off by default: set publicIp.enabled in the settings)';
  const since = `since ${formatLocalIso(info.since)} (${formatDuration(now - info.since)} ago)`;
  return info.address ? `Public   ${info.address} ${since}` : `Public   unknown ${since}: the lookup fails (see vigil logs)`;
}

/**
 * The sample as lines. With `width` (a terminal's columns), per-core figures go on lines of their
 * own wrapped to it, so a machine with many cores does not make the CPU line wrap.
 */
export function sampleLines(sample: Sample, options: { includeVirtual?: boolean; width?: number } = {}): string[] {
  const lines: string[] = [];
  const cores = sample.cpu.cores.map((pct, i) => `cpu${i} ${pct.toFixed(1)}`);
  if (options.width === undefined) {
    lines.push(`CPU      ${formatPercent(sample.cpu.total).padStart(8)}   ${bar(sample.cpu.total)}   ${cores.join('  ')}`);
  } else {
    lines.push(`CPU      ${formatPercent(sample.cpu.total).padStart(8)}   ${bar(sample.cpu.total)}`);
    let line = 'Cores   ';
    for (const core of cores) {
      if (line.length + 2 + core.length > options.width - 1 && line.trim() !== 'Cores') {
        lines.push(line);
        line = '        ';
      }
      line += ` ${core} `;
    }
    if (cores.length > 0) lines.push(line.trimEnd());
  }
  const m = sample.memory;
  const usedPct = m.total ? (m.used / m.total) * 100 : 0;
  lines.push(`Memory   ${formatPercent(usedPct).padStart(8)}   ${bar(usedPct)}   ${formatBytes(m.used)} used of ${formatBytes(m.total)}, ${formatBytes(m.available)} available, ${formatBytes(m.free)} free`);
  if (m.swapTotal > 0) {
    const swapPct = (m.swapUsed / m.swapTotal) * 100;
    lines.push(`Swap     ${formatPercent(swapPct).padStart(8)}   ${bar(swapPct)}   ${formatBytes(m.swapUsed)} of ${formatBytes(m.swapTotal)}`);
  } else {
    lines.push('Swap     none');
  }
  if (sample.load) lines.push(`Load     ${sample.load.one.toFixed(2)}  ${sample.load.five.toFixed(2)}  ${sample.load.fifteen.toFixed(2)}   (1, 5, 15 min)`);
  const interfaces = sample.net.filter((n) => options.includeVirtual !== false || (!n.loopback && !n.virtual));
  const nameWidth = Math.max(8, ...interfaces.map((n) => n.iface.length + 1));
  lines.push(`Network  ${'interface'.padEnd(nameWidth)} ${'in'.padStart(14)} ${'out'.padStart(14)}`);
  for (const n of interfaces) {
    const kind = n.loopback ? ' (loopback)' : n.virtual ? ' (virtual)' : '';
    lines.push(`         ${n.iface.padEnd(nameWidth)} ${formatBits(n.rxBitsPerSecond).padStart(14)} ${formatBits(n.txBitsPerSecond).padStart(14)}${kind}`);
  }
  return lines;
}

export function diskLines(disks: readonly DiskUsage[]): string[] {
  if (disks.length === 0) return [];
  const width = Math.max(...disks.map((d) => d.mountPoint.length));
  return disks.map((d, i) => {
    // df's Use%: used / (used + available), so 100 % is out of space for users.
    const pct = diskUsedPercent(d) ?? 0;
    const avail = d.available === undefined ? '' : `, ${formatBytes(d.available)} avail`;
    return `${i === 0 ? 'Disk' : '    '}     ${d.mountPoint.padEnd(width)} ${formatPercent(pct).padStart(8)}   ${bar(pct)}   ${formatBytes(d.used)} of ${formatBytes(d.total)}${avail} (${d.fsType}, ${d.device})`;
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
 * and no more than `rows` - 1 of them, the last saying how many did not fit.
 */
export function fitScreen(lines: readonly string[], columns: number, rows: number): string[] {
  const width = Math.max(20, columns - 1);
  const cut = lines.map((line) => ([...line].length > width ? `${[...line].slice(0, width - 1).join('')}…` : line));
  const room = Math.max(2, rows - 1);
  if (cut.length <= room) return cut;
  const hidden = cut.length - (room - 1);
  return [...cut.slice(0, room - 1), `… ${hidden} more line${hidden === 1 ? '' : 's'}: enlarge the window`];
}
