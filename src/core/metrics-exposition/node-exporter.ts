// /metrics with node_exporter's names and labels (server.metricsNames = 'node', --metrics-names
// node), for the dashboards and alert rules written for node_exporter, Grafana's "Node Exporter
// Full" (1860) first. Only what Vigil measures with node_exporter's meaning is there:
// - the metric table's families that name a node_exporter twin (descriptor.nodeExporter: memory,
//   swap total, load averages, filesystem size, free and avail);
// - the raw counters (node_cpu_seconds_total{cpu,mode}, node_network_*_total{device}): the
//   table's counters are node_exporter's own names in Vigil's namespace;
// - what node_exporter derives: node_memory_SwapFree_bytes (total − used), node_uname_info,
//   node_boot_time_seconds, node_time_seconds.
// Labels are node_exporter's: no host or machine_id (Prometheus adds instance and job), device,
// fstype and mountpoint for filesystems. Names Vigil has no value for (Cached, Buffers, disk I/O,
// pressure) are absent: those panels stay empty rather than show made-up numbers.
import { COUNTERS, FAMILIES } from '../../shared/metrics/catalog.js';
import { diskUsedPercent } from '../../shared/disk-usage.js';
import type { DiskUsage, InterfaceCounters } from '../../shared/model.js';
import { CPU_MODES } from '../../shared/model.js';
import { machineValue } from '../../shared/series.js';
import { EXPOSITION_EXTRA_HELP, encodeFamilies, type MachineSnapshot } from './prometheus-text.js';
import type { Field, Point } from './convention.js';

const NODE = 'node';

const EXTRA_HELP: Readonly<Record<string, string>> = {
  node_memory_SwapFree_bytes: 'Memory information field SwapFree_bytes (swap total minus used).',
  node_uname_info: 'Labeled system information as provided by the uname system call.',
  node_boot_time_seconds: 'Node boot time, in unixtime.',
  node_time_seconds: 'System time in seconds since epoch (1970).',
};

/** HELP of the node names this exposition uses: the Vigil family's text, in table order. */
export const NODE_HELP: Readonly<Record<string, string>> = {
  ...Object.fromEntries(FAMILIES.filter((f) => f.descriptor.nodeExporter).map((f) => [f.descriptor.nodeExporter!.name, f.descriptor.prometheus.help])),
  ...Object.fromEntries(COUNTERS.map(({ counter }) => [nodeCounterName(counter.name), counter.help])),
  ...EXTRA_HELP,
};

/** vigil_cpu_seconds_total → node_cpu_seconds_total: the counters carry node_exporter's names after the namespace. */
export function nodeCounterName(name: string): string {
  return `node_${name.slice('vigil_'.length)}`;
}

function point(name: string, tags: [string, string][], value: number, ts: number): Point {
  const field: Field = { key: name.slice(NODE.length + 1), value, type: 'float' };
  return { measurement: NODE, tags: tags.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)), fields: [field], ts };
}

/** The points of one machine (the agent's own) under node_exporter's names. */
export function nodeExporterPoints(snapshot: MachineSnapshot, now = Date.now()): Point[] {
  const points: Point[] = [];
  const sample = snapshot.sample;
  if (sample) {
    for (const family of FAMILIES) {
      const node = family.descriptor.nodeExporter;
      if (!node || family.scope !== 'machine') continue;
      const value = machineValue(sample, family);
      // Bytes and load averages: no export scale, the value as it is.
      if (value != null) points.push(point(node.name, [], value, now));
    }
    points.push(point('node_memory_SwapFree_bytes', [], Math.max(0, sample.memory.swapTotal - sample.memory.swapUsed), now));
  }
  const counters = snapshot.counters;
  if (counters) {
    for (const { counter } of COUNTERS) {
      const name = nodeCounterName(counter.name);
      if (counter.at === 'mode') {
        counters.cpu.forEach((modes, cpu) => {
          if (!modes) return;
          for (const mode of CPU_MODES) {
            const seconds = modes[mode];
            if (seconds !== undefined) points.push(point(name, [['cpu', String(cpu)], ['mode', mode]], seconds, now));
          }
        });
      } else {
        const at = counter.at;
        for (const iface of counters.net) {
          const value = (iface as InterfaceCounters)[at];
          if (value !== undefined) points.push(point(name, [['device', iface.iface]], value, now));
        }
      }
    }
  }
  for (const disk of snapshot.disks?.disks ?? []) {
    const tags = (): [string, string][] => [
      ['device', disk.device],
      ['fstype', disk.fsType],
      ['mountpoint', disk.mountPoint],
    ];
    for (const family of FAMILIES) {
      const node = family.descriptor.nodeExporter;
      if (!node || family.scope !== 'filesystem') continue;
      const field = family.recordField as keyof DiskUsage | 'usedPercent';
      const value = field === 'usedPercent' ? diskUsedPercent(disk) : (disk[field] as number | undefined);
      if (value != null) points.push(point(node.name, tags(), value, now));
    }
  }
  const host = snapshot.host?.host;
  if (host) {
    // uname's fields as node_exporter labels them; sysname is the kernel's name (Linux, Darwin, Windows_NT).
    const sysname = host.platform === 'linux' ? 'Linux' : host.platform === 'darwin' ? 'Darwin' : host.platform === 'win32' ? 'Windows_NT' : host.platform;
    const machine = host.arch === 'x64' ? 'x86_64' : host.arch === 'arm64' ? (host.platform === 'darwin' ? 'arm64' : 'aarch64') : host.arch;
    points.push(point('node_uname_info', [['nodename', host.hostname], ['sysname', sysname], ['release', host.kernel], ['machine', machine], ['version', host.os], ['domainname', '(none)']], 1, now));
    points.push(point('node_boot_time_seconds', [], Math.floor(host.bootTime / 1000), now));
  }
  points.push(point('node_time_seconds', [], now / 1000, now));
  return points;
}

/** The exposition in node_exporter's names (plus this process' process_* figures, given as `extra`). */
export function encodeNodeExposition(snapshot: MachineSnapshot, extra: readonly Point[] = [], now = Date.now()): string {
  return encodeFamilies([...nodeExporterPoints(snapshot, now), ...extra], { ...NODE_HELP, ...EXPOSITION_EXTRA_HELP });
}
