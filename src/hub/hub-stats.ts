// The hub's own figures for GET /api/hub: its process's CPU share (sampled every watch tick) and
// the bytes its files take on disk.
import fs from 'node:fs';
import path from 'node:path';
import type { HubStorageStats } from './read-model.js';

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
