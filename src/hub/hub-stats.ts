// The hub's own figures: for GET /api/hub its process's CPU share (sampled every watch tick) and
// the bytes its files take on disk; for GET /metrics its ingest counters (vigil_hub_*).
import fs from 'node:fs';
import path from 'node:path';
import type { Point } from '../core/metrics-exposition/convention.js';
import type { HubFanOutStatus } from './fanout.js';
import type { HubStorageStats } from './read-model.js';

/** What POST /api/ingest did since the hub started. */
export interface IngestCounts {
  batches: number;
  samples: number;
  rejected: number;
}

/** The process's CPU use between two calls of sample(), in % of one core. */
export class ProcessCpu {
  private last = { at: process.hrtime.bigint(), usage: process.cpuUsage() };
  private value = 0;

  get percent(): number {
    return this.value;
  }

  sample(): void {
    const at = process.hrtime.bigint();
    const usage = process.cpuUsage();
    const elapsedUs = Number(at - this.last.at) / 1000;
    const busyUs = usage.user - this.last.usage.user + (usage.system - this.last.usage.system);
    this.last = { at, usage };
    this.value = elapsedUs > 0 ? Math.round((busyUs / elapsedUs) * 1000) / 10 : 0;
  }
}

/** Bytes on disk of the registry, the machines' databases (and the hub's own, given). */
export function storageStats(files: { dataDir: string; registry: string; machines: string }, selfBytes: number): HubStorageStats {
  const sizeOf = (file: string) => ['', '-wal', '-shm'].reduce((sum, suffix) => sum + fileSize(`${file}${suffix}`), 0);
  let machinesBytes = 0;
  let machineFiles = 0;
  try {
    for (const name of fs.readdirSync(files.machines)) {
      if (!name.endsWith('.db')) continue;
      machineFiles++;
      machinesBytes += sizeOf(path.join(files.machines, name));
    }
  } catch {
    // No machine has reported yet.
  }
  let freeBytes: number | null = null;
  try {
    const stat = fs.statfsSync(files.dataDir);
    freeBytes = stat.bavail * stat.bsize;
  } catch {
    // statfs is not available everywhere.
  }
  return { registryBytes: sizeOf(files.registry), selfBytes, machinesBytes, machineFiles, freeBytes };
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** The hub's own point for GET /metrics: its ingest counters, and the fan-out's backlog when it has one. */
export function hubPoints(counts: IngestCounts, fanOut: HubFanOutStatus | null, ts: number): Point[] {
  const fields = [
    { key: 'ingest_batches_total', value: counts.batches, type: 'integer' as const },
    { key: 'ingest_samples_total', value: counts.samples, type: 'integer' as const },
    { key: 'ingest_rejected_total', value: counts.rejected, type: 'integer' as const },
  ];
  if (fanOut) {
    fields.push(
      { key: 'fanout_pending_samples', value: fanOut.pendingSamples, type: 'integer' as const },
      { key: 'fanout_failing_machines', value: fanOut.failingMachines, type: 'integer' as const },
    );
  }
  return [{ measurement: 'vigil_hub', tags: [], fields, ts }];
}
