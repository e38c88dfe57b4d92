// `vigil sample`: N samples from this machine's readers, printed as they come, like `sar 1 5`
// (as JSON lines with --json), naming the reader set in use. It runs the same Sampler the agent
// runs, so what it prints is what the agent would record, but it opens no database and no data
// folder: its import graph never reaches better-sqlite3 (a test checks), so it runs where that
// native module is not built, e.g. a Windows node.exe under Wine.
//
// The host snapshot comes from Node's os module only (hostInventory: false): on the native reader
// sets nothing loads systeminformation and nothing spawns a process, at start or per tick.
import os from 'node:os';
import { createLogger } from '../../core/log.js';
import { createMetricSources } from '../../core/metrics/index.js';
import { Sampler } from '../../core/sampler.js';
import type { DiskUsage, Sample } from '../../shared/model.js';
import { formatBits, formatBytes, formatPercent } from '../../shared/units.js';
import { diskUsedPercent } from '../../shared/disk-usage.js';

export interface SampleOptions {
  count: number;
  interval: number;
  json?: boolean;
  portable?: boolean;
}

/** The JSON line of one sample: the reader set, the sample as stored, the latest disk reading. */
export interface SampleLine extends Sample {
  readers: string;
  disks: DiskUsage[] | null;
}

/** How long without a sample before giving up: the CPU or memory reader fails (warned on stderr), or a
 * portable reader hangs (systeminformation runs PowerShell on Windows: seconds a call). */
const NO_SAMPLE_GRACE_MS = 60_000;

export async function runSample(options: SampleOptions): Promise<number> {
  const logger = createLogger({ level: 'warn', stream: process.stderr });
  const sources = await createMetricSources({ portable: options.portable, hostInventory: false, logger });
  const intervalMs = options.interval * 1000;
  const sampler = new Sampler({ intervalMs, sources, logger });
  const out = process.stdout;

  let disks: DiskUsage[] | null = null;
  let disksPrinted = false;
  const samples: Sample[] = [];

  if (!options.json) {
    const cpus = os.cpus().length;
    out.write(`Vigil sample: reader set ${sources.name} on ${os.hostname()} (${os.platform()} ${os.release()} ${os.arch()}, ${cpus} CPU${cpus === 1 ? '' : 's'}), ${options.count} sample${options.count === 1 ? '' : 's'} every ${options.interval} s\n`);
  }

  const finished = new Promise<number>((resolve) => {
    let watchdog: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(watchdog);
      // The first sample comes after the baseline tick and up to one interval of alignment.
      watchdog = setTimeout(() => {
        process.stderr.write(`vigil: no sample in ${Math.round((2 * intervalMs + NO_SAMPLE_GRACE_MS) / 1000)} s: the CPU or memory reader fails here (see the warnings above)\n`);
        resolve(1);
      }, 2 * intervalMs + NO_SAMPLE_GRACE_MS);
    };
    arm();
    sampler.on('disk', (record) => (disks = record.disks));
    sampler.on('sample', (sample) => {
      samples.push(sample);
      try {
        if (options.json) {
          const line: SampleLine = { readers: sources.name, ...sample, disks };
          out.write(`${JSON.stringify(line)}\n`);
        } else {
          if (!disksPrinted && disks) {
            out.write(diskText(disks));
            disksPrinted = true;
          }
          out.write(sampleText(sample, sources.platform));
        }
      } catch (error) {
        // The reader went away (`vigil sample | head -1`): stop quietly, as sar does.
        if ((error as NodeJS.ErrnoException).code === 'EPIPE') return resolve(0);
        throw error;
      }
      if (samples.length >= options.count) {
        clearTimeout(watchdog);
        resolve(0);
      } else {
        arm();
      }
    });
    out.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(watchdog);
      if (error.code === 'EPIPE') resolve(0);
      else {
        process.stderr.write(`vigil: cannot write the samples: ${error.message}\n`);
        resolve(1);
      }
    });
    const interrupted = () => {
      clearTimeout(watchdog);
      resolve(0);
    };
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
  });

  sampler.start();
  const code = await finished;
  await sampler.stop();
  if (code === 0 && !options.json && samples.length > 1 && !out.destroyed) out.write(averageText(samples));
  return code;
}

const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

function loadText(sample: Sample, platform: NodeJS.Platform): string {
  if (sample.load) return `load ${sample.load.one.toFixed(2)} ${sample.load.five.toFixed(2)} ${sample.load.fifteen.toFixed(2)}`;
  return platform === 'win32' ? 'load none (Windows has no load average)' : 'load unknown';
}

/** One sample: a summary line, then one line per interface (as `sar -n DEV` lists them). */
export function sampleText(sample: Sample, platform: NodeJS.Platform): string {
  const m = sample.memory;
  const lines = [
    `${TIME.format(sample.ts)}  cpu ${formatPercent(sample.cpu.total).padStart(7)}  mem ${formatBytes(m.used)} used, ${formatBytes(m.available)} available of ${formatBytes(m.total)}  swap ${formatBytes(m.swapUsed)} of ${formatBytes(m.swapTotal)}  ${loadText(sample, platform)}`,
    `          cores ${sample.cpu.cores.map((c) => c.toFixed(1)).join(' ')}`,
  ];
  const width = Math.max(9, ...sample.net.map((n) => n.iface.length + kind(n).length));
  for (const n of sample.net) {
    lines.push(`          ${(n.iface + kind(n)).padEnd(width)}  in ${formatBits(n.rxBitsPerSecond).padStart(12)}  out ${formatBits(n.txBitsPerSecond).padStart(12)}`);
  }
  return `${lines.join('\n')}\n`;
}

function kind(n: { loopback: boolean; virtual: boolean }): string {
  return n.loopback ? ' (loopback)' : n.virtual ? ' (virtual)' : '';
}

export function diskText(disks: readonly DiskUsage[]): string {
  if (disks.length === 0) return 'disk      none found\n';
  return disks
    .map(
      (d, i) =>
        `${i === 0 ? 'disk' : '    '}      ${d.mountPoint}  ${formatPercent(diskUsedPercent(d) ?? 0)} used, ${formatBytes(d.used)} of ${formatBytes(d.total)}${d.available === undefined ? '' : `, ${formatBytes(d.available)} avail`} (${d.fsType}, ${d.device})\n`,
    )
    .join('');
}

/** The mean of each figure over the samples, like sar's Average: line. */
export function averageText(samples: readonly Sample[]): string {
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const lines = [
    `Average:  cpu ${formatPercent(mean(samples.map((s) => s.cpu.total))).padStart(7)}  mem ${formatBytes(mean(samples.map((s) => s.memory.used)))} used, ${formatBytes(mean(samples.map((s) => s.memory.available)))} available`,
  ];
  const names = [...new Set(samples.flatMap((s) => s.net.map((n) => n.iface)))];
  const width = Math.max(9, ...names.map((n) => n.length));
  for (const name of names) {
    const rates = samples.flatMap((s) => s.net.filter((n) => n.iface === name));
    const rx = rates.map((r) => r.rxBitsPerSecond).filter((v): v is number => v !== null);
    const tx = rates.map((r) => r.txBitsPerSecond).filter((v): v is number => v !== null);
    lines.push(`          ${name.padEnd(width)}  in ${formatBits(rx.length ? mean(rx) : null).padStart(12)}  out ${formatBits(tx.length ? mean(tx) : null).padStart(12)}`);
  }
  return `${lines.join('\n')}\n`;
}
