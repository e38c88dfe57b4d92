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

export function sampleLines(sample: Sample, options: { includeVirtual?: boolean } = {}): string[] {
  const lines: string[] = [];
  const cores = sample.cpu.cores.map((pct, i) => `cpu${i} ${pct.toFixed(1)}`).join('  ');
  lines.push(`CPU      ${formatPercent(sample.cpu.total).padStart(8)}   ${bar(sample.cpu.total)}   ${cores}`);
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
