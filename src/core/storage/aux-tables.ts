// The auxiliary tables beside the samples: disk usage per mount (about once a minute) and host
// snapshots (only when the host changed). Each call runs inside one of the facade's
// transactions; arguments are checked before it starts.
import { VigilError } from '../../shared/errors.js';
import type { DiskSample, DiskUsage, HostRecord, HostSnapshot } from '../../shared/model.js';
import { checkTimestamp } from './input-checks.js';
import type { DiskRow, HostRow, Statements } from './statements.js';

/** A disk sample checked and rounded to whole bytes. */
export function checkDiskSample(sample: DiskSample): DiskUsage[] {
  checkTimestamp(sample?.ts, 'disk sample');
  return (sample.disks ?? []).map((d, i) => checkDisk(d, i));
}

/** The host snapshot as stored (stable JSON, so equal snapshots compare equal). */
export function checkHostRecord(record: HostRecord): string {
  checkTimestamp(record?.ts, 'host snapshot');
  if (typeof record.host !== 'object' || record.host === null) throw new VigilError('invalid_argument', 'A host snapshot has no host.');
  return stableJson(record.host);
}

export class AuxTables {
  constructor(private readonly s: Statements) {}

  insertDisks(ts: number, disks: readonly DiskUsage[]): void {
    for (const d of disks) {
      const mount = this.s.mountId.get(d.device, d.mountPoint, d.fsType) ?? Number(this.s.insertMount.run(d.device, d.mountPoint, d.fsType).lastInsertRowid);
      this.s.insertDisk.run(ts, mount, d.total, d.used, d.free ?? null, d.available ?? null);
    }
  }

  /** Stores the snapshot unless it equals the latest one; returns whether it did. */
  insertHost(ts: number, json: string): boolean {
    const latest = this.s.latestHost.get();
    if (latest && latest[1] === json) return false;
    return this.s.insertHost.run(ts, json).changes === 1;
  }

  latestHost(): HostRecord | null {
    const row = this.s.latestHost.get();
    return row ? hostRecord(row) : null;
  }

  /** Host snapshots in [from, to), plus the one in force at `from`. */
  hostHistory(from: number, to: number): HostRecord[] {
    const before = this.s.hostBefore.get(from);
    const rows = this.s.hostRange.all(from, to);
    return (before ? [before, ...rows] : rows).map(hostRecord);
  }

  latestDisks(): DiskSample | null {
    const ts = this.s.maxDisk.get() ?? null;
    return ts === null ? null : (groupDisks(this.s.diskRange.all(ts, ts + 1))[0] ?? null);
  }

  diskSamples(from: number, to: number): DiskSample[] {
    return groupDisks(this.s.diskRange.all(from, to));
  }
}

function checkDisk(d: DiskUsage, index: number): DiskUsage {
  const ok =
    d &&
    typeof d.device === 'string' &&
    typeof d.mountPoint === 'string' &&
    typeof d.fsType === 'string' &&
    Number.isFinite(d.total) &&
    Number.isFinite(d.used) &&
    d.total >= 0 &&
    d.used >= 0 &&
    optionalBytes(d.free) &&
    optionalBytes(d.available);
  if (!ok) throw new VigilError('invalid_argument', `Disk #${index} of a disk sample is malformed (device, mount point, fs type, total and used bytes ≥ 0; free and available bytes ≥ 0 when given).`);
  const checked: DiskUsage = { ...d, total: Math.round(d.total), used: Math.round(d.used) };
  if (d.free !== undefined) checked.free = Math.round(d.free);
  if (d.available !== undefined) checked.available = Math.round(d.available);
  return checked;
}

function optionalBytes(value: number | undefined): boolean {
  return value === undefined || (Number.isFinite(value) && value >= 0);
}

function groupDisks(rows: readonly DiskRow[]): DiskSample[] {
  const out: DiskSample[] = [];
  for (const [ts, device, mountPoint, fsType, total, used, free, avail] of rows) {
    let last = out[out.length - 1];
    if (!last || last.ts !== ts) out.push((last = { ts, disks: [] }));
    const disk: DiskUsage = { device, mountPoint, fsType, total, used };
    // NULL: a row stored before schema 2 (the fields stay absent, never a made-up 0).
    if (free !== null) disk.free = free;
    if (avail !== null) disk.available = avail;
    last.disks.push(disk);
  }
  return out;
}

function hostRecord([ts, data]: HostRow): HostRecord {
  // Written by this file from a HostSnapshot (checkHostRecord).
  return { ts, host: JSON.parse(data) as HostSnapshot };
}

/** JSON with object keys sorted, so equal snapshots compare equal whatever built them. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v,
  );
}
